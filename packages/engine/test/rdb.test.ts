import assert from 'node:assert/strict';
import { type DiffPair, differential, type ParsedReply, parseFrame } from '@redkit/test-utils';
import { withCrc } from './payload-crc.js';

const BINARY = Buffer.from([0, 1, 2, 13, 10, 0x7f, 0x80, 0xfe, 0xff]);

/** DUMP on both servers must give the same bytes. */
async function sameDump(d: DiffPair, key: string): Promise<void> {
  await d.same('DUMP', key);
}

async function payloadOf(send: (argv: string[]) => Promise<Buffer>, key: string): Promise<Buffer> {
  const reply = parseFrame(await send(['DUMP', key]));
  assert.equal(typeof reply, 'string', `DUMP ${key}: ${JSON.stringify(reply)}`);
  return Buffer.from(reply as string, 'latin1');
}

type Reader = (d: DiffPair, key: string) => Promise<unknown>;

const readers: Record<string, Reader> = {
  string: (d, k) => d.same('GET', k),
  list: (d, k) => d.same('LRANGE', k, '0', '-1'),
  set: (d, k) => d.sameUnordered('SMEMBERS', k),
  hash: (d, k) => d.samePairsUnordered('HGETALL', k),
  zset: (d, k) => d.same('ZRANGE', k, '0', '-1', 'WITHSCORES'),
  stream: async (d, k) => {
    await d.same('XRANGE', k, '-', '+');
    await d.same('XINFO', 'GROUPS', k);
    await d.same('XLEN', k);
  },
};

/**
 * DUMP on Redis and on the engine, each payload RESTOREd into both servers: contents, type and
 * encoding must come out the same everywhere (so data moves both ways).
 */
async function crossRestore(d: DiffPair, key: string): Promise<void> {
  const type = (parseFrame(await d.redis.command(['TYPE', key])) as { status: string }).status;
  const read = readers[type]!;
  await read(d, key);
  const payloads = {
    redis: await payloadOf((argv) => d.redis.command(argv), key),
    engine: await payloadOf((argv) => d.engine.command(argv), key),
  };
  for (const [from, payload] of Object.entries(payloads)) {
    const copy = `${key}:from-${from}`;
    await d.same('RESTORE', copy, '0', payload);
    await d.same('TYPE', copy);
    await d.same('OBJECT', 'ENCODING', copy);
    await read(d, copy);
    await d.same('DEL', copy);
  }
}

async function both(d: DiffPair, ...argv: Array<string | Buffer>): Promise<void> {
  await d.same(...argv);
}

