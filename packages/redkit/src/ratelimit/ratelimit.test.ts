import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Engine, ManualClock } from '@redkit/engine';
import {
  findRedisServer,
  type RedisServerHandle,
  realRedisRequired,
  startRedisServer,
} from '@redkit/test-utils';
import { createClient } from 'redis';
import { connect } from '../client/connect.js';
import type { RedisPort } from '../client/port.js';
import { RedkitConfigError } from '../errors.js';
import type { RateLimitAlgorithm } from './algorithms.js';
import { RateLimitConfigError, RateLimitCostError, RateLimitExceededError } from './errors.js';
import { RateLimiter } from './limiter.js';
import { leastWait, modelOf, random, remainingOf } from './models.test-support.js';
import { rateLimitHeaders } from './result.js';
import { MAX_LIMITS } from './script.js';

const { fixedWindow, slidingWindowLog, slidingWindowCounter, tokenBucket, gcra } = RateLimiter;

/** Every key of a namespace carries a TTL. */
async function assertAllKeysExpire(redis: RedisPort, namespace: string): Promise<number> {
  const keys = (await redis.send('KEYS', `${namespace}:*`)) as string[];
  for (const key of keys) {
    const ttl = (await redis.send('PTTL', key)) as number;
    assert.ok(ttl > 0, `${key} has a TTL (PTTL ${ttl})`);
  }
  return keys.length;
}

