import assert from 'node:assert/strict';
import { type DiffPair, differential } from '@redkit/test-utils';

/** Deterministic pseudo-random numbers (mulberry32), so both servers get the same inputs. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function binaryElements(count: number, seed: number, maxLength = 40): Buffer[] {
  const next = random(seed);
  const out: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const b = Buffer.alloc(Math.floor(next() * (maxLength + 1)));
    for (let j = 0; j < b.length; j++) b[j] = Math.floor(next() * 256);
    out.push(b);
  }
  return out;
}

const range = (from: number, to: number, prefix = 'e:') =>
  Array.from({ length: to - from }, (_, i) => `${prefix}${from + i}`);

/** A 12304-byte dense value with every register set by `register(i)` (cache marked stale). */
function denseValue(register: (i: number) => number, card?: Buffer): Buffer {
  const b = Buffer.alloc(12305);
  b.write('HYLL', 0, 'latin1');
  if (card) card.copy(b, 8);
  else b[15] = 0x80;
  for (let i = 0; i < 16384; i++) {
    const v = register(i);
    const bit = i * 6;
    const at = 16 + (bit >>> 3);
    const shift = bit & 7;
    b[at] = b[at]! | ((v << shift) & 0xff);
    b[at + 1] = b[at + 1]! | (v >>> (8 - shift));
  }
  return b.subarray(0, 12304);
}

function sparseValue(opcodes: number[], staleCache = true): Buffer {
  const header = Buffer.alloc(16);
  header.write('HYLL', 0, 'latin1');
  header[4] = 1;
  if (staleCache) header[15] = 0x80;
  return Buffer.concat([header, Buffer.from(opcodes)]);
}

/** Copies a value from one server to both (as a client moving it with GET/SET would). */
async function copyValue(d: DiffPair, from: 'redis' | 'engine', key: string, to: string): Promise<void> {
  const reply = await (from === 'redis' ? d.redis : d.engine).command(['GET', key]);
  const text = reply.toString('latin1');
  const body = text.slice(text.indexOf('\r\n') + 2, -2);
  await d.same('SET', to, Buffer.from(body, 'latin1'));
}

