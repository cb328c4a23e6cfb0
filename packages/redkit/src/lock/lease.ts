import { performance } from 'node:perf_hooks';
import { type Duration, toMilliseconds } from '../duration.js';
import { RedkitError } from '../errors.js';
import { LockLostError, type LockLostReason } from './errors.js';

/** What the server said to an extension: still ours, definitely not ours, or no reliable answer. */
export type ExtendOutcome = 'extended' | 'lost' | 'unknown';

/** The server side of a lease: how to extend and release it (one node, a quorum, a semaphore slot). */
export interface LeaseBackend {
  /** Extends to `ttlMs` from now. */
  extend(ttlMs: number): Promise<ExtendOutcome>;
  /** Gives the lease up; true if it was still ours. */
  release(): Promise<boolean>;
}

export interface LeaseTiming {
  ttlMs: number;
  /** Clock drift allowance for a TTL: the lease counts as lost this much before Redis would expire it. */
  driftMs(ttlMs: number): number;
  /** Renew automatically this often (0: only by calling extend()). */
  renewEveryMs: number;
}

/** Redlock's allowance: 1% of the TTL plus 2 ms for Redis's expiry precision. */
export function defaultDrift(ttlMs: number): number {
  return Math.round(ttlMs * 0.01) + 2;
}

/**
 * A held lock or permit. Its validity is tracked on this process's monotonic clock from the moment the
 * acquiring request was sent, so a wall-clock jump cannot stretch it. `signal` aborts with a
 * LockLostError the moment the lease is known lost: its TTL ran out before a renewal succeeded (event loop
 * blocked, process paused, Redis unreachable), or Redis answered that it belongs to someone else.
 */
export class Lease {
  /** Made on first use of `signal`: a lease nobody listens to needs no controller and no deadline timer. */
  private controller: AbortController | undefined;
  /** performance.now() after which the lease can no longer be assumed ours. */
  private deadline: number;
  private appliedFrom: number;
  private lostError: LockLostError | undefined;
  private released = false;
  private deadlineTimer: NodeJS.Timeout | undefined;
  private renewTimer: NodeJS.Timeout | undefined;
  private ttlMs: number;

  constructor(
    /** The lock's resource name (or the semaphore's name). */
    readonly resource: string,
    /** This holder's random 128-bit owner token, as stored in Redis. */
    readonly owner: string,
    private readonly backend: LeaseBackend,
    private readonly timing: LeaseTiming,
    /** performance.now() just before the acquiring request was sent. */
    startedAt: number,
    private readonly what = 'lock',
  ) {
    this.ttlMs = timing.ttlMs;
    this.appliedFrom = startedAt;
    this.deadline = startedAt + this.ttlMs - timing.driftMs(this.ttlMs);
    if (timing.renewEveryMs > 0) this.scheduleRenewal(timing.renewEveryMs);
  }

