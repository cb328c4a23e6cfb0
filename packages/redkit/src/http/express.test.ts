import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Engine } from '@redkit/engine';
import express, { type Request } from 'express';
import { Cache } from '../cache/cache.js';
import { connect } from '../client/connect.js';
import type { RedisPort } from '../client/port.js';
import { RateLimiter } from '../ratelimit/limiter.js';
import { strongETag } from './core/response-cache.js';
import {
  cacheResponses,
  invalidateCache,
  rateLimit,
  requireSession,
  requireUser,
  session,
} from './express.js';
import { type AppDeps, call, type RunningApp, runHttpMatrix } from './http-matrix.test-support.js';

/** The matrix app on Express 5, over a real listening socket. */
async function build(deps: AppDeps): Promise<RunningApp> {
  const app = express();
  if (deps.trustProxy) app.set('trust proxy', 'loopback');
  app.use(session({ sessions: deps.sessions, cookie: { hostPrefix: true } }));
  const limited = rateLimit({
    limiter: deps.limiter,
    scope: 'limited',
    headers: deps.headers,
    skip: (req) => req.get('x-internal') === 'yes',
  });
  app.get('/limited', limited, (_req, res) => {
    res.send('ok');
  });
  app.get(
    '/per-user',
    rateLimit({ limiter: deps.userLimiter, key: 'user', scope: 'per-user' }),
    (_req, res) => {
      res.send('ok');
    },
  );
  app.post('/cart', (req, res) => {
    const cart = [...(req.session.get<string[]>('cart') ?? []), String(req.query.item)];
    req.session.set('cart', cart);
    res.json({ cart });
  });
  app.get('/cart', requireSession(), (req, res) => {
    res.json({ cart: req.session.data.cart });
  });
  app.post('/login', async (req, res) => {
    await req.session.regenerate(String(req.query.user));
    res.json({ user: req.session.userId });
  });
  app.get('/me', requireUser(), (req, res) => {
    res.json({ user: req.session.userId, cart: req.session.data.cart });
  });
  app.post('/logout', async (req, res) => {
    await req.session.destroy();
    res.status(204).end();
  });
  const tags = (req: Request) => [`product:${req.params.id}`];
  app.get('/products/:id', cacheResponses({ cache: deps.cache, tags }), async (req, res) => {
    deps.renders.count++;
    if (deps.slowMs) await sleep(deps.slowMs);
    res.json({ id: req.params.id, version: deps.db.get(String(req.params.id)) ?? 1 });
  });
  app.post('/products/:id', invalidateCache({ cache: deps.cache, tags }), (req, res) => {
    const id = String(req.params.id);
    deps.db.set(id, (deps.db.get(id) ?? 1) + 1);
    res.status(204).end();
  });
  app.get('/personal', cacheResponses({ cache: deps.cache }), (_req, res) => {
    deps.renders.count++;
    res.cookie('theme', 'dark').send('hi');
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

runHttpMatrix('Express', build);

async function listen(app: express.Express): Promise<RunningApp> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('Express specifics (embedded engine)', () => {
  let engine: Engine;
  let redis: RedisPort;
  const closing: Array<{ close(): Promise<void> }> = [];
  before(async () => {
    engine = new Engine();
    redis = await connect(engine);
  });
  after(async () => {
    for (const c of closing) await c.close();
    await redis.close();
    engine.close();
  });
  const cacheOn = (port: RedisPort, namespace: string) => {
    const cache = new Cache(port, { namespace });
    closing.push(cache);
    return cache;
  };
  const started = async (app: express.Express) => {
    const running = await listen(app);
    closing.push(running);
    return running;
  };

  it('a cached route behind a rate limit: hits carry the current limit headers, never stored ones', async () => {
    const app = express();
    const limiter = new RateLimiter(redis, RateLimiter.fixedWindow(5, '1m'), { namespace: 'ex-rl' });
    app.get(
      '/p',
      rateLimit({ limiter }),
      cacheResponses({ cache: cacheOn(redis, 'ex-rl-c') }),
      (_req, res) => {
        res.json({ ok: true });
      },
    );
    const running = await started(app);
    const remaining: Array<string | null> = [];
    for (let i = 0; i < 3; i++) {
      const r = await call(running, 'GET', '/p');
      remaining.push(r.headers.get('x-ratelimit-remaining'));
      assert.equal(r.headers.get('cache-status'), i === 0 ? 'redkit; fwd=uri-miss; stored' : 'redkit; hit');
    }
    assert.deepEqual(remaining, ['4', '3', '2']);
  });

  it("streamed and binary bodies are stored; Express's weak ETag gives way to the strong one; HEAD is answered from the entry", async () => {
    const app = express();
    let renders = 0;
    const cache = cacheOn(redis, 'ex-body');
    const binary = Buffer.from([0xff, 0xfe, 0x00, 0x80, 0x41]);
    app.get('/stream', cacheResponses({ cache }), (_req, res) => {
      renders++;
      res.type('text/plain');
      res.write('part one, ');
      res.end('part two');
    });
    app.get('/binary', cacheResponses({ cache }), (_req, res) => {
      renders++;
      res.type('application/octet-stream').send(binary);
    });
    const running = await started(app);
    const streamed = await call(running, 'GET', '/stream');
    assert.equal(streamed.text, 'part one, part two');
    const replayed = await call(running, 'GET', '/stream');
    assert.equal(replayed.text, 'part one, part two');
    assert.equal(replayed.headers.get('cache-status'), 'redkit; hit');
    assert.equal(replayed.headers.get('etag'), strongETag(Buffer.from('part one, part two')));
    assert.equal(renders, 1);

    const first = await fetch(`${running.url}/binary`);
    assert.deepEqual(Buffer.from(await first.arrayBuffer()), binary);
    assert.equal(first.headers.get('etag'), strongETag(binary), 'not W/"…", the strong hash');
    const second = await fetch(`${running.url}/binary`);
    assert.deepEqual(Buffer.from(await second.arrayBuffer()), binary);
    assert.equal(second.headers.get('cache-status'), 'redkit; hit');
    const head = await call(running, 'HEAD', '/binary');
    assert.equal(head.status, 200);
    assert.equal(head.text, '');
    assert.equal(head.headers.get('content-length'), '5');
    assert.equal(head.headers.get('cache-status'), 'redkit; hit');
    assert.equal(renders, 2);
  });

  it('Vary headers are part of the default key; requests with Authorization are not cached unless keyed', async () => {
    const app = express();
    let renders = 0;
    const cache = cacheOn(redis, 'ex-vary');
    app.get('/greet', cacheResponses({ cache, vary: ['Accept-Language'] }), (req, res) => {
      renders++;
      res.send(req.get('accept-language') === 'fr' ? 'bonjour' : 'hello');
    });
    app.get('/mine', cacheResponses({ cache }), (_req, res) => {
      renders++;
      res.send('mine');
    });
    const running = await started(app);
    assert.equal((await call(running, 'GET', '/greet', { 'Accept-Language': 'fr' })).text, 'bonjour');
    const en = await call(running, 'GET', '/greet', { 'Accept-Language': 'en' });
    assert.equal(en.text, 'hello');
    assert.equal(en.headers.get('vary'), 'accept-language');
    assert.equal((await call(running, 'GET', '/greet', { 'Accept-Language': 'fr' })).text, 'bonjour');
    assert.equal(renders, 2);
    const auth = { Authorization: 'Bearer t' };
    assert.equal(
      (await call(running, 'GET', '/mine', auth)).headers.get('cache-status'),
      'redkit; fwd=bypass',
    );
    await call(running, 'GET', '/mine', auth);
    assert.equal(renders, 4);
  });

  it('concurrent misses on two app instances (separate caches and connections) run the handler once', async () => {
    let renders = 0;
    const apps: RunningApp[] = [];
    for (const port of [redis, await redis.duplicate()]) {
      if (port !== redis) closing.push(port);
      const app = express();
      app.get('/slow', cacheResponses({ cache: cacheOn(port, 'ex-shared') }), async (_req, res) => {
        renders++;
        await sleep(150);
        res.json({ at: Date.now() });
      });
      apps.push(await started(app));
    }
    const replies = await Promise.all(
      Array.from({ length: 10 }, (_, i) => call(apps[i % 2]!, 'GET', '/slow')),
    );
    assert.equal(renders, 1);
    assert.equal(new Set(replies.map((r) => r.text)).size, 1);
  });
});
