import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EngineClient } from '../../client.js';
import { Engine } from '../../engine.js';
import { ManualClock } from '../../keyspace/clock.js';
import { RedisError } from '../../resp/errors.js';
import { ErrorReply, NULL_ARRAY, OK, StatusReply } from '../../resp/reply.js';
import { parseScanCursor } from '../../util/scan.js';
import { commandKeys } from '../registry.js';
import { toInt32 } from './shared.js';

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof RedisError) return e.reply;
    throw e;
  }
  return 'no error';
}

describe('SCAN cursor parsing (strtoul rules)', () => {
  it('accepts signs, empty strings and wraps negative values', () => {
    assert.equal(parseScanCursor('0'), 0);
    assert.equal(parseScanCursor(''), 0);
    assert.equal(parseScanCursor('+7'), 7);
    assert.equal(parseScanCursor('-0'), 0);
    assert.equal(parseScanCursor('007'), 7);
    assert.equal(parseScanCursor('-1'), 2 ** 64 - 1);
    assert.equal(parseScanCursor('18446744073709551615'), 2 ** 64 - 1);
  });

  it('rejects spaces, junk, lone signs and values past 2^64-1', () => {
    for (const bad of [
      ' 1',
      '1 ',
      'x',
      '1.5',
      '+',
      '-',
      '0x1',
      '18446744073709551616',
      '-18446744073709551616',
    ]) {
      assert.equal(
        errorOf(() => parseScanCursor(bad)),
        'ERR invalid cursor',
        bad,
      );
    }
  });
});

describe('toInt32 (getIntFromObjectOrReply)', () => {
  it('distinguishes non-integers from out-of-range integers', () => {
    assert.equal(toInt32('-2147483648'), -2147483648);
    assert.equal(toInt32('2147483647'), 2147483647);
    assert.equal(
      errorOf(() => toInt32('x')),
      'ERR value is not an integer or out of range',
    );
    assert.equal(
      errorOf(() => toInt32('2147483648')),
      'ERR value is out of range, value must between -2147483648 and 2147483647',
    );
    assert.equal(
      errorOf(() => toInt32('2147483648', 'ERR invalid first DB index')),
      'ERR invalid first DB index',
    );
    assert.equal(
      errorOf(() => toInt32('1.0', 'ERR invalid first DB index')),
      'ERR invalid first DB index',
    );
  });
});

describe('SORT key extraction', () => {
  const engine = new Engine({ clock: new ManualClock() });
  const keysOf = (...argv: string[]) => commandKeys(engine.commands.lookup(argv[0]!)!, argv);

  it('finds the sorted key and the last STORE target', () => {
    assert.deepEqual(keysOf('sort', 'k'), [1]);
    assert.deepEqual(keysOf('sort', 'k', 'STORE', 'd'), [1, 3]);
    assert.deepEqual(keysOf('sort', 'k', 'store', 'a', 'LIMIT', '0', '1', 'STORE', 'b'), [1, 8]);
    assert.deepEqual(keysOf('sort', 'k', 'GET', 'store', 'BY', 'x'), [1]);
    assert.deepEqual(keysOf('sort', 'k', 'STORE'), [1]);
    assert.deepEqual(keysOf('sort_ro', 'k', 'GET', '#'), [1]);
    engine.close();
  });
});

