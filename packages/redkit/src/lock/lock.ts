import { performance } from 'node:perf_hooks';
import type { RedisPort } from '../client/port.js';
import { type Duration, toMilliseconds } from '../duration.js';
import { RedkitConfigError } from '../errors.js';
import { escapeKeyPart, Keys } from '../keys.js';
import { type Attempt, keepTrying, type Miss, ownerToken } from './acquire-loop.js';
import { LockTimeoutError } from './errors.js';
import { type ExtendOutcome, Lease, type LeaseBackend, type LeaseTiming, runHolding } from './lease.js';
import { type RetryOptions, type RetryPolicy, retryPolicy } from './retry.js';
import { ACQUIRE, acquireReply, EXTEND, RELEASE } from './scripts.js';

export interface LockOptions {
  /** Key namespace (default 'lock'). */
  namespace?: string;
  /** How long a lock lives unless extended (default '10s'). */
  ttl?: Duration;
  /** How long acquire() and withLock() wait for a busy lock (default '10s'). */
  timeout?: Duration;
  /** Spacing of attempts while waiting (jittered exponential backoff). */
  retry?: RetryOptions;
  /** Automatic renewal period while renewing (default: a third of the TTL). */
  renewEvery?: Duration;
  /** Clock drift allowance as a fraction of the TTL (default 0.01; 2 ms are always added). */
  driftFactor?: number;
  /**
   * How long a resource's fencing counter lives from its creation (default '1d'). Tokens keep increasing
   * when it expires: a new counter starts at the server's clock in microseconds, above every earlier token.
   */
  fencingTtl?: Duration;
}

export interface AcquireOptions {
  /** This lock's TTL (default: the Lock's). */
  ttl?: Duration;
  /** How long to wait while it is busy (default: the Lock's; 0 makes one attempt). */
  timeout?: Duration;
  /** Stops waiting when aborted (rejects with the signal's reason). */
  signal?: AbortSignal;
  /** Keep extending it automatically until released (default: false for acquire(), true for withLock()). */
  renew?: boolean;
}

/** A held lock: a Lease (signal, extend, release, remainingMs, assertHeld) with its fencing token. */
export class LockHandle extends Lease {
  constructor(
    resource: string,
    owner: string,
    /**
     * Strictly increasing per resource, issued in the script that acquired the lock: pass it with every
     * write to the protected resource, which rejects tokens older than one it has seen (see FencedStore).
     */
    readonly fencingToken: number,
    backend: LeaseBackend,
    timing: LeaseTiming,
    startedAt: number,
  ) {
    super(resource, owner, backend, timing, startedAt, 'lock');
  }
}

/** Shared parsing of Lock and Redlock settings. */
export interface LockSettings {
  keys: Keys;
  ttlMs: number;
  timeoutMs: number;
  retry: RetryPolicy;
  renewEveryMs: number | undefined;
  driftMs: (ttlMs: number) => number;
  fencingTtlMs: number;
  /** The timing of acquisitions without overrides, without and with renewal (computed once). */
  defaults: [plain: AcquisitionTiming, renewing: AcquisitionTiming];
}

export interface AcquisitionTiming {
  ttlMs: number;
  timeoutMs: number;
  timing: LeaseTiming;
}

export function lockSettings(options: LockOptions): LockSettings {
  const driftFactor = options.driftFactor ?? 0.01;
  if (!(driftFactor >= 0 && driftFactor < 0.5))
    throw new RedkitConfigError(`driftFactor must be in [0, 0.5), got ${driftFactor}`);
  const ttlMs = toMilliseconds(options.ttl ?? '10s', 'ttl');
  if (ttlMs < 10) throw new RedkitConfigError(`ttl must be at least 10 ms, got ${ttlMs} ms`);
  const renewEveryMs =
    options.renewEvery === undefined ? undefined : toMilliseconds(options.renewEvery, 'renewEvery');
  if (renewEveryMs !== undefined && (renewEveryMs < 1 || renewEveryMs >= ttlMs))
    throw new RedkitConfigError(
      `renewEvery (${renewEveryMs} ms) must be between 1 ms and the TTL (${ttlMs} ms)`,
    );
  const settings: Omit<LockSettings, 'defaults'> = {
    keys: new Keys(options.namespace ?? 'lock'),
    ttlMs,
    timeoutMs: toMilliseconds(options.timeout ?? '10s', 'timeout'),
    retry: retryPolicy(options.retry),
    renewEveryMs,
    driftMs: (ms) => Math.round(ms * driftFactor) + 2,
    fencingTtlMs: toMilliseconds(options.fencingTtl ?? '1d', 'fencingTtl'),
  };
  return { ...settings, defaults: [timingOf(settings, {}, false), timingOf(settings, {}, true)] };
}

