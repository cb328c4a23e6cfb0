/**
 * A lock contender for lock-pauses.test.ts, run as a child process. In a loop it takes the lock and does
 * a read-modify-write of a counter kept by the parent (the protected store), over IPC. The parent may
 * freeze it (SIGSTOP) anywhere in that critical section. It deliberately writes without checking
 * whether its lock is still held: a pause can always fall between such a check and the write.
 */
import { connect } from '../client/connect.js';
import type { RedisPort } from '../client/port.js';
import { Lock } from './lock.js';

type Command =
  | { type: 'start'; url: string; fenced: boolean; ttl: number }
  | { type: 'stop' }
  | { type: 'reply'; id: number; ok: boolean; value?: number };

/** What a contender tells the parent. */
export type ContenderMessage =
  | { type: 'ready' | 'stopped' }
  | { type: 'acquired'; token: number }
  | StoreRequest;
export type StoreRequest =
  | { type: 'read'; id: number; token: number; fenced: boolean }
  | { type: 'write'; id: number; token: number; value: number; fenced: boolean };
type Unsent<T> = T extends unknown ? Omit<T, 'id'> : never;

const pending = new Map<number, (reply: { ok: boolean; value?: number }) => void>();
let nextId = 0;
let running = false;
let loop: Promise<void> | undefined;

function ask(request: Unsent<StoreRequest>): Promise<{ ok: boolean; value?: number }> {
  const id = nextId++;
  return new Promise((resolve) => {
    pending.set(id, resolve);
    process.send!({ ...request, id });
  });
}

async function contend(url: string, fenced: boolean, ttl: number): Promise<void> {
  const redis: RedisPort = await connect(url);
  const lock = new Lock(redis, {
    namespace: 'pauses',
    ttl,
    timeout: '60s',
    retry: { minDelay: 2, maxDelay: 50 },
  });
  while (running) {
    await lock
      .withLock('counter', async ({ fencingToken }) => {
        process.send!({ type: 'acquired', token: fencingToken });
        const read = await ask({ type: 'read', token: fencingToken, fenced });
        if (!read.ok) return;
        await ask({ type: 'write', token: fencingToken, value: read.value! + 1, fenced });
      })
      .catch(() => {}); // lost or timed out: try again
  }
  await redis.close();
}

process.on('message', (command: Command) => {
  if (command.type === 'start') {
    running = true;
    loop = contend(command.url, command.fenced, command.ttl);
  } else if (command.type === 'stop') {
    running = false;
    void loop?.then(() => process.send!({ type: 'stopped' }));
  } else {
    pending.get(command.id)?.({ ok: command.ok, value: command.value });
    pending.delete(command.id);
  }
});
process.on('disconnect', () => process.exit(0));
process.send!({ type: 'ready' });