describe('keyspace commands on an in-process engine', () => {
  it('SWAPDB moves keys, TTLs and WATCH invalidation between databases', () => {
    const clock = new ManualClock();
    const engine = new Engine({ clock });
    const a = new EngineClient(engine);
    const b = new EngineClient(engine);
    engine.databases[0]!.set('k', 'zero');
    engine.databases[0]!.setExpireAt('k', clock.now() + 1000);
    engine.databases[1]!.set('j', 'one');
    b.callSync('SELECT', '1');
    b.callSync('WATCH', 'k');
    assert.equal(a.callSync('SWAPDB', '0', '1'), OK);
    assert.equal(b.callSync('PTTL', 'k'), 1000);
    assert.equal(a.callSync('EXISTS', 'j'), 1);
    b.callSync('MULTI');
    b.callSync('PING');
    assert.equal(b.callSync('EXEC'), NULL_ARRAY, 'the watched key appeared: EXEC fails');
    clock.advance(1000);
    engine.expireNow();
    assert.equal(engine.databases[1]!.size, 0, 'active expiry follows the swapped contents');
    assert.equal(engine.stats.expiredKeys, 1);
    engine.close();
  });

  it('SORT on sets: numeric, ALPHA, BY hash fields and STORE', () => {
    const engine = new Engine({ clock: new ManualClock() });
    const client = new EngineClient(engine);
    client.callSync('SADD', 's', '10', '9', '-1');
    assert.deepEqual(client.callSync('SORT', 's'), ['-1', '9', '10']);
    assert.deepEqual(client.callSync('SORT', 's', 'ALPHA', 'DESC'), ['9', '10', '-1']);
    client.callSync('HSET', 'h_10', 'w', '1');
    client.callSync('HSET', 'h_9', 'w', '3');
    client.callSync('HSET', 'h_-1', 'w', '2');
    assert.deepEqual(client.callSync('SORT', 's', 'BY', 'h_*->w', 'GET', '#', 'GET', 'h_*->w'), [
      '10',
      '1',
      '-1',
      '2',
      '9',
      '3',
    ]);
    assert.equal(client.callSync('SORT', 's', 'LIMIT', '1', '1', 'STORE', 'out'), 1);
    assert.deepEqual(client.callSync('TYPE', 'out'), new StatusReply('list'));
    client.callSync('SADD', 'bad', 'x');
    const error = client.callSync('SORT', 'bad');
    assert.ok(error instanceof ErrorReply);
    assert.equal(error.message, "ERR One or more scores can't be converted into double");
    engine.close();
  });

  it('SCAN returns every key present for the whole scan exactly once, despite changes', () => {
    const engine = new Engine({ clock: new ManualClock() });
    const client = new EngineClient(engine);
    const db = engine.databases[0]!;
    for (let i = 0; i < 1000; i++) db.set(`k${i}`, 'v');
    const seen = new Map<string, number>();
    let cursor = '0';
    let round = 0;
    do {
      const [next, keys] = client.callSync('SCAN', cursor, 'COUNT', '37') as [string, string[]];
      for (const key of keys) seen.set(key, (seen.get(key) ?? 0) + 1);
      // Churn while the scan is in progress: drop odd keys above 500, add new ones.
      for (let i = 0; i < 10; i++) {
        db.delete(`k${501 + 2 * (round * 10 + i)}`);
        db.set(`new${round}-${i}`, 'v');
      }
      round++;
      cursor = next;
    } while (cursor !== '0');
    for (let i = 0; i <= 500; i++) assert.equal(seen.get(`k${i}`), 1, `k${i}`);
    for (let i = 502; i < 1000; i += 2) assert.equal(seen.get(`k${i}`), 1, `k${i}`);
    for (const count of seen.values()) assert.equal(count, 1);
    engine.close();
  });

  it('RANDOMKEY draws keys added after an earlier draw', () => {
    const engine = new Engine({ clock: new ManualClock() });
    const client = new EngineClient(engine);
    const db = engine.databases[0]!;
    db.set('first', 'v');
    assert.equal(client.callSync('RANDOMKEY'), 'first');
    for (let i = 0; i < 50; i++) db.set(`k${i}`, 'v');
    const seen = new Set<string>();
    for (let i = 0; i < 300; i++) seen.add(client.callSync('RANDOMKEY') as string);
    assert.ok(seen.size > 30, `only ${seen.size} distinct keys`);
    for (let i = 0; i < 50; i++) db.delete(`k${i}`);
    for (let i = 0; i < 20; i++) assert.equal(client.callSync('RANDOMKEY'), 'first');
    client.callSync('FLUSHALL');
    assert.equal(client.callSync('RANDOMKEY'), null);
    engine.close();
  });
});
