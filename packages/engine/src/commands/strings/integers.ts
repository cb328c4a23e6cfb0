import { NOT_INTEGER, RedisError } from '../../resp/errors.js';
import { parseInt64 } from '../../util/numbers.js';

const MAX_SMALL_DIGITS = 15;

/**
 * Redis's string2ll for the common case, without regexes or allocation: a canonical integer (no '+', no
 * leading zeros, no "-0", no spaces) of at most 15 digits, so exact as a double. Undefined otherwise,
 * which includes both invalid input and larger integers (see `toInt64Value`).
 */
export function smallInt(s: string): number | undefined {
  const len = s.length;
  if (len === 0) return undefined;
  let i = 0;
  let c = s.charCodeAt(0);
  let neg = false;
  if (c === 45) {
    if (len === 1) return undefined;
    neg = true;
    i = 1;
    c = s.charCodeAt(1);
  }
  if (len - i > MAX_SMALL_DIGITS) return undefined;
  if (c === 48) return len === 1 ? 0 : undefined;
  if (c < 49 || c > 57) return undefined;
  let v = c - 48;
  for (i++; i < len; i++) {
    c = s.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
    v = v * 10 + (c - 48);
  }
  return neg ? -v : v;
}

/** A string2ll integer as a number when small, else as a bigint; throws `error` when not an int64. */
export function toInt64Value(s: string, error = NOT_INTEGER): number | bigint {
  const small = smallInt(s);
  if (small !== undefined) return small;
  const big = parseInt64(s);
  if (big === null) throw new RedisError(error);
  return big;
}

/** True when `s` is what Redis would store int-encoded: a canonical int64 of at most 20 characters. */
export function isCanonicalInt64(s: string): boolean {
  return smallInt(s) !== undefined || (s.length <= 20 && parseInt64(s) !== null);
}
