import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { serve } from '@hono/node-server';
import { Engine } from '@redkit/engine';
import { type Context, Hono } from 'hono';
import { connect } from '../client/connect.js';
import { RedkitConfigError } from '../errors.js';
import { RateLimiter } from '../ratelimit/limiter.js';
import {
  cacheResponses,
  invalidateCache,
  type RedkitEnv,
  rateLimit,
  requireSession,
  requireUser,
  session,
} from './hono.js';
import { type AppDeps, type RunningApp, runHttpMatrix } from './http-matrix.test-support.js';

/** The matrix app on Hono 4, served by @hono/node-server over a real listening socket. */
async function build(deps: AppDeps): Promise<RunningApp> {
  const app = new Hono<RedkitEnv>();
  app.use(session({ sessions: deps.sessions, cookie: { hostPrefix: true } }));
  const limited = rateLimit({
    limiter: deps.limiter,
    scope: 'limited',
    headers: deps.headers,
    skip: (c) => c.req.header('x-internal') === 'yes',
    ...(deps.trustProxy ? { trustProxy: 'loopback' } : {}),
  });
  app.get('/limited', limited, (c) => c.text('ok'));
  app.get('/per-user', rateLimit({ limiter: deps.userLimiter, key: 'user', scope: 'per-user' }), (c) =>
    c.text('ok'),
  );
  app.post('/cart', (c) => {
    const s = c.get('session');
    const cart = [...(s.get<string[]>('cart') ?? []), c.req.query('item') ?? ''];
    s.set('cart', cart);
    return c.json({ cart });
  });
  app.get('/cart', requireSession(), (c) => c.json({ cart: c.get('session').data.cart }));
  app.post('/login', async (c) => {
    await c.get('session').regenerate(c.req.query('user'));
    return c.json({ user: c.get('session').userId });
  });
  app.get('/me', requireUser(), (c) =>
    c.json({ user: c.get('session').userId, cart: c.get('session').data.cart }),
  );
  app.post('/logout', async (c) => {
    await c.get('session').destroy();
    return c.body(null, 204);
  });
  const tags = (c: Context) => [`product:${c.req.param('id')}`];
  app.get('/products/:id', cacheResponses({ cache: deps.cache, tags }), async (c) => {
    deps.renders.count++;
    if (deps.slowMs) await sleep(deps.slowMs);
    const id = c.req.param('id');
    return c.json({ id, version: deps.db.get(id) ?? 1 });
  });
  app.post('/products/:id', invalidateCache({ cache: deps.cache, tags }), (c) => {
    const id = c.req.param('id');
    deps.db.set(id, (deps.db.get(id) ?? 1) + 1);
    return c.body(null, 204);
  });
  app.get('/personal', cacheResponses({ cache: deps.cache }), (c) => {
    deps.renders.count++;
    c.header('Set-Cookie', 'theme=dark; Path=/');
    return c.text('hi');
  });
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

runHttpMatrix('Hono', build);

describe('Hono specifics', () => {
  it('without a socket (app.request, other runtimes) the IP key needs clientIp: an error says so', async () => {
    const engine = new Engine();
    const redis = await connect(engine);
    const limiter = new RateLimiter(redis, RateLimiter.fixedWindow(1, '1m'), { namespace: 'hono-ip' });
    const app = new Hono<RedkitEnv>();
    let failure: unknown;
    app.onError((error, c) => {
      failure = error;
      return c.text('error', 500);
    });
    app.get('/default', rateLimit({ limiter }), (c) => c.text('ok'));
    app.get('/custom', rateLimit({ limiter, clientIp: (c) => c.req.header('cf-connecting-ip') }), (c) =>
      c.text('ok'),
    );
    assert.equal((await app.request('/default')).status, 500);
    assert.ok(failure instanceof RedkitConfigError);
    assert.match((failure as Error).message, /clientIp/);
    const headers = { 'cf-connecting-ip': '198.51.100.4' };
    assert.equal((await app.request('/custom', { headers })).status, 200);
    assert.equal((await app.request('/custom', { headers })).status, 429);
    assert.equal(
      (await app.request('/custom', { headers: { 'cf-connecting-ip': '198.51.100.5' } })).status,
      200,
    );
    assert.throws(() => rateLimit({ limiter, clientIp: () => 'x', trustProxy: 1 }), RedkitConfigError);
    await redis.close();
    engine.close();
  });
});
