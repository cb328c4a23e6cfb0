import { resolve } from 'node:path';
import type { Duration } from 'redkit';
import type { ShopOptions } from './shop.js';

export interface ServiceConfig {
  port: number;
  host: string;
  logLevel: string;
  shop: ShopOptions;
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0)
    throw new Error(`${name} must be a non-negative integer, got '${raw}'`);
  return value;
}

/** The service's settings from its environment (see the README for each variable). */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  const redisUrl = env.REDIS_URL || undefined;
  const respPort = integer(env, 'REDIS_PORT', 6379);
  const secure = env.COOKIE_SECURE ?? 'auto';
  const trustProxy = env.TRUST_PROXY;
  return {
    port: integer(env, 'PORT', 3000),
    host: env.HOST || '127.0.0.1',
    logLevel: env.LOG_LEVEL || 'info',
    shop: {
      redisUrl,
      dataDir: resolve(env.REDKIT_DATA_DIR || 'data'),
      // Loopback only: the embedded engine has no password.
      resp: redisUrl || respPort === 0 ? false : { port: respPort, host: '127.0.0.1' },
      rateLimit: {
        limit: integer(env, 'RATE_LIMIT', 100),
        window: (env.RATE_LIMIT_WINDOW || '1m') as Duration,
      },
      session: {
        idleTimeout: (env.SESSION_IDLE_TIMEOUT || '30m') as Duration,
        absoluteTimeout: (env.SESSION_ABSOLUTE_TIMEOUT || '8h') as Duration,
        secureCookie: secure === 'auto' ? 'auto' : secure === 'true',
      },
      trustProxy:
        trustProxy === undefined || trustProxy === '' ? false : trustProxy === 'true' ? true : trustProxy,
      summarizeDelayMs: integer(env, 'SUMMARIZE_DELAY_MS', 2000),
      paymentDelayMs: integer(env, 'PAYMENT_DELAY_MS', 200),
    },
  };
}
