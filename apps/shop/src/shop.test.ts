import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ManualClock } from '@redkit/engine';
import {
  findRedisServer,
  type RedisServerHandle,
  realRedisRequired,
  startRedisServer,
} from '@redkit/test-utils';
import { connect, PubSub } from 'redkit';
import { Client, eventually } from './http-client.test-support.js';
import type { OrderCreated } from './orders.js';
import { createShop, type Shop, type ShopOptions } from './shop.js';

let redisServer: RedisServerHandle | null = null;
before(async () => {
  redisServer = await startRedisServer();
});
after(async () => {
  await redisServer?.stop();
});

const backends = ['embedded engine', 'redis-server'] as const;
type BackendName = (typeof backends)[number];

/** A shop on the backend, listening on a free port, with its own key namespace. */
async function startShop(
  backend: BackendName,
  options: ShopOptions = {},
): Promise<{ shop: Shop; base: string }> {
  const shop = await createShop({
    redisUrl: backend === 'redis-server' ? `redis://127.0.0.1:${redisServer!.port}` : undefined,
    namespace: `test-${randomBytes(4).toString('hex')}`,
    rateLimit: { limit: 10_000, window: '1m' },
    summarizeDelayMs: 150,
    paymentDelayMs: 20,
    fulfilment: { claimIdle: '2s' },
    ...options,
  });
  return { shop, base: `http://127.0.0.1:${await shop.listen(0)}` };
}

