import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RedisServerHandle, startRedisServer } from '@redkit/test-utils';
import { connect } from '../client/connect.js';
import type { RedisPort } from '../client/port.js';
import { Counter } from './counter.js';
import { Feed } from './feed.js';
import { Leaderboard } from './leaderboard.js';
import { UniqueCounter } from './unique-counter.js';

let server: RedisServerHandle | null = null;
before(async () => {
  server = await startRedisServer();
});
after(async () => {
  await server?.stop();
});

const backends: Array<[string, () => Promise<RedisPort | null>]> = [
  ['embedded engine', () => connect()],
  ['redis-server', async () => (server ? connect(`redis://127.0.0.1:${server.port}`) : null)],
];

for (const [name, open] of backends) {
  describe(`data helpers on ${name}`, () => {
    let redis: RedisPort | null;
    let now = Date.UTC(2026, 10, 22, 12);
    const clock = () => now;
    before(async () => {
      redis = await open();
      await redis?.send('FLUSHALL');
    });
    after(() => redis?.close());

    it('Leaderboard: top N, ranks with ties, around, pages, weekly boards', async (t) => {
      if (!redis) return t.skip('redis-server is not installed');
      const board = new Leaderboard(redis, 'game', { period: 'week', now: clock });
      await board.add('ann', 50);
      await board.add('bob', 80);
      await board.add('cat', 80);
      await board.add('dan', 20);
      assert.equal(await board.increment('dan', 40), 60);
      assert.deepEqual(await board.top(3), [
        { member: 'cat', score: 80, rank: 1 },
        { member: 'bob', score: 80, rank: 1 },
        { member: 'dan', score: 60, rank: 3 },
      ]);
      assert.deepEqual(await board.rank('bob'), { member: 'bob', score: 80, rank: 1 });
      assert.deepEqual(await board.rank('ann'), { member: 'ann', score: 50, rank: 4 });
      assert.equal(await board.rank('nobody'), null);
      assert.deepEqual(
        (await board.around('dan', 1)).map((s) => s.member),
        ['bob', 'dan', 'ann'],
      );
      assert.deepEqual(await board.page(2, 2), [
        { member: 'dan', score: 60, rank: 3 },
        { member: 'ann', score: 50, rank: 4 },
      ]);
      const ttl = (await redis.send('PTTL', board.key())) as number;
      assert.ok(ttl > 13 * 86_400_000, 'a weekly board lives two weeks');
      const lastWeek = now;
      now += 7 * 86_400_000;
      assert.deepEqual(await board.top(), [], 'a new week, a new board');
      assert.equal((await board.top(1, lastWeek))[0]?.member, 'cat');
    });

    it('Counter: per-period counts with retention, and ranges', async (t) => {
      if (!redis) return t.skip('redis-server is not installed');
      const views = new Counter(redis, 'views', { period: 'hour', retention: '2d', now: clock });
      const start = now;
      assert.equal(await views.increment('home'), 1);
      assert.equal(await views.increment('home', 4), 5);
      now += 3_600_000;
      await views.increment('home');
      assert.equal(await views.get('home'), 1);
      assert.equal(await views.get('home', start), 5);
      assert.deepEqual(await views.range('home', start - 3_600_000, now), [
        { period: '2026-11-29T11', count: 0 },
        { period: '2026-11-29T12', count: 5 },
        { period: '2026-11-29T13', count: 1 },
      ]);
    });

    it('Feed: newest first, capped, paginated', async (t) => {
      if (!redis) return t.skip('redis-server is not installed');
      const feed = new Feed<{ n: number }>(redis, 'activity', { maxLength: 5 });
      for (let n = 1; n <= 8; n++) await feed.push('alice', { n });
      assert.equal(await feed.length('alice'), 5);
      assert.deepEqual(await feed.latest('alice', 3), [{ n: 8 }, { n: 7 }, { n: 6 }]);
      assert.deepEqual(await feed.latest('alice', 3, 3), [{ n: 5 }, { n: 4 }]);
    });

    it('UniqueCounter: distinct members per day and over ranges', async (t) => {
      if (!redis) return t.skip('redis-server is not installed');
      const visitors = new UniqueCounter(redis, 'visitors', { now: clock });
      const day1 = now;
      for (let i = 0; i < 1000; i++) await visitors.add(`user-${i}`);
      assert.equal(await visitors.add('user-1'), false);
      now += 86_400_000;
      for (let i = 500; i < 1500; i++) await visitors.add(`user-${i}`);
      const c1 = await visitors.count(day1);
      const range = await visitors.countRange(day1, now);
      assert.ok(Math.abs(c1 - 1000) < 30, `day 1 ≈ 1000, got ${c1}`);
      assert.ok(Math.abs(range - 1500) < 45, `both days ≈ 1500, got ${range}`);
    });
  });
}
