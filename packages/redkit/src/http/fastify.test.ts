import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Engine } from '@redkit/engine';
import Fastify, { type FastifyRequest } from 'fastify';
import { connect } from '../client/connect.js';
import type { RedisPort } from '../client/port.js';
import { RedkitConfigError } from '../errors.js';
import { RateLimiter } from '../ratelimit/limiter.js';
import { rateLimit, redkit, requireSession, requireUser } from './fastify.js';
import { type AppDeps, type RunningApp, runHttpMatrix } from './http-matrix.test-support.js';

type WithId = FastifyRequest<{ Params: { id: string } }>;
type WithQuery = FastifyRequest<{ Querystring: Record<string, string> }>;

/** The matrix app on Fastify 5, over a real listening socket. */
async function build(deps: AppDeps): Promise<RunningApp> {
  const app = Fastify({ trustProxy: deps.trustProxy ? 'loopback' : false });
  await app.register(redkit, {
    session: { sessions: deps.sessions, cookie: { hostPrefix: true } },
    rateLimit: { limiter: deps.limiter, global: false, headers: deps.headers },
    cache: { cache: deps.cache },
  });
  app.get(
    '/limited',
    { config: { rateLimit: { scope: 'limited', skip: (req) => req.headers['x-internal'] === 'yes' } } },
    async () => 'ok',
  );
  app.get(
    '/per-user',
    { config: { rateLimit: { limiter: deps.userLimiter, key: 'user', headers: 'both' } } },
    async () => 'ok',
  );
  app.post('/cart', async (req: WithQuery) => {
    const cart = [...(req.session.get<string[]>('cart') ?? []), req.query.item];
    req.session.set('cart', cart);
    return { cart };
  });
  app.get('/cart', { preHandler: requireSession() }, async (req) => ({ cart: req.session.data.cart }));
  app.post('/login', async (req: WithQuery) => {
    await req.session.regenerate(req.query.user);
    return { user: req.session.userId };
  });
  app.get('/me', { preHandler: requireUser() }, async (req) => ({
    user: req.session.userId,
    cart: req.session.data.cart,
  }));
  app.post('/logout', async (req, reply) => {
    await req.session.destroy();
    reply.code(204).send();
  });
  const tags = (req: FastifyRequest) => [`product:${(req as WithId).params.id}`];
  app.get('/products/:id', { config: { cache: { tags } } }, async (req: WithId) => {
    deps.renders.count++;
    if (deps.slowMs) await sleep(deps.slowMs);
    return { id: req.params.id, version: deps.db.get(req.params.id) ?? 1 };
  });
  app.post('/products/:id', { config: { invalidates: tags } }, async (req: WithId, reply) => {
    deps.db.set(req.params.id, (deps.db.get(req.params.id) ?? 1) + 1);
    reply.code(204).send();
  });
  app.get('/personal', { config: { cache: true } }, async (_req, reply) => {
    deps.renders.count++;
    reply.header('set-cookie', 'theme=dark; Path=/');
    return 'hi';
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, close: () => app.close() };
}

runHttpMatrix('Fastify', build);

describe('Fastify plugin specifics (inject, embedded engine)', () => {
  let engine: Engine;
  let redis: RedisPort;
  before(async () => {
    engine = new Engine();
    redis = await connect(engine);
  });
  after(async () => {
    await redis.close();
    engine.close();
  });

  it('a global limit covers every route but exempted ones; a route override gets a budget of its own', async () => {
    const app = Fastify();
    await app.register(redkit, {
      rateLimit: { limiter: new RateLimiter(redis, RateLimiter.fixedWindow(2, '1m'), { namespace: 'fg' }) },
    });
    app.get('/a', async () => 'a');
    app.get('/b', async () => 'b');
    app.get('/health', { config: { rateLimit: false } }, async () => 'up');
    app.get(
      '/strict',
      {
        config: {
          rateLimit: {
            limiter: new RateLimiter(redis, RateLimiter.fixedWindow(1, '1m'), { namespace: 'fs' }),
          },
        },
      },
      async () => 'strict',
    );
    const hourly = new RateLimiter(redis, RateLimiter.gcra(1, '1h'), { namespace: 'fm' });
    app.get(
      '/manual',
      { config: { rateLimit: false }, onRequest: rateLimit({ limiter: hourly }) },
      async () => 'm',
    );
    assert.equal((await app.inject('/a')).statusCode, 200);
    assert.equal((await app.inject('/b')).statusCode, 200);
    const third = await app.inject('/a');
    assert.equal(third.statusCode, 429, 'the global budget is shared by the routes it covers');
    assert.equal(third.headers['retry-after'], '60');
    for (let i = 0; i < 5; i++) {
      const health = await app.inject('/health');
      assert.equal(health.statusCode, 200);
      assert.equal(health.headers['x-ratelimit-limit'], undefined);
    }
    assert.equal((await app.inject('/strict')).statusCode, 200, 'an override has its own budget');
    assert.equal((await app.inject('/strict')).statusCode, 429);
    assert.equal((await app.inject('/manual')).statusCode, 200);
    const manual = await app.inject('/manual');
    assert.equal(manual.statusCode, 429);
    assert.equal(manual.headers['retry-after'], '3600');
    await app.close();
  });

  it("hook: 'preHandler' keys by the parsed body", async () => {
    const app = Fastify();
    const limiter = new RateLimiter(redis, RateLimiter.fixedWindow(1, '1m'), { namespace: 'fbody' });
    await app.register(redkit, {});
    app.post(
      '/login',
      {
        config: {
          rateLimit: {
            limiter,
            hook: 'preHandler',
            key: (req) => `email:${(req.body as { email: string }).email}`,
          },
        },
      },
      async () => 'ok',
    );
    const login = (email: string) => app.inject({ method: 'POST', url: '/login', payload: { email } });
    assert.equal((await login('a@example.com')).statusCode, 200);
    assert.equal((await login('a@example.com')).statusCode, 429);
    assert.equal((await login('b@example.com')).statusCode, 200);
    await app.close();
  });

  it('refuses misconfigured routes at registration, with a message that says what to do', async () => {
    const app = Fastify();
    await app.register(redkit, {});
    assert.throws(() => app.get('/x', { config: { cache: true } }, async () => 'x'), RedkitConfigError);
    assert.throws(
      () => app.get('/y', { config: { rateLimit: { key: 'ip' } } }, async () => 'y'),
      /needs a limiter/,
    );
    await app.close();
  });
});
