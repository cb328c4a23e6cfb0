import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  findRedisServer,
  type RedisServerHandle,
  realRedisRequired,
  startRedisServer,
} from '@redkit/test-utils';
import { connect } from '../client/connect.js';
import type { RedisPort } from '../client/port.js';
import { StaleFencingTokenError } from './errors.js';
import { acceptsFencingToken, FencedStore, FencingGuard } from './fencing.js';
import { Lock } from './lock.js';

describe('fencing rule for your own store', () => {
  it('accepts tokens at least as new as the newest seen, rejects older ones', () => {
    assert.equal(acceptsFencingToken(undefined, 5), true);
    assert.equal(acceptsFencingToken(null, 5), true);
    assert.equal(acceptsFencingToken(5, 5), true, 'the same holder writes again');
    assert.equal(acceptsFencingToken(5, 6), true);
    assert.equal(acceptsFencingToken(6, 5), false);
    const guard = new FencingGuard();
    assert.equal(guard.check('a', 10), true);
    assert.equal(guard.check('a', 9), false);
    assert.equal(guard.check('b', 1), true, 'per key');
    assert.equal(guard.latest('a'), 10);
    assert.throws(() => guard.assert('a', 3), StaleFencingTokenError);
  });
});

let server: RedisServerHandle | null = null;
before(async () => {
  server = await startRedisServer();
});
after(() => server?.stop());

for (const backend of ['embedded engine', 'redis-server'] as const) {
  const skip = backend === 'redis-server' && !findRedisServer() && !realRedisRequired();
  describe(`FencedStore on ${backend}`, { skip: skip ? 'redis-server is not installed' : false }, () => {
    let redis: RedisPort;
    before(async () => {
      redis =
        backend === 'redis-server' ? await connect(`redis://127.0.0.1:${server!.port}`) : await connect();
    });
    after(() => redis.close());

    it('writes with current tokens, rejects stale ones in the same script, and records tokens on read', async () => {
      const store = new FencedStore<{ balance: number }>(redis, { ttl: '1h' });
      await store.write('account:1', { balance: 10 }, 100);
      await store.write('account:1', { balance: 11 }, 100);
      await assert.rejects(store.write('account:1', { balance: 0 }, 99), (error: unknown) => {
        assert.ok(error instanceof StaleFencingTokenError);
        assert.equal(error.currentToken, 100);
        assert.match(error.message, /Abandon this work/);
        return true;
      });
      // A newer holder reads first: an older holder's write after that is refused (read-modify-write).
      assert.deepEqual(await store.read('account:1', 101), { balance: 11 });
      await assert.rejects(store.write('account:1', { balance: 12 }, 100), StaleFencingTokenError);
      assert.deepEqual(await store.peek('account:1'), { value: { balance: 11 }, token: 101 });
      const ttl = (await redis.send('PTTL', 'fenced:account%3A1')) as number;
      assert.ok(ttl > 3_500_000 && ttl <= 3_600_000);
      await store.delete('account:1');
      assert.deepEqual(await store.peek('account:1'), { value: undefined, token: undefined });
    });

    it('protects a counter from two holders when the first one stalls past its TTL', async () => {
      const lock = new Lock(redis, { ttl: 50 });
      const store = new FencedStore<number>(redis);
      const slow = await lock.acquire('counter');
      const seen = await store.read('counter', slow.fencingToken);
      await new Promise((r) => setTimeout(r, 60)); // stalls: the lock expires
      await lock.withLock('counter', async ({ fencingToken }) => {
        const value = (await store.read('counter', fencingToken)) ?? 0;
        await store.write('counter', value + 1, fencingToken);
      });
      await assert.rejects(
        store.write('counter', (seen ?? 0) + 1, slow.fencingToken),
        StaleFencingTokenError,
      );
      assert.equal((await store.peek('counter')).value, 1);
      await store.delete('counter');
    });
  });
}
