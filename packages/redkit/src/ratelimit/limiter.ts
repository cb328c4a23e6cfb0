import { setTimeout as sleep } from 'node:timers/promises';
import type { LuaScript, RedisPort } from '../client/port.js';
import { type Duration, toMilliseconds } from '../duration.js';
import { escapeKeyPart, Keys } from '../keys.js';
import {
  describeAlgorithm,
  emissionIntervalUs,
  type FixedWindow,
  fixedWindow,
  gcra,
  type RateLimitAlgorithm,
  slidingWindowCounter,
  slidingWindowLog,
  tokenBucket,
} from './algorithms.js';
import { BlockedCache } from './blocked-cache.js';
import { RateLimitConfigError, RateLimitCostError, RateLimitExceededError } from './errors.js';
import { fixedWindowScript } from './fixed-window-script.js';
import { type RateLimitResult, resultFromReply, unpackFixedWindow } from './result.js';
import { decideScript, MAX_LIMITS, type ScriptLimit } from './script.js';

export interface RateLimiterOptions {
  /** Key namespace (default 'ratelimit'). Keys are `<namespace>:{<id>}:…`: one Cluster slot per identifier. */
  namespace?: string;
  /**
   * Penalty block: a refused identifier is then refused outright for `duration`, whatever its limits say.
   * With `afterRefusals: n`, only after n refusals within `duration` (default 1: the first).
   */
  penalty?: Duration | { duration: Duration; afterRefusals?: number };
  /**
   * Remember in this process the identifiers the server refused, until the server said anything could
   * pass again, and refuse them without a round trip (a flood from one client then costs Redis nothing).
   * `maxEntries` bounds it (default 10,000). A `reset()` or `unblock()` in another process is not seen here
   * before the cached refusal runs out.
   */
  localCache?: boolean | { maxEntries?: number };
}

export interface LimitOptions {
  /** What this request spends (default 1): a positive integer no larger than any limit's capacity. */
  cost?: number;
  /** Wait up to this long for the request to be admitted (retrying when the server says it could be). */
  maxWait?: Duration;
}

export interface RateLimiterStats {
  allowed: number;
  refused: number;
  /** Refusals answered by the local cache, without a round trip. */
  fromCache: number;
}

const CODES: Record<RateLimitAlgorithm['kind'], string> = {
  fixedWindow: 'fw',
  slidingWindowLog: 'sl',
  slidingWindowCounter: 'sc',
  tokenBucket: 'tb',
  gcra: 'gc',
};

/** One limit as the script sees it: kind, capacity, window (GCRA: µs interval), extra. */
function scriptLimit(a: RateLimitAlgorithm): ScriptLimit {
  const code = CODES[a.kind];
  switch (a.kind) {
    case 'tokenBucket':
      return { code, limit: a.capacity, window: a.intervalMs, extra: a.refill };
    case 'gcra':
      return { code, limit: a.burst, window: emissionIntervalUs(a), extra: 0 };
    default:
      return { code, limit: a.limit, window: a.windowMs, extra: 0 };
  }
}

/** The key parts of one limit's state: kind and window, so changing a limit's size keeps its state. */
function keyParts(a: RateLimitAlgorithm): Array<Array<string | number>> {
  const span = a.kind === 'tokenBucket' ? a.intervalMs : a.kind === 'gcra' ? a.periodMs : a.windowMs;
  const key = [CODES[a.kind], span];
  return a.kind === 'slidingWindowLog' ? [key, [...key, 'n']] : [key];
}

/**
 * Rate limits decided atomically on the Redis server: one EVALSHA per decision, on the server's clock,
 * any number of limits checked together (all or nothing), and a refused request spends nothing.
 *
 * ```ts
 * const limiter = new RateLimiter(redis, [RateLimiter.fixedWindow(10, '1s'), RateLimiter.slidingWindow(1000, '1h')]);
 * const { allowed, remaining, resetMs, retryAfterMs } = await limiter.limit(`user:${id}`);
 * ```
 */
export class RateLimiter {
  /** Fixed window of `window` starting at an identifier's first request: `limit` per window. */
  static readonly fixedWindow = fixedWindow;
  /** Exact sliding window (a log of admitted requests): at most `limit` in any `window`. */
  static readonly slidingWindowLog = slidingWindowLog;
  /** Approximate sliding window in O(1) memory (two counters, the previous one weighted). */
  static readonly slidingWindowCounter = slidingWindowCounter;
  /** `slidingWindowLog`: the exact one. Use `slidingWindowCounter` for very large limits. */
  static readonly slidingWindow = slidingWindowLog;
  /** `refill` tokens every `interval`, up to `capacity` (default: `refill`). */
  static readonly tokenBucket = tokenBucket;
  /** `rate` per `period`, evenly spaced, bursts of up to `burst` (default: `rate`). */
  static readonly gcra = gcra;

