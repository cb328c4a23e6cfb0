import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Engine } from '@redkit/engine';
import { connect } from '../client/connect.js';
import type { RedisPort } from '../client/port.js';
import { RedkitConfigError } from '../errors.js';
import { RateLimiter } from '../ratelimit/limiter.js';
import { addressKey, compileTrust, forwardedClientAddress, normalizeAddress } from './core/ip.js';
import { HttpRateLimit } from './core/rate-limit.js';
import { ifNoneMatchMatches, strongETag } from './core/response-cache.js';
import { SessionCookie } from './core/session.js';

describe('client addresses', () => {
  it('normalizes IPv4-mapped IPv6 and zone ids', () => {
    assert.equal(normalizeAddress('::ffff:192.0.2.1'), '192.0.2.1');
    assert.equal(normalizeAddress('FE80::1%eth0'), 'fe80::1');
  });

  it('keys IPv6 clients by their /56 (or any) prefix, IPv4 by the address', () => {
    assert.equal(addressKey('192.0.2.1', 56), '192.0.2.1');
    assert.equal(addressKey('2001:db8:abcd:12ff:1:2:3:4', 56), '2001:db8:abcd:1200:0:0:0:0/56');
    assert.equal(addressKey('2001:db8:abcd:12ff::9', 56), '2001:db8:abcd:1200:0:0:0:0/56');
    assert.equal(addressKey('2001:db8:abcd:12ff::9', 64), '2001:db8:abcd:12ff:0:0:0:0/64');
    assert.equal(addressKey('2001:db8::ffff:1.2.3.4', 128), '2001:db8:0:0:0:ffff:102:304/128');
    assert.equal(addressKey('2001:DB8::9', false), '2001:db8::9');
  });

  it('believes X-Forwarded-For only as far as trusted proxies vouch for it', () => {
    const xff = '198.51.100.1, 10.0.0.2';
    assert.equal(forwardedClientAddress('127.0.0.1', xff, compileTrust(false)), '127.0.0.1');
    assert.equal(forwardedClientAddress('127.0.0.1', xff, compileTrust(1)), '10.0.0.2');
    assert.equal(forwardedClientAddress('127.0.0.1', xff, compileTrust(2)), '198.51.100.1');
    assert.equal(forwardedClientAddress('127.0.0.1', xff, compileTrust('loopback')), '10.0.0.2');
    assert.equal(
      forwardedClientAddress('::ffff:127.0.0.1', xff, compileTrust('loopback, 10.0.0.0/8')),
      '198.51.100.1',
    );
    assert.equal(
      forwardedClientAddress('127.0.0.1', xff, compileTrust(['loopback', 'uniquelocal'])),
      '198.51.100.1',
    );
    assert.equal(
      forwardedClientAddress('127.0.0.1', `203.0.113.9, ${xff}`, compileTrust(true)),
      '203.0.113.9',
    );
    assert.equal(forwardedClientAddress('127.0.0.1', undefined, compileTrust(true)), '127.0.0.1');
    assert.equal(forwardedClientAddress('127.0.0.1', 'garbage, 10.0.0.2', compileTrust(true)), '10.0.0.2');
    assert.equal(
      forwardedClientAddress('192.0.2.7', xff, compileTrust('loopback')),
      '192.0.2.7',
      'an untrusted peer',
    );
    assert.throws(() => compileTrust('10.0.0.0/33'), RedkitConfigError);
    assert.throws(() => compileTrust('proxy.internal'), /not an address, a CIDR range/);
    assert.throws(() => compileTrust(-1), RedkitConfigError);
  });
});

