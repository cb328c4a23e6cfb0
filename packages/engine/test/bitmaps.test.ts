import { type DiffPair, differential } from '@redkit/test-utils';

const BINARY = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join('');

/** A key of another type, for WRONGTYPE checks. */
async function makeOtherType(d: DiffPair, key: string): Promise<void> {
  await d.same('SADD', key, 'a', 'b');
}

let seed = 12345;
function random(): number {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
}
function randomBytes(n: number, density = 0.5): string {
  let out = '';
  for (let i = 0; i < n; i++) {
    const r = random();
    out += String.fromCharCode(r < density / 3 ? 0 : r > 1 - density / 3 ? 255 : Math.floor(random() * 256));
  }
  return out;
}

differential('bitmaps', (s) => {
  s.test('SETBIT and GETBIT', async (d) => {
    await d.same('SETBIT', 'b', '7', '1');
    await d.same('SETBIT', 'b', '7', '1');
    await d.same('SETBIT', 'b', '7', '0');
    await d.same('SETBIT', 'b', '100', '1');
    await d.same('SETBIT', 'b', '50', '0');
    await d.same('GET', 'b');
    await d.same('STRLEN', 'b');
    for (const off of ['0', '7', '8', '99', '100', '101', '1000', '4294967295'])
      await d.same('GETBIT', 'b', off);
    await d.same('GETBIT', 'missing', '5');
    await d.same('SETBIT', 'grow', '31', '0');
    await d.same('GET', 'grow');
    for (const bad of [
      '-1',
      'x',
      '1.5',
      '4294967296',
      '9223372036854775807',
      '9223372036854775808',
      '#1',
      ' 1',
      '',
    ]) {
      await d.same('SETBIT', 'b', bad, '1');
      await d.same('GETBIT', 'b', bad);
      await d.same('GETBIT', 'missing', bad);
    }
    for (const bad of ['2', '-1', 'x', '01', '', '1.0', '9223372036854775808']) {
      await d.same('SETBIT', 'b', '1', bad);
    }
    await d.same('SET', 'n', '12');
    await d.same('GETBIT', 'n', '2');
    await d.same('GETBIT', 'n', '3');
    await d.same('SETBIT', 'n', '6', '1');
    await d.same('GET', 'n');
    await makeOtherType(d, 'set');
    await d.same('SETBIT', 'set', '1', '1');
    await d.same('GETBIT', 'set', '1');
    await d.same('SETBIT', 'set', '-1', '1');
    await d.same('SETEX', 'ttl', '100', 'v');
    await d.same('SETBIT', 'ttl', '100', '1');
    await d.same('TTL', 'ttl');
    await d.same('SETBIT', 'b', '1');
    await d.same('GETBIT', 'b');
  });

  s.test('big bitmaps: repeated writes stay consistent with other writers', async (d) => {
    for (let i = 0; i < 50; i++) {
      const offset = String(Math.floor(random() * 80_000));
      await d.same('SETBIT', 'big', offset, String(i & 1));
      if (i % 10 === 0)
        await d.same('BITFIELD', 'big', 'INCRBY', 'u16', String(Math.floor(random() * 90_000)), '1000');
      if (i % 10 === 5) await d.same('APPEND', 'big', 'tail');
      if (i % 15 === 7) await d.same('SETRANGE', 'big', '100', 'patch');
      if (i % 20 === 9) await d.same('SET', 'big', randomBytes(9000));
      if (i % 7 === 0) await d.same('GET', 'big');
    }
    await d.same('GET', 'big');
    await d.same('BITCOUNT', 'big');
    await d.same('BITCOUNT', 'big', '5', '-5', 'BIT');
    await d.same('BITPOS', 'big', '0', '100');
    await d.same('COPY', 'big', 'copy');
    await d.same('SETBIT', 'copy', '1', '1');
    await d.same('SETBIT', 'big', '2', '1');
    await d.same('MGET', 'big', 'copy');
    await d.same('SELECT', '1');
    await d.same('SETBIT', 'big', '40000', '1');
    await d.same('GET', 'big');
    await d.same('SELECT', '0');
    await d.same('SETBIT', 'big', '40001', '1');
    await d.same('GET', 'big');
    await d.same('FLUSHDB');
    await d.same('SETBIT', 'big', '40002', '1');
    await d.same('GET', 'big');
  });

  s.test('BITCOUNT with BYTE and BIT ranges', async (d) => {
    await d.same('SET', 'k', 'foobar');
    await d.same('BITCOUNT', 'k');
    await d.same('SET', 'bin', BINARY);
    await d.same('SET', 'empty', '');
    await d.same('SET', 'n', '-1234567');
    const idx = [
      '0',
      '1',
      '2',
      '5',
      '7',
      '8',
      '9',
      '-1',
      '-2',
      '-6',
      '-7',
      '-8',
      '-100',
      '100',
      '2047',
      '2048',
      '9223372036854775807',
      '-9223372036854775808',
    ];
    for (const key of ['k', 'bin', 'empty', 'n']) {
      await d.same('BITCOUNT', key);
      for (const a of idx) {
        for (const b of idx) {
          await d.same('BITCOUNT', key, a, b);
          await d.same('BITCOUNT', key, a, b, 'BIT');
          await d.same('BITCOUNT', key, a, b, 'byte');
        }
      }
    }
    await d.same('BITCOUNT', 'missing');
    await d.same('BITCOUNT', 'missing', 'a', 'b', 'c', 'd');
    await d.same('BITCOUNT', 'k', '0');
    await d.same('BITCOUNT', 'k', '0', '1', 'BITS');
    await d.same('BITCOUNT', 'k', '-1', '-2', 'BITS');
    await d.same('BITCOUNT', 'k', '0', '1', 'BIT', 'extra');
    await d.same('BITCOUNT', 'k', 'a', '1');
    await d.same('BITCOUNT', 'k', '1', 'b');
    await d.same('BITCOUNT', 'k', '1', 'b', 'BIT');
    await makeOtherType(d, 'set');
    await d.same('BITCOUNT', 'set');
    await d.same('BITCOUNT', 'set', 'a', 'b');
    await d.same('BITCOUNT');
    await d.same('SET', 'long', randomBytes(5000));
    await d.same('BITCOUNT', 'long');
    await d.same('BITCOUNT', 'long', '13', '-17', 'BIT');
    await d.same('BITCOUNT', 'long', '3', '4000');
  });

  s.test('BITPOS: ranges, BIT units and the "no end given" rules', async (d) => {
    await d.same('SET', 'ones', '\xff\xff\xff');
    await d.same('SET', 'zeros', '\0\0\0');
    await d.same('SET', 'mixed', '\xff\xf0\0');
    await d.same('SET', 'k', '\x00\xff\xf0');
    await d.same('SET', 'empty', '');
    await d.same('SET', 'bin', BINARY);
    const idx = [
      '0',
      '1',
      '2',
      '3',
      '-1',
      '-2',
      '-3',
      '-4',
      '7',
      '8',
      '9',
      '15',
      '16',
      '17',
      '23',
      '24',
      '100',
      '-100',
    ];
    for (const key of ['ones', 'zeros', 'mixed', 'k', 'empty', 'missing']) {
      for (const bit of ['0', '1']) {
        await d.same('BITPOS', key, bit);
        for (const a of idx) {
          await d.same('BITPOS', key, bit, a);
          for (const b of idx) {
            await d.same('BITPOS', key, bit, a, b);
            await d.same('BITPOS', key, bit, a, b, 'BIT');
            await d.same('BITPOS', key, bit, a, b, 'BYTE');
          }
        }
      }
    }
    for (const bit of ['0', '1']) {
      await d.same('BITPOS', 'bin', bit, '3', '-3', 'BIT');
      await d.same('BITPOS', 'bin', bit, '255', '2040', 'BIT');
      await d.same('BITPOS', 'bin', bit, '8');
    }
    for (const bad of ['2', '-1', 'x', '', '01']) {
      await d.same('BITPOS', 'k', bad);
      await d.same('BITPOS', 'missing', bad);
    }
    await d.same('BITPOS', 'missing', '1', 'x', 'y', 'z', 'w');
    await d.same('BITPOS', 'k', '1', 'x');
    await d.same('BITPOS', 'k', '1', '0', 'y');
    await d.same('BITPOS', 'k', '1', '0', '1', 'BITS');
    await d.same('BITPOS', 'k', '1', '0', 'y', 'BITS');
    await d.same('BITPOS', 'k', '1', '0', 'y', 'BIT');
    await d.same('BITPOS', 'k', '1', '0', '1', 'BIT', 'extra');
    await makeOtherType(d, 'set');
    await d.same('BITPOS', 'set', '1');
    await d.same('BITPOS', 'set', '2');
    await d.same('BITPOS', 'k');
    for (let round = 0; round < 40; round++) {
      const len = 1 + Math.floor(random() * 40);
      await d.same('SET', 'r', randomBytes(len, 0.9));
      for (const bit of ['0', '1']) {
        const a = String(Math.floor(random() * len * 10) - len * 5);
        const b = String(Math.floor(random() * len * 10) - len * 5);
        await d.same('BITPOS', 'r', bit, a, b, 'BIT');
        await d.same('BITPOS', 'r', bit, a, 'BIT'.length > 0 ? b : b);
        await d.same('BITPOS', 'r', bit, a);
      }
    }
  });

  s.test('BITOP AND, OR, XOR, NOT', async (d) => {
    await d.same('SET', 'a', 'foobar');
    await d.same('SET', 'b', 'abcdef\xff\x01');
    await d.same('SET', 'c', BINARY);
    for (const op of ['AND', 'OR', 'XOR', 'and', 'Or', 'xOr']) {
      await d.same('BITOP', op, 'dest', 'a', 'b');
      await d.same('GET', 'dest');
      await d.same('BITOP', op, 'dest', 'a', 'b', 'c', 'missing');
      await d.same('GET', 'dest');
      await d.same('BITOP', op, 'dest', 'c');
      await d.same('GET', 'dest');
      await d.same('BITOP', op, 'dest', 'missing', 'a');
      await d.same('GET', 'dest');
    }
    const long1 = randomBytes(300);
    const long2 = randomBytes(200);
    await d.same('MSET', 'l1', long1, 'l2', long2);
    for (const op of ['AND', 'OR', 'XOR']) {
      await d.same('BITOP', op, 'dest', 'l1', 'l2', 'l1', 'c');
      await d.same('GET', 'dest');
    }
    await d.same('BITOP', 'NOT', 'dest', 'c');
    await d.same('GET', 'dest');
    await d.same('BITOP', 'NOT', 'dest', 'l1');
    await d.same('GET', 'dest');
    await d.same('BITOP', 'NOT', 'dest', 'a', 'b');
    await d.same('BITOP', 'not', 'dest');
    await d.same('BITOP', 'NOT', 'dest', 'missing');
    await d.same('EXISTS', 'dest');
    await d.same('SET', 'dest', 'x');
    await d.same('BITOP', 'AND', 'dest', 'missing', 'missing2');
    await d.same('EXISTS', 'dest');
    await d.same('SET', 'empty', '');
    await d.same('BITOP', 'OR', 'dest', 'empty');
    await d.same('EXISTS', 'dest');
    await d.same('BITOP', 'NAND', 'dest', 'a');
    await d.same('BITOP', 'AND\0', 'dest', 'a');
    await d.same('BITOP', 'AND', 'dest');
    await makeOtherType(d, 'set');
    await d.same('BITOP', 'AND', 'dest', 'a', 'set');
    await d.same('BITOP', 'AND', 'set', 'a');
    await d.same('GET', 'set');
    await d.same('SETEX', 'ttl', '100', 'v');
    await d.same('BITOP', 'OR', 'ttl', 'a');
    await d.same('TTL', 'ttl');
    await d.same('SET', 'n', '123');
    await d.same('BITOP', 'XOR', 'dest', 'n', 'a');
    await d.same('GET', 'dest');
  });

  s.test('BITFIELD GET, SET, INCRBY with every overflow mode', async (d) => {
    await d.same(
      'BITFIELD',
      'bf',
      'SET',
      'i8',
      '0',
      '100',
      'GET',
      'i8',
      '0',
      'GET',
      'u4',
      '0',
      'GET',
      'u4',
      '4',
    );
    await d.same('BITFIELD', 'bf', 'INCRBY', 'i8', '0', '100');
    await d.same(
      'BITFIELD',
      'bf',
      'OVERFLOW',
      'SAT',
      'INCRBY',
      'i8',
      '0',
      '100',
      'INCRBY',
      'i8',
      '0',
      '-1000',
    );
    await d.same(
      'BITFIELD',
      'bf',
      'OVERFLOW',
      'FAIL',
      'INCRBY',
      'i8',
      '0',
      '-1',
      'INCRBY',
      'i8',
      '0',
      '-1000',
    );
    await d.same('BITFIELD', 'bf', 'GET', 'i8', '0');
    await d.same('GET', 'bf');
    const types = [
      'i1',
      'i2',
      'i7',
      'i8',
      'i9',
      'i16',
      'i31',
      'i32',
      'i33',
      'i63',
      'i64',
      'u1',
      'u2',
      'u7',
      'u8',
      'u9',
      'u16',
      'u31',
      'u32',
      'u33',
      'u62',
      'u63',
    ];
    const values = [
      '0',
      '1',
      '-1',
      '5',
      '127',
      '128',
      '-128',
      '-129',
      '255',
      '256',
      '65535',
      '2147483647',
      '-2147483648',
      '4294967296',
      '9223372036854775807',
      '-9223372036854775808',
      '4611686018427387904',
    ];
    for (const mode of ['WRAP', 'SAT', 'FAIL']) {
      for (const type of types) {
        await d.same('DEL', 'f');
        for (const v of values) {
          await d.same('BITFIELD', 'f', 'OVERFLOW', mode, 'SET', type, '3', v, 'GET', type, '3');
          await d.same('BITFIELD', 'f', 'OVERFLOW', mode, 'INCRBY', type, '3', v);
        }
        await d.same('GET', 'f');
      }
    }
    await d.same(
      'BITFIELD',
      'h',
      'SET',
      'u8',
      '#1',
      '255',
      'SET',
      'i4',
      '#3',
      '-3',
      'GET',
      'u8',
      '#0',
      'GET',
      'u8',
      '#1',
      'GET',
      'i4',
      '#3',
    );
    await d.same('GET', 'h');
    await d.same('BITFIELD', 'h', 'SET', 'u8', '#288230376151711744', '1');
    await d.same('BITFIELD', 'h', 'GET', 'i64', '#144115188075855872');
    await d.same('BITFIELD', 'h', 'GET', 'u8', '#-1');
    await d.same('BITFIELD', 'h', 'GET', 'u8', '#');
    await d.same('BITFIELD', 'h', 'GET', 'u8', '##1');
    await d.same('BITFIELD', 'h', 'GET', 'u8', '#536870912');
    await d.same('BITFIELD', 'h', 'GET', 'u8', '#536870911');
    await d.same('BITFIELD', 'h', 'GET', 'u8', '4294967295', 'GET', 'i64', '4294967290');
    await d.same('BITFIELD', 'missing', 'GET', 'u8', '0', 'GET', 'i5', '100');
    await d.same('EXISTS', 'missing');
    await d.same('BITFIELD', 'missing');
    await d.same('BITFIELD', 'h');
    await d.same('BITFIELD', 'new', 'OVERFLOW', 'FAIL', 'SET', 'u2', '10', '7');
    await d.same('EXISTS', 'new');
    await d.same('GET', 'new');
    await d.same('BITFIELD', 'new', 'OVERFLOW', 'FAIL', 'SET', 'u2', '100', '7');
    await d.same('GET', 'new');
    await d.same('SET', 'n', '42');
    await d.same('BITFIELD', 'n', 'GET', 'u8', '0', 'GET', 'u16', '0', 'INCRBY', 'u8', '8', '1');
    await d.same('GET', 'n');
    await d.same('SET', 'bin', BINARY);
    await d.same(
      'BITFIELD',
      'bin',
      'GET',
      'i64',
      '3',
      'GET',
      'u63',
      '1000',
      'GET',
      'i13',
      '2040',
      'GET',
      'u9',
      '2043',
    );
  });

  s.test('BITFIELD errors and BITFIELD_RO', async (d) => {
    await d.same('SET', 'k', 'hello');
    for (const type of [
      'u64',
      'i65',
      'i0',
      'u0',
      'x8',
      'I8',
      'U8',
      'i',
      'u',
      'i-1',
      'i08',
      'i+8',
      'i8x',
      'i8\0junk',
      '8',
      '',
    ]) {
      await d.same('BITFIELD', 'k', 'GET', type, '0');
    }
    for (const off of ['-1', 'x', '4294967296', '1.5', '', ' 1']) {
      await d.same('BITFIELD', 'k', 'GET', 'u8', off);
      await d.same('BITFIELD', 'k', 'SET', 'u8', off, '1');
    }
    await d.same('BITFIELD', 'k', 'GET', 'u8', '4294967295');
    await d.same('BITFIELD', 'k', 'SET', 'u8', '0', 'x');
    await d.same('BITFIELD', 'k', 'SET', 'u8', '0', '9223372036854775808');
    await d.same('BITFIELD', 'k', 'INCRBY', 'u8', '0', '1.5');
    await d.same('BITFIELD', 'k', 'GET', 'u8');
    await d.same('BITFIELD', 'k', 'SET', 'u8', '0');
    await d.same('BITFIELD', 'k', 'INCRBY', 'u8', '0');
    await d.same('BITFIELD', 'k', 'OVERFLOW');
    await d.same('BITFIELD', 'k', 'OVERFLOW', 'BAD', 'GET', 'u8', '0');
    await d.same('BITFIELD', 'k', 'OVERFLOW', 'sat');
    await d.same('BITFIELD', 'k', 'BOGUS', 'u8', '0');
    await d.same('BITFIELD', 'k', 'GET', 'u8', '0', 'BOGUS');
    await d.same('BITFIELD', 'k', 'SET', 'u8', '0', '1', 'GET', 'u64', '0');
    await d.same('GET', 'k');
    await d.same(
      'BITFIELD',
      'k',
      'get',
      'u8',
      '0',
      'set',
      'u8',
      '0',
      '72',
      'incrby',
      'u8',
      '0',
      '1',
      'overflow',
      'fail',
      'incrby',
      'u8',
      '0',
      '1000',
    );
    await makeOtherType(d, 'set');
    await d.same('BITFIELD', 'set', 'GET', 'u8', '0');
    await d.same('BITFIELD', 'set', 'SET', 'u8', '0', '1');
    await d.same('BITFIELD', 'set');
    await d.same('BITFIELD', 'set', 'GET', 'u64', '0');
    await d.same('BITFIELD_RO', 'k', 'GET', 'u8', '0', 'GET', 'i4', '#1');
    await d.same('BITFIELD_RO', 'k');
    await d.same('BITFIELD_RO', 'missing', 'GET', 'u8', '0');
    await d.same('BITFIELD_RO', 'k', 'SET', 'u8', '0', '1');
    await d.same('BITFIELD_RO', 'k', 'INCRBY', 'u8', '0', '1');
    await d.same('BITFIELD_RO', 'k', 'OVERFLOW', 'WRAP', 'GET', 'u8', '0');
    await d.same('BITFIELD_RO', 'k', 'GET', 'u64', '0', 'SET', 'u8', '0', '1');
    await d.same('BITFIELD_RO', 'set', 'GET', 'u8', '0');
    await d.same('BITFIELD_RO', 'set', 'SET', 'u8', '0', '1');
    await d.same('BITFIELD_RO');
    await d.same('SETEX', 'ttl', '100', 'v');
    await d.same('BITFIELD', 'ttl', 'SET', 'u8', '100', '1');
    await d.same('TTL', 'ttl');
    await d.resp3();
    await d.same('BITFIELD', 'k', 'OVERFLOW', 'FAIL', 'INCRBY', 'u8', '0', '1000', 'GET', 'u8', '0');
    await d.same('BITFIELD_RO', 'k', 'GET', 'u8', '0');
  });
});
