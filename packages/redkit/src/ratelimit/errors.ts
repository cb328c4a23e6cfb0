import { RedkitConfigError, RedkitError } from '../errors.js';
import type { RateLimitResult } from './result.js';

/** A rate-limit algorithm or limiter option that cannot work (a zero window, duplicate limits …). */
export class RateLimitConfigError extends RedkitConfigError {
  override name = 'RateLimitConfigError';
}

/** A request cost that no limit could ever admit (not a positive integer, or above a limit's capacity). */
export class RateLimitCostError extends RedkitConfigError {
  override name = 'RateLimitCostError';
}

/** Thrown by `consume()` when the request is refused; `result` says when to retry. */
export class RateLimitExceededError extends RedkitError {
  override name = 'RateLimitExceededError';
  constructor(
    readonly id: string,
    readonly result: RateLimitResult,
  ) {
    super(
      `rate limit exceeded for '${id}'${result.blocked ? ' (blocked)' : ''}: retry in ${result.retryAfterMs} ms`,
    );
  }
}
