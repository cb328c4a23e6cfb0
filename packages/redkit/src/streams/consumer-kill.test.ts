import assert from 'node:assert/strict';
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Engine, RespServer } from '@redkit/engine';
import {
  findRedisServer,
  type RedisServerHandle,
  realRedisRequired,
  startRedisServer,
} from '@redkit/test-utils';
import { connect } from '../client/connect.js';
import type { RedisPort } from '../client/port.js';
import { StreamConsumer } from './consumer.js';
import { StreamProducer } from './producer.js';

/**
 * The test: entries consumed by 8 worker processes while workers are killed with SIGKILL at
 * random. Nothing may be lost, every duplicate must be explained by a kill that caught the entry
 * processed but not yet acknowledged, the pending list must end empty and the poison entries must be in
 * the dead-letter stream. 10,000 entries by default; REDKIT_FULL=1 runs the full 100,000.
 */
const FULL = process.env.REDKIT_FULL === '1';
const ENTRIES = FULL ? 100_000 : 10_000;
const WORKERS = 8;
const KILLS = FULL ? 24 : 8;
const POISON_EVERY = 500;
const MAX_DELIVERIES = 4;
const WORKER = fileURLToPath(new URL('./consumer.worker.js', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Worker {
  name: string;
  log: string;
  child: ChildProcess;
  killed: boolean;
}

async function spawnWorker(
  url: string,
  stream: string,
  dir: string,
  index: number,
  overrides: { concurrency?: number; claimIdle?: string; workMs?: number } = {},
): Promise<Worker> {
  const name = `worker-${index}`;
  const log = join(dir, `${name}.log`);
  const config = {
    url,
    stream,
    group: 'kill-test',
    name,
    log,
    concurrency: 16,
    maxDeliveries: MAX_DELIVERIES,
  };
  const child = fork(WORKER, [JSON.stringify({ ...config, claimIdle: '2s', ...overrides })], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code} before it was ready`)));
  });
  return { name, log, child, killed: false };
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));
}

/** SIGKILLs a random live worker and starts a replacement without waiting for it to be ready. */
async function killAndReplace(
  live: Worker[],
  all: Worker[],
  spawn: (index: number) => Promise<Worker>,
  starting: Array<Promise<void>>,
): Promise<void> {
  // Keep most workers up: replacements take a moment to start on a loaded machine.
  while (live.length < WORKERS - 2) await sleep(20);
  const victim = live.splice(Math.floor(Math.random() * live.length), 1)[0]!;
  victim.killed = true;
  victim.child.kill('SIGKILL');
  await exited(victim.child);
  const index = all.length + starting.length;
  starting.push(
    spawn(index).then((replacement) => {
      all.push(replacement);
      live.push(replacement);
    }),
  );
}

async function runKillTest(url: string): Promise<void> {
  const redis: RedisPort = await connect(url);
  const dir = mkdtempSync(join(tmpdir(), 'redkit-kill-'));
  const stream = `orders-${Date.now()}`;
  const all: Worker[] = [];
  const starting: Array<Promise<void>> = [];
  const spawn = async (index: number) => spawnWorker(url, stream, dir, index);
  try {
    const producer = new StreamProducer<{ n: number; poison?: boolean }>(redis, stream, { maxLen: null });
    const poison = new Set<string>();
    const healthy = new Set<string>();
    // Half the entries wait as a backlog, half arrive while workers are being killed.
    const produce = async (from: number, to: number, pauseMs: number) => {
      for (let start = from; start < to; start += 500) {
        const values = Array.from({ length: Math.min(500, to - start) }, (_, j) => ({
          n: start + j,
          ...((start + j) % POISON_EVERY === 0 ? { poison: true } : {}),
        }));
        const ids = await producer.addMany(values);
        for (const [j, id] of ids.entries()) (values[j]!.poison ? poison : healthy).add(id);
        await sleep(pauseMs);
      }
    };
    await produce(0, ENTRIES / 2, 0);
    all.push(...(await Promise.all(Array.from({ length: WORKERS }, (_, i) => spawn(i)))));
    const live = [...all];
    const producing = produce(ENTRIES / 2, ENTRIES, FULL ? 40 : 20);
    for (let k = 0; k < KILLS; k++) {
      await sleep(FULL ? 300 + Math.random() * 900 : 50 + Math.random() * 250);
      await killAndReplace(live, all, spawn, starting);
    }
    await producing;
    await Promise.all(starting);

    // Done when every entry was delivered (lag 0), nothing is pending and the poison reached the dead letters.
    const deadline = Date.now() + (FULL ? 240_000 : 45_000);
    for (;;) {
      const [groups, pending, dead] = await redis.pipeline([
        ['XINFO', 'GROUPS', stream],
        ['XPENDING', stream, 'kill-test'],
        ['XLEN', `${stream}:dead`],
      ]);
      const lag = (groups as unknown[][])[0]![(groups as unknown[][])[0]!.indexOf('lag') + 1];
      if (lag === 0 && (pending as unknown[])[0] === 0 && dead === poison.size) break;
      if (Date.now() > deadline)
        assert.fail(
          `not drained: lag ${lag}, pending ${(pending as unknown[])[0]}, dead ${dead}/${poison.size}`,
        );
      await sleep(200);
    }
    for (const w of live) w.child.kill('SIGTERM');
    await Promise.all(live.map((w) => exited(w.child)));

    // What each worker processed and had acknowledged.
    const processedBy = new Map<string, Worker[]>();
    let redelivered = 0; // healthy entries run after a reclaim: their first worker was killed holding them
    const acked = new Map<Worker, Set<string>>();
    for (const w of all) {
      const ackedHere = new Set<string>();
      acked.set(w, ackedHere);
      let text = '';
      try {
        text = readFileSync(w.log, 'utf8');
      } catch {}
      for (const line of text.split('\n')) {
        if (line.startsWith('p ')) {
          const [, id = '', deliveries] = line.split(' ');
          if (Number(deliveries) > 1) redelivered++;
          processedBy.set(id, [...(processedBy.get(id) ?? []), w]);
        } else if (line.startsWith('a ')) for (const id of line.slice(2).split(' ')) ackedHere.add(id);
      }
    }
    const lost = [...healthy].filter((id) => !processedBy.has(id));
    assert.deepEqual(lost, [], 'no entry lost');
    let duplicates = 0;
    const unexplained: string[] = [];
    for (const [id, workers] of processedBy) {
      assert.ok(healthy.has(id), `poison entry ${id} was never processed successfully`);
      if (workers.length === 1) continue;
      duplicates += workers.length - 1;
      // Each extra run needs a kill that caught an earlier run processed but not acknowledged.
      const killedInFlight = workers.filter((w) => w.killed && !acked.get(w)!.has(id)).length;
      if (workers.length - 1 > killedInFlight)
        unexplained.push(`${id}: ${workers.map((w) => w.name).join(', ')}`);
    }
    assert.deepEqual(unexplained, [], 'every duplicate is explained by a kill in flight');
    const [count] = (await redis.send('XPENDING', stream, 'kill-test')) as [number];
    assert.equal(count, 0, 'the pending list is empty');
    const letters = (await redis.send('XRANGE', `${stream}:dead`, '-', '+')) as Array<[string, string[]]>;
    const deadIds = letters.map(([, fields]) => fields[fields.indexOf('id') + 1]!);
    assert.deepEqual(deadIds.sort(), [...poison].sort(), 'exactly the poison entries, once each');
    console.log(
      `    ${ENTRIES} entries, ${WORKERS} workers, ${KILLS} kills: 0 lost, ${redelivered} entries reclaimed from killed workers, ${duplicates} duplicates (all after a kill in flight), ${poison.size} dead letters`,
    );
    await redis.send('DEL', stream, `${stream}:dead`);
  } finally {
    await Promise.allSettled(starting);
    for (const w of all)
      if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
    await Promise.all(all.map((w) => exited(w.child)));
    rmSync(dir, { recursive: true, force: true });
    await redis.close();
  }
}

/**
 * A consumer hung (SIGSTOP) past claimIdle: another consumer takes over its entries; when it resumes, its
 * late acknowledgements are harmless, nothing runs a third time and the pending list ends empty.
 */
async function runPauseTest(url: string): Promise<void> {
  const redis = await connect(url);
  const dir = mkdtempSync(join(tmpdir(), 'redkit-pause-'));
  const stream = `paused-${Date.now()}`;
  let hung: Worker | undefined;
  let rescuer: StreamConsumer<{ n: number }> | undefined;
  try {
    const producer = new StreamProducer<{ n: number }>(redis, stream);
    const ids = await producer.addMany([1, 2, 3, 4].map((n) => ({ n })));
    hung = await spawnWorker(url, stream, dir, 0, { concurrency: 4, claimIdle: '1s', workMs: 1500 });
    const pendingOf = async () => ((await redis.send('XPENDING', stream, 'kill-test')) as [number])[0];
    while ((await pendingOf()) < 4) await sleep(10);
    hung.child.kill('SIGSTOP');
    const rescued: Array<[string, number]> = [];
    rescuer = new StreamConsumer<{ n: number }>(redis, {
      stream,
      group: 'kill-test',
      claimIdle: '1s',
      claimInterval: '100ms',
      onWarning: () => {},
      handler: ({ id, deliveries }) => void rescued.push([id, deliveries]),
    });
    await rescuer.start();
    while (rescued.length < 4) await sleep(20);
    hung.child.kill('SIGCONT');
    const log = () => {
      try {
        return readFileSync(hung!.log, 'utf8');
      } catch {
        return '';
      }
    };
    while (
      log()
        .split('\n')
        .filter((l) => l.startsWith('p ')).length < 4
    )
      await sleep(20);
    await sleep(300); // its heartbeat and acknowledgements after the pause
    assert.deepEqual(rescued.map(([id]) => id).sort(), [...ids].sort(), 'the rescuer ran every entry');
    assert.ok(
      rescued.every(([, deliveries]) => deliveries === 2),
      'as their second delivery',
    );
    assert.equal(await pendingOf(), 0, 'the pending list is empty');
    assert.equal((await rescuer.metrics()).local.processed, 4);
  } finally {
    await rescuer?.stop();
    hung?.child.kill('SIGKILL');
    if (hung) await exited(hung.child);
    rmSync(dir, { recursive: true, force: true });
    await redis.close();
  }
}

describe('StreamConsumer under SIGKILL: workers on the engine RESP server', () => {
  let server: RespServer;
  let engine: Engine;
  before(async () => {
    engine = new Engine();
    server = await RespServer.listen({ engine, port: 0, host: '127.0.0.1' });
  });
  after(async () => {
    await server.close();
    engine.close();
  });
  it(`${ENTRIES} entries, ${WORKERS} consumers killed at random: nothing lost`, { timeout: 300_000 }, () =>
    runKillTest(`redis://127.0.0.1:${server.port}`),
  );
  it('a consumer paused past claimIdle loses its entries to another, harmlessly', { timeout: 30_000 }, () =>
    runPauseTest(`redis://127.0.0.1:${server.port}`),
  );
});

describe('StreamConsumer under SIGKILL: workers on redis-server', {
  skip: !findRedisServer() && !realRedisRequired() ? 'redis-server is not installed' : false,
}, () => {
  let server: RedisServerHandle | null;
  before(async () => {
    server = await startRedisServer();
  });
  after(() => server?.stop());
  it(`${ENTRIES} entries, ${WORKERS} consumers killed at random: nothing lost`, { timeout: 300_000 }, () =>
    runKillTest(`redis://127.0.0.1:${server!.port}`),
  );
  it('a consumer paused past claimIdle loses its entries to another, harmlessly', { timeout: 30_000 }, () =>
    runPauseTest(`redis://127.0.0.1:${server!.port}`),
  );
});
