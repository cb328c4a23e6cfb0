import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { INCRBYFLOAT_CASES } from './long-double.cases.js';
import { incrByFloatString, isValidLongDouble, NAN_OR_INFINITY } from './long-double.js';

function run(current: string, increment: string): string {
  try {
    const result = incrByFloatString(current, increment);
    if (result.length <= 100) return result;
    const hash = createHash('sha256').update(result, 'latin1').digest('hex').slice(0, 32);
    return `#${result.length}:${hash}`;
  } catch (e) {
    const message = (e as Error).message;
    if (message === 'ERR value is not a valid float') return '!float';
    if (message === NAN_OR_INFINITY) return '!naninf';
    throw e;
  }
}

test('INCRBYFLOAT results match redis-server 7.0.15 digit for digit', () => {
  for (const [current, increment, expected] of INCRBYFLOAT_CASES) {
    assert.equal(run(current, increment), expected, `${current} + ${increment}`);
  }
});

test('documented examples', () => {
  assert.equal(incrByFloatString('10.5', '0.1'), '10.6');
  assert.equal(incrByFloatString('10.6', '1e20'), '100000000000000000008');
  assert.equal(incrByFloatString('5.0e3', '2.0e2'), '5200');
  assert.equal(incrByFloatString('0', '-0'), '0');
});

test('ties at the 17th decimal round to even, as glibc printf does', () => {
  assert.equal(incrByFloatString('0', '0.000003814697265625'), '0.00000381469726562');
  assert.equal(incrByFloatString('0.00000381469726562', '0.000003814697265625'), '0.00000762939453125');
});

test('length limit, huge and tiny inputs', () => {
  assert.equal(run('1', `1${'0'.repeat(5000)}`), '!float'); // overflow
  assert.equal(run('1', `1${'0'.repeat(5119)}`), '!float'); // too long for string2ld's buffer
  assert.equal(run('1', `0.${'0'.repeat(4000)}1`), '1');
  assert.equal(run('1', `1.${'1234567890'.repeat(300)}`), '2.12345678901234568');
  assert.equal(run('0', '0x1p-16445'), '0');
  assert.equal(run('0', '0x1p-16446'), '!float'); // ties to even: rounds to zero, an underflow
  assert.equal(run('0', '0x1.0000000000000001p-16446'), '!float'); // glibc's hex double rounding
  assert.equal(run('0', '0x1.00000000000000010001p-16446'), '0');
  assert.equal(run('0', '1.822599765941237301313604632454836442554112497e-4951'), '0');
  assert.equal(run('0', '0x1.00000000000000018p64'), '18446744073709551618');
  assert.equal(run('0', '0x1.0000000000000001p64'), '18446744073709551616');
});

test('validity follows strtold over the whole string', () => {
  for (const ok of ['1', '+1', '-1', '.5', '1.', '1e5', '1E-5', '0x1p3', 'inf', '-Infinity', '0e-99999']) {
    assert.ok(isValidLongDouble(ok), ok);
  }
  for (const bad of [
    '',
    ' 1',
    '1 ',
    '.',
    '-',
    '1e',
    '1e+',
    '0x',
    '0x1p',
    'nan',
    'infinit',
    '1.2.3',
    '1\0',
    '1e-5000',
  ]) {
    assert.ok(!isValidLongDouble(bad), JSON.stringify(bad));
  }
});
