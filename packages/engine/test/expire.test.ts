import assert from 'node:assert/strict';
import { differential, type ParsedReply } from '@redkit/test-utils';

const BINARY = Buffer.from([0, 1, 13, 10, 0x80, 0xff]);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A PTTL read on both servers: the engine's must be within a few ms below Redis's (taken first). */
function closeTo(expected: number, slack = 50) {
  return (r: ParsedReply, e: ParsedReply) => {
    assert.equal(typeof r, 'number');
    assert.equal(typeof e, 'number');
    assert.ok(Math.abs((e as number) - (r as number)) <= slack, `engine ${String(e)}, redis ${String(r)}`);
    assert.ok(Math.abs((e as number) - expected) <= slack, `engine ${String(e)}, expected about ${expected}`);
  };
}

differential('expiry: EXPIRE family, TTL family, PERSIST', (s) => {
  s.test('EXPIRE, PEXPIRE, EXPIREAT and PEXPIREAT set TTLs that TTL and PTTL report', async (d) => {
    await d.same('SET', 'a', '1');
    await d.same('TTL', 'a');
    await d.same('PTTL', 'a');
    await d.same('EXPIRETIME', 'a');
    await d.same('PEXPIRETIME', 'a');
    await d.same('EXPIRE', 'a', '100');
    await d.same('TTL', 'a');
    await d.compare(['PTTL', 'a'], closeTo(100_000));
    await d.same('PEXPIRE', 'a', '200000');
    await d.same('TTL', 'a');
    await d.same('PEXPIRE', 'a', '1499');
    await d.compare(['TTL', 'a'], (r, e) => assert.ok(e === r || e === 1, `${String(e)} vs ${String(r)}`));
    const at = 4_000_000_000;
    await d.same('EXPIREAT', 'a', String(at));
    await d.same('EXPIRETIME', 'a');
    await d.same('PEXPIRETIME', 'a');
    await d.same('PEXPIREAT', 'a', String(at * 1000 + 499));
    await d.same('EXPIRETIME', 'a');
    await d.same('PEXPIRETIME', 'a');
    await d.same('PEXPIREAT', 'a', String(at * 1000 + 500));
    await d.same('EXPIRETIME', 'a', 'rounds half up, as Redis');
    await d.same('PEXPIREAT', 'a', String(at * 1000 + 1));
    await d.same('EXPIRETIME', 'a');
    await d.same('RPUSH', 'list', 'x');
    await d.same('EXPIRE', 'list', '50');
    await d.same('TTL', 'list');
    await d.same('SET', BINARY, 'v');
    await d.same('EXPIRE', BINARY, '10');
    await d.same('TTL', BINARY);
    for (const cmd of ['EXPIRE', 'PEXPIRE', 'EXPIREAT', 'PEXPIREAT']) await d.same(cmd, 'nosuch', '100');
    for (const cmd of ['TTL', 'PTTL', 'EXPIRETIME', 'PEXPIRETIME']) await d.same(cmd, 'nosuch');
  });

  s.test('a time already past deletes the key and answers 1', async (d) => {
    for (const [cmd, time] of [
      ['EXPIRE', '-1'],
      ['EXPIRE', '0'],
      ['PEXPIRE', '-1000'],
      ['PEXPIRE', '0'],
      ['EXPIREAT', '1'],
      ['EXPIREAT', '-100'],
      ['PEXPIREAT', '1000'],
      ['PEXPIREAT', '0'],
      ['EXPIRE', '-9223372036854775'],
      ['PEXPIRE', '-9223372036854775808'],
    ] as const) {
      await d.same('SET', 'k', 'v');
      await d.same(cmd, 'k', time);
      await d.same('EXISTS', 'k');
      await d.same(cmd, 'k', time);
    }
    await d.same('RPUSH', 'l', 'a');
    await d.same('EXPIRE', 'l', '-5', 'NX');
    await d.same('TYPE', 'l');
  });

  s.test('NX, XX, GT and LT', async (d) => {
    await d.same('SET', 'a', '1');
    await d.same('EXPIRE', 'a', '100', 'XX');
    await d.same('TTL', 'a');
    await d.same('EXPIRE', 'a', '100', 'GT');
    await d.same('TTL', 'a');
    await d.same('EXPIRE', 'a', '100', 'LT');
    await d.same('TTL', 'a');
    await d.same('PERSIST', 'a');
    await d.same('EXPIRE', 'a', '100', 'NX');
    await d.same('EXPIRE', 'a', '200', 'NX');
    await d.same('TTL', 'a');
    await d.same('EXPIRE', 'a', '200', 'XX');
    await d.same('TTL', 'a');
    // Relative times: a millisecond may pass between commands, so compare with a margin.
    await d.same('EXPIRE', 'a', '100', 'GT');
    await d.same('EXPIRE', 'a', '199', 'GT');
    await d.same('EXPIRE', 'a', '300', 'gt');
    await d.same('TTL', 'a');
    await d.same('EXPIRE', 'a', '400', 'LT');
    await d.same('EXPIRE', 'a', '300', 'LT');
    await d.same('EXPIRE', 'a', '301', 'LT');
    await d.same('EXPIRE', 'a', '150', 'lt');
    await d.same('TTL', 'a');
    await d.same('EXPIRE', 'a', '500', 'XX', 'GT');
    await d.same('TTL', 'a');
    await d.same('EXPIRE', 'a', '100', 'XX', 'LT');
    await d.same('TTL', 'a');
    await d.same('EXPIRE', 'a', '100', 'NX', 'NX');
    await d.same('EXPIRE', 'a', '100', 'XX', 'XX');
    await d.same('PEXPIRE', 'a', '-1', 'LT');
    await d.same('EXISTS', 'a');
    await d.same('SET', 'b', '1');
    await d.same('EXPIREAT', 'b', '4000000000', 'NX');
    await d.same('EXPIREAT', 'b', '4000000001', 'GT');
    await d.same('PEXPIREAT', 'b', '4000000001000', 'GT');
    await d.same('PEXPIREAT', 'b', '4000000000999', 'LT');
    await d.same('PEXPIRETIME', 'b');
    await d.same('PEXPIRE', 'b', '-1', 'GT');
    await d.same('EXISTS', 'b');
  });

  s.test('EXPIRE errors in Redis order', async (d) => {
    await d.same('SET', 'a', '1');
    for (const options of [
      ['NX', 'XX'],
      ['NX', 'GT'],
      ['NX', 'LT'],
      ['GT', 'LT'],
      ['XX', 'GT', 'LT'],
      ['GT', 'LT', 'NX'],
      ['FOO'],
      ['NX', 'FOO'],
      ['FOO', 'NX', 'XX'],
      ['nx', 'xx'],
      [''],
    ]) {
      await d.same('EXPIRE', 'a', '100', ...options);
      await d.same('EXPIRE', 'a', 'notanumber', ...options);
      await d.same('EXPIRE', 'nosuch', '100', ...options);
    }
    await d.same('TTL', 'a');
    for (const cmd of ['EXPIRE', 'PEXPIRE', 'EXPIREAT', 'PEXPIREAT']) {
      for (const time of [
        'x',
        '1.5',
        '',
        ' 1',
        '+1',
        '9223372036854775808',
        '9223372036854775807',
        '9223372036854775',
        '9223372036854776',
        '-9223372036854775',
        '-9223372036854776',
        '-9223372036854775808',
        '9223370000000000000',
      ]) {
        await d.same(cmd, 'a', time);
        await d.same(cmd, 'nosuch', time);
      }
      await d.same(cmd, 'a');
      await d.same(cmd);
    }
    for (const cmd of ['TTL', 'PTTL', 'EXPIRETIME', 'PEXPIRETIME', 'PERSIST']) {
      await d.same(cmd);
      await d.same(cmd, 'a', 'b');
    }
  });

  s.test('PERSIST removes a TTL once', async (d) => {
    await d.same('SET', 'a', '1', 'EX', '100');
    await d.same('PERSIST', 'a');
    await d.same('PERSIST', 'a');
    await d.same('TTL', 'a');
    await d.same('PERSIST', 'nosuch');
    await d.same('HSET', 'h', 'f', 'v');
    await d.same('PEXPIRE', 'h', '5000');
    await d.same('PERSIST', 'h');
    await d.same('TTL', 'h');
  });

  s.test('keys expire lazily and actively (real time, short sleeps)', async (d) => {
    await d.same('SET', 'short', '1');
    await d.same('PEXPIRE', 'short', '60');
    await d.same('RPUSH', 'list', 'a', 'b');
    await d.same('PEXPIRE', 'list', '60');
    await d.same('SET', 'long', '1');
    await d.same('EXPIRE', 'long', '100');
    await d.same('EXISTS', 'short', 'list', 'long');
    await d.compare(['PTTL', 'short'], closeTo(60, 30));
    await sleep(120);
    await d.same('GET', 'short');
    await d.same('TTL', 'short');
    await d.same('LRANGE', 'list', '0', '-1');
    await d.same('EXISTS', 'short', 'list', 'long');
    await d.same('TTL', 'long');
    // Never touched again: active expiry removes it from DBSIZE within a few cycles.
    await d.same('SET', 'untouched', '1', 'PX', '30');
    await sleep(300);
    await d.same('DBSIZE');
    await d.same('KEYS', '*');
  });

  s.test('expired keys are gone for every command that looks', async (d) => {
    // Each command gets its own key; all of them expire during one short sleep.
    const commands: Array<(k: string) => string[]> = [
      (k) => ['TYPE', k],
      (k) => ['EXISTS', k],
      (k) => ['TOUCH', k],
      (k) => ['TTL', k],
      (k) => ['PTTL', k],
      (k) => ['EXPIRETIME', k],
      (k) => ['PERSIST', k],
      (k) => ['EXPIRE', k, '100'],
      (k) => ['OBJECT', 'ENCODING', k],
      (k) => ['RENAME', k, 'x'],
      (k) => ['RENAMENX', k, 'x'],
      (k) => ['COPY', k, 'x'],
      (k) => ['MOVE', k, '1'],
      (k) => ['DEL', k],
      (k) => ['UNLINK', k],
    ];
    for (let i = 0; i < commands.length; i++) await d.same('SET', `k${i}`, 'v', 'PX', '20');
    await d.same('SET', 'x', 'target');
    await sleep(40);
    for (let i = 0; i < commands.length; i++) {
      await d.same(...commands[i]!(`k${i}`));
      await d.same('EXISTS', `k${i}`);
    }
    await d.same('GET', 'x');
    await d.same('SET', 'gone', 'v', 'PX', '20');
    await sleep(40);
    await d.same('SCAN', '0');
    await d.same('KEYS', '*');
    await d.same('RANDOMKEY');
  });

  s.test('TTL is frozen inside MULTI/EXEC and replies are integers in RESP3', async (d) => {
    await d.same('SET', 'a', '1');
    await d.same('MULTI');
    await d.same('EXPIRE', 'a', '100');
    await d.same('TTL', 'a');
    await d.same('EXPIRETIME', 'nosuch');
    await d.same('PERSIST', 'a');
    await d.same('TTL', 'a');
    await d.same('EXEC');
    await d.resp3();
    await d.same('EXPIRE', 'a', '100');
    await d.same('TTL', 'a');
    await d.same('TTL', 'nosuch');
    await d.same('EXPIREAT', 'a', '4000000000');
    await d.same('EXPIRETIME', 'a');
    await d.same('PEXPIRETIME', 'a');
    await d.same('PERSIST', 'a');
  });

  s.test('keyspace notifications for expire, persist, del and expired', async (d) => {
    const sub = await d.pair();
    const setBoth = async (value: string) => {
      await d.redis.command(['CONFIG', 'SET', 'notify-keyspace-events', value]);
      s.engine().config.set('notify-keyspace-events', value);
    };
    try {
      await setBoth('KEA');
      await sub.same('PSUBSCRIBE', '__key*__:*');
      await d.same('SET', 'a', '1');
      await sub.sameNext();
      await sub.sameNext();
      await d.same('EXPIRE', 'a', '100');
      await sub.sameNext();
      await sub.sameNext();
      await d.same('PERSIST', 'a');
      await sub.sameNext();
      await sub.sameNext();
      await d.same('EXPIRE', 'a', '-1');
      await sub.sameNext();
      await sub.sameNext();
      await d.same('SET', 'b', '1', 'PX', '10');
      await sub.sameNext();
      await sub.sameNext();
      await sub.sameNext();
      await sub.sameNext();
      await sleep(30);
      await d.same('GET', 'b');
      await sub.sameNext();
      await sub.sameNext();
      await d.same('SET', 'c', '1');
      await sub.sameNext();
      await sub.sameNext();
      await d.same('RENAME', 'c', 'd');
      for (let i = 0; i < 4; i++) await sub.sameNext();
      await d.same('COPY', 'd', 'e', 'DB', '3');
      await sub.sameNext();
      await sub.sameNext();
      await d.same('MOVE', 'd', '4');
      for (let i = 0; i < 4; i++) await sub.sameNext();
      await d.same('DEL', 'd', 'e', 'nosuch');
      await d.same('UNLINK', 'nosuch');
      await d.same('SELECT', '3');
      await d.same('DEL', 'e');
      await sub.sameNext();
      await sub.sameNext();
    } finally {
      await setBoth('');
      sub.close();
    }
  });
});
