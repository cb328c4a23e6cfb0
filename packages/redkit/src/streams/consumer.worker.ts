/**
 * A StreamConsumer in its own process, for the kill test: it records every entry it processed ("p <id>",
 * written synchronously as the handler's last step, so a SIGKILL cannot lose it) and every acknowledgement
 * the server confirmed ("a <id> …"). An entry processed but not acknowledged when its worker was killed is
 * the one duplicate at-least-once delivery allows.
 */
import { appendFileSync } from 'node:fs';
import { connect } from '../client/connect.js';
import { StreamConsumer } from './consumer.js';

interface WorkerConfig {
  url: string;
  stream: string;
  group: string;
  name: string;
  log: string;
  concurrency: number;
  maxDeliveries: number;
  claimIdle: string;
  /** Fixed handler time; default a random 0-3 ms. */
  workMs?: number;
}

const config = JSON.parse(process.argv[2]!) as WorkerConfig;
const redis = await connect(config.url);
const consumer = new StreamConsumer<{ n: number; poison?: boolean }>(redis, {
  stream: config.stream,
  group: config.group,
  consumer: config.name,
  concurrency: config.concurrency,
  maxDeliveries: config.maxDeliveries,
  claimIdle: config.claimIdle,
  backoff: { base: '20ms', max: '200ms' },
  block: '1s',
  onError: () => {},
  onWarning: (message) => appendFileSync(config.log, `w ${message.replace(/\n/g, ' ')}\n`),
  handler: async ({ id, data, deliveries }) => {
    if (data.poison) throw new Error(`poison entry ${data.n}`);
    // Some work, so that kills catch entries in every stage: read, running, processed, acknowledged.
    await new Promise((resolve) => setTimeout(resolve, config.workMs ?? Math.random() * 3));
    appendFileSync(config.log, `p ${id} ${deliveries}\n`);
  },
  onAcknowledged: (ids) => appendFileSync(config.log, `a ${ids.join(' ')}\n`),
});
await consumer.start();
process.send?.('ready');
process.on('SIGTERM', () => {
  void consumer.stop().then(async () => {
    await redis.close();
    process.exit(0);
  });
});