  readonly algorithms: readonly RateLimitAlgorithm[];
  readonly stats: RateLimiterStats = { allowed: 0, refused: 0, fromCache: 0 };
  private readonly namespace: string;
  /** Each limit's key suffixes (`fw:1000` …), after the identifier's `<namespace>:{<id>}:`. */
  private readonly suffixes: string[];
  private readonly script: LuaScript;
  private readonly maxCost: number;
  private readonly penaltyMs: number;
  private readonly penaltyAfter: number;
  private readonly cache: BlockedCache | undefined;

  constructor(
    private readonly redis: RedisPort,
    algorithms: RateLimitAlgorithm | readonly RateLimitAlgorithm[],
    options: RateLimiterOptions = {},
  ) {
    const list: RateLimitAlgorithm[] = Array.isArray(algorithms)
      ? [...(algorithms as readonly RateLimitAlgorithm[])]
      : [algorithms as RateLimitAlgorithm];
    if (list.length === 0) {
      throw new RateLimitConfigError(
        'a RateLimiter needs at least one limit, e.g. RateLimiter.fixedWindow(100, "1m")',
      );
    }
    for (const a of list) {
      if (!a || !(a.kind in CODES)) {
        throw new RateLimitConfigError(
          'limits must be built with RateLimiter.fixedWindow, slidingWindow, slidingWindowLog, slidingWindowCounter, tokenBucket or gcra',
        );
      }
    }
    if (list.length > MAX_LIMITS) {
      throw new RateLimitConfigError(
        `a RateLimiter takes at most ${MAX_LIMITS} limits, got ${list.length}: split them over several limiters`,
      );
    }
    this.algorithms = Object.freeze(list);
    this.namespace = new Keys(options.namespace ?? 'ratelimit').namespace; // validates it
    this.suffixes = list.flatMap(keyParts).map((parts) => parts.map(escapeKeyPart).join(':'));
    const seen = new Map<string, RateLimitAlgorithm>();
    for (const a of list) {
      const key = keyParts(a)[0]!.join(':');
      const other = seen.get(key);
      if (other) {
        throw new RateLimitConfigError(
          `${describeAlgorithm(other)} and ${describeAlgorithm(a)} would share their state: give them different windows, or use two limiters with different namespaces`,
        );
      }
      seen.set(key, a);
    }
    this.maxCost = Math.min(...list.map((a) => a.limit));
    const penalty =
      typeof options.penalty === 'object' ? options.penalty : { duration: options.penalty ?? 0 };
    this.penaltyMs = toMilliseconds(penalty.duration, 'penalty duration');
    this.penaltyAfter = penalty.afterRefusals ?? 1;
    const only = list.length === 1 ? list[0]! : undefined;
    this.script =
      only?.kind === 'fixedWindow' && this.penaltyMs === 0
        ? fixedWindowScript(only.limit, only.windowMs)
        : decideScript(list.map(scriptLimit), this.penaltyMs, this.penaltyAfter);
    if (!Number.isSafeInteger(this.penaltyAfter) || this.penaltyAfter < 1) {
      throw new RateLimitConfigError(
        `penalty afterRefusals must be a positive integer, got ${penalty.afterRefusals}: the number of refusals within the penalty duration that trigger a block`,
      );
    }
    const local = options.localCache;
    if (local) {
      const maxEntries = typeof local === 'object' ? (local.maxEntries ?? 10_000) : 10_000;
      if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
        throw new RateLimitConfigError(`localCache.maxEntries must be a positive integer, got ${maxEntries}`);
      }
      this.cache = new BlockedCache(maxEntries);
    }
  }

  /** Decides one request for `id` and, if every limit admits it, spends its cost on all of them at once. */
  limit(id: string, options?: LimitOptions): Promise<RateLimitResult> {
    // Not async: the common call (no maxWait) returns decide()'s promise without another layer.
    if (options?.maxWait === undefined) return this.decide(id, options?.cost, true);
    return this.limitWithin(id, options);
  }

  private async limitWithin(id: string, options: LimitOptions): Promise<RateLimitResult> {
    const cost = this.checkCost(options.cost);
    const deadline = performance.now() + toMilliseconds(options.maxWait!, 'maxWait');
    for (;;) {
      const result = await this.decide(id, cost, true);
      if (result.allowed || result.retryAfterMs > deadline - performance.now()) return result;
      await sleep(Math.max(1, result.retryAfterMs));
    }
  }

  /** As `limit()`, but a refusal rejects with RateLimitExceededError (its `result` says when to retry). */
  async consume(id: string, options: LimitOptions = {}): Promise<RateLimitResult> {
    const result = await this.limit(id, options);
    if (!result.allowed) throw new RateLimitExceededError(id, result);
    return result;
  }

  /** What `limit()` would answer now, without spending anything (`allowed`: would this cost pass?). */
  async peek(id: string, options: { cost?: number } = {}): Promise<RateLimitResult> {
    return this.decide(id, options.cost, false);
  }

  /** Alias of `peek()` (rate-limiter-flexible's name). */
  get(id: string, options: { cost?: number } = {}): Promise<RateLimitResult> {
    return this.peek(id, options);
  }

  /** Refuses every request of `id` for `duration` from now, whatever its limits say (replaces a current block). */
  async block(id: string, duration: Duration): Promise<void> {
    const ms = toMilliseconds(duration, 'block duration');
    if (ms < 1) throw new RateLimitConfigError(`block duration must be at least 1 ms, got '${duration}'`);
    await this.redis.send('SET', `${this.prefix(id)}blocked`, '1', 'PX', ms);
  }

  /** Lifts a penalty or `block()` on `id` (its limits keep their state). */
  async unblock(id: string): Promise<void> {
    const prefix = this.prefix(id);
    this.cache?.delete(id);
    await this.redis.send('DEL', `${prefix}blocked`, `${prefix}refusals`);
  }

  /** Forgets everything about `id`: every limit back to full capacity, any block lifted. */
  async reset(id: string): Promise<void> {
    this.cache?.delete(id);
    const keys = this.keysOf(id);
    if (this.penaltyMs === 0) keys.push(`${this.prefix(id)}refusals`);
    await this.redis.send('DEL', ...keys);
  }

  private async decide(
    id: string,
    costOption: number | undefined,
    consume: boolean,
  ): Promise<RateLimitResult> {
    const cost = costOption === 1 || costOption === undefined ? 1 : this.checkCost(costOption);
    const keys = this.keysOf(id);
    if (consume && this.cache) {
      const cached = this.cache.get(id);
      if (cached) {
        this.stats.refused++;
        this.stats.fromCache++;
        return cached;
      }
    }
    const reply = await this.redis.runScript(this.script, keys, [consume ? 1 : 0, cost]);
    let result: RateLimitResult;
    let blockedForMs: number;
    if (typeof reply === 'number') {
      // The packed reply of a lone fixed window (see fixedWindowScript).
      result = unpackFixedWindow(this.algorithms[0] as FixedWindow, reply);
      blockedForMs = result.allowed || result.remaining > 0 ? 0 : result.resetMs;
    } else {
      ({ result, blockedForMs } = resultFromReply(this.algorithms, reply as number[]));
    }
    if (consume) {
      if (result.allowed) this.stats.allowed++;
      else this.stats.refused++;
      if (this.cache) {
        if (blockedForMs > 0) this.cache.set(id, result, blockedForMs);
        else this.cache.delete(id);
      }
    }
    return result;
  }

  /** `<namespace>:{<escaped id>}:`: every key of an identifier shares its hash tag (one Cluster slot). */
  private prefix(id: string): string {
    if (typeof id !== 'string' || id.length === 0) {
      throw new RateLimitConfigError(
        `rate-limit identifiers must be non-empty strings (e.g. 'user:42' or an IP address), got ${JSON.stringify(id)}`,
      );
    }
    return `${this.namespace}:{${escapeKeyPart(id)}}:`;
  }

  private keysOf(id: string): string[] {
    const prefix = this.prefix(id);
    const keys = this.penaltyMs > 0 ? [`${prefix}blocked`, `${prefix}refusals`] : [`${prefix}blocked`];
    for (const suffix of this.suffixes) keys.push(prefix + suffix);
    return keys;
  }

  private checkCost(cost = 1): number {
    if (!Number.isSafeInteger(cost) || cost < 1) {
      throw new RateLimitCostError(`cost must be a positive integer, got ${cost}`);
    }
    if (cost > this.maxCost) {
      const smallest = this.algorithms.find((a) => a.limit === this.maxCost)!;
      throw new RateLimitCostError(
        `a cost of ${cost} exceeds the capacity of ${describeAlgorithm(smallest)} (${this.maxCost}) and could never be admitted: lower the cost or raise that limit`,
      );
    }
    return cost;
  }
}
