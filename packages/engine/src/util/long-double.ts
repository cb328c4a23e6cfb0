/**
 * Exact emulation of the x87 80-bit `long double` arithmetic Redis uses for INCRBYFLOAT and HINCRBYFLOAT:
 * strtold parsing (correctly rounded, 64-bit mantissa, ties to even, subnormals down to 2^-16445), one
 * correctly rounded addition, and printf("%.17Lf") with trailing zeros removed. Everything is done with
 * BigInt on exact values, so results match real Redis digit for digit.
 */
import { NOT_FLOAT, RedisError } from '../resp/errors.js';

/** A finite extended value `(neg ? -1 : 1) * m * 2^e` with m < 2^64, or an infinity. */
export interface LongDouble {
  neg: boolean;
  m: bigint;
  e: number;
  inf: boolean;
}

export const NAN_OR_INFINITY = 'ERR increment would produce NaN or Infinity';

const MANTISSA_BITS = 64;
/** Exponent of the least significant bit of the smallest subnormal. */
const MIN_LSB_EXP = -16445;
/** Exponent of the top bit of the largest finite value. */
const MAX_TOP_EXP = 16383;
/** string2ld rejects inputs of this length or more (its buffer size). */
const MAX_CHARS = 5 * 1024;
/** Decimal exponents beyond these bounds are certain overflow/underflow; clamping keeps BigInts small. */
const EXP_CLAMP = 20000;

const ZERO_BIG = 0n;
const ONE_BIG = 1n;

const TWO_32 = 2 ** 32;
const SMALL_LIMIT = 2n ** 53n;

function bitLength(n: bigint): number {
  if (n < SMALL_LIMIT) {
    const x = Number(n);
    const high = Math.floor(x / TWO_32);
    return high > 0 ? 64 - Math.clz32(high) : 32 - Math.clz32(x);
  }
  const hex = n.toString(16);
  return hex.length * 4 - Math.clz32(Number.parseInt(hex[0]!, 16)) + 28;
}

const pow10Cache = new Map<number, bigint>();
function pow10(n: number): bigint {
  let v = pow10Cache.get(n);
  if (v === undefined) {
    v = 10n ** BigInt(n);
    if (n <= 64) pow10Cache.set(n, v);
  }
  return v;
}

/**
 * Rounds the exact value `(n + f) * 2^e` (0 <= f < 1, f > 0 iff `sticky`) to the long double grid.
 * Returns null on overflow; m is 0n on underflow to zero.
 */
function round(neg: boolean, n: bigint, e: number, sticky: boolean, minLsb = MIN_LSB_EXP): LongDouble | null {
  const bits = bitLength(n);
  const lsb = Math.max(e + bits - MANTISSA_BITS, minLsb);
  let m = n;
  let exp = e;
  if (lsb > e) {
    const shift = BigInt(lsb - e);
    m = n >> shift;
    const rem = n - (m << shift);
    const half = ONE_BIG << (shift - ONE_BIG);
    if (rem > half || (rem === half && (sticky || (m & ONE_BIG) === ONE_BIG))) m += ONE_BIG;
    exp = lsb;
    if (m >> BigInt(MANTISSA_BITS) !== ZERO_BIG) {
      m >>= ONE_BIG;
      exp++;
    }
  }
  if (m !== ZERO_BIG && exp + bitLength(m) - 1 > MAX_TOP_EXP) return null;
  return { neg, m, e: exp, inf: false };
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Reads an optionally signed decimal exponent spanning s[i..] to the end; NaN if malformed. */
function readExponent(s: string, i: number): number {
  let neg = false;
  if (s[i] === '+' || s[i] === '-') {
    neg = s[i] === '-';
    i++;
  }
  if (i >= s.length) return Number.NaN;
  let v = 0;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!isDigit(c)) return Number.NaN;
    if (v < 1e9) v = v * 10 + (c - 48);
  }
  return neg ? -v : v;
}

