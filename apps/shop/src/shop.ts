import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Clock } from '@redkit/engine';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import { Cache, type Duration, Leaderboard, RateLimiter, Sessions, UniqueCounter } from 'redkit';
import { redkit } from 'redkit/fastify';
import { type Backend, openBackend } from './backend.js';
import { listingTags, type ShopContext } from './context.js';
import { ShopDatabase } from './db/database.js';
import { ShopError } from './errors.js';
import { Fulfilment, Orders } from './orders.js';
import { authRoutes } from './routes/auth.js';
import { catalogRoutes } from './routes/catalog.js';
import { orderRoutes } from './routes/orders.js';
import { statsRoutes } from './routes/stats.js';
import { slowSummarize } from './summarize.js';

export interface ShopOptions {
  /** Use this Redis server instead of the embedded engine. */
  redisUrl?: string;
  /** Where the SQLite file and the engine's append-only file live; undefined: memory only. */
  dataDir?: string;
  /** Serve the embedded engine over RESP (redis-cli); false: don't. Port 0 picks a free one. */
  resp?: { port: number; host?: string } | false;
  /** The embedded engine's clock (tests: a ManualClock, to expire sessions without waiting). */
  clock?: Clock;
  /** Prefix of every key the shop writes (default 'shop'). */
  namespace?: string;
  logger?: Logger;
  /** Requests per client IP (default 100 a minute, sliding window). */
  rateLimit?: { limit: number; window: Duration };
  /** Login attempts per account (default 10 a minute). */
  loginRateLimit?: { limit: number; window: Duration };
  session?: { idleTimeout?: Duration; absoluteTimeout?: Duration; secureCookie?: boolean | 'auto' };
  /** Fastify's trustProxy: whose X-Forwarded-For to believe for the client IP (default: nobody's). */
  trustProxy?: boolean | string;
  summarizeDelayMs?: number;
  paymentDelayMs?: number;
  fulfilment?: {
    /** Start the consumer with the shop (default true). */
    autoStart?: boolean;
    consumer?: string;
    claimIdle?: Duration;
    block?: Duration;
  };
}

export interface Shop {
  app: FastifyInstance;
  context: ShopContext;
  backend: Backend;
  /** Starts listening; resolves with the port. */
  listen(port: number, host?: string): Promise<number>;
  /** Graceful: stops accepting, finishes requests and fulfilments in flight, flushes and closes everything. */
  close(): Promise<void>;
}