describe('rate-limit headers', () => {
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
  const identity = () => ({ ip: '192.0.2.1', userId: undefined });

  it('lists every limit in the draft-8 fields, with policy names of its own or given ones', async () => {
    const limiter = new RateLimiter(
      redis,
      [RateLimiter.fixedWindow(10, '1s'), RateLimiter.slidingWindow(100, '1h')],
      {
        namespace: 'hdr8',
      },
    );
    const core = new HttpRateLimit({ limiter, headers: 'standard' });
    const { headers } = (await core.check({}, identity))!;
    assert.deepEqual(headers, {
      'RateLimit-Policy': '"10-in-1s";q=10;w=1, "100-in-3600s";q=100;w=3600',
      RateLimit: '"10-in-1s";r=9;t=1, "100-in-3600s";r=99;t=3600',
    });
    const named = new HttpRateLimit({ limiter, headers: 'standard', policyNames: ['burst', 'hourly'] });
    assert.match(
      (await named.check({}, identity))!.headers['RateLimit-Policy']!,
      /^"burst";q=10;w=1, "hourly";/,
    );
  });

  it('draft-6 and draft-7 fields report the binding limit; token bucket and GCRA windows are their refill times', async () => {
    const limiter = new RateLimiter(
      redis,
      [RateLimiter.tokenBucket(1, '1s', { capacity: 5 }), RateLimiter.gcra(60, '1m')],
      {
        namespace: 'hdr67',
      },
    );
    const draft6 = await new HttpRateLimit({ limiter, headers: { standard: 'draft-6' } }).check({}, identity);
    assert.equal(draft6!.headers['RateLimit-Limit'], '5');
    assert.equal(draft6!.headers['RateLimit-Remaining'], '4');
    assert.equal(draft6!.headers['RateLimit-Policy'], '5;w=5, 60;w=60');
    const draft7 = await new HttpRateLimit({ limiter, headers: { standard: 'draft-7', legacy: true } }).check(
      {},
      identity,
    );
    assert.equal(draft7!.headers.RateLimit, 'limit=5, remaining=3, reset=2');
    assert.equal(draft7!.headers['X-RateLimit-Limit'], '5');
  });

  it('refusals: custom status and message, onLimited, and a cost per request', async () => {
    const limiter = new RateLimiter(redis, RateLimiter.fixedWindow(3, '1m'), { namespace: 'refuse' });
    const limited: string[] = [];
    const core = new HttpRateLimit<{ cost: number }>({
      limiter,
      key: () => 'k',
      scope: 'upload',
      cost: (req) => req.cost,
      statusCode: 503,
      message: (_req, result) => `slow down for ${Math.ceil(result.retryAfterMs / 1000)} s`,
      onLimited: (_req, _result, key) => limited.push(key),
    });
    assert.equal((await core.check({ cost: 2 }, identity))!.refusal, undefined);
    const refused = (await core.check({ cost: 2 }, identity))!;
    assert.deepEqual(refused.refusal, {
      status: 503,
      contentType: 'text/plain; charset=utf-8',
      body: 'slow down for 60 s',
    });
    assert.equal(refused.headers['Retry-After'], '60');
    assert.deepEqual(limited, ['upload|k']);
    assert.equal(
      (await core.check({ cost: 1 }, identity))!.refusal,
      undefined,
      'a cheaper request still fits',
    );
  });

  it('fails open only when asked, and says when the client address is unknown', async () => {
    const broken = await connect(new Engine());
    const limiter = new RateLimiter(broken, RateLimiter.fixedWindow(3, '1m'));
    await broken.close();
    const errors: unknown[] = [];
    await assert.rejects(new HttpRateLimit({ limiter }).check({}, identity));
    const open = new HttpRateLimit({ limiter, failOpen: true, onError: (e) => errors.push(e) });
    assert.deepEqual(await open.check({}, identity), { result: undefined, headers: {} });
    assert.equal(errors.length, 1);
    const working = new RateLimiter(redis, RateLimiter.fixedWindow(3, '1m'));
    await assert.rejects(
      new HttpRateLimit({ limiter: working, failOpen: true }).check({}, () => ({
        ip: undefined,
        userId: undefined,
      })),
      /client address of this request is unknown/,
    );
    assert.throws(() => new HttpRateLimit({ limiter: working, ipv6Subnet: 0 }), RedkitConfigError);
    assert.throws(() => new HttpRateLimit({ limiter: working, headers: 'all' as 'both' }), RedkitConfigError);
  });
});

describe('ETags and cookies', () => {
  it('strong ETags hash the body; If-None-Match compares weakly, lists and *', () => {
    const etag = strongETag(Buffer.from('{"a":1}'));
    assert.equal(etag, strongETag(Buffer.from('{"a":1}')));
    assert.notEqual(etag, strongETag(Buffer.from('{"a":2}')));
    assert.ok(ifNoneMatchMatches(etag, etag));
    assert.ok(ifNoneMatchMatches(`"x", W/${etag}`, etag));
    assert.ok(ifNoneMatchMatches('*', etag));
    assert.ok(!ifNoneMatchMatches('"x"', etag));
    assert.ok(!ifNoneMatchMatches(undefined, etag));
  });

  it('session cookies: secure defaults, __Host- rules, persistent Max-Age, config errors', () => {
    const record = {
      id: 'a'.repeat(43),
      userId: undefined,
      createdAt: 0,
      absoluteDeadline: 8 * 3600_000,
      data: {},
    };
    assert.equal(
      new SessionCookie().issue(record, false),
      `sid=${record.id}; Path=/; HttpOnly; Secure; SameSite=Lax`,
    );
    assert.equal(
      new SessionCookie({ name: 'app', persistent: true, sameSite: 'strict', secure: 'auto' }).issue(
        record,
        false,
      ),
      `app=${record.id}; Max-Age=28800; Path=/; HttpOnly; SameSite=Strict`,
    );
    assert.match(
      new SessionCookie({ hostPrefix: true }).clear(true),
      /^__Host-sid=; Max-Age=0; Path=\/; Expires=Thu, 01 Jan 1970/,
    );
    assert.equal(new SessionCookie({ name: 'app' }).read('a=1; app=xyz; b=2'), 'xyz');
    assert.throws(
      () => new SessionCookie({ hostPrefix: true, secure: false }),
      /__Host- cookie must be Secure/,
    );
    assert.throws(() => new SessionCookie({ hostPrefix: true, domain: 'example.com' }), /no Domain/);
    assert.throws(() => new SessionCookie({ sameSite: 'none', secure: false }), /SameSite=None/);
    assert.throws(() => new SessionCookie({ name: 'a b' }), /not a valid cookie name/);
  });
});
