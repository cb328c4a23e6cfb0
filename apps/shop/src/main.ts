#!/usr/bin/env node
/**
 * The shop service: `npm start` (embedded engine with its AOF in ./data, RESP on 6379) or with REDIS_URL.
 * SIGINT/SIGTERM shut it down gracefully; a second signal exits at once.
 */
import pino from 'pino';
import { configFromEnv } from './config.js';
import { createShop } from './shop.js';

const SHUTDOWN_TIMEOUT_MS = 10_000;

const config = configFromEnv();
const log = pino({ level: config.logLevel, base: { service: 'shop' } });

try {
  const shop = await createShop({ ...config.shop, logger: log });
  const port = await shop.listen(config.port, config.host);
  const resp = shop.backend.resp;
  log.info(
    {
      url: `http://${config.host}:${port}`,
      backend: shop.backend.kind,
      redisCli: resp ? `redis-cli -p ${resp.port}` : null,
      dataDir: config.shop.redisUrl ? null : config.shop.dataDir,
    },
    'shop listening',
  );

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      log.error('shutdown took too long: exiting');
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS);
    timer.unref();
    shop.close().then(
      () => {
        log.info('stopped');
        process.exitCode = 0;
      },
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exitCode = 1;
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
} catch (err) {
  log.fatal({ err }, 'the shop could not start');
  process.exitCode = 1;
}