function parseDecimal(neg: boolean, s: string, start: number): LongDouble | null {
  let fractionDigits = 0;
  let dot = -1;
  let anyDigit = false;
  let i = start;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (isDigit(c)) {
      anyDigit = true;
      if (dot >= 0) fractionDigits++;
    } else if (c === 46 && dot < 0) {
      dot = i;
    } else break;
  }
  if (!anyDigit) return null;
  let digits = dot < 0 ? s.slice(start, i) : s.slice(start, dot) + s.slice(dot + 1, i);
  // Leading zeros carry no value; dropping them keeps the magnitude estimate right.
  let zeros = 0;
  while (zeros < digits.length && digits.charCodeAt(zeros) === 48) zeros++;
  if (zeros > 0) digits = digits.slice(zeros);
  let exp10 = 0;
  if (i < s.length) {
    const c = s[i];
    if (c !== 'e' && c !== 'E') return null;
    exp10 = readExponent(s, i + 1);
    if (Number.isNaN(exp10)) return null;
  }
  if (digits.length === 0) return { neg, m: ZERO_BIG, e: 0, inf: false };
  // Value = digits * 10^scale, where digits has no leading zeros.
  const scale = Math.max(-EXP_CLAMP, Math.min(EXP_CLAMP, exp10 - fractionDigits));
  const magnitude = digits.length + scale; // value < 10^magnitude, >= 10^(magnitude-1)
  if (magnitude > 4934) return null; // > 1.19e4932: overflow
  if (magnitude < -4952) return null; // far below half the smallest subnormal: underflow
  const d = BigInt(digits);
  if (scale >= 0) return round(neg, d * pow10(scale), 0, false);
  const divisor = pow10(-scale);
  // Enough quotient bits for the 64-bit mantissa plus round and sticky bits.
  const k = Math.max(0, MANTISSA_BITS + 2 + bitLength(divisor) - bitLength(d));
  const scaled = d << BigInt(k);
  const q = scaled / divisor;
  return nonZero(round(neg, q, -k, q * divisor !== scaled));
}

/** A non-zero input that rounds to zero is an underflow (strtold's ERANGE): rejected like overflow. */
function nonZero(v: LongDouble | null): LongDouble | null {
  return v === null || v.m === ZERO_BIG ? null : v;
}

function parseHex(neg: boolean, s: string, start: number): LongDouble | null {
  let mantissa = '';
  let fractionDigits = 0;
  let seenDot = false;
  let anyDigit = false;
  let i = start;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (hexValue(c) >= 0) {
      anyDigit = true;
      if (mantissa.length > 0 || c !== 48) mantissa += s[i];
      if (seenDot) fractionDigits++;
    } else if (c === 46 && !seenDot) {
      seenDot = true;
    } else break;
  }
  if (!anyDigit) return null;
  let exp2 = 0;
  if (i < s.length) {
    const c = s[i];
    if (c !== 'p' && c !== 'P') return null;
    exp2 = readExponent(s, i + 1);
    if (Number.isNaN(exp2)) return null;
  }
  if (mantissa.length === 0) return { neg, m: ZERO_BIG, e: 0, inf: false };
  const e = Math.max(-4 * EXP_CLAMP, Math.min(4 * EXP_CLAMP, exp2 - 4 * fractionDigits));
  // glibc rounds a hex mantissa to 64 bits first and only then to the subnormal grid (double rounding).
  const wide = round(neg, BigInt(`0x${mantissa}`), e, false, Number.NEGATIVE_INFINITY);
  if (wide === null || wide.e >= MIN_LSB_EXP) return wide;
  return nonZero(round(neg, wide.m, wide.e, false));
}

/**
 * Redis's string2ld: strtold over the whole string, rejecting empty or over-long input, a leading
 * space, trailing characters, NaN, and values that overflow or underflow to zero. Infinity is accepted
 * ("inf", "infinity"). Returns null when the string is not a valid float.
 */
