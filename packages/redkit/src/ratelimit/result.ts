import type { FixedWindow, RateLimitAlgorithm } from './algorithms.js';

/** One limit's part of a decision. */
export interface LimitState {
  readonly algorithm: RateLimitAlgorithm;
  /** Whether this limit alone would admit the request. */
  readonly allowed: boolean;
  /** Its capacity: the window's limit, the bucket's capacity or GCRA's burst. */
  readonly limit: number;
  /** Requests of cost 1 it would still admit now (after this request, if it was admitted). */
  readonly remaining: number;
  /** ms until it is back at full capacity if nothing more is spent. */
  readonly resetMs: number;
  /** ms until it would admit this request's cost (0 when it admits it now). */
  readonly retryAfterMs: number;
}

/** The decision for one request. Times are durations in ms, measured on the Redis server's clock. */
export interface RateLimitResult {
  readonly allowed: boolean;
  /** The binding limit's capacity: of the refusing limit when refused, else of the one with least left. */
  readonly limit: number;
  /** Requests of cost 1 every limit would still admit now (the least over the limits; 0 while blocked). */
  readonly remaining: number;
  /** ms until the binding limit is back at full capacity. */
  readonly resetMs: number;
  /** 0 when allowed; else ms until a request of the same cost would be admitted (if nothing else is spent). */
  readonly retryAfterMs: number;
  /** Refused by a penalty or `block()`, whatever the limits say. */
  readonly blocked: boolean;
  /** Answered by the in-process cache of blocked identifiers, without asking Redis. */
  readonly fromCache: boolean;
  /** Every limit, in the order given to the limiter. */
  readonly limits: readonly LimitState[];
}

/** Reply of the decision script, already split: allowed, block ms, then five integers per limit. */
export function resultFromReply(
  algorithms: readonly RateLimitAlgorithm[],
  reply: number[],
): { result: RateLimitResult; blockedForMs: number } {
  const allowed = reply[0] === 1;
  const blockedMs = reply[1]!;
  const limits: LimitState[] = [];
  let blockedForMs = blockedMs;
  for (let i = 0; i < algorithms.length; i++) {
    const at = 2 + i * 5;
    const algorithm = algorithms[i]!;
    limits.push({
      algorithm,
      allowed: reply[at] === 1,
      limit: algorithm.limit,
      remaining: Math.max(0, reply[at + 1]!),
      resetMs: Math.max(0, reply[at + 2]!),
      retryAfterMs: Math.max(0, reply[at + 3]!),
    });
    blockedForMs = Math.max(blockedForMs, reply[at + 4]!);
  }
  const binding = bindingLimit(limits);
  const blocked = blockedMs > 0;
  const result: RateLimitResult = {
    allowed,
    limit: binding.limit,
    remaining: blocked ? 0 : Math.min(...limits.map((l) => l.remaining)),
    resetMs: blocked ? Math.max(blockedMs, binding.resetMs) : binding.resetMs,
    retryAfterMs: allowed ? 0 : Math.max(blockedMs, ...limits.map((l) => l.retryAfterMs)),
    blocked,
    fromCache: false,
    limits,
  };
  return { result, blockedForMs: allowed ? 0 : blockedForMs };
}

/**
 * The packed reply of a lone fixed window while not blocked: `(count × (window + 1) + ttl) × 2 + admits`,
 * count being the window's count after the request (capped at the limit), ttl the ms until it ends.
 */
export function unpackFixedWindow(algorithm: FixedWindow, reply: number): RateLimitResult {
  const allowed = reply % 2 === 1;
  const rest = (reply - (allowed ? 1 : 0)) / 2;
  const span = algorithm.windowMs + 1;
  const resetMs = rest % span;
  const remaining = Math.max(0, algorithm.limit - (rest - resetMs) / span);
  const retryAfterMs = allowed ? 0 : resetMs;
  const limit = algorithm.limit;
  return {
    allowed,
    limit,
    remaining,
    resetMs,
    retryAfterMs,
    blocked: false,
    fromCache: false,
    limits: [{ algorithm, allowed, limit, remaining, resetMs, retryAfterMs }],
  };
}

/**
 * The limit a client should be told about: when refused by the limits, the refusing one that frees last;
 * otherwise the one with the fewest requests left (the longest reset among equals).
 */
function bindingLimit(limits: LimitState[]): LimitState {
  const refusing = limits.filter((l) => !l.allowed);
  if (refusing.length > 0) return refusing.reduce((a, b) => (b.retryAfterMs > a.retryAfterMs ? b : a));
  return limits.reduce((a, b) =>
    b.remaining < a.remaining || (b.remaining === a.remaining && b.resetMs > a.resetMs) ? b : a,
  );
}

/**
 * A cached refusal `elapsedMs` later: nothing passes for `freeInMs` more (any cost), after which the
 * server has the precise answer.
 */
export function aged(result: RateLimitResult, elapsedMs: number, freeInMs: number): RateLimitResult {
  const less = (ms: number) => Math.max(0, ms - elapsedMs);
  return {
    ...result,
    allowed: false,
    remaining: 0,
    resetMs: less(result.resetMs),
    retryAfterMs: freeInMs,
    fromCache: true,
    limits: result.limits.map((l) => ({
      ...l,
      resetMs: less(l.resetMs),
      retryAfterMs: less(l.retryAfterMs),
    })),
  };
}

/**
 * Standard response headers for a result: `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset`
 * (seconds, IETF draft) and, when refused, `Retry-After` (seconds).
 */
export function rateLimitHeaders(result: RateLimitResult): Record<string, string> {
  const headers: Record<string, string> = {
    'RateLimit-Limit': String(result.limit),
    'RateLimit-Remaining': String(result.remaining),
    'RateLimit-Reset': String(Math.ceil(result.resetMs / 1000)),
  };
  if (!result.allowed) headers['Retry-After'] = String(Math.ceil(result.retryAfterMs / 1000));
  return headers;
}