/** The TTL, timeout and renewal of one acquisition. */
export function acquisitionTiming(
  settings: LockSettings,
  options: AcquireOptions,
  renewByDefault: boolean,
): AcquisitionTiming {
  if (options.ttl === undefined && options.timeout === undefined && options.renew === undefined)
    return settings.defaults[renewByDefault ? 1 : 0];
  return timingOf(settings, options, renewByDefault);
}

function timingOf(
  settings: Omit<LockSettings, 'defaults'>,
  options: AcquireOptions,
  renewByDefault: boolean,
): AcquisitionTiming {
  const ttlMs = options.ttl === undefined ? settings.ttlMs : toMilliseconds(options.ttl, 'ttl');
  const timeoutMs =
    options.timeout === undefined ? settings.timeoutMs : toMilliseconds(options.timeout, 'timeout');
  const renew = options.renew ?? renewByDefault;
  return {
    ttlMs,
    timeoutMs,
    timing: {
      ttlMs,
      driftMs: settings.driftMs,
      renewEveryMs: renew ? (settings.renewEveryMs ?? Math.max(1, Math.floor(ttlMs / 3))) : 0,
    },
  };
}

/**
 * The lock key and the fencing counter of a resource: one hash tag, so one Cluster slot. The same keys as
 * `keys.inSlot(resource).of()` and `.of('fence')`, built without the intermediate object (hot path).
 */
export function lockKeys(keys: Keys, resource: string): [lock: string, fence: string] {
  const lock = `${keys.namespace}:{${escapeKeyPart(resource)}}`;
  return [lock, `${lock}:fence`];
}

/**
 * A mutex on one Redis (or Cluster): a random 128-bit owner token, acquisition with a timeout and jittered
 * backoff, compare-and-delete release and compare-and-extend in Lua, automatic renewal inside withLock()
 * with an AbortSignal fired the moment the lock is lost, and a fencing token per acquisition.
 */
export class Lock {
  private readonly settings: LockSettings;
  /** Resource → its keys: locks are usually taken again and again on the same resources. */
  private readonly keyCache = new Map<string, [lock: string, fence: string]>();

  constructor(
    private readonly redis: RedisPort,
    options: LockOptions = {},
  ) {
    this.settings = lockSettings(options);
  }

  /** Waits up to the timeout for the lock; throws LockTimeoutError if it stays busy. */
  acquire(resource: string, options: AcquireOptions = NO_OPTIONS): Promise<LockHandle> {
    return this.acquireWith(resource, options, false);
  }

  /** One attempt: the lock, or null if someone else holds it. */
  async tryAcquire(
    resource: string,
    options: Omit<AcquireOptions, 'timeout'> = NO_OPTIONS,
  ): Promise<LockHandle | null> {
    const attempt = await this.attempt(resource, acquisitionTiming(this.settings, options, false));
    return attempt.acquired ?? null;
  }

  /**
   * Runs `fn` holding the lock, renewing it meanwhile, and releases it. `signal` aborts the moment the
   * lock is lost; then withLock rejects with LockLostError even if `fn` finished.
   */
  async withLock<T>(
    resource: string,
    fn: (handle: LockHandle) => Promise<T> | T,
    options: AcquireOptions = NO_OPTIONS,
  ): Promise<T> {
    return runHolding(await this.acquireWith(resource, options, true), fn);
  }

