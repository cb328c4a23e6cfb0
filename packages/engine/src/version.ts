/** The Redis version whose behaviour the engine reproduces (clients feature-detect on it). */
export const REDIS_VERSION = '7.0.15';
/** redkit's own engine version. */
export const ENGINE_VERSION = '0.1.0';