export function parseLongDouble(s: string): LongDouble | null {
  const len = s.length;
  if (len === 0 || len >= MAX_CHARS) return null;
  let i = 0;
  let neg = false;
  const first = s[0];
  if (first === '+' || first === '-') {
    neg = first === '-';
    i = 1;
  }
  if (i >= len) return null;
  const c = s.charCodeAt(i);
  if (isDigit(c) || c === 46) {
    if (c === 48 && (s[i + 1] === 'x' || s[i + 1] === 'X')) return parseHex(neg, s, i + 2);
    return parseDecimal(neg, s, i);
  }
  const rest = s.slice(i).toLowerCase();
  if (rest === 'inf' || rest === 'infinity') return { neg, m: ZERO_BIG, e: 0, inf: true };
  return null;
}

/** True when Redis would accept the string as a long double ('ERR value is not a valid float' otherwise). */
export function isValidLongDouble(s: string): boolean {
  return parseLongDouble(s) !== null;
}

/** The correctly rounded sum; null when it overflows, or when an operand is infinite (NaN or Infinity). */
export function addLongDoubles(a: LongDouble, b: LongDouble): LongDouble | null {
  if (a.inf || b.inf) return null;
  if (a.m === ZERO_BIG && b.m === ZERO_BIG) return { neg: a.neg && b.neg, m: ZERO_BIG, e: 0, inf: false };
  if (a.m === ZERO_BIG) return b;
  if (b.m === ZERO_BIG) return a;
  const e = Math.min(a.e, b.e);
  const x = a.m << BigInt(a.e - e);
  const y = b.m << BigInt(b.e - e);
  const sum = (a.neg ? -x : x) + (b.neg ? -y : y);
  if (sum === ZERO_BIG) return { neg: false, m: ZERO_BIG, e: 0, inf: false };
  return sum < ZERO_BIG ? round(true, -sum, e, false) : round(false, sum, e, false);
}

const FRACTION_DIGITS = 17;
const FRACTION_SCALE = 10n ** 17n;

/** printf("%.17Lf") (exact, ties to even), then trailing zeros and a trailing '.' removed; "-0" becomes "0". */
export function formatLongDoubleHuman(v: LongDouble): string {
  if (v.inf) return v.neg ? '-inf' : 'inf';
  const sign = v.neg ? '-' : '';
  if (v.e >= 0) {
    const text = (v.m << BigInt(v.e)).toString();
    return text === '0' ? '0' : sign + text;
  }
  const shift = BigInt(-v.e);
  const scaled = v.m * FRACTION_SCALE;
  let q = scaled >> shift;
  const rem = scaled - (q << shift);
  const half = ONE_BIG << (shift - ONE_BIG);
  if (rem > half || (rem === half && (q & ONE_BIG) === ONE_BIG)) q += ONE_BIG;
  const whole = (q / FRACTION_SCALE).toString();
  let fraction = (q % FRACTION_SCALE).toString().padStart(FRACTION_DIGITS, '0');
  let end = fraction.length;
  while (end > 0 && fraction.charCodeAt(end - 1) === 48) end--;
  fraction = fraction.slice(0, end);
  if (fraction.length === 0) return whole === '0' ? '0' : sign + whole;
  return `${sign}${whole}.${fraction}`;
}

/**
 * INCRBYFLOAT on a string value: throws Redis's 'ERR value is not a valid float' when either operand
 * does not parse, and 'ERR increment would produce NaN or Infinity' when the sum is not finite.
 * Pass '0' as `current` for a missing key.
 */
export function incrByFloatString(current: string, increment: string): string {
  const a = parseLongDouble(current);
  if (a === null) throw new RedisError(NOT_FLOAT);
  const b = parseLongDouble(increment);
  if (b === null) throw new RedisError(NOT_FLOAT);
  const sum = addLongDoubles(a, b);
  if (sum === null) throw new RedisError(NAN_OR_INFINITY);
  return formatLongDoubleHuman(sum);
}
