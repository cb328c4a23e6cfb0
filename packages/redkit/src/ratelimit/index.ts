export type {
  FixedWindow,
  Gcra,
  RateLimitAlgorithm,
  SlidingWindowCounter,
  SlidingWindowLog,
  TokenBucket,
} from './algorithms.js';
export { RateLimitConfigError, RateLimitCostError, RateLimitExceededError } from './errors.js';
export {
  type LimitOptions,
  RateLimiter,
  type RateLimiterOptions,
  type RateLimiterStats,
} from './limiter.js';
export { type LimitState, type RateLimitResult, rateLimitHeaders } from './result.js';
