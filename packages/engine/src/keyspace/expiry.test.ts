import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EngineClient } from '../client.js';
import { Engine } from '../engine.js';
import { NULL_ARRAY } from '../resp/reply.js';
import { ManualClock } from './clock.js';
import { Database, type KeyspaceHost } from './database.js';

function hostWith(clock: ManualClock): KeyspaceHost & { expired: string[] } {
  const expired: string[] = [];
  return {
    expired,
    now: () => clock.now(),
    onExpired: (_db, key) => expired.push(key),
    stats: { keyspaceHits: 0, keyspaceMisses: 0 },
  };
}

describe('Database expiry on a ManualClock', () => {
  it('expires lazily on lookup, exactly at the deadline', () => {
    const clock = new ManualClock();
    const host = hostWith(clock);
    const db = new Database(0, host);
    db.set('a', '1');
    db.setExpireAt('a', clock.now() + 100);
    clock.advance(99);
    assert.equal(db.get('a'), '1');
    assert.equal(db.isExpired('a'), false);
    clock.advance(1);
    assert.equal(db.isExpired('a'), true);
    assert.equal(db.data.has('a'), true, 'not removed until looked up');
    assert.equal(db.read('a'), undefined);
    assert.equal(db.data.has('a'), false);
    assert.equal(db.expires.has('a'), false);
    assert.deepEqual(host.expired, ['a']);
    assert.equal(host.stats.keyspaceMisses, 1);
  });

  it('active expiry removes only keys whose time has passed, in slices', () => {
    const clock = new ManualClock();
    const host = hostWith(clock);
    const db = new Database(0, host);
    for (let i = 0; i < 50; i++) {
      db.set(`k${i}`, 'v');
      db.setExpireAt(`k${i}`, clock.now() + (i < 30 ? 10 : 1000));
    }
    db.set('forever', 'v');
    clock.advance(10);
    let removed = 0;
    for (let round = 0; round < 10; round++) removed += db.activeExpireCycle(7);
    assert.equal(removed, 30);
    assert.equal(db.size, 21);
    assert.equal(host.expired.length, 30);
    assert.equal(db.activeExpireCycle(100), 0);
  });

  it('swapContents exchanges keys and TTLs, and active expiry follows the contents', () => {
    const clock = new ManualClock();
    const host = hostWith(clock);
    const a = new Database(0, host);
    const b = new Database(1, host);
    a.set('x', '1');
    a.setExpireAt('x', clock.now() + 10);
    a.set('y', '1');
    a.setExpireAt('y', clock.now() + 10);
    a.activeExpireCycle(1); // leaves a cursor inside a's expires map
    b.set('z', '2');
    a.swapContents(b);
    assert.deepEqual([...a.data.keys()], ['z']);
    assert.deepEqual([...b.data.keys()].sort(), ['x', 'y']);
    assert.equal(b.expireAt('x'), clock.now() + 10);
    clock.advance(10);
    assert.equal(a.activeExpireCycle(10), 0);
    assert.equal(a.get('z'), '2');
    assert.equal(b.activeExpireCycle(10), 2);
    assert.equal(b.size, 0);
  });
});

describe('Engine expiry with an injected clock', () => {
  function setup() {
    const clock = new ManualClock();
    const engine = new Engine({ clock });
    const client = new EngineClient(engine);
    const db = engine.databases[0]!;
    return { clock, engine, client, db };
  }

  it('EXPIRE/PEXPIRE/TTL/PTTL follow the clock; lazy expiry counts in stats.expiredKeys', () => {
    const { clock, engine, client, db } = setup();
    db.set('a', '1');
    assert.equal(client.callSync('PEXPIRE', 'a', '1500'), 1);
    assert.equal(client.callSync('PTTL', 'a'), 1500);
    assert.equal(client.callSync('TTL', 'a'), 2, 'rounds to the nearest second');
    clock.advance(1000);
    assert.equal(client.callSync('TTL', 'a'), 1);
    assert.equal(client.callSync('PEXPIRETIME', 'a'), clock.now() + 500);
    clock.advance(499);
    assert.equal(client.callSync('EXISTS', 'a'), 1);
    assert.equal(engine.stats.expiredKeys, 0);
    clock.advance(1);
    assert.equal(client.callSync('EXISTS', 'a'), 0);
    assert.equal(client.callSync('TTL', 'a'), -2);
    assert.equal(engine.stats.expiredKeys, 1);
    engine.close();
  });

  it('expireNow() removes untouched expired keys; a past time deletes without counting as expired', () => {
    const { clock, engine, client, db } = setup();
    for (let i = 0; i < 100; i++) db.set(`k${i}`, 'v');
    for (let i = 0; i < 60; i++) client.callSync('PEXPIRE', `k${i}`, String(10 + i));
    clock.advance(39);
    engine.expireNow();
    assert.equal(db.size, 70);
    assert.equal(engine.stats.expiredKeys, 30);
    clock.advance(100);
    engine.expireNow();
    assert.equal(db.size, 40);
    assert.equal(engine.stats.expiredKeys, 60);
    assert.equal(client.callSync('EXPIRE', 'k99', '-1'), 1);
    assert.equal(db.size, 39);
    assert.equal(engine.stats.expiredKeys, 60, 'EXPIRE into the past is a DEL, not an expiry');
    engine.close();
  });

  it('expiry events are counted and WATCH sees a key that expired', () => {
    const { clock, engine, client, db } = setup();
    db.set('w', '1');
    client.callSync('PEXPIRE', 'w', '10');
    client.callSync('WATCH', 'w');
    clock.advance(10);
    engine.expireNow();
    assert.equal(engine.stats.expiredKeys, 1);
    client.callSync('MULTI');
    client.callSync('PING');
    assert.equal(client.callSync('EXEC'), NULL_ARRAY);
    engine.close();
  });

  it('time is frozen inside EXEC', () => {
    const { clock, engine, client, db } = setup();
    db.set('a', '1');
    client.callSync('PEXPIRE', 'a', '100');
    client.callSync('MULTI');
    client.callSync('PTTL', 'a');
    client.callSync('PTTL', 'a');
    clock.advance(30);
    const replies = client.callSync('EXEC');
    assert.deepEqual(replies, [70, 70]);
    engine.close();
  });

  it('RANDOMKEY skips and removes expired keys, and answers null when all expired', () => {
    const { clock, engine, client, db } = setup();
    for (let i = 0; i < 500; i++) {
      db.set(`k${i}`, 'v');
      db.setExpireAt(`k${i}`, clock.now() + 10);
    }
    db.set('live', 'v');
    clock.advance(10);
    assert.equal(client.callSync('RANDOMKEY'), 'live');
    assert.equal(db.size, 1);
    assert.equal(engine.stats.expiredKeys, 500);
    db.setExpireAt('live', clock.now() + 1);
    clock.advance(1);
    assert.equal(client.callSync('RANDOMKEY'), null);
    engine.close();
  });
});
