import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Engine, ManualClock } from '@redkit/engine';
import { type RedisServerHandle, startRedisServer } from '@redkit/test-utils';
import { connect } from '../client/connect.js';
import type { RedisPort } from '../client/port.js';
import { Sessions } from './sessions.js';

describe('Sessions on the embedded engine, time advanced instead of slept', () => {
  const clock = new ManualClock();
  let engine: Engine;
  let redis: RedisPort;
  let sessions: Sessions;
  before(async () => {
    engine = new Engine({ clock });
    redis = await connect(engine);
    sessions = new Sessions(redis, { idleTimeout: '30m', absoluteTimeout: '8h' });
  });
  after(async () => {
    await redis.close();
    engine.close();
  });

  it('creates a session with a 256-bit id and reads it back', async () => {
    const s = await sessions.create({ userId: 'alice', data: { cart: [1, 2], theme: 'dark' } });
    assert.match(s.id, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(s.absoluteDeadline - s.createdAt, 8 * 3600_000);
    const read = await sessions.get(s.id);
    assert.deepEqual(read, s);
    assert.equal(await sessions.get('not-an-id'), null);
  });

  it('expires after the idle timeout unless touched, and at the absolute deadline whatever happens', async () => {
    const s = await sessions.create({ userId: 'bob' });
    clock.advance(29 * 60_000);
    assert.equal(await sessions.touch(s.id), true);
    clock.advance(29 * 60_000);
    assert.ok(await sessions.get(s.id), 'touching slid the idle expiry');
    clock.advance(31 * 60_000);
    assert.equal(await sessions.get(s.id), null, 'idle too long');

    const busy = await sessions.create();
    for (let minutes = 0; minutes < 8 * 60 - 20; minutes += 20) {
      clock.advance(20 * 60_000);
      assert.equal(await sessions.touch(busy.id), true);
    }
    clock.advance(20 * 60_000);
    assert.equal(await sessions.touch(busy.id), false, 'the absolute deadline ends even a busy session');
    assert.equal(await sessions.get(busy.id), null);
  });

  it('updates fields independently, never resurrecting a dead session', async () => {
    const s = await sessions.create({ data: { a: 1, b: 1 } });
    await Promise.all([sessions.update(s.id, { a: 2 }), sessions.update(s.id, { b: 3, c: 'new' })]);
    assert.deepEqual((await sessions.get(s.id))?.data, { a: 2, b: 3, c: 'new' });
    await sessions.update(s.id, { c: undefined });
    assert.deepEqual((await sessions.get(s.id))?.data, { a: 2, b: 3 });
    await sessions.destroy(s.id);
    assert.equal(await sessions.update(s.id, { a: 9 }), false);
    assert.equal(await sessions.get(s.id), null);
  });

  it('regenerates: a new id with the same data, the old id rejected', async () => {
    const s = await sessions.create({ data: { step: 'login' } });
    const fresh = await sessions.regenerate(s.id, { userId: 'carol' });
    assert.ok(fresh);
    assert.notEqual(fresh.id, s.id);
    assert.deepEqual(fresh.data, { step: 'login' });
    assert.equal(fresh.userId, 'carol');
    assert.equal(await sessions.get(s.id), null);
    assert.equal(await sessions.touch(s.id), false);
    assert.equal(await sessions.regenerate(s.id), null);
  });

  it("lists and revokes a user's sessions", async () => {
    const [a, b, c] = [
      await sessions.create({ userId: 'dave' }),
      await sessions.create({ userId: 'dave' }),
      await sessions.create({ userId: 'dave' }),
    ];
    assert.deepEqual((await sessions.listForUser('dave')).map((s) => s.id).sort(), [a.id, b.id, c.id].sort());
    assert.equal(await sessions.destroyAllForUser('dave', { except: b.id }), 2);
    assert.deepEqual(
      (await sessions.listForUser('dave')).map((s) => s.id),
      [b.id],
    );
    clock.advance(31 * 60_000);
    assert.deepEqual(await sessions.listForUser('dave'), [], 'expired sessions leave the index');
  });

  it('gives unique ids over 1,000,000 draws', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 1_000_000; i++) ids.add(Sessions.newId());
    assert.equal(ids.size, 1_000_000);
  });
});

describe('Sessions on a real redis-server (server clock)', () => {
  let server: RedisServerHandle | null;
  let redis: RedisPort;
  before(async () => {
    server = await startRedisServer();
  });
  after(async () => {
    await redis?.close();
    await server?.stop();
  });

  it('honours idle and absolute timeouts on the server clock', async (t) => {
    if (!server) return t.skip('redis-server is not installed');
    redis = await connect(`redis://127.0.0.1:${server.port}`);
    // Real time on a real server: margins wide enough for a loaded machine's timers.
    const sessions = new Sessions(redis, { idleTimeout: 1000, absoluteTimeout: 2500 });
    const s = await sessions.create({ userId: 'erin', data: { n: 1 } });
    const ttl = (await redis.send('PTTL', `session:s:${s.id}`)) as number;
    assert.ok(ttl > 500 && ttl <= 1000);
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(await sessions.update(s.id, { n: i }), true);
    }
    await new Promise((r) => setTimeout(r, 1300));
    assert.equal(await sessions.get(s.id), null);
    const busy = await sessions.create();
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 600));
      await sessions.touch(busy.id);
    }
    assert.equal(await sessions.get(busy.id), null, 'absolute deadline');
  });
});
