import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Engine } from '../engine.js';
import { ManualClock } from '../keyspace/clock.js';
import { ErrorReply, NULL_ARRAY, type PushReply, type Reply, StatusReply } from '../resp/reply.js';
import type { Session } from '../session.js';
import { EvictionPool } from './eviction-pool.js';
import { STARTUP_BYTES } from './manager.js';
import { OOM_ERROR } from './policy.js';

const VALUE = 'v'.repeat(100);

function setup(policy: string, config: Record<string, string> = {}) {
  const clock = new ManualClock();
  const engine = new Engine({ clock, config: { 'maxmemory-policy': policy, ...config } });
  const pushes: Reply[] = [];
  const session = engine.createSession({ push: (r) => pushes.push(r), resume() {}, close() {} });
  const run = (...argv: string[]) => session.execute(argv) as Reply;
  return { clock, engine, session, run, pushes };
}

function ok(reply: Reply): void {
  assert.ok(reply instanceof StatusReply && reply.status === 'OK', String((reply as ErrorReply).message));
}

/** Sets maxmemory to the current use plus `room` bytes. */
function limit(engine: Engine, session: Session, room: number): number {
  const max = engine.memory.usedMemory() + room;
  session.execute(['CONFIG', 'SET', 'maxmemory', String(max)]);
  return max;
}

const keysOf = (engine: Engine) => [...engine.databases[0]!.data.keys()];

describe('eviction pool', () => {
  it('keeps the 16 best candidates in ascending order', () => {
    const pool = new EvictionPool();
    for (let i = 0; i < 40; i++) pool.offer((i * 7) % 40, `k${i}`, 0);
    assert.equal(pool.size, 16);
    const taken: number[] = [];
    for (let c = pool.takeBest(); c; c = pool.takeBest()) taken.push(c.score);
    assert.deepEqual(
      taken,
      Array.from({ length: 16 }, (_, i) => 39 - i),
    );
  });

  it('ignores a key already pooled and a worse key when full', () => {
    const pool = new EvictionPool();
    pool.offer(5, 'a', 0);
    pool.offer(5, 'a', 0);
    assert.equal(pool.size, 1);
    for (let i = 0; i < 16; i++) pool.offer(10 + i, `k${i}`, 0);
    pool.offer(1, 'worse', 0);
    assert.equal(pool.size, 16);
    assert.equal(pool.takeBest()?.key, 'k15');
  });
});

describe('writing 10x maxmemory', () => {
  for (const policy of [
    'allkeys-lru',
    'allkeys-lfu',
    'allkeys-random',
    'volatile-lru',
    'volatile-lfu',
    'volatile-random',
    'volatile-ttl',
  ]) {
    it(`${policy}: used memory stays within maxmemory + 5%`, () => {
      const { engine, session, run } = setup(policy);
      const max = limit(engine, session, 200_000);
      const volatile = policy.startsWith('volatile');
      let written = 0;
      for (let i = 0; written < 2_000_000; i++) {
        const reply = volatile ? run('SET', `k${i}`, VALUE, 'EX', '1000') : run('SET', `k${i}`, VALUE);
        ok(reply);
        written += 100;
        assert.ok(
          engine.memory.usedMemory() <= max * 1.05,
          `${policy}: ${engine.memory.usedMemory()} > ${max}`,
        );
      }
      assert.ok(engine.stats.evictedKeys > 1000);
      assert.ok(
        engine.memory.usedMemory() >= (max - STARTUP_BYTES) * 0.5 + STARTUP_BYTES,
        'evicted far too much',
      );
    });
  }
});