export async function createShop(options: ShopOptions = {}): Promise<Shop> {
  const log = options.logger ?? pino({ level: 'silent' });
  const ns = options.namespace ?? 'shop';
  const db = await ShopDatabase.open(
    options.dataDir === undefined ? undefined : join(options.dataDir, 'shop.sqlite'),
  );
  let backend: Backend;
  try {
    backend = await openBackend({
      redisUrl: options.redisUrl,
      dataDir: options.dataDir,
      resp: options.resp ?? false,
      clock: options.clock,
      log,
    });
  } catch (error) {
    db.close();
    throw error;
  }
  const { redis } = backend;

  const products = new Cache(redis, {
    namespace: `${ns}:product`,
    ttl: '1h',
    jitter: 0.1,
    negativeTtl: '30s',
  });
  const pages = new Cache(redis, { namespace: `${ns}:page`, ttl: '5m' });
  const memo = new Cache(redis, { namespace: `${ns}:memo`, jitter: 0 }); // exactly 10 minutes
  const summarizeDelayMs = options.summarizeDelayMs ?? 2000;
  const summarize = memo.memoize((text: string) => slowSummarize(text, summarizeDelayMs), {
    name: 'summarize',
    ttl: '10m',
    key: (text) => createHash('sha256').update(text).digest('base64url'), // short keys for long texts
  });
  const bestsellers = new Leaderboard(redis, 'bestsellers', {
    namespace: `${ns}:leaderboard`,
    period: 'week',
    now: backend.now,
  });
  const visitors = new UniqueCounter(redis, 'visitors', {
    namespace: `${ns}:unique`,
    period: 'day',
    now: backend.now,
  });
  const limit = options.rateLimit ?? { limit: 100, window: '1m' };
  const limiter = new RateLimiter(redis, RateLimiter.slidingWindow(limit.limit, limit.window), {
    namespace: `${ns}:ratelimit`,
  });
  const login = options.loginRateLimit ?? { limit: 10, window: '1m' };
  const loginLimiter = new RateLimiter(redis, RateLimiter.slidingWindow(login.limit, login.window), {
    namespace: `${ns}:ratelimit`,
  });
  const sessions = new Sessions(redis, {
    namespace: `${ns}:session`,
    idleTimeout: options.session?.idleTimeout ?? '30m',
    absoluteTimeout: options.session?.absoluteTimeout ?? '8h',
  });

  const orders = new Orders({
    db,
    redis,
    namespace: ns,
    log: log.child({ component: 'orders' }),
    bestsellers,
    paymentDelayMs: options.paymentDelayMs ?? 200,
    // Payment took stock: the cached products and listings showing it are now stale.
    afterPayment: async (order) => {
      const bought = order.items.map((line) => db.product(line.productId));
      await Promise.all([
        ...order.items.map((line) => products.delete(`product:${line.productId}`)),
        pages.invalidateTags(listingTags(...bought.flatMap((p) => (p ? [p.category] : [])))),
      ]);
    },
  });
  const fulfilment = new Fulfilment({
    db,
    redis,
    stream: orders.stream,
    log: log.child({ component: 'fulfilment' }),
    consumer: options.fulfilment?.consumer,
    claimIdle: options.fulfilment?.claimIdle,
    block: options.fulfilment?.block,
  });
  const heard = await orders.created.subscribe((event) =>
    log.debug({ orderId: event.orderId }, 'order.created heard on pub/sub'),
  );

  const context: ShopContext = {
    db,
    backend,
    redis,
    products,
    pages,
    summarize,
    loginLimiter,
    orders,
    fulfilment,
    bestsellers,
    visitors,
  };

  const app = Fastify({
    loggerInstance: log,
    trustProxy: options.trustProxy ?? false,
    ajv: { customOptions: { removeAdditional: false } }, // unknown fields are refused (400), not dropped
  }) as unknown as FastifyInstance;
  app.setErrorHandler((error: FastifyError, req, reply) => {
    if (error instanceof ShopError) {
      return reply.code(error.statusCode).send({ error: error.code, message: error.message });
    }
    if (error.validation) return reply.code(400).send({ error: 'invalid_request', message: error.message });
    req.log.error({ err: error }, 'request failed');
    return reply.code(error.statusCode && error.statusCode < 500 ? error.statusCode : 500).send({
      error: error.statusCode && error.statusCode < 500 ? 'bad_request' : 'internal_error',
      message: error.statusCode && error.statusCode < 500 ? error.message : 'something went wrong',
    });
  });
  await app.register(redkit, {
    session: { sessions, cookie: { secure: options.session?.secureCookie ?? 'auto' } },
    rateLimit: {
      limiter,
      onLimited: (req, result) =>
        req.log.warn({ ip: req.ip, retryAfterMs: result.retryAfterMs }, 'rate limited'),
    },
    cache: { cache: pages },
  });

  // Unique visitors: the user when logged in, else the client IP. Counted after the response is sent.
  app.addHook('onResponse', async (req) => {
    if (req.routeOptions.url === '/healthz') return;
    const visitor = req.session?.userId ? `user:${req.session.userId}` : `ip:${req.ip}`;
    await visitors.add(visitor).catch((err: unknown) => req.log.warn({ err }, 'visitor not counted'));
  });

  app.get('/healthz', { config: { rateLimit: false } }, async (_req, reply) => {
    const [redisOk, dbOk] = await Promise.all([
      redis.ping().then(
        () => true,
        () => false,
      ),
      Promise.resolve()
        .then(() => db.ping())
        .catch(() => false),
    ]);
    const healthy = redisOk && dbOk;
    return reply.code(healthy ? 200 : 503).send({
      status: healthy ? 'ok' : 'degraded',
      redis: { ok: redisOk, backend: backend.kind },
      database: { ok: dbOk },
      fulfilment: { running: fulfilment.consumer.isRunning },
    });
  });
  catalogRoutes(app, context);
  authRoutes(app, context);
  orderRoutes(app, context);
  statsRoutes(app, context);

  if (options.fulfilment?.autoStart ?? true) await fulfilment.start();

  let closing: Promise<void> | undefined;
  return {
    app,
    context,
    backend,
    async listen(port, host = '127.0.0.1') {
      await app.listen({ port, host });
      const address = app.server.address();
      return typeof address === 'object' && address ? address.port : port;
    },
    close() {
      closing ??= (async () => {
        await app.close();
        await fulfilment.stop();
        await heard.unsubscribe();
        await Promise.all([orders.close(), products.close(), pages.close(), memo.close()]);
        await backend.close();
        db.close();
      })();
      return closing;
    },
  };
}
