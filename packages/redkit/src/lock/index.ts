export { LockLostError, type LockLostReason, LockTimeoutError, StaleFencingTokenError } from './errors.js';
export { acceptsFencingToken, FencedStore, type FencedStoreOptions, FencingGuard } from './fencing.js';
export { Lease } from './lease.js';
export { type AcquireOptions, Lock, LockHandle, type LockOptions } from './lock.js';
export { Redlock, type RedlockOptions } from './redlock.js';
export type { RetryOptions } from './retry.js';
export { Permit, type PermitOptions, Semaphore, type SemaphoreOptions } from './semaphore.js';