describe('eviction follows the policy', () => {
  it('noeviction refuses denyoom commands and keeps every key', () => {
    const { engine, session, run } = setup('noeviction');
    limit(engine, session, 20_000);
    let refused: Reply | undefined;
    for (let i = 0; i < 1000 && !refused; i++) {
      const reply = run('SET', `k${i}`, VALUE);
      if (reply instanceof ErrorReply) refused = reply;
    }
    assert.ok(refused instanceof ErrorReply && refused.message === OOM_ERROR);
    assert.equal(engine.stats.evictedKeys, 0);
    assert.equal(run('GET', 'k0'), VALUE);
    assert.equal(run('DEL', 'k0'), 1);
  });

  it('allkeys-lru evicts the least recently used keys', () => {
    const { clock, engine, session, run } = setup('allkeys-lru');
    for (let i = 0; i < 200; i++) ok(run('SET', `old${i}`, VALUE));
    clock.advance(10_000);
    // The first half is read again: now recent.
    for (let i = 0; i < 100; i++) assert.equal(run('GET', `old${i}`), VALUE);
    clock.advance(10_000);
    limit(engine, session, 0);
    for (let i = 0; i < 100; i++) ok(run('SET', `new${i}`, VALUE));
    const left = keysOf(engine);
    const recentLeft = left.filter((k) => /^old(\d|[1-9]\d)$/.test(k)).length;
    const staleLeft = left.filter((k) => /^old1\d\d$/.test(k)).length;
    assert.ok(engine.stats.evictedKeys >= 90);
    // Sampling approximates LRU (as in Redis): nearly all victims are among the stale keys.
    assert.ok(recentLeft >= 85, `recently used keys evicted: ${recentLeft} left`);
    assert.ok(staleLeft <= 20, `stale keys kept: ${staleLeft}`);
  });

  it('allkeys-lfu evicts the least frequently used keys', () => {
    const { engine, session, run } = setup('allkeys-lfu', { 'lfu-log-factor': '0' });
    for (let i = 0; i < 200; i++) ok(run('SET', `k${i}`, VALUE));
    for (let r = 0; r < 20; r++) for (let i = 0; i < 100; i++) run('GET', `k${i}`);
    assert.ok(Number(run('OBJECT', 'FREQ', 'k0')) > 20);
    assert.equal(run('OBJECT', 'FREQ', 'k150'), 5);
    limit(engine, session, 0);
    for (let i = 0; i < 100; i++) ok(run('SET', `new${i}`, VALUE));
    const left = new Set(keysOf(engine));
    let hotLeft = 0;
    for (let i = 0; i < 100; i++) if (left.has(`k${i}`)) hotLeft++;
    assert.ok(hotLeft >= 85, `frequently used keys evicted: ${hotLeft} left`);
  });

  it('volatile-ttl evicts the soonest-expiring keys first, never keys without TTL', () => {
    const { engine, session, run } = setup('volatile-ttl');
    for (let i = 0; i < 100; i++) ok(run('SET', `plain${i}`, VALUE));
    for (let i = 0; i < 100; i++) ok(run('SET', `ttl${i}`, VALUE, 'EX', String(1000 + i)));
    limit(engine, session, 0);
    for (let i = 0; i < 30; i++) ok(run('SET', `new${i}`, VALUE));
    const left = new Set(keysOf(engine));
    for (let i = 0; i < 100; i++) assert.ok(left.has(`plain${i}`), `plain${i} evicted`);
    const evictedTtl = Array.from({ length: 100 }, (_, i) => i).filter((i) => !left.has(`ttl${i}`));
    assert.ok(evictedTtl.length >= 25);
    // Sampling 5 keys at a time into a pool of 16: the victims are among the soonest to expire.
    const average = evictedTtl.reduce((a, b) => a + b, 0) / evictedTtl.length;
    assert.ok(average < 40, `average victim ${average}`);
  });

  it('counts, notifies and unwatches evicted keys', () => {
    const { engine, session, run, pushes } = setup('allkeys-random', { 'notify-keyspace-events': 'Ee' });
    const watcher = engine.createSession({ push: (r) => pushes.push(r), resume() {}, close() {} });
    watcher.execute(['SUBSCRIBE', '__keyevent@0__:evicted']);
    pushes.length = 0;
    for (let i = 0; i < 50; i++) ok(run('SET', `k${i}`, VALUE));
    run('WATCH', 'k0');
    limit(engine, session, 0);
    for (let i = 0; i < 50; i++) ok(run('SET', `new${i}`, VALUE));
    const evicted = engine.stats.evictedKeys;
    assert.ok(evicted > 0);
    assert.equal(pushes.length, evicted);
    const first = pushes[0] as PushReply;
    assert.deepEqual(first.items.slice(0, 2), ['message', '__keyevent@0__:evicted']);
    const info = (run('INFO', 'stats') as { text: string }).text;
    assert.ok(info.includes(`evicted_keys:${engine.stats.evictedKeys}\r\n`));
    run('CONFIG', 'SET', 'maxmemory', '0');
    run('MULTI');
    run('PING');
    const exec = run('EXEC');
    if (!engine.databases[0]!.data.has('k0')) assert.equal(exec, NULL_ARRAY);
  });

  it('OBJECT IDLETIME follows accesses on the LRU clock, without touching the key itself', () => {
    const { clock, run } = setup('allkeys-lru');
    ok(run('SET', 'k', 'v'));
    clock.advance(5_000);
    assert.equal(run('OBJECT', 'IDLETIME', 'k'), 5);
    clock.advance(3_000);
    assert.equal(run('OBJECT', 'IDLETIME', 'k'), 8);
    run('GET', 'k');
    assert.equal(run('OBJECT', 'IDLETIME', 'k'), 0);
  });

  it('OBJECT FREQ decays with lfu-decay-time', () => {
    const { clock, run } = setup('allkeys-lfu', { 'lfu-log-factor': '0', 'lfu-decay-time': '1' });
    ok(run('SET', 'k', 'v'));
    for (let i = 0; i < 10; i++) run('GET', 'k');
    assert.equal(run('OBJECT', 'FREQ', 'k'), 15);
    clock.advance(3 * 60_000);
    assert.equal(run('OBJECT', 'FREQ', 'k'), 12);
  });

  it('switching policies at runtime installs and drops the access data', () => {
    const { engine, run } = setup('noeviction');
    const access = () => engine.databases[0]!.access;
    ok(run('SET', 'k', 'v'));
    assert.equal(access(), undefined);
    run('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru');
    run('GET', 'k');
    assert.equal(access()?.lfu, false);
    run('CONFIG', 'SET', 'maxmemory-policy', 'volatile-lfu');
    run('PING');
    assert.equal(access()?.lfu, true);
    run('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-random');
    run('PING');
    assert.equal(access(), undefined);
  });
});

