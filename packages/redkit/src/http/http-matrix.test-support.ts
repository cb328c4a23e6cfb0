/**
 * The behaviour every framework adapter must show, as one table of scenarios run against a real server
 * of each framework, on the embedded engine (ManualClock) and on a real redis-server.
 *
 * Each adapter's test builds, from `AppDeps`, an app with these routes:
 * - GET  /limited        rate limit { limiter, scope: 'limited', headers, skip: X-Internal: yes }, key 'ip'
 *                        (proxies trusted: 'loopback' when `trustProxy`), answers 'ok'
 * - GET  /per-user       rate limit { limiter: userLimiter, key: 'user', scope: 'per-user' } after the session
 * - POST /cart?item=x    appends x to session.data.cart, answers { cart }
 * - GET  /cart           requireSession, answers { cart }
 * - POST /login?user=u   session.regenerate(u), answers { user }
 * - GET  /me             requireUser, answers { user, cart }
 * - POST /logout         session.destroy(), answers 204
 * - GET  /products/:id   cached with tags [`product:<id>`]; renders++ and answers { id, version }
 *                        (version: db.get(id) ?? 1); waits `slowMs` first when set
 * - POST /products/:id   invalidates [`product:<id>`], bumps db version, answers 204
 * - GET  /personal       cached, but the handler sets the cookie 'theme=dark'; renders++, answers 'hi'
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Engine, ManualClock } from '@redkit/engine';
import {
  findRedisServer,
  type RedisServerHandle,
  realRedisRequired,
  startRedisServer,
} from '@redkit/test-utils';
import { Cache } from '../cache/cache.js';
import { connect } from '../client/connect.js';
import type { RedisPort } from '../client/port.js';
import { RateLimiter } from '../ratelimit/limiter.js';
import { Sessions } from '../session/sessions.js';
import type { RateLimitHeaders } from './core/rate-limit.js';

export interface AppDeps {
  limiter: RateLimiter;
  userLimiter: RateLimiter;
  sessions: Sessions;
  cache: Cache;
  headers: RateLimitHeaders;
  trustProxy: boolean;
  db: Map<string, number>;
  renders: { count: number };
  slowMs: number;
}

export interface RunningApp {
  url: string;
  close(): Promise<void>;
}

export type AppFactory = (deps: AppDeps) => Promise<RunningApp>;

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  cookies: string[];
  json<T = Record<string, unknown>>(): T;
}

export async function call(
  app: RunningApp,
  method: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<Reply> {
  const res = await fetch(app.url + path, { method, headers });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    text,
    cookies: res.headers.getSetCookie(),
    json: <T>() => JSON.parse(text) as T,
  };
}

/** `name=value` of the session cookie a response sets (for the next request's Cookie header). */
function sessionCookie(reply: Reply): string {
  const cookie = reply.cookies.find((c) => c.startsWith('__Host-sid='));
  assert.ok(cookie, `a session cookie was set (got ${JSON.stringify(reply.cookies)})`);
  return cookie.split(';')[0]!;
}

interface Backend {
  name: string;
  redis: () => RedisPort;
  /** Lets time pass for the server: the ManualClock advanced, or a real sleep. */
  advance: (ms: number) => Promise<void>;
}

let server: RedisServerHandle | null = null;

/** Registers the matrix for one framework: every scenario on the engine and on redis-server. */
export function runHttpMatrix(framework: string, build: AppFactory): void {
  before(async () => {
    server = await startRedisServer();
  });
  after(() => server?.stop());

  for (const backendName of ['embedded engine', 'redis-server'] as const) {
    const noRedis = backendName === 'redis-server' && !findRedisServer() && !realRedisRequired();
    describe(`${framework} on ${backendName}`, {
      skip: noRedis ? 'redis-server is not installed' : false,
    }, () => {
      const clock = new ManualClock();
      let engine: Engine | undefined;
      let redis: RedisPort;
      const caches: Cache[] = [];
      const apps: RunningApp[] = [];
      before(async () => {
        if (backendName === 'redis-server') redis = await connect(`redis://127.0.0.1:${server!.port}`);
        else {
          engine = new Engine({ clock });
          redis = await connect(engine);
        }
      });
      after(async () => {
        for (const app of apps) await app.close();
        for (const cache of caches) await cache.close();
        await redis?.close();
        engine?.close();
      });
      const backend: Backend = {
        name: backendName,
        redis: () => redis,
        advance: async (ms) => {
          if (engine) clock.advance(ms);
          else await sleep(ms);
        },
      };
      /** A fresh app on fresh key namespaces. */
      const start = async (overrides: Partial<AppDeps> = {}) => {
        const ns = `${framework.toLowerCase()}-${randomBytes(4).toString('hex')}`;
        const cache = new Cache(redis, { namespace: `${ns}-cache`, ttl: '1h' });
        caches.push(cache);
        const deps: AppDeps = {
          limiter: new RateLimiter(redis, RateLimiter.fixedWindow(3, '1m'), { namespace: `${ns}-rl` }),
          userLimiter: new RateLimiter(redis, RateLimiter.fixedWindow(2, '1m'), { namespace: `${ns}-rlu` }),
          sessions: new Sessions(redis, { namespace: `${ns}-s`, idleTimeout: '1s', absoluteTimeout: '1h' }),
          cache,
          headers: 'both',
          trustProxy: false,
          db: new Map(),
          renders: { count: 0 },
          slowMs: 0,
          ...overrides,
        };
        const app = await build(deps);
        apps.push(app);
        return { app, deps };
      };
      for (const scenario of SCENARIOS) it(scenario.name, () => scenario.run(start, backend));
    });
  }
}