describe('RateLimiter on the engine with a ManualClock', () => {
  let clock: ManualClock;
  let engine: Engine;
  let redis: RedisPort;
  before(async () => {
    clock = new ManualClock();
    engine = new Engine({ clock });
    redis = await connect(engine);
  });
  after(async () => {
    await redis.close();
    engine.close();
  });

  const ALGORITHMS: RateLimitAlgorithm[] = [
    fixedWindow(5, 1000),
    slidingWindowLog(5, 1000),
    slidingWindowCounter(5, 1000),
    tokenBucket(2, 300, { capacity: 5 }),
    gcra(5, 1000, { burst: 3 }),
    gcra(3, '1s'),
  ];

  for (const [index, algorithm] of ALGORITHMS.entries()) {
    it(`${algorithm.kind} #${index}: allowed, remaining, resetMs and retryAfterMs agree with a plain model over 400 random requests`, async () => {
      const namespace = `model${index}`;
      const limiter = new RateLimiter(redis, algorithm, { namespace });
      const model = modelOf(algorithm);
      const next = random(index + 1);
      for (let step = 0; step < 400; step++) {
        clock.advance(next() < 0.3 ? 0 : Math.floor(next() ** 2 * 600));
        const t = clock.now();
        const cost = 1 + Math.floor(next() * Math.min(algorithm.limit, 3));
        const peek = next() < 0.15;
        const result = peek ? await limiter.peek('id', { cost }) : await limiter.limit('id', { cost });
        const where = `step ${step}, t+${t - 1_700_000_000_000}, cost ${cost}${peek ? ', peek' : ''}`;
        const expected = model.allowed(t, cost);
        assert.equal(result.allowed, expected, `allowed at ${where}`);
        if (expected && !peek) model.apply(t, cost);
        assert.equal(result.remaining, remainingOf(model, t), `remaining at ${where}`);
        assert.equal(
          result.retryAfterMs,
          expected ? 0 : leastWait((w) => model.allowed(t + w, cost), 20_000),
          `retryAfterMs at ${where}`,
        );
        assert.equal(
          result.resetMs,
          leastWait((w) => remainingOf(model, t + w) === model.capacity, 20_000),
          `resetMs at ${where}`,
        );
      }
      await assertAllKeysExpire(redis, namespace);
    });
  }

  const COMBINATIONS: RateLimitAlgorithm[][] = [
    [fixedWindow(4, 500), slidingWindowLog(6, 2000)],
    [tokenBucket(1, 200, { capacity: 3 }), slidingWindowCounter(5, 1000), gcra(2, 300)],
    [gcra(2, 500), fixedWindow(10, 3000)],
  ];
  for (const [index, limits] of COMBINATIONS.entries()) {
    it(`several limits at once (${limits.map((l) => l.kind).join(' + ')}): all or nothing, per the models`, async () => {
      const limiter = new RateLimiter(redis, limits, { namespace: `multi${index}` });
      const models = limits.map(modelOf);
      const next = random(100 + index);
      let refusedByOne = 0;
      for (let step = 0; step < 300; step++) {
        clock.advance(next() < 0.4 ? 0 : Math.floor(next() ** 2 * 500));
        const t = clock.now();
        const cost = next() < 0.7 ? 1 : 2;
        const result = await limiter.limit('id', { cost });
        const each = models.map((m) => m.allowed(t, cost));
        const all = each.every(Boolean);
        assert.equal(result.allowed, all, `step ${step}`);
        if (!all && each.some(Boolean)) refusedByOne++;
        if (all) for (const m of models) m.apply(t, cost);
        result.limits.forEach((l, i) => {
          assert.equal(l.allowed, each[i], `limit ${i} at step ${step}`);
          assert.equal(l.remaining, remainingOf(models[i]!, t), `limit ${i} remaining at step ${step}`);
        });
        const wait = all ? 0 : leastWait((w) => models.every((m) => m.allowed(t + w, cost)), 20_000);
        assert.equal(result.retryAfterMs, wait, `retryAfterMs at step ${step}`);
        assert.equal(result.remaining, Math.min(...result.limits.map((l) => l.remaining)));
      }
      assert.ok(
        refusedByOne > 5,
        `${refusedByOne} requests refused by one limit while another admitted them`,
      );
    });
  }

  it('fixed window: starts at the first request, refuses until its end, then admits a full window again', async () => {
    const limiter = new RateLimiter(redis, fixedWindow(3, '1s'), { namespace: 'fw' });
    clock.advance(250);
    for (let i = 0; i < 3; i++) assert.equal((await limiter.limit('a')).allowed, true);
    clock.advance(999);
    const refused = await limiter.limit('a');
    assert.deepEqual([refused.allowed, refused.remaining, refused.retryAfterMs], [false, 0, 1]);
    clock.advance(1);
    for (let i = 0; i < 3; i++) assert.equal((await limiter.limit('a')).allowed, true);
    assert.equal((await limiter.limit('a')).allowed, false);
  });

  it('sliding window log is exact: no double burst across a window edge', async () => {
    const fixed = new RateLimiter(redis, fixedWindow(10, '1s'), { namespace: 'edge-fw' });
    const sliding = new RateLimiter(redis, RateLimiter.slidingWindow(10, '1s'), { namespace: 'edge-sw' });
    await fixed.limit('x');
    await sliding.limit('x');
    clock.advance(900);
    const admitted = { fixed: 0, sliding: 0 };
    const burst = async () => {
      for (let i = 0; i < 20; i++) {
        if ((await fixed.limit('x')).allowed) admitted.fixed++;
        if ((await sliding.limit('x')).allowed) admitted.sliding++;
      }
    };
    await burst();
    clock.advance(100);
    await burst();
    assert.equal(admitted.fixed, 19, 'the fixed window admits 19 within 100 ms across its edge');
    assert.equal(admitted.sliding, 10, 'the sliding log: 9, then 1 as the first request leaves the window');
  });

  it('a refused request consumes nothing, for every algorithm', async () => {
    for (const [index, algorithm] of ALGORITHMS.entries()) {
      const limiter = new RateLimiter(redis, algorithm, { namespace: 'refused' });
      const id = `${algorithm.kind}-${index}`;
      while ((await limiter.limit(id)).allowed) {}
      const first = await limiter.limit(id);
      for (let i = 0; i < 500; i++) await limiter.limit(id);
      const later = await limiter.limit(id);
      assert.equal(later.retryAfterMs, first.retryAfterMs, `${algorithm.kind}: 500 refusals moved nothing`);
      clock.advance(first.retryAfterMs);
      assert.equal((await limiter.limit(id)).allowed, true, `${algorithm.kind} admits after retryAfterMs`);
    }
  });

  it('10/s and 15/h together: the hour limit only counts admitted requests, nothing spent when either refuses', async () => {
    const limiter = new RateLimiter(redis, [fixedWindow(10, '1s'), fixedWindow(15, '1h')], {
      namespace: 'both',
    });
    let admitted = 0;
    for (let i = 0; i < 50; i++) if ((await limiter.limit('u')).allowed) admitted++;
    assert.equal(admitted, 10);
    const perSecond = await limiter.limit('u');
    assert.equal(perSecond.limits[0]!.allowed, false);
    assert.equal(perSecond.limits[1]!.remaining, 5, '40 refusals did not count against the hour');
    clock.advance(1000);
    for (let i = 0; i < 50; i++) if ((await limiter.limit('u')).allowed) admitted++;
    assert.equal(admitted, 15);
    const perHour = await limiter.limit('u');
    assert.deepEqual(
      [perHour.allowed, perHour.limit, perHour.limits[0]!.allowed, perHour.limits[0]!.remaining],
      [false, 15, true, 5],
      'refused by the hour; the second limit would admit 5 more and was not charged',
    );
    assert.ok(perHour.retryAfterMs > 3_590_000);
  });

  it('costs: weighted requests, and typed errors for costs that can never pass', async () => {
    const limiter = new RateLimiter(redis, [tokenBucket(10, '1s'), fixedWindow(20, '1m')], {
      namespace: 'cost',
    });
    assert.equal((await limiter.limit('u', { cost: 7 })).remaining, 3);
    const refused = await limiter.limit('u', { cost: 4 });
    assert.deepEqual([refused.allowed, refused.remaining, refused.retryAfterMs], [false, 3, 1000]);
    assert.equal((await limiter.limit('u', { cost: 3 })).allowed, true);
    await assert.rejects(limiter.limit('u', { cost: 11 }), (e: Error) => {
      assert.ok(e instanceof RateLimitCostError && e instanceof RedkitConfigError);
      assert.match(
        e.message,
        /cost of 11 exceeds the capacity of tokenBucket\(10\/1000ms, capacity 10\) \(10\)/,
      );
      assert.match(e.message, /lower the cost or raise that limit/);
      return true;
    });
    await assert.rejects(limiter.limit('u', { cost: 0 }), RateLimitCostError);
    await assert.rejects(limiter.peek('u', { cost: 1.5 }), RateLimitCostError);
  });

  it('peek (and get) tell the state without spending', async () => {
    const limiter = new RateLimiter(redis, slidingWindowCounter(3, '10s'), { namespace: 'peek' });
    await limiter.limit('u');
    for (let i = 0; i < 10; i++) assert.equal((await limiter.peek('u')).remaining, 2);
    assert.equal((await limiter.get('u', { cost: 3 })).allowed, false);
    assert.equal((await limiter.limit('u', { cost: 2 })).allowed, true);
    assert.equal((await limiter.peek('u')).allowed, false);
  });

  it('penalty: a refusal blocks the identifier for the penalty duration', async () => {
    const limiter = new RateLimiter(redis, fixedWindow(2, '1s'), { namespace: 'penalty', penalty: '10s' });
    await limiter.limit('u');
    await limiter.limit('u');
    const refused = await limiter.limit('u');
    assert.deepEqual([refused.allowed, refused.blocked, refused.retryAfterMs], [false, true, 10_000]);
    clock.advance(5_000);
    const blocked = await limiter.limit('u');
    assert.deepEqual([blocked.allowed, blocked.blocked, blocked.remaining], [false, true, 0]);
    assert.equal(blocked.retryAfterMs, 5_000, 'refusals while blocked do not extend the block');
    assert.equal(blocked.limits[0]!.allowed, true, 'the window alone would admit it');
    clock.advance(5_000);
    assert.equal((await limiter.limit('u')).allowed, true);
    assert.equal((await limiter.limit('other')).blocked, false, 'one identifier’s block is its own');
  });

  it('penalty after n refusals within its duration', async () => {
    const limiter = new RateLimiter(redis, fixedWindow(1, '1m'), {
      namespace: 'penalty3',
      penalty: { duration: '1h', afterRefusals: 3 },
    });
    await limiter.limit('u');
    assert.equal((await limiter.limit('u')).blocked, false);
    assert.equal((await limiter.limit('u')).blocked, false);
    const third = await limiter.limit('u');
    assert.deepEqual([third.blocked, third.retryAfterMs], [true, 3_600_000]);
    assert.equal(await assertAllKeysExpire(redis, 'penalty3'), 2, 'window and block');
  });

  it('block, unblock and reset', async () => {
    const limiter = new RateLimiter(redis, gcra(10, '1s'), { namespace: 'manual' });
    await limiter.limit('u', { cost: 10 });
    await limiter.block('u', '30s');
    const blocked = await limiter.peek('u');
    assert.deepEqual([blocked.allowed, blocked.blocked, blocked.retryAfterMs], [false, true, 30_000]);
    await limiter.unblock('u');
    assert.deepEqual([(await limiter.peek('u')).blocked, (await limiter.peek('u')).allowed], [false, false]);
    await limiter.block('u', '30s');
    await limiter.reset('u');
    const fresh = await limiter.limit('u');
    assert.deepEqual([fresh.allowed, fresh.remaining], [true, 9]);
    await assert.rejects(limiter.block('u', 0), RateLimitConfigError);
  });

  it('a lone fixed window (one integer reply): the last millisecond, blocks, a counter without expiry', async () => {
    const limiter = new RateLimiter(redis, fixedWindow(3, 1000), { namespace: 'lone' });
    assert.equal((await limiter.limit('u', { cost: 2 })).remaining, 1);
    clock.advance(999);
    const refused = await limiter.limit('u', { cost: 2 });
    assert.deepEqual(
      [refused.allowed, refused.remaining, refused.resetMs, refused.retryAfterMs],
      [false, 1, 1, 1],
    );
    clock.advance(1);
    const fresh = await limiter.limit('u', { cost: 2 });
    assert.deepEqual([fresh.allowed, fresh.remaining, fresh.resetMs], [true, 1, 1000], 'the window is over');
    await limiter.block('u', '5s');
    const blocked = await limiter.limit('u');
    assert.deepEqual([blocked.allowed, blocked.blocked, blocked.retryAfterMs], [false, true, 5000]);
    assert.deepEqual([blocked.limits[0]!.allowed, blocked.limits[0]!.remaining], [true, 1]);
    assert.equal((await limiter.peek('u')).blocked, true);
    await limiter.unblock('u');
    const after = await limiter.limit('u');
    assert.deepEqual([after.allowed, after.remaining], [true, 0], 'unblock keeps the count');
    await redis.send('PERSIST', 'lone:{u}:fw:1000');
    clock.advance(100);
    const persisted = await limiter.limit('u');
    assert.deepEqual(
      [persisted.allowed, persisted.resetMs],
      [false, 1000],
      'a counter without expiry gets one',
    );
    assert.equal(await assertAllKeysExpire(redis, 'lone'), 1);
  });

  it('a lone fixed window: large limits and windows (an integer reply, or the general one past 2^53)', async () => {
    for (const [window, ms] of [
      ['1h', 3_600_000],
      ['30d', 2_592_000_000],
    ] as const) {
      const limiter = new RateLimiter(redis, fixedWindow(1_000_000_000, window), {
        namespace: `big${window}`,
      });
      const first = await limiter.limit('u', { cost: 7 });
      assert.deepEqual([first.allowed, first.remaining, first.resetMs], [true, 999_999_993, ms]);
      clock.advance(10);
      const peeked = await limiter.peek('u', { cost: 999_999_993 });
      assert.deepEqual([peeked.allowed, peeked.remaining, peeked.resetMs], [true, 999_999_993, ms - 10]);
      assert.equal((await limiter.limit('u', { cost: 999_999_993 })).remaining, 0);
      const refused = await limiter.limit('u');
      assert.deepEqual([refused.allowed, refused.remaining, refused.retryAfterMs], [false, 0, ms - 10]);
    }
  });

  it(`up to ${MAX_LIMITS} limits in one limiter (one script, all or nothing)`, async () => {
    const limits = Array.from({ length: MAX_LIMITS }, (_, i) =>
      [slidingWindowCounter, slidingWindowLog, fixedWindow][i % 3]!(10 + i, 1000 * (i + 1)),
    );
    const limiter = new RateLimiter(redis, limits, { namespace: 'many', penalty: '1s' });
    for (let i = 0; i < 10; i++) assert.equal((await limiter.limit('u')).allowed, true);
    const refused = await limiter.limit('u');
    assert.deepEqual(
      [refused.allowed, refused.limits[0]!.allowed, refused.limits[1]!.allowed],
      [false, false, true],
    );
    assert.throws(
      () => new RateLimiter(redis, [...limits, gcra(1, '1s')]),
      (e: Error) => e instanceof RateLimitConfigError && /at most 16 limits/.test(e.message),
    );
  });

  it('consume() rejects with RateLimitExceededError carrying the result', async () => {
    const limiter = new RateLimiter(redis, fixedWindow(1, '1m'), { namespace: 'consume' });
    assert.equal((await limiter.consume('u')).allowed, true);
    await assert.rejects(limiter.consume('u'), (e: Error) => {
      assert.ok(e instanceof RateLimitExceededError);
      assert.equal(e.result.retryAfterMs, 60_000);
      assert.match(e.message, /rate limit exceeded for 'u': retry in 60000 ms/);
      return true;
    });
  });

  it('local cache: known-refused identifiers are answered in-process until the server said they could pass', async () => {
    const limiter = new RateLimiter(redis, fixedWindow(2, '1h'), { namespace: 'local', localCache: true });
    await limiter.limit('u');
    await limiter.limit('u');
    const refused = await limiter.limit('u');
    assert.equal(refused.fromCache, false);
    const calls = await commandCount(redis, 'evalsha');
    for (let i = 0; i < 100; i++) {
      const r = await limiter.limit('u');
      assert.deepEqual([r.allowed, r.fromCache, r.limit], [false, true, 2]);
      assert.ok(r.retryAfterMs > 3_590_000 && r.retryAfterMs <= refused.retryAfterMs);
    }
    assert.equal(await commandCount(redis, 'evalsha'), calls, 'no round trip for cached refusals');
    assert.equal(limiter.stats.fromCache, 100);
    assert.equal((await limiter.limit('v')).allowed, true, 'others still ask the server');
    await limiter.reset('u');
    assert.equal((await limiter.limit('u')).allowed, true);
  });

  it('keys: one slot per identifier, escaped, namespaced, all with a TTL', async () => {
    const limiter = new RateLimiter(
      redis,
      [
        fixedWindow(1, '1s'),
        slidingWindowLog(5, '1m'),
        slidingWindowCounter(5, '1m'),
        tokenBucket(1, '1s'),
        gcra(1, '1s'),
      ],
      { namespace: 'api', penalty: '1s' },
    );
    await limiter.limit('user:{1}');
    await limiter.limit('user:{1}');
    const keys = ((await redis.send('KEYS', 'api:*')) as string[]).sort();
    assert.deepEqual(keys, [
      'api:{user%3A%7B1%7D}:blocked',
      'api:{user%3A%7B1%7D}:fw:1000',
      'api:{user%3A%7B1%7D}:gc:1000',
      'api:{user%3A%7B1%7D}:sc:60000',
      'api:{user%3A%7B1%7D}:sl:60000',
      'api:{user%3A%7B1%7D}:sl:60000:n',
      'api:{user%3A%7B1%7D}:tb:1000',
    ]);
    await assertAllKeysExpire(redis, 'api');
    await limiter.reset('user:{1}');
    assert.deepEqual(await redis.send('KEYS', 'api:*'), []);
  });

  it('configuration errors say what to do', () => {
    const fails = (make: () => unknown, pattern: RegExp) =>
      assert.throws(make, (e: Error) => e instanceof RateLimitConfigError && pattern.test(e.message));
    fails(() => fixedWindow(0, '1s'), /fixedWindow limit must be a positive integer, got 0/);
    fails(() => slidingWindowLog(10, '0s'), /window must be at least 1 ms/);
    fails(() => tokenBucket(1.5, '1s'), /tokenBucket refill must be a positive integer/);
    fails(() => tokenBucket(1, '1s', { capacity: -1 }), /capacity must be a positive integer/);
    fails(() => gcra(10_000_000, '1s'), /less than 1 µs apart: use a longer period or a lower rate/);
    fails(() => new RateLimiter(redis, []), /needs at least one limit/);
    fails(
      () => new RateLimiter(redis, [fixedWindow(10, '1s'), fixedWindow(20, 1000)]),
      /would share their state: give them different windows/,
    );
    fails(
      () => new RateLimiter(redis, fixedWindow(1, '1s'), { penalty: { duration: '1s', afterRefusals: 0 } }),
      /afterRefusals/,
    );
    assert.throws(() => fixedWindow(1, '1 fortnight'), RedkitConfigError);
    const limiter = new RateLimiter(redis, fixedWindow(1, '1s'));
    return assert.rejects(limiter.limit(''), /identifiers must be non-empty strings/);
  });

  it('rateLimitHeaders', async () => {
    const limiter = new RateLimiter(redis, fixedWindow(1, '90s'), { namespace: 'headers' });
    assert.deepEqual(rateLimitHeaders(await limiter.limit('u')), {
      'RateLimit-Limit': '1',
      'RateLimit-Remaining': '0',
      'RateLimit-Reset': '90',
    });
    clock.advance(500);
    assert.deepEqual(rateLimitHeaders(await limiter.limit('u')), {
      'RateLimit-Limit': '1',
      'RateLimit-Remaining': '0',
      'RateLimit-Reset': '90',
      'Retry-After': '90',
    });
  });
});

