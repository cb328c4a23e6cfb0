import assert from 'node:assert/strict';
import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Engine, ManualClock } from '@redkit/engine';
import {
  findRedisServer,
  type RedisServerHandle,
  realRedisRequired,
  startRedisServer,
} from '@redkit/test-utils';
import express from 'express';
import session from 'express-session';
import { connect } from '../client/connect.js';
import type { RedisPort } from '../client/port.js';
import { RedkitSessionStore } from './express-store.js';
import { Sessions } from './sessions.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
type Fields = Record<string, unknown>;

/** A real express app with express-session over the store. */
function app(store: RedkitSessionStore, maxAge: number): express.Express {
  const server = express();
  server.use(
    session({ store, secret: 'a test secret', resave: false, saveUninitialized: false, cookie: { maxAge } }),
  );
  // Typed through express-session's own Session (another module may type req.session differently).
  const sessionOf = (req: express.Request) => req.session as unknown as session.Session;
  const fields = (req: express.Request) => req.session as unknown as Fields;
  server.get('/visit', (req, res) => {
    fields(req).views = Number(fields(req).views ?? 0) + 1;
    res.json({ views: fields(req).views, sid: req.sessionID });
  });
  server.get('/peek', (req, res) => {
    res.json({ ...fields(req), cookie: undefined, sid: req.sessionID });
  });
  // Waits before answering, so concurrent requests all load the session before any saves it.
  server.get('/set/:name/:value', async (req, res) => {
    await sleep(Number(req.query.delay ?? 0));
    fields(req)[req.params.name] = req.params.value;
    res.json({ sid: req.sessionID });
  });
  server.get('/unset/:name', (req, res) => {
    delete fields(req)[req.params.name];
    res.json({});
  });
  server.get('/login/:user', (req, res, next) => {
    // Against session fixation: a new id on login, the old one destroyed.
    sessionOf(req).regenerate((error: unknown) => {
      if (error) return next(error);
      fields(req).userId = req.params.user;
      res.json({ sid: req.sessionID });
    });
  });
  server.get('/logout', (req, res, next) => {
    sessionOf(req).destroy((error: unknown) => (error ? next(error) : res.json({})));
  });
  return server;
}

/** A cookie-keeping HTTP client (node:http). */
class Browser {
  cookie: string | undefined;
  constructor(private readonly port: number) {}

  get<T = Fields>(path: string, cookie = this.cookie): Promise<T> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port: this.port, path, headers: cookie ? { cookie } : {} },
        (res) => {
          const set = res.headers['set-cookie']?.[0];
          if (set) this.cookie = set.split(';')[0];
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk) => (body += chunk));
          res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(body)) : reject(new Error(body))));
        },
      );
      req.on('error', reject);
      req.end();
    });
  }
}

function listen(handler: express.Express): Promise<Server> {
  return new Promise((resolve) => {
    const server = handler.listen(0, '127.0.0.1', () => resolve(server));
  });
}

const backends = [
  { name: 'the embedded engine (clock advanced, not slept)', skip: false as const },
  {
    name: 'redis-server',
    skip: !findRedisServer() && !realRedisRequired() ? 'redis-server is not installed' : (false as const),
  },
];