  /** Aborted with a LockLostError once the lease is lost (not when it is released). */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.lostError) this.controller.abort(this.lostError);
      else if (!this.released) this.armDeadline();
    }
    return this.controller.signal;
  }

  /** True once the lease was lost; `lostReason` says why. */
  get lost(): boolean {
    return this.lostError !== undefined || (!this.released && performance.now() >= this.deadline);
  }

  get lostReason(): LockLostError | undefined {
    return this.lostError;
  }

  /** Milliseconds the lease is still certainly ours (0 once lost or released). */
  remainingMs(): number {
    if (this.released || this.lostError) return 0;
    return Math.max(0, Math.floor(this.deadline - performance.now()));
  }

  /**
   * Throws the LockLostError if the lease is lost or its validity has run out on our clock — cheap (no
   * round trip): call it right before a side effect.
   */
  assertHeld(): void {
    if (this.lostError) throw this.lostError;
    if (!this.released && performance.now() >= this.deadline) {
      this.lose('expired');
      throw this.lostError;
    }
  }

  /** Extends the lease to `ttl` (default: its TTL) from now; throws LockLostError if it is not ours any more. */
  async extend(ttl?: Duration): Promise<void> {
    const ttlMs = ttl === undefined ? this.ttlMs : toMilliseconds(ttl, 'ttl');
    this.assertHeld();
    if (this.released) throw this.releasedError();
    const startedAt = performance.now();
    const outcome = await this.backend.extend(ttlMs);
    if (outcome === 'extended') {
      this.ttlMs = ttlMs;
      this.applyExtension(startedAt, ttlMs);
      this.assertHeld();
      return;
    }
    if (outcome === 'lost') this.lose('taken');
    this.assertHeld();
    throw new RedkitError(
      `could not confirm the extension of ${this.what} '${this.resource}': too few servers answered. It is still ours for ${this.remainingMs()} ms; retry extend() or stop the work before then.`,
    );
  }

  /** Gives the lease up (compare-and-delete: never someone else's); true if it was still ours. */
  release(): Promise<boolean> {
    if (this.released) return Promise.resolve(false);
    this.released = true;
    this.stopTimers();
    try {
      return this.backend.release();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private applyExtension(startedAt: number, ttlMs: number): void {
    if (this.lostError || this.released || startedAt < this.appliedFrom) return;
    this.appliedFrom = startedAt;
    this.deadline = startedAt + ttlMs - this.timing.driftMs(ttlMs);
    if (this.controller) this.armDeadline();
  }

  private armDeadline(): void {
    if (this.deadlineTimer) clearTimeout(this.deadlineTimer);
    this.deadlineTimer = setTimeout(
      () => {
        if (performance.now() >= this.deadline) this.lose('expired');
        else this.armDeadline();
      },
      Math.max(0, Math.ceil(this.deadline - performance.now())),
    );
    this.deadlineTimer.unref();
  }

  private scheduleRenewal(inMs: number): void {
    this.renewTimer = setTimeout(() => void this.renew(), inMs);
    this.renewTimer.unref();
  }

  private async renew(): Promise<void> {
    if (this.released || this.lostError) return;
    const startedAt = performance.now();
    if (startedAt >= this.deadline) return this.lose('expired');
    let outcome: ExtendOutcome;
    try {
      outcome = await this.backend.extend(this.ttlMs);
    } catch {
      outcome = 'unknown';
    }
    if (this.released || this.lostError) return;
    if (outcome === 'extended') {
      this.applyExtension(startedAt, this.ttlMs);
      this.scheduleRenewal(this.timing.renewEveryMs);
    } else if (outcome === 'lost') {
      this.lose('taken');
    } else {
      // No answer: try again soon, until the deadline decides.
      this.scheduleRenewal(Math.max(10, Math.floor(this.timing.renewEveryMs / 4)));
    }
  }

  private lose(reason: LockLostReason): void {
    if (this.lostError || this.released) return;
    this.stopTimers();
    this.lostError = new LockLostError(
      lostMessage(this.what, this.resource, reason, this.ttlMs),
      this.resource,
      reason,
    );
    this.controller?.abort(this.lostError);
  }

  private stopTimers(): void {
    if (this.deadlineTimer) clearTimeout(this.deadlineTimer);
    if (this.renewTimer) clearTimeout(this.renewTimer);
  }

  private releasedError(): LockLostError {
    return new LockLostError(
      `${this.what} '${this.resource}' was already released: acquire it again instead of extending it`,
      this.resource,
      'taken',
    );
  }
}

function lostMessage(what: string, resource: string, reason: LockLostReason, ttlMs: number): string {
  const cause =
    reason === 'expired'
      ? `its ${ttlMs} ms TTL ran out before a renewal succeeded (event loop blocked, process paused, or Redis unreachable)`
      : 'Redis says it has expired there or another owner holds it now';
  return `${what} '${resource}' was lost: ${cause}. Another process may be working on the same resource: stop, and let the protected store reject stale writes with the fencing token; raise ttl if the work legitimately stalls this long.`;
}

/** Runs `fn` under a lease and releases it; a lease lost meanwhile turns into the LockLostError. */
export async function runHolding<H extends Lease, T>(
  handle: H,
  fn: (handle: H) => Promise<T> | T,
): Promise<T> {
  try {
    const result = await fn(handle);
    handle.assertHeld();
    return result;
  } catch (error) {
    throw handle.lostReason ?? error;
  } finally {
    await handle.release().catch(() => false);
  }
}
