import { type Duration, toMilliseconds } from '../duration.js';
import { RedkitConfigError } from '../errors.js';

/** How a waiting acquire() spaces its attempts. */
export interface RetryOptions {
  /** Shortest pause between attempts (default 5 ms). */
  minDelay?: Duration;
  /** Longest pause between attempts (default 100 ms). */
  maxDelay?: Duration;
}

export interface RetryPolicy {
  minDelayMs: number;
  maxDelayMs: number;
}

export function retryPolicy(options: RetryOptions = {}): RetryPolicy {
  const minDelayMs = Math.max(1, toMilliseconds(options.minDelay ?? 5, 'retry.minDelay'));
  const maxDelayMs = toMilliseconds(options.maxDelay ?? 100, 'retry.maxDelay');
  if (maxDelayMs < minDelayMs)
    throw new RedkitConfigError(`retry.maxDelay (${maxDelayMs} ms) must not be below retry.minDelay`);
  return { minDelayMs, maxDelayMs };
}

/**
 * Exponential backoff with "decorrelated jitter": each pause is random in [min, 3 × previous], capped.
 * Contenders spread out instead of retrying in lockstep, and a waiter never sleeps past the moment the
 * holder's TTL runs out (when Redis told us how long that is).
 */
export class Backoff {
  private previous: number;
  constructor(private readonly policy: RetryPolicy) {
    this.previous = policy.minDelayMs;
  }

  next(holderRemainingMs?: number): number {
    const { minDelayMs, maxDelayMs } = this.policy;
    const upper = Math.min(maxDelayMs, this.previous * 3);
    this.previous = minDelayMs + Math.random() * Math.max(0, upper - minDelayMs);
    let delay = this.previous;
    if (holderRemainingMs !== undefined && holderRemainingMs >= 0)
      delay = Math.min(delay, holderRemainingMs + 1 + Math.random() * minDelayMs);
    return Math.round(delay);
  }
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it is aborted. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Settles like `promise`, or with TIMED_OUT once `ms` have passed (one slow node must not stall a quorum). */
export function within<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve(TIMED_OUT), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

export const TIMED_OUT: unique symbol = Symbol('timed out');