differential('hyperloglog', (s) => {
  s.test('PFADD return values, sparse bytes and encodings', async (d) => {
    await d.same('PFADD', 'h');
    await d.same('GET', 'h');
    await d.same('PFADD', 'h');
    await d.same('PFCOUNT', 'h');
    await d.same('GET', 'h');
    await d.same('PFADD', 'h', 'a', 'b', 'c');
    await d.same('PFADD', 'h', 'a', 'b', 'c');
    await d.same('PFADD', 'h', 'c', 'd');
    await d.same('GET', 'h');
    await d.same('PFDEBUG', 'DECODE', 'h');
    await d.same('PFDEBUG', 'ENCODING', 'h');
    await d.same('OBJECT', 'ENCODING', 'h');
    await d.same('STRLEN', 'h');
    await d.same('TYPE', 'h');
    await d.same('PFADD', 'fresh', 'x');
    await d.same('OBJECT', 'ENCODING', 'fresh');
    await d.same('PFCOUNT', 'fresh');
    await d.same('GET', 'fresh');
    await d.same('PFADD', 'empty', '');
    await d.same('GET', 'empty');
    await d.same('PFADD', 'bin', 'a\r\nb', '\x00', '\xff\xfe');
    await d.same('GET', 'bin');
    // PFADD keeps the TTL: the value is modified in place.
    await d.same('EXPIRE', 'h', '1000');
    await d.same('PFADD', 'h', 'zzz');
    await d.same('TTL', 'h');
    // A short HLL written with SET is embstr until an HLL command touches it.
    await d.same('SET', 'copy', Buffer.from((await d.same('GET', 'fresh')) as string, 'latin1'));
    await d.same('OBJECT', 'ENCODING', 'copy');
    await d.same('PFCOUNT', 'copy');
    await d.same('OBJECT', 'ENCODING', 'copy');
  });

  s.test('PFCOUNT and raw bytes from 0 to 100,000 elements', async (d) => {
    let added = 0;
    const steps = [1, 2, 5, 10, 20, 50, 100, 200, 300, 500, 700, 1000, 1500, 2000, 3000, 5000, 7000];
    for (let n = 10_000; n <= 100_000; n += 5_000) steps.push(n);
    for (const target of steps) {
      await d.same('PFADD', 'big', ...range(added, target));
      added = target;
      await d.same('PFCOUNT', 'big');
      await d.same('PFCOUNT', 'big');
      await d.same('PFDEBUG', 'ENCODING', 'big');
      if (target <= 2000 || target % 20_000 === 0) await d.same('GET', 'big');
    }
    await d.same('STRLEN', 'big');
    // Adding elements already counted changes nothing.
    await d.same('PFADD', 'big', ...range(0, 1000));
    await d.same('GET', 'big');
  });

  s.test('one element at a time, binary elements of every length', async (d) => {
    const elements = binaryElements(600, 7, 70);
    for (const e of elements) await d.same('PFADD', 'bin', e);
    await d.same('GET', 'bin');
    await d.same('PFCOUNT', 'bin');
    for (let i = 0; i < 300; i++) {
      await d.same('PFADD', 'dense', ...binaryElements(20, 1000 + i, 24));
      if (i % 50 === 0) await d.same('PFCOUNT', 'dense');
    }
    await d.same('PFDEBUG', 'ENCODING', 'dense');
    await d.same('GET', 'dense');
    await d.same('PFCOUNT', 'dense');
    await d.same('PFDEBUG', 'GETREG', 'dense');
  });

  s.test('sparse to dense promotion follows hll-sparse-max-bytes', async (d) => {
    for (const max of ['0', '30', '100', '500']) {
      await d.same('CONFIG', 'SET', 'hll-sparse-max-bytes', max);
      const key = `p${max}`;
      for (let i = 0; i < 200; i += 5) {
        await d.same('PFADD', key, ...range(i, i + 5, `${max}:`));
        await d.same('PFDEBUG', 'ENCODING', key);
      }
      await d.same('GET', key);
      await d.same('PFCOUNT', key);
    }
    await d.same('CONFIG', 'SET', 'hll-sparse-max-bytes', '3000');
    await d.same('PFADD', 'small', ...range(0, 50));
    await d.same('PFDEBUG', 'TODENSE', 'small');
    await d.same('PFDEBUG', 'TODENSE', 'small');
    await d.same('GET', 'small');
    await d.same('PFADD', 'small2', ...range(0, 50));
    await d.same('PFDEBUG', 'GETREG', 'small2');
    await d.same('PFDEBUG', 'ENCODING', 'small2');
    await d.same('GET', 'small2');
  });

  s.test('PFMERGE of sparse and dense sketches, and multi-key PFCOUNT', async (d) => {
    await d.same('PFADD', 's1', ...range(0, 100));
    await d.same('PFADD', 's2', ...range(50, 300));
    await d.same('PFADD', 'd1', ...range(200, 20_000));
    await d.same('PFCOUNT', 's1', 's2');
    await d.same('PFCOUNT', 's1', 's2', 'missing', 'd1');
    await d.same('PFCOUNT', 'missing', 'missing2');
    await d.same('PFCOUNT', 's1', 's1');
    // Multi-key PFCOUNT stores nothing: the cached cardinalities stay stale.
    await d.same('GET', 's1');
    await d.same('PFMERGE', 'm1', 's1', 's2');
    await d.same('GET', 'm1');
    await d.same('PFDEBUG', 'ENCODING', 'm1');
    await d.same('PFCOUNT', 'm1');
    await d.same('PFMERGE', 'm2', 's1', 'd1');
    await d.same('PFDEBUG', 'ENCODING', 'm2');
    await d.same('GET', 'm2');
    await d.same('PFCOUNT', 'm2');
    await d.same('PFMERGE', 's1', 's2');
    await d.same('GET', 's1');
    await d.same('PFMERGE', 's1');
    await d.same('GET', 's1');
    await d.same('PFMERGE', 'nothing');
    await d.same('GET', 'nothing');
    await d.same('PFMERGE', 'nothing2', 'missing');
    await d.same('GET', 'nothing2');
    await d.same('PFMERGE', 'd1', 's2');
    await d.same('GET', 'd1');
    await d.same('PFCOUNT', 'd1');
    // A sparse merge that outgrows hll-sparse-max-bytes is promoted midway.
    await d.same('CONFIG', 'SET', 'hll-sparse-max-bytes', '200');
    await d.same('PFMERGE', 'm3', 's2');
    await d.same('PFDEBUG', 'ENCODING', 'm3');
    await d.same('GET', 'm3');
    await d.same('CONFIG', 'SET', 'hll-sparse-max-bytes', '3000');
    await d.same('PFCOUNT', 'm3', 'm2', 's1');
  });

  s.test('values move between Redis and the engine with GET/SET', async (d) => {
    await d.same('PFADD', 'a', ...range(0, 120));
    await d.same('PFADD', 'b', ...range(0, 30_000));
    for (const from of ['redis', 'engine'] as const) {
      await copyValue(d, from, 'a', `${from}:a`);
      await copyValue(d, from, 'b', `${from}:b`);
      await d.same('PFCOUNT', `${from}:a`);
      await d.same('PFADD', `${from}:a`, ...range(500, 700));
      await d.same('PFADD', `${from}:b`, ...range(29_000, 31_000));
      await d.same('PFCOUNT', `${from}:a`);
      await d.same('PFCOUNT', `${from}:b`);
      await d.same('PFMERGE', `${from}:m`, `${from}:a`, `${from}:b`);
      await d.same('GET', `${from}:a`);
      await d.same('GET', `${from}:m`);
    }
    // The engine's bytes, loaded into Redis, give Redis's own answers (and vice versa).
    const fromEngine = ((await d.engine.command(['GET', 'engine:m'])) as Buffer).toString('latin1');
    const fromRedis = ((await d.redis.command(['GET', 'redis:m'])) as Buffer).toString('latin1');
    assert.equal(fromEngine, fromRedis);
  });

  s.test('hand-made dense and sparse values, including corrupt ones', async (d) => {
    // Registers above 32 cannot be sparse: a merge into a sparse key promotes it.
    await d.same(
      'SET',
      'high',
      denseValue((i) => (i % 97 === 0 ? 40 : i % 5)),
    );
    await d.same('PFCOUNT', 'high');
    await d.same('GET', 'high');
    await d.same('PFADD', 'sp', 'a', 'b');
    await d.same('PFMERGE', 'sp', 'high');
    await d.same('PFDEBUG', 'ENCODING', 'sp');
    await d.same('GET', 'sp');
    // Registers 52..63 are ignored by the estimator; a saturated sketch overflows.
    await d.same(
      'SET',
      'sat',
      denseValue(() => 63),
    );
    await d.same('PFCOUNT', 'sat');
    await d.same('PFCOUNT', 'sat');
    await d.same('GET', 'sat');
    await d.same(
      'SET',
      'sat51',
      denseValue(() => 51),
    );
    await d.same('PFCOUNT', 'sat51');
    await d.same('PFCOUNT', 'sat51', 'high');
    await d.same(
      'SET',
      'mixed',
      denseValue((i) => (i * 7) % 64),
    );
    await d.same('PFCOUNT', 'mixed');
    await d.same('PFMERGE', 'mixed2', 'mixed', 'sp');
    await d.same('GET', 'mixed2');
    // A valid cached cardinality is returned as is, even a huge one.
    const card = Buffer.from([1, 2, 3, 4, 5, 6, 7, 0x7f]);
    await d.same(
      'SET',
      'cached',
      denseValue(() => 1, card),
    );
    await d.same('PFCOUNT', 'cached');
    await d.same(
      'SET',
      'cached2',
      denseValue(() => 1, Buffer.from([9, 0, 0, 0, 0, 0, 0, 0])),
    );
    await d.same('PFCOUNT', 'cached2');
    // Sparse values with unusual but valid opcodes.
    await d.same('SET', 'odd', sparseValue([0x00, 0x84, 0x40, 0x05, 0x7f, 0xff - 7, 0x83]));
    await d.same('PFCOUNT', 'odd');
    await d.same('PFDEBUG', 'DECODE', 'odd');
    const odd = [0x00, 0x84, 0x40, 0x05, 0x7f, 0xff - 8, 0x83, 0x88];
    await d.same('SET', 'odd2', sparseValue([0x3f, 0x40, 0x00, ...odd.slice(2)]));
    await d.same('PFDEBUG', 'DECODE', 'odd2');
    await d.same('PFCOUNT', 'odd2');
    await d.same('PFADD', 'odd2', ...range(0, 40));
    await d.same('GET', 'odd2');
    // Corrupt sparse values: too few or too many registers.
    await d.same('SET', 'short', sparseValue([0x7f, 0x00]));
    await d.same('PFCOUNT', 'short');
    await d.same('PFADD', 'short', ...range(0, 50));
    await d.same('GET', 'short');
    await d.same('PFCOUNT', 'short', 'sp');
    await d.same('PFMERGE', 'x', 'short');
    await d.same('PFDEBUG', 'TODENSE', 'short');
    await d.same('PFDEBUG', 'GETREG', 'short');
    await d.same('PFDEBUG', 'DECODE', 'short');
    await d.same('SET', 'long', sparseValue([0x7f, 0xff, 0x80]));
    await d.same('PFCOUNT', 'long');
    await d.same('PFADD', 'long', 'a');
    await d.same('PFMERGE', 'x', 'long');
    await d.same('SET', 'headonly', sparseValue([]));
    await d.same('PFADD', 'headonly', 'a');
    await d.same('PFDEBUG', 'DECODE', 'headonly');
    await d.same('PFCOUNT', 'headonly');
    // A stale-free cache hides the corruption from PFCOUNT.
    await d.same('SET', 'hidden', sparseValue([0x7f, 0x00], false));
    await d.same('PFCOUNT', 'hidden');
    await d.same('PFCOUNT', 'hidden', 'hidden');
  });

  s.test('random sparse opcode streams (valid and corrupt)', async (d) => {
    const next = random(42);
    const pick = (n: number) => Math.floor(next() * n);
    for (let round = 0; round < 60; round++) {
      const ops: number[] = [];
      let total = 0;
      const target = round % 5 === 4 ? 16384 + pick(3) - 1 : 16384;
      while (total < target) {
        const left = target - total;
        const kind = pick(3);
        if (kind === 0) {
          const run = Math.min(left, 1 + pick(64));
          ops.push(run - 1);
          total += run;
        } else if (kind === 1) {
          const run = Math.min(left, 1 + pick(round % 2 ? 300 : 16384));
          ops.push(0x40 | ((run - 1) >>> 8), (run - 1) & 0xff);
          total += run;
        } else {
          const run = Math.min(left, 1 + pick(4));
          ops.push(0x80 | (pick(32) << 2) | (run - 1));
          total += run;
        }
      }
      const key = `r${round}`;
      await d.same('SET', key, sparseValue(ops, round % 3 === 0));
      await d.same('PFCOUNT', key);
      await d.same('PFADD', key, ...binaryElements(1 + pick(60), round, 12));
      await d.same('GET', key);
      await d.same('PFCOUNT', key, 'r0');
      await d.same('PFMERGE', `m${round}`, key, `r${round >> 1}`);
      await d.same('GET', `m${round}`);
      await d.same('PFDEBUG', 'DECODE', key);
    }
  });

  s.test('WRONGTYPE: foreign strings and other types', async (d) => {
    await d.same('SET', 'str', 'hello world, this is not an HLL');
    await d.same('SET', 'num', '12345678901234567');
    await d.same('SET', 'hdr', 'HYLL');
    await d.same('SET', 'enc2', sparseValue([0x7f, 0xff]).fill(2, 4, 5));
    await d.same('SET', 'denseShort', denseValue(() => 1).subarray(0, 12303));
    await d.same('SET', 'denseLong', Buffer.concat([denseValue(() => 1), Buffer.from([0])]));
    await d.same('SET', 'magic', Buffer.concat([Buffer.from('HYLX'), sparseValue([0x7f, 0xff]).subarray(4)]));
    await d.same('RPUSH', 'list', 'a');
    for (const key of ['str', 'num', 'hdr', 'enc2', 'denseShort', 'denseLong', 'magic', 'list']) {
      await d.same('PFADD', key, 'a');
      await d.same('PFADD', key);
      await d.same('PFCOUNT', key);
      await d.same('PFCOUNT', 'missing', key);
      await d.same('PFMERGE', 'dest', key);
      await d.same('PFMERGE', key, 'missing');
      await d.same('PFDEBUG', 'ENCODING', key);
      await d.same('PFDEBUG', 'NOSUCH', key);
    }
    await d.same('EXISTS', 'dest');
    await d.same('APPEND', 'str', 'x');
    await d.same('PFADD', 'h', 'a');
    await d.same('APPEND', 'h', 'junk');
    await d.same('PFCOUNT', 'h');
    await d.same('PFADD', 'h', 'b');
    await d.same('GET', 'h');
  });

  s.test('arity and PFDEBUG errors', async (d) => {
    await d.same('PFADD');
    await d.same('PFCOUNT');
    await d.same('PFMERGE');
    await d.same('PFDEBUG');
    await d.same('PFDEBUG', 'GETREG');
    await d.same('PFDEBUG', 'GETREG', 'h', 'x');
    await d.same('PFSELFTEST', 'x');
    await d.same('PFDEBUG', 'GETREG', 'missing');
    await d.same('PFDEBUG', 'nosuch', 'missing');
    await d.same('PFADD', 'h', ...range(0, 20));
    await d.same('PFDEBUG', 'nosuch', 'h');
    await d.same('PFDEBUG', 'bad\r\nname', 'h');
    await d.same('PFDEBUG', 'decode', 'h');
    await d.same('PFDEBUG', 'Encoding', 'h');
    await d.same('PFDEBUG', 'getreg', 'h');
    await d.same('PFDEBUG', 'DECODE', 'h');
    await d.same('PFDEBUG', 'todense', 'h');
    await d.same('GET', 'h');
    await d.same('PFSELFTEST');
    // PFCOUNT's key-spec notes live in the shared command metadata, so it is left out here.
    await d.same('COMMAND', 'INFO', 'pfadd', 'pfcount', 'pfmerge', 'pfdebug', 'pfselftest');
  });

  s.test('RESP3 replies', async (d) => {
    await d.resp3();
    await d.same('PFADD', 'h', 'a', 'b');
    await d.same('PFADD', 'h', 'a');
    await d.same('PFCOUNT', 'h');
    await d.same('PFCOUNT', 'h', 'nope');
    await d.same('PFMERGE', 'm', 'h');
    await d.same('PFDEBUG', 'ENCODING', 'm');
    await d.same('PFDEBUG', 'DECODE', 'm');
    await d.same('PFDEBUG', 'GETREG', 'm');
    await d.same(
      'SET',
      'sat',
      denseValue(() => 63),
    );
    await d.same('PFCOUNT', 'sat');
    await d.same('PFADD', 'sat', 'x');
    await d.same('SET', 's', 'x');
    await d.same('PFCOUNT', 's');
  });

  s.test('transactions, WATCH and keyspace events', async (d) => {
    await d.same('PFADD', 'h', 'a');
    await d.same('WATCH', 'h');
    // Refreshing the stale cached cardinality rewrites the value: WATCH notices.
    await d.same('PFCOUNT', 'h');
    await d.same('MULTI');
    await d.same('PFADD', 'h', 'b');
    await d.same('EXEC');
    await d.same('WATCH', 'h');
    await d.same('PFCOUNT', 'h');
    await d.same('PFADD', 'h', 'b');
    await d.same('MULTI');
    await d.same('PFCOUNT', 'h');
    await d.same('EXEC');
    await d.same('MULTI');
    await d.same('PFADD', 'h', 'c');
    await d.same('PFCOUNT', 'h', 'h2');
    await d.same('PFMERGE', 'h2', 'h');
    await d.same('PFDEBUG', 'ENCODING', 'h2');
    await d.same('EXEC');

    const sub = await d.pair();
    await d.same('CONFIG', 'SET', 'notify-keyspace-events', 'KEA');
    await sub.same('PSUBSCRIBE', '__key*__:*');
    await d.same('PFADD', 'n', 'a');
    await sub.sameNext();
    await sub.sameNext();
    await d.same('PFADD', 'n', 'a');
    await d.same('PFCOUNT', 'n');
    await d.same('PFMERGE', 'n2', 'n');
    await sub.sameNext();
    await sub.sameNext();
    await d.same('CONFIG', 'SET', 'notify-keyspace-events', '');
    sub.close();
  });
});
