import { type Duration, toMilliseconds } from '../duration.js';
import { RateLimitConfigError } from './errors.js';

/** Admits `limit` per window; the window starts at the first request of an identifier and lasts `windowMs`. */
export interface FixedWindow {
  readonly kind: 'fixedWindow';
  readonly limit: number;
  readonly windowMs: number;
}

/** Exact: at most `limit` in any `windowMs` ending now. Memory: one entry per admitted request in the window. */
export interface SlidingWindowLog {
  readonly kind: 'slidingWindowLog';
  readonly limit: number;
  readonly windowMs: number;
}

/**
 * Approximate sliding window in O(1) memory: the previous window's count, weighted by how much of it still
 * overlaps the sliding window, plus the current window's count.
 */
export interface SlidingWindowCounter {
  readonly kind: 'slidingWindowCounter';
  readonly limit: number;
  readonly windowMs: number;
}

/** A bucket of `capacity` tokens, `refill` tokens added every `intervalMs` (a full bucket on first use). */
export interface TokenBucket {
  readonly kind: 'tokenBucket';
  readonly refill: number;
  readonly intervalMs: number;
  readonly capacity: number;
  /** The most one identifier can spend at once (= capacity). */
  readonly limit: number;
}

/**
 * Generic cell rate algorithm: `rate` per `periodMs`, evenly spaced, with bursts of up to `burst`. One
 * timestamp per identifier; the smoothest of the five.
 */
export interface Gcra {
  readonly kind: 'gcra';
  readonly rate: number;
  readonly periodMs: number;
  readonly burst: number;
  /** The most one identifier can spend at once (= burst). */
  readonly limit: number;
}

/** A rate limit as a value: build with `RateLimiter.fixedWindow(…)`, `.slidingWindow(…)`, `.tokenBucket(…)` … */
export type RateLimitAlgorithm = FixedWindow | SlidingWindowLog | SlidingWindowCounter | TokenBucket | Gcra;

function positiveInteger(value: number, what: string, hint: string): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RateLimitConfigError(`${what} must be a positive integer, got ${value}: ${hint}`);
  }
  return value;
}

function positiveDuration(duration: Duration, what: string): number {
  const ms = toMilliseconds(duration, what);
  if (ms < 1) throw new RateLimitConfigError(`${what} must be at least 1 ms, got '${duration}'`);
  return ms;
}

export function fixedWindow(limit: number, window: Duration): FixedWindow {
  return Object.freeze({
    kind: 'fixedWindow',
    limit: positiveInteger(limit, 'fixedWindow limit', 'the number of requests admitted per window'),
    windowMs: positiveDuration(window, 'fixedWindow window'),
  });
}

export function slidingWindowLog(limit: number, window: Duration): SlidingWindowLog {
  return Object.freeze({
    kind: 'slidingWindowLog',
    limit: positiveInteger(limit, 'slidingWindowLog limit', 'the number of requests admitted per window'),
    windowMs: positiveDuration(window, 'slidingWindowLog window'),
  });
}

export function slidingWindowCounter(limit: number, window: Duration): SlidingWindowCounter {
  return Object.freeze({
    kind: 'slidingWindowCounter',
    limit: positiveInteger(limit, 'slidingWindowCounter limit', 'the number of requests admitted per window'),
    windowMs: positiveDuration(window, 'slidingWindowCounter window'),
  });
}

export function tokenBucket(
  refill: number,
  interval: Duration,
  options: { capacity?: number } = {},
): TokenBucket {
  const tokens = positiveInteger(refill, 'tokenBucket refill', 'the number of tokens added every interval');
  const capacity = positiveInteger(
    options.capacity ?? tokens,
    'tokenBucket capacity',
    'the most tokens the bucket holds (the largest burst)',
  );
  return Object.freeze({
    kind: 'tokenBucket',
    refill: tokens,
    intervalMs: positiveDuration(interval, 'tokenBucket interval'),
    capacity,
    limit: capacity,
  });
}

export function gcra(rate: number, period: Duration, options: { burst?: number } = {}): Gcra {
  const count = positiveInteger(rate, 'gcra rate', 'the number of requests admitted per period');
  const periodMs = positiveDuration(period, 'gcra period');
  const burst = positiveInteger(
    options.burst ?? count,
    'gcra burst',
    'how many requests may arrive at once (default: the rate)',
  );
  if (emissionIntervalUs({ rate: count, periodMs }) < 1) {
    throw new RateLimitConfigError(
      `gcra(${rate}, '${period}') spaces requests less than 1 µs apart: use a longer period or a lower rate`,
    );
  }
  return Object.freeze({ kind: 'gcra', rate: count, periodMs, burst, limit: burst });
}

/** GCRA's emission interval in whole microseconds (the script's unit, so its arithmetic stays exact). */
export function emissionIntervalUs(g: Pick<Gcra, 'rate' | 'periodMs'>): number {
  return Math.round((g.periodMs * 1000) / g.rate);
}

/** A short readable name: `fixedWindow(10/1000ms)`, `tokenBucket(5/1000ms, capacity 20)` … */
export function describeAlgorithm(a: RateLimitAlgorithm): string {
  switch (a.kind) {
    case 'tokenBucket':
      return `tokenBucket(${a.refill}/${a.intervalMs}ms, capacity ${a.capacity})`;
    case 'gcra':
      return `gcra(${a.rate}/${a.periodMs}ms, burst ${a.burst})`;
    default:
      return `${a.kind}(${a.limit}/${a.windowMs}ms)`;
  }
}