for (const backend of backends) {
  const noRedis = backend === 'redis-server' && !findRedisServer() && !realRedisRequired();
  describe(`shop on ${backend}`, { skip: noRedis ? 'redis-server is not installed' : false }, () => {
    // The engine's time is advanced by hand; on redis-server the idle timeout is short and waited for.
    const clock = backend === 'embedded engine' ? new ManualClock(Date.now()) : undefined;
    const idleTimeoutMs = clock ? 30 * 60_000 : 1500;
    let shop: Shop;
    let base: string;

    before(async () => {
      ({ shop, base } = await startShop(backend, { clock, session: { idleTimeout: idleTimeoutMs } }));
    });
    after(async () => {
      await shop?.close();
    });

    it('answers /healthz', async () => {
      const res = await new Client(base).get('/healthz');
      assert.equal(res.status, 200);
      assert.equal(res.body.status, 'ok');
      assert.equal(res.body.redis.backend, clock ? 'embedded' : 'redis');
      assert.equal(res.body.fulfilment.running, true);
    });

    it('reads a product from the database, then from the cache; a PUT makes the next read hit the database', async () => {
      const client = new Client(base);
      const first = await client.get('/products/2');
      assert.equal(first.status, 200);
      assert.equal(first.body.source, 'database');
      assert.equal(first.body.product.name, 'Designing Data-Intensive Applications');
      const second = await client.get('/products/2');
      assert.equal(second.body.source, 'cache');
      assert.deepEqual(second.body.product, first.body.product);

      const put = await client.put('/products/2', { priceCents: 3_999, description: 'Second edition.' });
      assert.equal(put.status, 200);
      assert.equal(put.body.product.priceCents, 3_999);
      const third = await client.get('/products/2');
      assert.equal(third.body.source, 'database');
      assert.equal(third.body.product.description, 'Second edition.');
      assert.equal((await client.get('/products/2')).body.source, 'cache');
    });

    it('answers 404 for unknown products (remembered briefly) and 400 for bad input', async () => {
      const client = new Client(base);
      const missing = await client.get('/products/999');
      assert.equal(missing.status, 404);
      assert.equal(missing.body.error, 'not_found');
      assert.equal(missing.body.source, 'database');
      assert.equal((await client.get('/products/999')).body.source, 'cache'); // negative caching
      assert.equal((await client.put('/products/999', { stock: 1 })).status, 404);
      assert.equal((await client.get('/products/abc')).status, 400);
      assert.equal((await client.put('/products/2', { priceCents: -1 })).status, 400);
      assert.equal((await client.put('/products/2', { sku: 'x' })).status, 400);
    });

    it('caches listings by category and invalidates them by tag', async () => {
      const client = new Client(base);
      const miss = await client.get('/products?category=desk');
      assert.equal(miss.status, 200);
      assert.match(miss.headers.get('cache-status') ?? '', /fwd=uri-miss; stored/);
      assert.deepEqual(
        miss.body.products.map((p: { name: string }) => p.name),
        ['Rubber Duck', 'Standing Desk Mat', 'Cable Organiser'],
      );
      const hit = await client.get('/products?category=desk');
      assert.match(hit.headers.get('cache-status') ?? '', /hit/);
      assert.equal(hit.body.generatedAt, miss.body.generatedAt);
      const etag = hit.headers.get('etag')!;
      assert.equal((await client.get('/products?category=desk', { 'if-none-match': etag })).status, 304);
      const pantry = await client.get('/products?category=pantry');
      assert.equal(pantry.body.products.length, 3);

      // Moving the duck from desk to pantry invalidates both listings (and the full catalog).
      assert.equal((await client.put('/products/7', { category: 'pantry' })).status, 200);
      const desk = await client.get('/products?category=desk');
      assert.match(desk.headers.get('cache-status') ?? '', /miss/);
      assert.equal(desk.body.products.length, 2);
      assert.equal((await client.get('/products?category=pantry')).body.products.length, 4);
      assert.equal((await client.get('/products?category=desk', { 'if-none-match': etag })).status, 200);
      await client.put('/products/7', { category: 'desk' });
      assert.equal((await client.get('/products')).body.products.length, 12);
    });

    it('memoizes the slow summary for ten minutes', async () => {
      const client = new Client(base);
      const text = `Caching turns slow calls into fast ones. ${randomBytes(4).toString('hex')} More words follow here.`;
      const first = await client.get(`/summarize?text=${encodeURIComponent(text)}`);
      assert.equal(first.status, 200);
      assert.equal(first.body.source, 'computed');
      assert.ok(first.body.ms >= 140, `the first call took ${first.body.ms} ms`);
      assert.equal(first.body.summary, 'Caching turns slow calls into fast ones. …');
      const second = await client.get(`/summarize?text=${encodeURIComponent(text)}`);
      assert.equal(second.body.source, 'cache');
      assert.equal(second.body.computedAt, first.body.computedAt);
      assert.equal((await client.get('/summarize')).status, 400);
      if (clock) {
        clock.advance(10 * 60_000 + 1_000);
        assert.equal(
          (await client.get(`/summarize?text=${encodeURIComponent(text)}`)).body.source,
          'computed',
        );
      }
    });

    it('logs in with a session cookie carrying its flags; the previous session id dies at login', async () => {
      const client = new Client(base);
      const wrong = await client.post('/login', { email: 'alice@example.com', password: 'nope' });
      assert.equal(wrong.status, 401);
      assert.equal(wrong.body.error, 'invalid_credentials');
      assert.equal(
        (await client.post('/login', { email: 'nobody@example.com', password: 'demo' })).status,
        401,
      );
      assert.equal((await client.post('/login', { email: 'alice@example.com' })).status, 400);

      const res = await client.post('/login', { email: 'alice@example.com', password: 'demo' });
      assert.equal(res.status, 200);
      assert.deepEqual(res.body.user, { id: 1, email: 'alice@example.com', name: 'Alice' });
      assert.equal(res.setCookie.length, 1);
      const cookie = res.setCookie[0]!;
      assert.match(cookie, /^sid=[A-Za-z0-9_-]{43};/);
      assert.match(cookie, /; HttpOnly/);
      assert.match(cookie, /; SameSite=Lax/);
      assert.match(cookie, /; Path=\//);
      assert.doesNotMatch(cookie, /Secure/); // plain HTTP under secureCookie 'auto'
      const firstId = client.jar.get('sid')!;
      assert.equal((await client.get('/profile')).status, 200);

      // Logging in again (as on any privilege change) replaces the id; the old one no longer works.
      const secondId = await client.login('alice@example.com');
      assert.notEqual(secondId, firstId);
      const stale = new Client(base);
      stale.jar.set('sid', firstId);
      const refused = await stale.get('/profile');
      assert.equal(refused.status, 401);
      assert.equal(refused.body.code, 'session_expired');
      assert.equal((await client.get('/profile')).status, 200);
    });

    it('/profile answers 401 without a session, after logout and after the idle timeout', async () => {
      const anonymous = await new Client(base).get('/profile');
      assert.equal(anonymous.status, 401);
      assert.equal(anonymous.body.code, 'login_required');

      const client = new Client(base);
      await client.login('bob@example.com');
      const profile = await client.get('/profile');
      assert.equal(profile.status, 200);
      assert.equal(profile.body.user.email, 'bob@example.com');
      assert.equal(typeof profile.body.balanceCents, 'number');
      const sid = client.jar.get('sid')!;
      const logout = await client.post('/logout');
      assert.equal(logout.status, 204);
      assert.match(logout.setCookie[0] ?? '', /^sid=;.*Max-Age=0/i);
      const replay = new Client(base);
      replay.jar.set('sid', sid);
      assert.equal((await replay.get('/profile')).status, 401);

      const idle = new Client(base);
      await idle.login('bob@example.com');
      assert.equal((await idle.get('/profile')).status, 200); // activity slides the idle expiry
      if (clock) clock.advance(idleTimeoutMs + 1_000);
      else await sleep(idleTimeoutMs + 300);
      const expired = await idle.get('/profile');
      assert.equal(expired.status, 401);
      assert.equal(expired.body.code, 'session_expired');
    });

    it('places an order: paid under the lock, announced on pub/sub, fulfilled once by the consumer group', async () => {
      const listenerPort = clock
        ? await connect(shop.backend.engine!)
        : await connect(`redis://127.0.0.1:${redisServer!.port}`);
      const namespace = (shop.context.orders.stream as string).replace(/:orders$/, '');
      const pubsub = new PubSub(listenerPort, { namespace });
      const heard: OrderCreated[] = [];
      const listener = await pubsub
        .channel<OrderCreated>('order.created')
        .subscribe((event) => void heard.push(event));
      try {
        const client = new Client(base);
        assert.equal((await client.post('/orders', { items: [{ productId: 1, quantity: 1 }] })).status, 401);
        await client.login('alice@example.com');
        const before = (await client.get('/profile')).body.balanceCents;
        const stockBefore = (await client.get('/products/4')).body.product.stock;

        const res = await client.post('/orders', {
          items: [
            { productId: 4, quantity: 1 },
            { productId: 12, quantity: 3 },
          ],
        });
        assert.equal(res.status, 201);
        const order = res.body.order;
        assert.equal(order.status, 'paid');
        assert.equal(order.totalCents, 12_900 + 3 * 350);
        assert.equal(res.headers.get('location'), `/orders/${order.id}`);
        assert.equal((await client.get('/profile')).body.balanceCents, before - order.totalCents);
        // The payment took stock: the cached product was invalidated.
        const after = await client.get('/products/4');
        assert.equal(after.body.source, 'database');
        assert.equal(after.body.product.stock, stockBefore - 1);

        const fulfilled = await eventually(async () => {
          const r = await client.get(`/orders/${order.id}`);
          return r.body.order.status === 'fulfilled' ? r.body : undefined;
        });
        assert.equal(fulfilled.shipments, 1);
        await eventually(async () => (heard.some((e) => e.orderId === order.id) ? true : undefined));
        assert.deepEqual(heard.find((e) => e.orderId === order.id)?.items, [
          { productId: 4, quantity: 1 },
          { productId: 12, quantity: 3 },
        ]);

        const board = await client.get('/leaderboard');
        assert.equal(board.status, 200);
        const chocolate = board.body.top.find((s: { productId: number }) => s.productId === 12);
        assert.equal(chocolate.name, 'Dark Chocolate Bar');
        assert.ok(chocolate.unitsSold >= 3);
        assert.match(board.body.period, /^\d{4}-W\d{2}$/);

        // Someone else's order is not found; the owner's list has it.
        const bob = new Client(base);
        await bob.login('bob@example.com');
        assert.equal((await bob.get(`/orders/${order.id}`)).status, 404);
        assert.ok((await client.get('/orders')).body.orders.some((o: { id: string }) => o.id === order.id));
      } finally {
        await listener.unsubscribe();
        await pubsub.close();
        await listenerPort.close();
      }
    });

    it('refuses orders it cannot pay or stock, and serializes concurrent payments of one account', async () => {
      const carol = new Client(base);
      await carol.login('carol@example.com');
      const balance = (await carol.get('/profile')).body.balanceCents;
      const poor = await carol.post('/orders', { items: [{ productId: 5, quantity: 1 }] });
      assert.equal(poor.status, 402);
      assert.equal(poor.body.error, 'insufficient_funds');
      assert.equal((await carol.get('/profile')).body.balanceCents, balance);
      const failed = (await carol.get('/orders')).body.orders[0];
      assert.equal(failed.status, 'failed');
      assert.equal(failed.failure, 'insufficient_funds');

      const alice = new Client(base);
      await alice.login('alice@example.com');
      assert.equal((await alice.post('/orders', { items: [{ productId: 3, quantity: 99 }] })).status, 409);
      assert.equal((await alice.post('/orders', { items: [{ productId: 404, quantity: 1 }] })).status, 404);
      assert.equal((await alice.post('/orders', { items: [] })).status, 400);

      // Eight orders at once on one account: each payment runs alone, none is lost.
      const start = (await alice.get('/profile')).body.balanceCents;
      const results = await Promise.all(
        Array.from({ length: 8 }, () => alice.post('/orders', { items: [{ productId: 11, quantity: 1 }] })),
      );
      assert.deepEqual(
        results.map((r) => r.status),
        Array(8).fill(201),
      );
      assert.equal((await alice.get('/profile')).body.balanceCents, start - 8 * 900);
      await eventually(async () => {
        const { orders } = (await alice.get('/orders')).body;
        return results.every((r) =>
          orders.some(
            (o: { id: string; status: string }) => o.id === r.body.order.id && o.status === 'fulfilled',
          ),
        )
          ? true
          : undefined;
      });
      const stats = (await alice.get('/stats/fulfilment')).body;
      assert.equal(stats.processedHere.duplicates, 0);
      assert.equal(stats.stream.pending, 0);
    });

    it('counts unique visitors by day', async () => {
      const client = new Client(base);
      const before = (await client.get('/stats/visitors')).body;
      assert.equal(before.days.length, 7);
      assert.ok(before.today >= 1);
      const dave = new Client(base);
      // A visitor never seen before: a new user id (carol's session is per user, so log in as carol elsewhere).
      await dave.login('carol@example.com');
      await dave.get('/products/1');
      await dave.get('/products/1');
      const after = (await client.get('/stats/visitors?days=2')).body;
      assert.equal(after.days.length, 2);
      assert.ok(after.today >= before.today);
      assert.equal(after.days[1].date, new Date(clock ? clock.now() : Date.now()).toISOString().slice(0, 10));
      assert.ok(after.uniqueOverPeriod >= after.today);
      assert.equal((await client.get('/stats/visitors?days=0')).status, 400);
    });
  });

  describe(`rate limit per client IP on ${backend}`, {
    skip: noRedis ? 'redis-server is not installed' : false,
  }, () => {
    let shop: Shop;
    let base: string;
    before(async () => {
      ({ shop, base } = await startShop(backend, {
        rateLimit: { limit: 5, window: '1m' },
        session: { secureCookie: true },
      }));
    });
    after(async () => {
      await shop?.close();
    });

    it('answers 429 with Retry-After after N requests, with rate-limit headers on every answer', async () => {
      const client = new Client(base);
      const first = await client.get('/products/1');
      assert.equal(first.status, 200);
      assert.equal(first.headers.get('x-ratelimit-limit'), '5');
      assert.equal(first.headers.get('x-ratelimit-remaining'), '4');
      assert.match(first.headers.get('ratelimit-policy') ?? '', /q=5;w=60/);
      assert.match(first.headers.get('ratelimit') ?? '', /r=4;t=60/);
      // Login has a limit per account of its own (its headers), on top of this one per IP.
      const login = await client.post('/login', { email: 'alice@example.com', password: 'demo' });
      assert.equal(login.status, 200);
      assert.match(login.setCookie[0] ?? '', /; Secure/);
      for (let remaining = 2; remaining >= 0; remaining--) {
        const res = await client.get('/products/1');
        assert.equal(res.status, 200);
        assert.equal(res.headers.get('x-ratelimit-remaining'), String(remaining));
      }
      const refused = await client.get('/products/1');
      assert.equal(refused.status, 429);
      const retryAfter = Number(refused.headers.get('retry-after'));
      assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After: ${retryAfter}`);
      assert.equal(refused.headers.get('x-ratelimit-remaining'), '0');
      assert.match(refused.headers.get('ratelimit') ?? '', /r=0/);
      // Per IP: another client from the same address is refused too; health checks are exempt.
      assert.equal((await new Client(base).get('/leaderboard')).status, 429);
      assert.equal((await client.get('/healthz')).status, 200);
    });
  });
}
