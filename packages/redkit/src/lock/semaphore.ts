import { performance } from 'node:perf_hooks';
import type { RedisPort } from '../client/port.js';
import { type Duration, toMilliseconds } from '../duration.js';
import { RedkitConfigError } from '../errors.js';
import { Keys } from '../keys.js';
import { type Attempt, acquireWithin, ownerToken } from './acquire-loop.js';
import { Lease, type LeaseTiming, runHolding } from './lease.js';
import { timeoutError } from './lock.js';
import { type RetryOptions, type RetryPolicy, retryPolicy } from './retry.js';
import { ACQUIRE_PERMIT, COUNT_PERMITS, EXTEND_PERMIT, RELEASE_PERMIT } from './semaphore-scripts.js';

export interface SemaphoreOptions {
  /** How many holders at once. */
  limit: number;
  /** How long a permit lives unless extended: a crashed holder's permit frees itself (default '30s'). */
  ttl?: Duration;
  /** How long acquire() and withPermit() wait (default '10s'). */
  timeout?: Duration;
  /** Key namespace (default 'semaphore'). */
  namespace?: string;
  /** Spacing of a waiter's polls (default 5 to 50 ms, jittered). */
  retry?: RetryOptions;
  /** Automatic renewal period while renewing (default: a third of the TTL). */
  renewEvery?: Duration;
  /**
   * A waiter keeps its place in line this long after its last poll (default '1s'): a waiter that died or
   * is paused stops blocking the line after that.
   */
  waiterLease?: Duration;
}

export interface PermitOptions {
  ttl?: Duration;
  /** How long to wait (default: the Semaphore's; 0 makes one attempt, without queueing). */
  timeout?: Duration;
  signal?: AbortSignal;
  /** Keep extending it until released (default: false for acquire(), true for withPermit()). */
  renew?: boolean;
}

/** A held permit: signal, extend(), release(), remainingMs(), assertHeld(). */
export class Permit extends Lease {}

/**
 * A counting semaphore: at most `limit` holders at once, each permit with a TTL so a crashed holder
 * frees its slot. Fair: waiters get permits in the order they arrived (a ticket from the server), and
 * every expiry is judged by the server's clock (TIME), so client clocks never matter.
 */
export class Semaphore {
  private readonly keys: string[];
  private readonly limit: number;
  private readonly ttlMs: number;
  private readonly timeoutMs: number;
  private readonly retry: RetryPolicy;
  private readonly renewEveryMs: number | undefined;
  private readonly waiterLeaseMs: number;

  constructor(
    private readonly redis: RedisPort,
    readonly name: string,
    options: SemaphoreOptions,
  ) {
    if (!Number.isInteger(options.limit) || options.limit < 1)
      throw new RedkitConfigError(`limit must be a positive integer, got ${options.limit}`);
    this.limit = options.limit;
    this.ttlMs = toMilliseconds(options.ttl ?? '30s', 'ttl');
    this.timeoutMs = toMilliseconds(options.timeout ?? '10s', 'timeout');
    this.retry = retryPolicy({ minDelay: 5, maxDelay: 50, ...options.retry });
    this.renewEveryMs = options.renewEvery === undefined ? undefined : toMilliseconds(options.renewEvery);
    this.waiterLeaseMs = Math.max(1, toMilliseconds(options.waiterLease ?? '1s', 'waiterLease'));
    if (this.waiterLeaseMs <= this.retry.maxDelayMs * 2)
      throw new RedkitConfigError(
        `waiterLease (${this.waiterLeaseMs} ms) must exceed twice retry.maxDelay, or waiters lose their place between polls`,
      );
    const slot = new Keys(options.namespace ?? 'semaphore').inSlot(name);
    this.keys = [slot.of('holders'), slot.of('queue'), slot.of('seen'), slot.of('ticket')];
  }

  /** Waits in line up to the timeout for a permit; throws LockTimeoutError if none frees up. */
  async acquire(options: PermitOptions = {}): Promise<Permit> {
    return this.acquireWith(options, false);
  }

  /** A permit if one is free and nobody is waiting ahead, else null (never queues). */
  async tryAcquire(options: Omit<PermitOptions, 'timeout'> = {}): Promise<Permit | null> {
    const attempt = await this.attempt(ownerToken(), { ...options, timeout: 0 }, false);
    return attempt.acquired ?? null;
  }

  /** Runs `fn` holding a permit, renewing it meanwhile, and releases it (see Lock.withLock). */
  async withPermit<T>(fn: (permit: Permit) => Promise<T> | T, options: PermitOptions = {}): Promise<T> {
    return runHolding(await this.acquireWith(options, true), fn);
  }

  /** Permits held right now, and callers waiting in line. */
  async count(): Promise<{ held: number; waiting: number }> {
    const [held, waiting] = (await this.redis.runScript(
      COUNT_PERMITS,
      this.keys.slice(0, 3),
      [],
    )) as number[];
    return { held: held!, waiting: waiting! };
  }

  private async acquireWith(options: PermitOptions, renewByDefault: boolean): Promise<Permit> {
    const timeoutMs =
      options.timeout === undefined ? this.timeoutMs : toMilliseconds(options.timeout, 'timeout');
    const owner = ownerToken();
    try {
      return await acquireWithin(
        () => this.attempt(owner, options, renewByDefault, timeoutMs),
        timeoutMs,
        this.retry,
        options.signal,
        (attempts, miss) =>
          timeoutError(
            'a permit of semaphore',
            this.name,
            timeoutMs,
            attempts,
            miss.holderRemainingMs,
            miss.detail,
          ),
      );
    } catch (error) {
      await this.leaveQueue(owner);
      throw error;
    }
  }

  private async leaveQueue(owner: string): Promise<void> {
    await this.redis.runScript(RELEASE_PERMIT, this.keys.slice(0, 3), [owner]).catch(() => 0);
  }

  private async attempt(
    owner: string,
    options: PermitOptions,
    renewByDefault: boolean,
    timeoutMs = 0,
  ): Promise<Attempt<Permit>> {
    const ttlMs = options.ttl === undefined ? this.ttlMs : toMilliseconds(options.ttl, 'ttl');
    const startedAt = performance.now();
    const reply = (await this.redis.runScript(ACQUIRE_PERMIT, this.keys, [
      owner,
      this.limit,
      ttlMs,
      timeoutMs > 0 ? this.waiterLeaseMs : 0,
    ])) as number[];
    if (reply[0] !== 1) {
      const [, ahead, firstExpiresInMs] = reply;
      return {
        holderRemainingMs: ahead === 0 && firstExpiresInMs! >= 0 ? firstExpiresInMs : undefined,
        detail: `; all ${this.limit} permits were held and ${ahead} waiter${ahead === 1 ? ' was' : 's were'} ahead at the last attempt`,
      };
    }
    const renew = options.renew ?? renewByDefault;
    const timing: LeaseTiming = {
      ttlMs,
      driftMs: (ms) => Math.round(ms * 0.01) + 2,
      renewEveryMs: renew ? (this.renewEveryMs ?? Math.max(1, Math.floor(ttlMs / 3))) : 0,
    };
    const keys = this.keys.slice(0, 3);
    const backend = {
      extend: async (ms: number) =>
        (await this.redis.runScript(EXTEND_PERMIT, keys, [owner, ms])) === 1
          ? ('extended' as const)
          : ('lost' as const),
      release: async () => (await this.redis.runScript(RELEASE_PERMIT, keys, [owner])) === 1,
    };
    return { acquired: new Permit(this.name, owner, backend, timing, startedAt, 'permit of semaphore') };
  }
}