differential('rdb: DUMP and RESTORE in Redis 7.0 RDB encoding', (s) => {
  s.test('strings: integer encodings, raw, LZF and binary dump byte for byte', async (d) => {
    const values = [
      '',
      '0',
      '-1',
      '127',
      '128',
      '-128',
      '-129',
      '32767',
      '32768',
      '-32769',
      '2147483647',
      '2147483648',
      '-2147483648',
      '-2147483649',
      '12345678901',
      '123456789012345678',
      '9223372036854775807',
      '9223372036854775808',
      '01',
      '-0',
      '+1',
      '1.5',
      'hello',
      'a'.repeat(20),
      'a'.repeat(21),
      'a'.repeat(50),
      'abcdefghijklmnopqrstuvwxyz0123456789',
      'hello world '.repeat(100),
      'x'.repeat(70000),
    ];
    for (let i = 0; i < values.length; i++) {
      await both(d, 'SET', `s${i}`, values[i]!);
      await sameDump(d, `s${i}`);
    }
    await both(d, 'SET', 'bin', BINARY);
    await sameDump(d, 'bin');
    await crossRestore(d, 'bin');
    await crossRestore(d, 's27');
    await both(d, 'SET', 'bin-long', Buffer.concat(Array.from({ length: 40 }, () => BINARY)));
    await sameDump(d, 'bin-long');
    await d.same('DUMP', 'nosuch');
    await d.same('DUMP');
    await d.same('DUMP', 'a', 'b');
  });

  s.test('rdbcompression no writes long strings raw', async (d) => {
    await both(d, 'CONFIG', 'SET', 'rdbcompression', 'no');
    try {
      await both(d, 'SET', 'k', 'a'.repeat(100));
      await sameDump(d, 'k');
      await both(d, 'RPUSH', 'l', 'a'.repeat(100), 'b');
      await sameDump(d, 'l');
    } finally {
      await both(d, 'CONFIG', 'SET', 'rdbcompression', 'yes');
    }
  });

  s.test('lists: quicklist of listpack nodes, every integer width, many nodes', async (d) => {
    await both(d, 'RPUSH', 'l1', 'a', 'b', 'c');
    await sameDump(d, 'l1');
    const ints = ['0', '127', '128', '-1', '4095', '-4096', '4096', '32767', '-32768', '32768'];
    ints.push('8388607', '-8388608', '8388608', '2147483647', '-2147483648', '2147483648');
    ints.push('9223372036854775807', '-9223372036854775808', '9223372036854775808', '007', '-0', '1e3');
    await both(d, 'RPUSH', 'l2', ...ints);
    await sameDump(d, 'l2');
    await crossRestore(d, 'l2');
    await both(d, 'RPUSH', 'l3', BINARY, 'x'.repeat(63), 'y'.repeat(64), 'z'.repeat(4095), 'w'.repeat(4096));
    await sameDump(d, 'l3');
    await crossRestore(d, 'l3');
    const many: string[] = [];
    for (let i = 0; i < 3000; i++) many.push(`element:${i}:${'v'.repeat(i % 50)}`);
    await both(d, 'RPUSH', 'l4', ...many);
    await sameDump(d, 'l4');
    await crossRestore(d, 'l4');
    await both(d, 'RPUSH', 'l5', 'q'.repeat(10000), 'r', 's'.repeat(9000));
    await sameDump(d, 'l5');
    await crossRestore(d, 'l5');
  });

  s.test('sets: intset of each width dumps identically; hashtable sets move both ways', async (d) => {
    await both(d, 'SADD', 'i16', '3', '1', '-2', '32767');
    await sameDump(d, 'i16');
    await both(d, 'SADD', 'i32', '1', '70000', '-70000');
    await sameDump(d, 'i32');
    await both(d, 'SADD', 'i64', '1', '9223372036854775807', '-9223372036854775808');
    await sameDump(d, 'i64');
    await crossRestore(d, 'i64');
    await both(d, 'SADD', 'ht', 'a', 'b', BINARY, '1');
    await crossRestore(d, 'ht');
    const big: string[] = [];
    for (let i = 0; i < 600; i++) big.push(String(i * 7));
    await both(d, 'SADD', 'bigint', ...big);
    await crossRestore(d, 'bigint');
  });

  s.test('hashes: listpack dumps identically; hashtable hashes move both ways', async (d) => {
    await both(d, 'HSET', 'h1', 'f', 'v', 'n', '12', 'neg', '-5000', BINARY, BINARY);
    await sameDump(d, 'h1');
    await crossRestore(d, 'h1');
    await both(d, 'HSET', 'h2', 'long', 'x'.repeat(100));
    await crossRestore(d, 'h2');
    const pairs: string[] = [];
    for (let i = 0; i < 300; i++) pairs.push(`field${i}`, `value${i}`);
    await both(d, 'HSET', 'h3', ...pairs);
    await crossRestore(d, 'h3');
  });

  s.test('sorted sets: listpack and skiplist (ZSET_2) dump identically', async (d) => {
    await both(d, 'ZADD', 'z1', '1.5', 'a', '-0', 'b', '1e20', 'c', '3', 'd', 'inf', 'e', '-inf', 'f');
    await both(
      d,
      'ZADD',
      'z1',
      '1152921504606846976',
      'g',
      '0.1',
      'h',
      '-3.25e-10',
      'i',
      '4611686018427387904',
      'j',
    );
    await sameDump(d, 'z1');
    await crossRestore(d, 'z1');
    const big: string[] = [];
    for (let i = 0; i < 200; i++) big.push(String((i * 37) % 101) + (i % 3 === 0 ? '.5' : ''), `m${i}`);
    await both(d, 'ZADD', 'z2', ...big);
    await sameDump(d, 'z2');
    await crossRestore(d, 'z2');
    await both(d, 'ZADD', 'z3', '1', 'y'.repeat(100), '2', BINARY);
    await sameDump(d, 'z3');
    await crossRestore(d, 'z3');
  });

  s.test('streams: entries, groups, consumers and pending entries', async (d) => {
    for (let i = 1; i <= 150; i++) await both(d, 'XADD', 's', `${i}-1`, 'f', `v${i}`, 'g', String(i));
    await both(d, 'XADD', 's', '200-5', 'other', 'fields', 'here', BINARY);
    await both(d, 'XADD', 's', '200-6', 'f', 'v');
    await sameDump(d, 's');
    await both(d, 'XGROUP', 'CREATE', 's', 'g1', '0');
    await both(d, 'XGROUP', 'CREATE', 's', 'g0', '$');
    await sameDump(d, 's');
    await d.both('XREADGROUP', 'GROUP', 'g1', 'alice', 'COUNT', '3', 'STREAMS', 's', '>');
    await d.both('XREADGROUP', 'GROUP', 'g1', 'bob', 'COUNT', '2', 'STREAMS', 's', '>');
    await both(d, 'XACK', 's', 'g1', '2-1');
    await both(d, 'XGROUP', 'CREATECONSUMER', 's', 'g0', 'carol');
    await crossRestore(d, 's');
    await both(d, 'XADD', 'empty', 'MAXLEN', '0', '5-5', 'a', 'b');
    await sameDump(d, 'empty');
    await crossRestore(d, 'empty');
    await both(d, 'XADD', 'trimmed', '1-1', 'a', '1');
    await both(d, 'XADD', 'trimmed', '2-1', 'a', '2');
    await both(d, 'XDEL', 'trimmed', '1-1');
    await crossRestore(d, 'trimmed');
  });

  s.test('RESTORE options: REPLACE, TTL, ABSTTL, IDLETIME, FREQ', async (d) => {
    await both(d, 'SET', 'src', 'value');
    const payload = await payloadOf((argv) => d.redis.command(argv), 'src');
    await d.same('RESTORE', 'k', '0', payload);
    await d.same('RESTORE', 'k', '0', payload);
    await d.same('RESTORE', 'k', '0', payload, 'REPLACE');
    await d.same('GET', 'k');
    await d.same('RESTORE', 'k', '100000', payload, 'REPLACE');
    await d.compare(['PTTL', 'k'], (r, e) => assert.ok(Math.abs(Number(r) - Number(e)) < 1000));
    const at = String(Date.now() + 200000);
    await d.same('RESTORE', 'k2', at, payload, 'ABSTTL');
    await d.compare(['PTTL', 'k2'], (r, e) => assert.ok(Math.abs(Number(r) - Number(e)) < 1000));
    // An absolute time in the past: nothing is created; with REPLACE the old key goes.
    await d.same('RESTORE', 'k3', '1', payload, 'ABSTTL');
    await d.same('EXISTS', 'k3');
    await d.same('RESTORE', 'k', '1', payload, 'ABSTTL', 'REPLACE');
    await d.same('EXISTS', 'k');
    await both(d, 'CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru');
    try {
      await d.same('RESTORE', 'k4', '0', payload, 'IDLETIME', '100');
      await d.compare(['OBJECT', 'IDLETIME', 'k4'], (r, e) =>
        assert.ok(Math.abs(Number(r) - Number(e)) <= 1),
      );
      await both(d, 'CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lfu');
      await d.same('RESTORE', 'k5', '0', payload, 'FREQ', '10');
      await d.same('OBJECT', 'FREQ', 'k5');
    } finally {
      await both(d, 'CONFIG', 'SET', 'maxmemory-policy', 'noeviction');
    }
    await d.same('RESTORE', 'k6', '0', payload, 'replace', 'absttl', 'idletime', '0');
  });

  s.test('RESTORE errors as Redis reports them', async (d) => {
    await both(d, 'SET', 'src', 'value');
    await both(d, 'RPUSH', 'lst', 'a');
    const payload = await payloadOf((argv) => d.redis.command(argv), 'src');
    const list = await payloadOf((argv) => d.redis.command(argv), 'lst');
    await d.same('RESTORE', 'k', '0');
    await d.same('RESTORE', 'k');
    await d.same('RESTORE', 'src', '0', payload);
    await d.same('RESTORE', 'k', '-1', payload);
    await d.same('RESTORE', 'k', 'abc', payload);
    await d.same('RESTORE', 'k', '1.5', payload);
    await d.same('RESTORE', 'k', '0', 'garbage');
    await d.same('RESTORE', 'k', '0', '');
    await d.same('RESTORE', 'k', '0', payload, 'foo');
    await d.same('RESTORE', 'src', '0', payload, 'foo');
    await d.same('RESTORE', 'k', '0', payload, 'IDLETIME');
    await d.same('RESTORE', 'k', '0', payload, 'IDLETIME', '-1');
    await d.same('RESTORE', 'k', '0', payload, 'IDLETIME', 'x');
    await d.same('RESTORE', 'k', '0', payload, 'FREQ', '256');
    await d.same('RESTORE', 'k', '0', payload, 'FREQ', '-1');
    await d.same('RESTORE', 'k', '0', payload, 'FREQ', '1', 'IDLETIME', '1');
    await d.same('RESTORE', 'k', '0', payload, 'IDLETIME', '1', 'FREQ', '1');
    // A wrong checksum, a newer RDB version, a damaged body with a good checksum.
    const flipped = Buffer.from(payload);
    flipped[2] = flipped[2]! ^ 1;
    await d.same('RESTORE', 'k', '0', flipped);
    const newer = Buffer.from(payload);
    newer[newer.length - 10] = 11;
    await d.same('RESTORE', 'k', '0', newer);
    const noCrc = Buffer.from(list);
    noCrc.fill(0, noCrc.length - 8);
    await d.same('RESTORE', 'k', '0', noCrc);
    await d.same('RESTORE', 'k', '0', withCrc(Buffer.from([0x00, 0x05, 0x61, 0x0a, 0x00])));
    await d.same('RESTORE', 'k', '0', withCrc(Buffer.from([0x0e, 0x01, 0x0a, 0x00])));
    await d.same('RESTORE', 'k', '0', withCrc(Buffer.from([0x63, 0x00, 0x0a, 0x00])));
    // An LZF string claiming 100 MB from 3 bytes.
    const lzfClaim = [0x00, 0xc3, 0x03, 0x80, 0x05, 0xf5, 0xe1, 0x00, 0x00, 0x61, 0x62, 0x0a, 0x00];
    await d.same('RESTORE', 'k', '0', withCrc(Buffer.from(lzfClaim)));
    // A list claiming 2^32-1 nodes with one present.
    await d.same(
      'RESTORE',
      'k',
      '0',
      withCrc(Buffer.from([0x12, 0x80, 0xff, 0xff, 0xff, 0xff, 0x02, 0x0a, 0x00])),
    );
    await d.same('EXISTS', 'k');
  });

  s.test('RESTORE fires the restore keyspace event and wakes nothing up wrongly', async (d) => {
    await both(d, 'CONFIG', 'SET', 'notify-keyspace-events', 'KEA');
    try {
      const sub = await d.pair();
      await sub.same('SUBSCRIBE', '__keyevent@0__:restore', '__keyevent@0__:del');
      await both(d, 'SET', 'src', 'v');
      const payload = await payloadOf((argv) => d.redis.command(argv), 'src');
      await d.same('RESTORE', 'k', '0', payload);
      await sub.sameNext();
      await d.same('RESTORE', 'k', '1', payload, 'ABSTTL', 'REPLACE');
      await sub.sameNext();
      sub.close();
    } finally {
      await both(d, 'CONFIG', 'SET', 'notify-keyspace-events', '');
    }
  });
});

export type { ParsedReply };