type Start = (overrides?: Partial<AppDeps>) => Promise<{ app: RunningApp; deps: AppDeps }>;
interface Scenario {
  name: string;
  run(start: Start, backend: Backend): Promise<void>;
}

export const SCENARIOS: Scenario[] = [
  {
    name: 'rate limit: 3 requests pass with X-RateLimit-* and IETF fields, the 4th gets 429 with Retry-After',
    async run(start) {
      const { app } = await start();
      for (let i = 1; i <= 3; i++) {
        const r = await call(app, 'GET', '/limited');
        assert.equal(r.status, 200);
        assert.equal(r.text, 'ok');
        assert.equal(r.headers.get('x-ratelimit-limit'), '3');
        assert.equal(r.headers.get('x-ratelimit-remaining'), String(3 - i));
        const reset = Number(r.headers.get('x-ratelimit-reset'));
        assert.ok(Math.abs(reset - (Date.now() / 1000 + 60)) < 5, `X-RateLimit-Reset ${reset} is Unix time`);
        assert.equal(r.headers.get('ratelimit-policy'), '"3-in-60s";q=3;w=60');
        assert.equal(r.headers.get('ratelimit'), `"3-in-60s";r=${3 - i};t=60`);
        assert.equal(r.headers.get('retry-after'), null);
      }
      const refused = await call(app, 'GET', '/limited');
      assert.equal(refused.status, 429);
      assert.equal(refused.headers.get('retry-after'), '60');
      assert.equal(refused.headers.get('x-ratelimit-remaining'), '0');
      assert.equal(refused.headers.get('ratelimit'), '"3-in-60s";r=0;t=60');
      assert.match(refused.headers.get('content-type') ?? '', /application\/json/);
      assert.deepEqual(refused.json(), {
        statusCode: 429,
        error: 'Too Many Requests',
        message: 'Rate limit exceeded, retry in 60 s',
      });
      const skipped = await call(app, 'GET', '/limited', { 'X-Internal': 'yes' });
      assert.equal(skipped.status, 200, 'skipped requests pass, uncounted');
      assert.equal(skipped.headers.get('x-ratelimit-limit'), null);
    },
  },
  {
    name: 'rate limit header styles: legacy only, IETF only (draft-7), none',
    async run(start) {
      const legacy = await call((await start({ headers: 'legacy' })).app, 'GET', '/limited');
      assert.equal(legacy.headers.get('x-ratelimit-limit'), '3');
      assert.equal(legacy.headers.get('ratelimit'), null);
      const draft7 = await call((await start({ headers: { standard: 'draft-7' } })).app, 'GET', '/limited');
      assert.equal(draft7.headers.get('x-ratelimit-limit'), null);
      assert.equal(draft7.headers.get('ratelimit'), 'limit=3, remaining=2, reset=60');
      assert.equal(draft7.headers.get('ratelimit-policy'), '3;w=60');
      const none = await call((await start({ headers: 'none' })).app, 'GET', '/limited');
      assert.equal(none.status, 200);
      assert.equal(none.headers.get('x-ratelimit-limit'), null);
      assert.equal(none.headers.get('ratelimit'), null);
    },
  },
  {
    name: 'rate limit keys by the socket address: X-Forwarded-For is ignored unless the proxy is trusted',
    async run(start) {
      const { app } = await start();
      for (let i = 0; i < 3; i++) {
        const r = await call(app, 'GET', '/limited', { 'X-Forwarded-For': `203.0.113.${i}` });
        assert.equal(r.status, 200);
      }
      const spoofed = await call(app, 'GET', '/limited', { 'X-Forwarded-For': '203.0.113.99' });
      assert.equal(spoofed.status, 429, 'a forged X-Forwarded-For does not buy a fresh budget');

      const proxied = (await start({ trustProxy: true })).app;
      for (let i = 0; i < 3; i++) {
        assert.equal(
          (await call(proxied, 'GET', '/limited', { 'X-Forwarded-For': '203.0.113.7' })).status,
          200,
        );
      }
      assert.equal(
        (await call(proxied, 'GET', '/limited', { 'X-Forwarded-For': '203.0.113.7' })).status,
        429,
      );
      const other = await call(proxied, 'GET', '/limited', { 'X-Forwarded-For': '203.0.113.8' });
      assert.equal(other.status, 200, 'behind a trusted proxy, each client has its own budget');
      assert.equal(other.headers.get('x-ratelimit-remaining'), '2');
    },
  },
  {
    name: 'rate limit keyed by user: each logged-in user has a budget, anonymous requests fall back to the IP',
    async run(start) {
      const { app } = await start();
      const alice = sessionCookie(await call(app, 'POST', '/login?user=alice'));
      const bob = sessionCookie(await call(app, 'POST', '/login?user=bob'));
      for (let i = 0; i < 2; i++)
        assert.equal((await call(app, 'GET', '/per-user', { Cookie: alice })).status, 200);
      assert.equal((await call(app, 'GET', '/per-user', { Cookie: alice })).status, 429);
      assert.equal((await call(app, 'GET', '/per-user', { Cookie: bob })).status, 200);
      assert.equal((await call(app, 'GET', '/per-user')).status, 200, 'anonymous: counted by IP');
      assert.equal((await call(app, 'GET', '/per-user')).status, 200);
      assert.equal((await call(app, 'GET', '/per-user')).status, 429);
    },
  },
  {
    name: 'session cookie: __Host- prefixed, HttpOnly, Secure, SameSite=Lax, Path=/, no Domain, no Max-Age',
    async run(start) {
      const { app } = await start();
      const anonymous = await call(app, 'GET', '/limited');
      assert.deepEqual(anonymous.cookies, [], 'no session is created for a request that stores nothing');
      const r = await call(app, 'POST', '/cart?item=mug');
      assert.equal(r.status, 200);
      assert.deepEqual(r.json(), { cart: ['mug'] });
      assert.equal(r.cookies.length, 1);
      const attributes = r.cookies[0]!.split(';').map((a) => a.trim());
      assert.match(attributes[0]!, /^__Host-sid=[A-Za-z0-9_-]{43}$/);
      assert.deepEqual(attributes.slice(1).sort(), ['HttpOnly', 'Path=/', 'SameSite=Lax', 'Secure']);
      const again = await call(app, 'POST', '/cart?item=pen', { Cookie: sessionCookie(r) });
      assert.deepEqual(again.json(), { cart: ['mug', 'pen'] });
      assert.deepEqual(again.cookies, [], 'an existing session is not re-sent');
    },
  },
  {
    name: 'login regenerates the session id: the old id is dead, the data moves to the new one',
    async run(start) {
      const { app } = await start();
      const before = sessionCookie(await call(app, 'POST', '/cart?item=mug'));
      const login = await call(app, 'POST', '/login?user=alice', { Cookie: before });
      const after = sessionCookie(login);
      assert.notEqual(after, before);
      const me = await call(app, 'GET', '/me', { Cookie: after });
      assert.equal(me.status, 200);
      assert.deepEqual(me.json(), { user: 'alice', cart: ['mug'] });
      const old = await call(app, 'GET', '/cart', { Cookie: before });
      assert.equal(old.status, 401, 'the pre-login id no longer works');
      assert.equal(old.json().code, 'session_expired');
      const anonymous = await call(app, 'GET', '/me');
      assert.equal(anonymous.status, 401);
      assert.equal(anonymous.json().code, 'login_required');
      const cartOnly = sessionCookie(await call(app, 'POST', '/cart?item=pen'));
      assert.equal((await call(app, 'GET', '/cart', { Cookie: cartOnly })).status, 200);
      assert.equal((await call(app, 'GET', '/me', { Cookie: cartOnly })).json().code, 'login_required');
    },
  },
  {
    name: 'logout destroys the session: 401 afterwards, and the cookie is cleared',
    async run(start) {
      const { app } = await start();
      const cookie = sessionCookie(await call(app, 'POST', '/login?user=alice'));
      assert.equal((await call(app, 'GET', '/me', { Cookie: cookie })).status, 200);
      const logout = await call(app, 'POST', '/logout', { Cookie: cookie });
      assert.equal(logout.status, 204);
      assert.equal(logout.cookies.length, 1);
      assert.match(logout.cookies[0]!, /^__Host-sid=;/);
      assert.match(logout.cookies[0]!, /Max-Age=0/);
      const me = await call(app, 'GET', '/me', { Cookie: cookie });
      assert.equal(me.status, 401);
      assert.equal(me.json().code, 'session_expired');
    },
  },
  {
    name: 'idle timeout: activity slides the expiry; idle past it gives 401 session_expired',
    async run(start, backend) {
      const { app } = await start();
      const cookie = sessionCookie(await call(app, 'POST', '/login?user=alice'));
      await backend.advance(600);
      assert.equal((await call(app, 'GET', '/me', { Cookie: cookie })).status, 200);
      await backend.advance(600);
      assert.equal((await call(app, 'GET', '/me', { Cookie: cookie })).status, 200, 'kept alive by activity');
      await backend.advance(1300);
      const expired = await call(app, 'GET', '/me', { Cookie: cookie });
      assert.equal(expired.status, 401);
      assert.equal(expired.json().code, 'session_expired');
      assert.match(expired.cookies[0] ?? '', /^__Host-sid=;.*Max-Age=0/, 'the dead id is cleared');
    },
  },
  {
    name: 'response cache: second hit from the cache with the same strong ETag, 304 on If-None-Match, invalidation makes it fresh',
    async run(start) {
      const { app, deps } = await start();
      const first = await call(app, 'GET', '/products/1');
      assert.equal(first.status, 200);
      assert.deepEqual(first.json(), { id: '1', version: 1 });
      const etag = first.headers.get('etag');
      assert.match(etag ?? '', /^"[A-Za-z0-9_-]{27}"$/, 'a strong ETag');
      assert.equal(first.headers.get('cache-status'), 'redkit; fwd=uri-miss; stored');
      assert.equal(first.headers.get('cache-control'), 'no-cache');
      assert.equal(deps.renders.count, 1);

      const second = await call(app, 'GET', '/products/1');
      assert.equal(second.status, 200);
      assert.equal(second.text, first.text);
      assert.equal(second.headers.get('etag'), etag);
      assert.equal(second.headers.get('cache-status'), 'redkit; hit');
      assert.match(second.headers.get('content-type') ?? '', /application\/json/);
      assert.equal(second.headers.get('cache-control'), 'no-cache');
      assert.equal(deps.renders.count, 1, 'the handler did not run');
      const head = await call(app, 'HEAD', '/products/1');
      assert.equal(head.status, 200);
      assert.equal(head.text, '');
      assert.equal(head.headers.get('cache-status'), 'redkit; hit', 'HEAD is answered from the GET entry');
      assert.equal(head.headers.get('content-length'), String(Buffer.byteLength(first.text)));

      const notModified = await call(app, 'GET', '/products/1', { 'If-None-Match': etag! });
      assert.equal(notModified.status, 304);
      assert.equal(notModified.text, '');
      assert.equal(notModified.headers.get('etag'), etag);

      assert.equal((await call(app, 'POST', '/products/1')).status, 204);
      const fresh = await call(app, 'GET', '/products/1', { 'If-None-Match': etag! });
      assert.equal(fresh.status, 200, 'the old ETag no longer matches');
      assert.deepEqual(fresh.json(), { id: '1', version: 2 });
      assert.notEqual(fresh.headers.get('etag'), etag);
      assert.equal(fresh.headers.get('cache-status'), 'redkit; fwd=uri-miss; stored');
      assert.equal(deps.renders.count, 2);
      const freshNotModified = await call(app, 'GET', '/products/1', {
        'If-None-Match': fresh.headers.get('etag')!,
      });
      assert.equal(freshNotModified.status, 304);
      assert.equal(deps.renders.count, 2);

      const other = await call(app, 'GET', '/products/2');
      assert.deepEqual(other.json(), { id: '2', version: 1 });
      assert.equal(deps.renders.count, 3, 'keys are per URL');
    },
  },
  {
    name: 'response cache: a response that sets a cookie is never stored',
    async run(start) {
      const { app, deps } = await start();
      for (let i = 1; i <= 3; i++) {
        const r = await call(app, 'GET', '/personal');
        assert.equal(r.text, 'hi');
        assert.equal(r.headers.get('cache-status'), 'redkit; fwd=uri-miss');
        assert.equal(deps.renders.count, i);
      }
    },
  },
  {
    name: 'response cache: concurrent misses of one URL run the handler once',
    async run(start) {
      const { app, deps } = await start({ slowMs: 100 });
      const replies = await Promise.all(Array.from({ length: 8 }, () => call(app, 'GET', '/products/7')));
      assert.ok(replies.every((r) => r.status === 200 && r.text === replies[0]!.text));
      assert.equal(deps.renders.count, 1);
      assert.equal(new Set(replies.map((r) => r.headers.get('etag'))).size, 1);
    },
  },
];
