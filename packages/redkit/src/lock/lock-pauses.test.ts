import assert from 'node:assert/strict';
import { type ChildProcess, fork } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Engine, RespServer } from '@redkit/engine';
import {
  findRedisServer,
  type RedisServerHandle,
  realRedisRequired,
  startRedisServer,
} from '@redkit/test-utils';
import type { ContenderMessage } from './contender.worker.js';
import { FencingGuard } from './fencing.js';

/*
 * The test: 16 processes contend for one lock with a 500 ms TTL while the parent freezes holders
 * (SIGSTOP) for 0.5–3× the TTL inside their critical section. The parent is the protected store: a
 * counter each holder reads and increments. With fencing it checks tokens (FencingGuard) and must accept
 * no stale write and lose no update; the same run without fencing shows the violations it prevents.
 * Default: 3 s per run; REDKIT_FULL=1: 20 s per run.
 */
const FULL = process.env.REDKIT_FULL === '1';
const WORKERS = 16;
const TTL_MS = 500;
const RUN_MS = FULL ? 20_000 : 3_000;
const PAUSE_CHANCE = 0.06;
const WORKER = fileURLToPath(new URL('./contender.worker.js', import.meta.url));

interface RunStats {
  acceptedWrites: number;
  rejected: number;
  staleAccepted: number;
  lostUpdates: number;
  pauses: number;
  finalValue: number;
}

/** The protected resource: a counter, with an oracle that judges each write independently of the guard. */
class ProtectedCounter {
  private value = 0;
  private readonly guard = new FencingGuard();
  /** Newest token of any operation the store applied (the oracle's view, kept apart from the guard). */
  private newestApplied = 0;
  readonly stats: RunStats = {
    acceptedWrites: 0,
    rejected: 0,
    staleAccepted: 0,
    lostUpdates: 0,
    pauses: 0,
    finalValue: 0,
  };

  read(token: number, fenced: boolean): { ok: boolean; value?: number } {
    if (fenced && !this.guard.check('counter', token)) {
      this.stats.rejected++;
      return { ok: false };
    }
    this.newestApplied = Math.max(this.newestApplied, token);
    return { ok: true, value: this.value };
  }

  write(token: number, value: number, fenced: boolean): { ok: boolean } {
    if (fenced && !this.guard.check('counter', token)) {
      this.stats.rejected++;
      return { ok: false };
    }
    if (token < this.newestApplied) this.stats.staleAccepted++;
    if (value !== this.value + 1) this.stats.lostUpdates++;
    this.newestApplied = Math.max(this.newestApplied, token);
    this.value = value;
    this.stats.acceptedWrites++;
    this.stats.finalValue = value;
    return { ok: true };
  }
}

class Contenders {
  readonly workers: ChildProcess[] = [];
  private readonly paused = new Map<ChildProcess, NodeJS.Timeout>();
  private store: ProtectedCounter | undefined;

  async start(): Promise<void> {
    await Promise.all(
      Array.from({ length: WORKERS }, () => {
        const worker = fork(WORKER, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
        this.workers.push(worker);
        worker.on('message', (message: ContenderMessage) => this.onMessage(worker, message));
        return new Promise((resolve) => worker.once('message', resolve));
      }),
    );
  }

  async run(url: string, fenced: boolean): Promise<RunStats> {
    const store = new ProtectedCounter();
    this.store = store;
    for (const w of this.workers) w.send({ type: 'start', url, fenced, ttl: TTL_MS });
    await new Promise((r) => setTimeout(r, RUN_MS));
    this.resumeAll();
    await Promise.all(
      this.workers.map((w) => {
        const stopped = new Promise((resolve) =>
          w.on('message', function onStopped(m: { type: string }) {
            if (m.type !== 'stopped') return;
            w.off('message', onStopped);
            resolve(undefined);
          }),
        );
        w.send({ type: 'stop' });
        return stopped;
      }),
    );
    this.store = undefined;
    return store.stats;
  }

  private onMessage(worker: ChildProcess, message: ContenderMessage): void {
    const store = this.store;
    if (!store) return;
    if (message.type === 'acquired') {
      this.maybePause(worker, store);
    } else if (message.type === 'read') {
      worker.send({ type: 'reply', id: message.id, ...store.read(message.token, message.fenced) });
      this.maybePause(worker, store);
    } else if (message.type === 'write') {
      worker.send({
        type: 'reply',
        id: message.id,
        ...store.write(message.token, message.value, message.fenced),
      });
    }
  }

  /** Freezes a holder for 0.5–3× the TTL, sometimes. */
  private maybePause(worker: ChildProcess, store: ProtectedCounter): void {
    if (this.paused.has(worker) || Math.random() >= PAUSE_CHANCE) return;
    store.stats.pauses++;
    worker.kill('SIGSTOP');
    const ms = TTL_MS * (0.5 + Math.random() * 2.5);
    this.paused.set(
      worker,
      setTimeout(() => {
        this.paused.delete(worker);
        worker.kill('SIGCONT');
      }, ms),
    );
  }

  private resumeAll(): void {
    for (const [worker, timer] of this.paused) {
      clearTimeout(timer);
      worker.kill('SIGCONT');
    }
    this.paused.clear();
  }

  stop(): void {
    this.resumeAll();
    for (const w of this.workers) w.kill('SIGKILL');
  }
}

function check(name: string, fenced: RunStats, unfenced: RunStats): void {
  console.log(`# ${name} with fencing:    ${JSON.stringify(fenced)}`);
  console.log(`# ${name} without fencing: ${JSON.stringify(unfenced)}`);
  assert.ok(fenced.pauses > 0 && unfenced.pauses > 0, 'holders were paused');
  assert.equal(fenced.staleAccepted, 0, 'the fenced store accepted no stale write');
  assert.equal(fenced.lostUpdates, 0, 'and lost no update');
  assert.equal(fenced.finalValue, fenced.acceptedWrites);
  assert.ok(fenced.rejected > 0, 'paused holders did come back with stale tokens, and were refused');
  assert.ok(
    unfenced.staleAccepted + unfenced.lostUpdates > 0,
    'without fencing, paused holders overwrite newer holders',
  );
}

describe('16 processes contend for a 500 ms lock while holders are frozen', () => {
  const contenders = new Contenders();
  before(() => contenders.start());
  after(() => contenders.stop());

  it('on the engine RESP server: fencing admits 0 stale writes; without it they get through', async () => {
    const engine = new Engine();
    const server = await RespServer.listen({ engine, port: 0, host: '127.0.0.1' });
    try {
      const url = `redis://127.0.0.1:${server.port}`;
      check('engine', await contenders.run(url, true), await contenders.run(url, false));
    } finally {
      await server.close();
      engine.close();
    }
  });

  const noRedis = !findRedisServer() && !realRedisRequired();
  it('on redis-server: the same', { skip: noRedis ? 'redis-server is not installed' : false }, async () => {
    const server: RedisServerHandle = (await startRedisServer())!;
    try {
      const url = `redis://127.0.0.1:${server.port}`;
      check('redis-server', await contenders.run(url, true), await contenders.run(url, false));
    } finally {
      await server.stop();
    }
  });
});
