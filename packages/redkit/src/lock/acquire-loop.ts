import { randomFillSync } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Backoff, type RetryPolicy, sleep } from './retry.js';

/** One attempt's answer: the lease, or how long the current holder still has (when known) and why. */
export type Attempt<T> = { acquired: T } | Miss;
export type Miss = { acquired?: undefined; holderRemainingMs?: number; detail?: string };

/**
 * After a first attempt missed: attempts again until one succeeds or `timeoutMs` (counted from
 * `startedAt`) runs out, then gives null with the last miss. Pauses with jittered backoff, never past the
 * holder's expiry. Aborting `signal` rejects with its reason. (The first attempt is made by the caller, so
 * an uncontended acquisition costs no extra promise layer.)
 */
export async function keepTrying<T>(
  attempt: () => Promise<Attempt<T>>,
  first: Miss,
  startedAt: number,
  timeoutMs: number,
  policy: RetryPolicy,
  signal: AbortSignal | undefined,
): Promise<{ acquired: T | null; attempts: number; miss: Miss }> {
  const giveUpAt = startedAt + timeoutMs;
  const backoff = new Backoff(policy);
  let miss = first;
  for (let attempts = 1; ; attempts++) {
    const left = giveUpAt - performance.now();
    if (left <= 0) return { acquired: null, attempts, miss };
    await sleep(Math.max(1, Math.min(backoff.next(miss.holderRemainingMs), Math.ceil(left))), signal);
    const result = await attempt();
    if (result.acquired !== undefined) return { acquired: result.acquired, attempts: attempts + 1, miss };
    miss = result as Miss;
  }
}

/** A first attempt, then keepTrying(); throws `fail(attempts, lastMiss)` when time runs out. */
export async function acquireWithin<T>(
  attempt: () => Promise<Attempt<T>>,
  timeoutMs: number,
  policy: RetryPolicy,
  signal: AbortSignal | undefined,
  fail: (attempts: number, miss: Miss) => Error,
): Promise<T> {
  signal?.throwIfAborted();
  const startedAt = performance.now();
  const first = await attempt();
  if (first.acquired !== undefined) return first.acquired;
  const outcome = await keepTrying(attempt, first as Miss, startedAt, timeoutMs, policy, signal);
  if (outcome.acquired !== null) return outcome.acquired;
  throw fail(outcome.attempts, outcome.miss);
}

/** 256 tokens' worth of crypto randomness, hex-encoded at once: a token is then a cheap substring. */
const pool = { hex: '', offset: 0 };

/** A random 128-bit owner token (32 hex digits), drawn from a pooled crypto buffer. */
export function ownerToken(): string {
  if (pool.offset + 32 > pool.hex.length) {
    pool.hex = randomFillSync(Buffer.alloc(16 * 256)).toString('hex');
    pool.offset = 0;
  }
  pool.offset += 32;
  return pool.hex.slice(pool.offset - 32, pool.offset);
}
