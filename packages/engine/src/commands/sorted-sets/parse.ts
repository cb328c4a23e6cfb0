import { NOT_INTEGER, RedisError } from '../../resp/errors.js';
import type { LexBound, LexRange, ScoreRange } from '../../types/zset.js';
import { parseInt64 } from '../../util/numbers.js';
import { parseTimeoutSeconds } from '../lists/timeout.js';

export const NOT_FLOAT_RANGE = 'ERR min or max is not a float';
export const NOT_LEX_RANGE = 'ERR min or max not valid string range item';

const DECIMAL = /^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/;
const INFINITY = /^([+-]?)(inf|infinity)$/i;
const HEX = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?[0-9]+))?$/;

function isCSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/**
 * C's strtod as ZRANGEBYSCORE uses it: the C string ends at the first NUL byte, leading whitespace is
 * skipped, "" converts to 0, overflow gives ±inf and underflow 0; the whole text must be consumed and
 * NaN is refused. Returns null for anything else.
 */
export function strtodWhole(arg: string): number | null {
  const nul = arg.indexOf('\0');
  let s = nul >= 0 ? arg.slice(0, nul) : arg;
  if (s === '') return 0; // nothing converted and the end pointer already sits on the terminator
  let i = 0;
  while (i < s.length && isCSpace(s.charCodeAt(i))) i++;
  if (i > 0) s = s.slice(i);
  if (DECIMAL.test(s)) return Number(s);
  const inf = INFINITY.exec(s);
  if (inf) return inf[1] === '-' ? -Infinity : Infinity;
  const hex = HEX.exec(s);
  if (hex && (hex[2] || hex[3])) {
    let v = 0;
    for (const d of (hex[2] ?? '') + (hex[3] ?? '')) v = v * 16 + Number.parseInt(d, 16);
    v *= 2 ** (Number(hex[4] ?? 0) - 4 * (hex[3]?.length ?? 0));
    return hex[1] === '-' ? -v : v;
  }
  return null;
}

function scoreBound(arg: string): [value: number, exclusive: boolean] {
  const exclusive = arg.charCodeAt(0) === 40; // '('
  const v = strtodWhole(exclusive ? arg.slice(1) : arg);
  if (v === null) throw new RedisError(NOT_FLOAT_RANGE);
  return [v, exclusive];
}

/** ZRANGEBYSCORE-style bounds: numbers, "(" for exclusive, ±inf. */
export function parseScoreRange(minArg: string, maxArg: string): ScoreRange {
  const [min, minex] = scoreBound(minArg);
  const [max, maxex] = scoreBound(maxArg);
  return { min, max, minex, maxex };
}

function lexBound(arg: string): LexBound {
  const first = arg[0];
  // '+' and '-' must stand alone, as C sees them: a NUL byte ends the string.
  const alone = arg.length === 1 || arg[1] === '\0';
  if (first === '+' && alone) return { infinite: 1, value: '', exclusive: true };
  if (first === '-' && alone) return { infinite: -1, value: '', exclusive: true };
  if (first === '(') return { infinite: 0, value: arg.slice(1), exclusive: true };
  if (first === '[') return { infinite: 0, value: arg.slice(1), exclusive: false };
  throw new RedisError(NOT_LEX_RANGE);
}

/** ZRANGEBYLEX-style bounds: "[a" inclusive, "(a" exclusive, "-" and "+". */
export function parseLexRange(minArg: string, maxArg: string): LexRange {
  return { min: lexBound(minArg), max: lexBound(maxArg) };
}

/** A blocking command's timeout in seconds, as milliseconds (one parser for lists and sorted sets). */
export const parseTimeout = parseTimeoutSeconds;

/** Redis's getLongFromObjectOrReply, with an optional custom message for every failure. */
export function toLong(arg: string, message = NOT_INTEGER): number {
  const v = parseInt64(arg);
  if (v === null) throw new RedisError(message);
  return Number(v);
}
