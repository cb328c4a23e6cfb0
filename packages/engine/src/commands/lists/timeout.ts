import { fail } from '../../resp/errors.js';
import { parseLongDouble } from '../../util/long-double.js';
import { parseInt64 } from '../../util/numbers.js';

const NOT_FLOAT = 'ERR timeout is not a float or out of range';
const NEGATIVE = 'ERR timeout is negative';
const SIMPLE_SECONDS = /^[0-9]{1,10}$/;
const MANTISSA_BITS = 64n;

/** A timeout in milliseconds (XREAD BLOCK, WAIT, CLIENT PAUSE): an integer, 0 meaning none. */
export function parseTimeoutMillis(arg: string): number {
  const ms = parseInt64(arg);
  if (ms === null) fail('ERR timeout is not an integer or out of range');
  if (ms < 0n) fail(NEGATIVE);
  return ms > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(ms);
}

/**
 * A blocking timeout in seconds, as Redis 7.0 reads it: strtold into an x87 long double, then
 * (long long) ceill(value * 1000.0). The cast turns ±inf and anything at or beyond 2^63 into INT64_MIN,
 * so huge timeouts are "negative" too; a negative value whose product rounds above -1 ms becomes 0 and
 * blocks forever (e.g. -0.001, whose long double is a hair below 0.001).
 * Returns milliseconds, 0 meaning no timeout.
 */
export function parseTimeoutSeconds(arg: string): number {
  if (SIMPLE_SECONDS.test(arg)) return +arg * 1000;
  const v = parseLongDouble(arg);
  if (v === null) fail(NOT_FLOAT);
  if (v.inf) fail(NEGATIVE);
  if (v.m === 0n) return 0;
  // The product value * 1000, rounded to a 64-bit mantissa (ties to even): q * 2^e.
  let q = v.m * 1000n;
  let e = v.e;
  const excess = BigInt(q.toString(2).length) - MANTISSA_BITS;
  if (excess > 0n) {
    const kept = q >> excess;
    const rest = q - (kept << excess);
    const half = 1n << (excess - 1n);
    q = rest > half || (rest === half && (kept & 1n) === 1n) ? kept + 1n : kept;
    e += Number(excess);
  }
  if (v.neg) return floorAtLeastOne(q, e) ? fail(NEGATIVE) : 0;
  const ms = ceil(q, e);
  if (ms === undefined || ms >= 2n ** 63n) fail(NEGATIVE);
  return Number(ms);
}

/** ceil(q · 2^e) for q > 0, or undefined when it is far beyond 2^63. */
function ceil(q: bigint, e: number): bigint | undefined {
  if (e >= 0) return e > 64 ? undefined : q << BigInt(e);
  if (-e > 128) return 1n;
  const shift = BigInt(-e);
  return (q + (1n << shift) - 1n) >> shift;
}

function floorAtLeastOne(q: bigint, e: number): boolean {
  if (e >= 0) return true;
  if (-e > 128) return false;
  return q >> BigInt(-e) >= 1n;
}