  /** Whether anyone holds the lock right now. */
  async isLocked(resource: string): Promise<boolean> {
    return (await this.redis.send('EXISTS', lockKeys(this.settings.keys, resource)[0])) === 1;
  }

  /**
   * The first attempt without an async layer of its own (the uncontended path: one EVALSHA and the
   * handle); only a busy lock goes on to the waiting loop.
   */
  private acquireWith(resource: string, options: AcquireOptions, renew: boolean): Promise<LockHandle> {
    let timing: AcquisitionTiming;
    try {
      options.signal?.throwIfAborted();
      timing = acquisitionTiming(this.settings, options, renew);
    } catch (error) {
      return Promise.reject(error);
    }
    const startedAt = performance.now();
    return this.attempt(resource, timing, startedAt).then((first) =>
      first.acquired ? first.acquired : this.wait(resource, options, timing, startedAt, first as Miss),
    );
  }

  private async wait(
    resource: string,
    options: AcquireOptions,
    timing: AcquisitionTiming,
    startedAt: number,
    first: Miss,
  ): Promise<LockHandle> {
    const outcome = await keepTrying(
      () => this.attempt(resource, timing),
      first,
      startedAt,
      timing.timeoutMs,
      this.settings.retry,
      options.signal,
    );
    if (outcome.acquired) return outcome.acquired;
    throw timeoutError('lock', resource, timing.timeoutMs, outcome.attempts, outcome.miss.holderRemainingMs);
  }

  private attempt(
    resource: string,
    { ttlMs, timing }: AcquisitionTiming,
    startedAt = performance.now(),
  ): Promise<Attempt<LockHandle>> {
    let keys = this.keyCache.get(resource);
    if (!keys) {
      try {
        keys = lockKeys(this.settings.keys, resource);
      } catch (error) {
        return Promise.reject(error);
      }
      if (this.keyCache.size >= KEY_CACHE_SIZE) this.keyCache.clear();
      this.keyCache.set(resource, keys);
    }
    const [lockKey, fenceKey] = keys;
    const owner = ownerToken();
    return this.redis
      .runScript(ACQUIRE, [lockKey, fenceKey], [owner, ttlMs, this.settings.fencingTtlMs])
      .then((raw) => {
        const reply = acquireReply(raw);
        if (!('token' in reply)) return reply;
        const backend = new SingleNodeBackend(this.redis, lockKey, owner);
        return { acquired: new LockHandle(resource, owner, reply.token, backend, timing, startedAt) };
      });
  }
}

const NO_OPTIONS: AcquireOptions = Object.freeze({});
const KEY_CACHE_SIZE = 1024;

/** Extension and release of a lock on one Redis: compare-and-extend, compare-and-delete. */
class SingleNodeBackend implements LeaseBackend {
  constructor(
    private readonly redis: RedisPort,
    private readonly lockKey: string,
    private readonly owner: string,
  ) {}

  async extend(ttlMs: number): Promise<ExtendOutcome> {
    return (await this.redis.runScript(EXTEND, [this.lockKey], [this.owner, ttlMs])) === 1
      ? 'extended'
      : 'lost';
  }

  release(): Promise<boolean> {
    return this.redis.runScript(RELEASE, [this.lockKey], [this.owner]).then((reply) => reply === 1);
  }
}

export function timeoutError(
  what: string,
  resource: string,
  timeoutMs: number,
  attempts: number,
  holderRemainingMs: number | undefined,
  detail = '',
): LockTimeoutError {
  const holder =
    holderRemainingMs !== undefined && holderRemainingMs > 0
      ? ` (the holder's lease had ${holderRemainingMs} ms left at the last attempt)`
      : holderRemainingMs === -1
        ? ' (it is held by a key without expiry: something other than redkit set it)'
        : '';
  return new LockTimeoutError(
    `could not acquire ${what} '${resource}' within ${timeoutMs} ms after ${attempts} attempt${attempts === 1 ? '' : 's'}: it stayed busy${holder}${detail}. Raise the timeout, keep critical sections shorter, or use tryAcquire() to skip the work while it is busy.`,
    resource,
    attempts,
  );
}
