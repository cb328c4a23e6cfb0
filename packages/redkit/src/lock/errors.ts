import { RedkitError } from '../errors.js';

/** acquire() gave up: the resource stayed held by someone else (or a quorum was unreachable) until the timeout. */
export class LockTimeoutError extends RedkitError {
  override name = 'LockTimeoutError';
  constructor(
    message: string,
    /** The resource (lock name or semaphore) that could not be acquired. */
    readonly resource: string,
    /** How many attempts were made before giving up. */
    readonly attempts: number,
  ) {
    super(message);
  }
}

/** Why a held lock stopped being ours. */
export type LockLostReason =
  /** Its TTL ran out on our side of the clock before a renewal succeeded. */
  | 'expired'
  /** Redis answered that the lock is no longer ours (expired there, or another owner holds it). */
  | 'taken';

/**
 * A lock (or semaphore permit) was lost while held: work done after `lostAt` may have overlapped with
 * another holder's. Fired through the handle's AbortSignal the moment it is known, and thrown by
 * extend() and withLock().
 */
export class LockLostError extends RedkitError {
  override name = 'LockLostError';
  constructor(
    message: string,
    readonly resource: string,
    readonly reason: LockLostReason,
  ) {
    super(message);
  }
}

/** A write carried a fencing token older than one the store has already accepted: its writer lost the lock. */
export class StaleFencingTokenError extends RedkitError {
  override name = 'StaleFencingTokenError';
  constructor(
    message: string,
    readonly key: string,
    readonly token: number,
    /** The newest token the store had accepted for this key. */
    readonly currentToken: number,
  ) {
    super(message);
  }
}