async function commandCount(redis: RedisPort, command: string): Promise<number> {
  const info = (await redis.send('INFO', 'commandstats')) as string;
  return Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(info)?.[1] ?? 0);
}

let server: RedisServerHandle | null = null;
const noRedis = !findRedisServer() && !realRedisRequired();

describe('RateLimiter on redis-server (real time)', {
  skip: noRedis ? 'redis-server is not installed' : false,
}, () => {
  let redis: RedisPort;
  before(async () => {
    server = await startRedisServer();
    redis = await connect(`redis://127.0.0.1:${server!.port}`);
  });
  after(async () => {
    await redis?.close();
    await server?.stop();
  });

  const SMALL: RateLimitAlgorithm[] = [
    fixedWindow(5, 300),
    slidingWindowLog(5, 300),
    slidingWindowCounter(5, 300),
    tokenBucket(5, 300),
    gcra(5, 300),
  ];
  for (const algorithm of SMALL) {
    it(`${algorithm.kind}: 5 per 300 ms, refusals free, admitted again after retryAfterMs`, async () => {
      const limiter = new RateLimiter(redis, algorithm, { namespace: 'real' });
      const id = algorithm.kind;
      const results = [];
      for (let i = 0; i < 8; i++) results.push(await limiter.limit(id));
      assert.deepEqual(
        results.map((r) => r.allowed),
        [true, true, true, true, true, false, false, false],
      );
      assert.deepEqual(
        results.slice(0, 5).map((r) => r.remaining),
        [4, 3, 2, 1, 0],
      );
      const refused = results.at(-1)!;
      assert.ok(refused.retryAfterMs > 0 && refused.retryAfterMs <= 600, `retry ${refused.retryAfterMs}`);
      await sleep(refused.retryAfterMs + 5);
      assert.equal((await limiter.limit(id)).allowed, true);
      await sleep(700);
      const full = await limiter.peek(id);
      assert.deepEqual([full.remaining, full.resetMs], [5, 0], 'back to full, nothing left over');
      await assertAllKeysExpire(redis, 'real');
    });
  }

  it('several limits, penalty and maxWait on real time', async () => {
    const limiter = new RateLimiter(redis, [gcra(10, '1s'), fixedWindow(12, '1m')], {
      namespace: 'real-multi',
      penalty: '150ms',
    });
    let admitted = 0;
    for (let i = 0; i < 30; i++) if ((await limiter.limit('u')).allowed) admitted++;
    assert.equal(admitted, 10);
    const blocked = await limiter.peek('u');
    assert.equal(blocked.blocked, true);
    const started = Date.now();
    const waited = await limiter.limit('u', { maxWait: '2s' });
    assert.equal(waited.allowed, true);
    assert.ok(Date.now() - started >= 100, 'waited for the block to end');
    const gaveUp = await limiter.limit('u', { cost: 5, maxWait: '10ms' });
    assert.equal(gaveUp.allowed, false, 'gives up at once when the wait is longer than maxWait');
  });

  it('local cache expires with the server’s retryAfter, then asks again', async () => {
    const limiter = new RateLimiter(redis, fixedWindow(1, 200), {
      namespace: 'real-local',
      localCache: true,
    });
    await limiter.limit('u');
    const refused = await limiter.limit('u');
    assert.equal((await limiter.limit('u')).fromCache, true);
    await sleep(refused.retryAfterMs + 5);
    const again = await limiter.limit('u');
    assert.deepEqual([again.allowed, again.fromCache], [true, false]);
  });

  it('a lone fixed window with a large limit and window (the integer reply) on real Redis', async () => {
    for (const [window, ms] of [
      ['1h', 3_600_000],
      ['30d', 2_592_000_000],
    ] as const) {
      const limiter = new RateLimiter(redis, fixedWindow(1_000_000_000, window), {
        namespace: `real-big${window}`,
      });
      const first = await limiter.limit('u', { cost: 999_999_999 });
      assert.deepEqual([first.allowed, first.remaining, first.resetMs], [true, 1, ms]);
      const refused = await limiter.limit('u', { cost: 2 });
      assert.deepEqual([refused.allowed, refused.remaining], [false, 1]);
      assert.ok(
        refused.retryAfterMs > ms - 1000 && refused.retryAfterMs <= ms,
        `retry ${refused.retryAfterMs}`,
      );
      assert.equal((await limiter.limit('u')).remaining, 0, 'the refusal spent nothing');
      await assertAllKeysExpire(redis, `real-big${window}`);
    }
  });

  it('works through node-redis as through ioredis', async () => {
    const client = createClient({ url: `redis://127.0.0.1:${server!.port}` });
    const port = await connect(client);
    try {
      const limiter = new RateLimiter(
        port,
        [slidingWindowLog(2, '1m'), tokenBucket(1, '1m', { capacity: 3 })],
        {
          namespace: 'node-redis',
        },
      );
      const results = [];
      for (let i = 0; i < 3; i++) results.push(await limiter.limit('u'));
      assert.deepEqual(
        results.map((r) => [r.allowed, r.remaining]),
        [
          [true, 1],
          [true, 0],
          [false, 0],
        ],
      );
      assert.ok(results[2]!.retryAfterMs > 59_000);
    } finally {
      await client.quit();
    }
  });
});
