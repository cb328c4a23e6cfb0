import { fail } from '../../resp/errors.js';
import { MAX_ID, makeId, type StreamId } from '../../types/stream.js';

export const INVALID_ID = 'ERR Invalid stream ID specified as stream command argument';
const U64_MAX = (1n << 64n) - 1n;
const CANONICAL_NEGATIVE = /^-[1-9][0-9]*$/;
const SPACE = /^[ \t\n\v\f\r]*/;
const DIGITS = /^[0-9]+$/;

/**
 * Redis's string2ull: a canonical negative integer is refused, anything else is read as C's strtoull
 * does (leading spaces, a sign, a negative value wrapping around), which must consume the whole string.
 */
function parseUnsigned(s: string): bigint | null {
  if (CANONICAL_NEGATIVE.test(s) && BigInt(s) >= -(1n << 63n)) return null;
  let rest = s.replace(SPACE, '');
  let negative = false;
  if (rest[0] === '+' || rest[0] === '-') {
    negative = rest[0] === '-';
    rest = rest.slice(1);
  }
  if (!DIGITS.test(rest)) return null;
  const v = BigInt(rest);
  if (v > U64_MAX) return null;
  return negative && v !== 0n ? (1n << 64n) - v : v;
}

export interface ParsedId {
  id: StreamId;
  /** False for the "ms-*" form of XADD. */
  seqGiven: boolean;
}

/**
 * Parses "ms-seq", "ms" (seq = missingSeq), and unless strict "-" / "+". `allowAutoSeq` accepts "ms-*"
 * (XADD). Returns null for an invalid ID.
 */
export function parseIdOrNull(
  arg: string,
  missingSeq: bigint,
  strict: boolean,
  allowAutoSeq = false,
): ParsedId | null {
  if (arg.length > 127) return null;
  // Redis copies the argument into a C string: an embedded NUL ends it.
  const nul = arg.indexOf('\0');
  const s = nul >= 0 ? arg.slice(0, nul) : arg;
  if (s === '-' || s === '+') {
    if (strict) return null;
    return { id: s === '-' ? 0n : MAX_ID, seqGiven: true };
  }
  const dash = s.indexOf('-');
  const ms = parseUnsigned(dash >= 0 ? s.slice(0, dash) : s);
  if (ms === null) return null;
  if (dash < 0) return { id: makeId(ms, missingSeq), seqGiven: true };
  const seqPart = s.slice(dash + 1);
  if (allowAutoSeq && seqPart === '*') return { id: makeId(ms, 0n), seqGiven: false };
  const seq = parseUnsigned(seqPart);
  if (seq === null) return null;
  return { id: makeId(ms, seq), seqGiven: true };
}

export function parseId(arg: string, missingSeq = 0n, strict = true): StreamId {
  const parsed = parseIdOrNull(arg, missingSeq, strict);
  if (parsed === null) fail(INVALID_ID);
  return parsed.id;
}

/** A range bound: "-", "+", an ID, or "(ID" for an exclusive bound. */
export function parseRangeBound(arg: string, missingSeq: bigint): { id: StreamId; exclusive: boolean } {
  if (arg.length > 1 && arg[0] === '(') {
    return { id: parseId(arg.slice(1), missingSeq, true), exclusive: true };
  }
  return { id: parseId(arg, missingSeq, false), exclusive: false };
}

/** The start of an interval, exclusive bounds moved inward. */
export function parseRangeStart(arg: string): StreamId {
  const { id, exclusive } = parseRangeBound(arg, 0n);
  if (!exclusive) return id;
  if (id === MAX_ID) fail('ERR invalid start ID for the interval');
  return id + 1n;
}

export function parseRangeEnd(arg: string): StreamId {
  const { id, exclusive } = parseRangeBound(arg, U64_MAX);
  if (!exclusive) return id;
  if (id === 0n) fail('ERR invalid end ID for the interval');
  return id - 1n;
}