describe('memory accounting', () => {
  it('returns to the baseline when keys go, by every path', () => {
    const { clock, engine, run } = setup('allkeys-lru');
    const empty = engine.memory.usedMemory();
    assert.equal(empty, STARTUP_BYTES);
    ok(run('SET', 's', VALUE));
    run('HSET', 'h', 'a', VALUE, 'b', VALUE);
    run('RPUSH', 'l', 'a', 'b', VALUE);
    run('SADD', 'set', '1', '2', 'x');
    run('ZADD', 'z', '1', 'a', '2.5', 'b');
    run('XADD', 'x', '1-1', 'f', VALUE);
    run('SET', 'ttl', VALUE, 'PX', '10');
    assert.ok(engine.memory.usedMemory() > empty + 1000);
    run('HDEL', 'h', 'a', 'b');
    run('LPOP', 'l', '3');
    run('SPOP', 'set', '3');
    run('RENAME', 'z', 'z2');
    run('DEL', 'z2', 's', 'x');
    clock.advance(20);
    run('GET', 'ttl');
    assert.equal(engine.databases[0]!.usedBytes, 0);
    run('SET', 'a', 'b');
    run('FLUSHALL');
    assert.equal(engine.memory.usedMemory(), empty);
  });

  it('grows with collections changed in place', () => {
    const { engine, run } = setup('noeviction');
    run('HSET', 'h', 'f0', VALUE);
    const one = engine.databases[0]!.usedBytes;
    for (let i = 1; i < 1000; i++) run('HSET', 'h', `f${i}`, VALUE);
    const many = engine.databases[0]!.usedBytes;
    assert.ok(many > one * 100, `${one} -> ${many}`);
    for (let i = 0; i < 1000; i++) run('HDEL', 'h', `f${i}`);
    assert.equal(engine.databases[0]!.usedBytes, 0);
  });
});
