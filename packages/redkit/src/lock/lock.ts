import { performance } from 'node:perf_hooks';
import type { RedisPort } from '../client/port.js';
import { type Duration, toMilliseconds } from '../duration.js';
import { RedkitConfigError } from '../errors.js';
import { escapeKeyPart, Keys } from '../keys.js';
import { type Attempt, keepTrying, ownerToken } from './acquire-loop.js';
import { LockTimeoutError } from './errors.js';
import { Lease, type LeaseBackend, type LeaseTiming, runHolding } from './lease.js';
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

  constructor(
    private readonly redis: RedisPort,
    options: LockOptions = {},
  ) {
    this.settings = lockSettings(options);
  }

  /** Waits up to the timeout for the lock; throws LockTimeoutError if it stays busy. */
  acquire(resource: string, options: AcquireOptions = {}): Promise<LockHandle> {
    return this.acquireWith(resource, options, false);
  }

  /** One attempt: the lock, or null if someone else holds it. */
  async tryAcquire(
    resource: string,
    options: Omit<AcquireOptions, 'timeout'> = {},
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
    options: AcquireOptions = {},
  ): Promise<T> {
    return runHolding(await this.acquireWith(resource, options, true), fn);
  }

  /** Whether anyone holds the lock right now. */
  async isLocked(resource: string): Promise<boolean> {
    return (await this.redis.send('EXISTS', lockKeys(this.settings.keys, resource)[0])) === 1;
  }

  private async acquireWith(resource: string, options: AcquireOptions, renew: boolean): Promise<LockHandle> {
    options.signal?.throwIfAborted();
    const timing = acquisitionTiming(this.settings, options, renew);
    const startedAt = performance.now();
    const first = await this.attempt(resource, timing);
    if (first.acquired) return first.acquired;
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

  private async attempt(
    resource: string,
    { ttlMs, timing }: AcquisitionTiming,
  ): Promise<Attempt<LockHandle>> {
    const [lockKey, fenceKey] = lockKeys(this.settings.keys, resource);
    const owner = ownerToken();
    const startedAt = performance.now();
    const reply = acquireReply(
      await this.redis.runScript(ACQUIRE, [lockKey, fenceKey], [owner, ttlMs, this.settings.fencingTtlMs]),
    );
    if (!('token' in reply)) return reply;
    const backend = singleNodeBackend(this.redis, lockKey, owner);
    return { acquired: new LockHandle(resource, owner, reply.token, backend, timing, startedAt) };
  }
}

function singleNodeBackend(redis: RedisPort, lockKey: string, owner: string): LeaseBackend {
  return {
    extend: async (ttlMs) =>
      (await redis.runScript(EXTEND, [lockKey], [owner, ttlMs])) === 1 ? 'extended' : 'lost',
    release: async () => (await redis.runScript(RELEASE, [lockKey], [owner])) === 1,
  };
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
