import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { connect, StreamConsumer, StreamProducer } from 'redkit';
import { startRedisProcess } from './processes.js';
import { printTable, ratio, thousands } from './table.js';

const ENTRIES = 20_000;
const BATCH = 1_000;
const CONCURRENCY = 50;
const PAYLOAD = { orderId: 0, customer: 'c-42', total: 42.5, items: ['mug', 'tea'] };

interface Contender {
  name: string;
  /** Produces ENTRIES in batches and resolves when every one was processed and acknowledged. */
  run(round: number): Promise<void>;
  close(): Promise<void>;
}

function counter(target: number): { add(n: number): void; done: Promise<void> } {
  let count = 0;
  let resolve!: () => void;
  const done = new Promise<void>((r) => (resolve = r));
  return {
    add: (n) => {
      count += n;
      if (count >= target) resolve();
    },
    done,
  };
}

async function redkitContender(url: string): Promise<Contender> {
  const redis = await connect(url);
  return {
    name: 'redkit StreamProducer + StreamConsumer',
    run: async (round) => {
      const stream = `bench-orders-${round}`;
      const finished = counter(ENTRIES);
      const consumer = new StreamConsumer<typeof PAYLOAD>(redis, {
        stream,
        group: 'bench',
        concurrency: CONCURRENCY,
        handler: () => {},
        onAcknowledged: (ids) => finished.add(ids.length),
      });
      await consumer.start();
      const producer = new StreamProducer<typeof PAYLOAD>(redis, stream, { maxLen: ENTRIES * 2 });
      for (let i = 0; i < ENTRIES; i += BATCH)
        await producer.addMany(Array.from({ length: BATCH }, (_, j) => ({ ...PAYLOAD, orderId: i + j })));
      await finished.done;
      await consumer.stop();
      await redis.send('DEL', stream);
    },
    close: () => redis.close(),
  };
}

async function bullmqContender(port: number): Promise<Contender> {
  const connection = new Redis({ port, maxRetriesPerRequest: null });
  return {
    name: 'BullMQ Queue.addBulk + Worker',
    run: async (round) => {
      const name = `bench-orders-${round}`;
      const finished = counter(ENTRIES);
      const queue = new Queue(name, { connection });
      const workerConnection = new Redis({ port, maxRetriesPerRequest: null });
      const worker = new Worker(name, async () => {}, {
        connection: workerConnection,
        concurrency: CONCURRENCY,
      });
      worker.on('completed', () => finished.add(1));
      await worker.waitUntilReady();
      for (let i = 0; i < ENTRIES; i += BATCH)
        await queue.addBulk(
          Array.from({ length: BATCH }, (_, j) => ({
            name: 'order',
            data: { ...PAYLOAD, orderId: i + j },
            opts: { removeOnComplete: true },
          })),
        );
      await finished.done;
      await worker.close();
      await workerConnection.quit();
      await queue.obliterate({ force: true });
      await queue.close();
    },
    close: async () => void (await connection.quit()),
  };
}

/**
 * Job throughput end to end on one redis-server: produce ENTRIES in batches, process each with a trivial
 * handler at the same concurrency, acknowledge — redkit's stream consumer group against BullMQ.
 */
export async function benchStreamConsumer(rounds: number): Promise<void> {
  const server = await startRedisProcess();
  const contenders: Contender[] = [];
  try {
    contenders.push(await redkitContender(`redis://127.0.0.1:${server.port}`));
    contenders.push(await bullmqContender(server.port));
    const best = new Map<string, number>();
    for (let round = 0; round < rounds; round++) {
      for (const c of contenders) {
        const started = process.hrtime.bigint();
        await c.run(round);
        const perSecond = ENTRIES / (Number(process.hrtime.bigint() - started) / 1e9);
        best.set(c.name, Math.max(best.get(c.name) ?? 0, perSecond));
      }
    }
    const base = best.get('BullMQ Queue.addBulk + Worker')!;
    printTable(
      `Jobs end to end: ${thousands(ENTRIES)} produced in batches of ${thousands(BATCH)}, processed at concurrency ${CONCURRENCY} and acknowledged, one redis-server, best of ${rounds} (jobs/s)`,
      ['queue', 'jobs/s', 'vs BullMQ'],
      [...best].map(([name, rate]) => [name, thousands(rate), ratio(rate, base)]),
    );
  } finally {
    for (const c of contenders) await c.close().catch(() => {});
    await server.stop();
  }
}