for (const backend of backends) {
  describe(`express-session with RedkitSessionStore on ${backend.name}`, { skip: backend.skip }, () => {
    const clock = new ManualClock();
    let engine: Engine | undefined;
    let redisServer: RedisServerHandle | null = null;
    let redis: RedisPort;
    let sessions: Sessions;
    let store: RedkitSessionStore;
    let http: Server;
    let port: number;
    const maxAge = 60_000;

    before(async () => {
      if (backend.skip === false && backend.name === 'redis-server') {
        redisServer = await startRedisServer();
        redis = await connect(`redis://127.0.0.1:${redisServer!.port}`);
      } else {
        engine = new Engine({ clock });
        redis = await connect(engine);
      }
      sessions = new Sessions(redis, { idleTimeout: '30m', absoluteTimeout: '1d' });
      store = new RedkitSessionStore(sessions, { userId: (s) => (s as unknown as Fields).userId as string });
      http = await listen(app(store, maxAge));
      port = (http.address() as AddressInfo).port;
    });
    after(async () => {
      http?.closeAllConnections();
      await new Promise((resolve) => http?.close(resolve));
      await redis?.close();
      engine?.close();
      await redisServer?.stop();
    });

    it('keeps a session across requests, stored field by field with the cookie maxAge as TTL', async () => {
      const browser = new Browser(port);
      assert.equal((await browser.get('/visit')).views, 1);
      assert.equal((await browser.get('/visit')).views, 2);
      const { views, sid } = await browser.get<{ views: number; sid: string }>('/visit');
      assert.equal(views, 3);
      assert.equal(await redis.send('HGET', `session:s:${sid}`, 'd:views'), '3');
      const ttl = (await redis.send('PTTL', `session:s:${sid}`)) as number;
      assert.ok(ttl > maxAge - 5_000 && ttl <= maxAge, `TTL ${ttl} ms from the cookie's maxAge`);
      assert.equal((await sessions.get(sid))?.data.views, 3, 'readable through the Sessions API');
    });

    it('keeps both changes when concurrent requests change different fields', async () => {
      const browser = new Browser(port);
      await browser.get('/visit');
      await Promise.all([
        browser.get('/set/cart/mug?delay=60'),
        browser.get('/set/theme/dark?delay=60'),
        browser.get('/set/lang/fr?delay=30'),
      ]);
      const seen = await browser.get('/peek');
      assert.equal(seen.cart, 'mug');
      assert.equal(seen.theme, 'dark');
      assert.equal(seen.lang, 'fr');
      assert.equal(seen.views, 1);
      // A deletion removes that field only, even while another request changes another one.
      await Promise.all([browser.get('/unset/cart'), browser.get('/set/theme/light?delay=30')]);
      const after = await browser.get('/peek');
      assert.equal(after.cart, undefined);
      assert.equal(after.theme, 'light');
      assert.equal(after.lang, 'fr');
    });

    it('does not bring back a session destroyed while another request was running', async () => {
      const browser = new Browser(port);
      const { sid } = await browser.get<{ sid: string }>('/visit');
      const slow = browser.get('/set/cart/lamp?delay=80');
      await sleep(20);
      await browser.get('/logout');
      await slow;
      assert.equal(await sessions.get(sid), null, 'logged out stays logged out');
    });

    it('regenerates on login: a new id, the old one rejected, the user indexed', async () => {
      const browser = new Browser(port);
      await browser.get('/visit');
      const anonymous = browser.cookie!;
      const { sid: before } = await browser.get<{ sid: string }>('/peek');
      const { sid } = await browser.get<{ sid: string }>('/login/alice');
      assert.notEqual(sid, before);
      assert.equal(await sessions.get(before), null);
      const replay = await browser.get<{ views?: number; sid: string }>('/peek', anonymous);
      assert.equal(replay.views, undefined, 'the old cookie opens nothing');
      assert.notEqual(replay.sid, before);
      assert.deepEqual(
        (await sessions.listForUser('alice')).map((s) => s.id),
        [sid],
      );
      assert.equal((await browser.get('/peek')).userId, 'alice');
      // Log out everywhere (e.g. after a password change).
      assert.equal(await sessions.destroyAllForUser('alice'), 1);
      assert.equal((await browser.get('/peek')).userId, undefined);
    });

    // Timing is checked on the engine, whose clock the test advances instead of sleeping.
    const onEngine = backend.name.startsWith('the embedded engine');
    (onEngine ? it : ((() => undefined) as unknown as typeof it))(
      'expires after the cookie maxAge without requests, slides with each request (touch)',
      async () => {
        if (!engine) throw new Error('the engine backend has no engine');
        const browser = new Browser(port);
        await browser.get('/visit');
        for (let i = 0; i < 3; i++) {
          clock.advance(maxAge - 10_000);
          assert.equal((await browser.get('/peek')).views, 1, 'an unmodified request touches the session');
        }
        clock.advance(maxAge + 1);
        assert.equal((await browser.get('/peek')).views, undefined, 'idle longer than maxAge: gone');
      },
    );

    it('lists, counts and clears sessions (all, length, clear)', async () => {
      await store.sessions.clear();
      const browsers = [new Browser(port), new Browser(port), new Browser(port)];
      const ids = await Promise.all(browsers.map(async (b) => (await b.get<{ sid: string }>('/visit')).sid));
      const call = <T>(fn: (cb: (err: unknown, value?: T) => void) => void) =>
        new Promise<T | undefined>((resolve, reject) =>
          fn((err, value) => (err ? reject(err) : resolve(value))),
        );
      assert.equal(await call<number>((cb) => store.length(cb)), 3);
      const all = await call<{ [sid: string]: session.SessionData } | null>((cb) => store.all(cb));
      assert.deepEqual(Object.keys(all!).sort(), [...ids].sort());
      assert.equal((all![ids[0]!] as unknown as Fields).views, 1);
      await call((cb) => store.clear(cb));
      assert.equal(await call<number>((cb) => store.length(cb)), 0);
      assert.equal((await browsers[0]!.get('/peek')).views, undefined);
    });
  });
}
