import { fail, RedisError, SYNTAX, wrongType } from '../resp/errors.js';
import type { Reply } from '../resp/reply.js';
import type { Session } from '../session.js';
import { type CommandSpec, command } from './registry.js';
import { bitfieldGeneric } from './strings/bitfield.js';
import {
  bitposInByte,
  bitsInByte,
  checkWritableBit,
  firstBit,
  parseBitOffset,
  popcount,
} from './strings/bits.js';
import { clearForcedEncoding, forceEncoding } from './strings/encoding.js';
import { smallInt, toInt64Value } from './strings/integers.js';
import { commitBytes, editableBytes } from './strings/mirror.js';
import { optionWord } from './strings/options.js';

const BIT_VALUE_ERROR = 'ERR bit is not an integer or out of range';

function readString(c: Session, key: string): string | undefined {
  const value = c.db.read(key);
  if (value !== undefined && typeof value !== 'string') wrongType();
  return value;
}

/** An int64 argument as a number (huge values lose precision, which no range check can notice). */
function toLong(arg: string, error?: string): number {
  return Number(toInt64Value(arg, error));
}

function setbit(c: Session, argv: string[]): Reply {
  const offset = parseBitOffset(c, argv[2]!);
  const on = smallInt(argv[3]!) ?? toLong(argv[3]!, BIT_VALUE_ERROR);
  if (on !== 0 && on !== 1) fail(BIT_VALUE_ERROR);
  const key = argv[1]!;
  const db = c.db;
  const current = db.get(key);
  if (current !== undefined && typeof current !== 'string') wrongType();
  checkWritableBit(offset);
  const byteIndex = Math.floor(offset / 8);
  const mask = 1 << (7 - (offset & 7));
  const value = current ?? '';
  const grown = byteIndex >= value.length;
  const old = !grown && value.charCodeAt(byteIndex) & mask ? 1 : 0;
  let stored = value;
  if (grown || old !== on) {
    const bytes = editableBytes(db, key, value, byteIndex + 1);
    bytes[byteIndex] = on ? bytes[byteIndex]! | mask : bytes[byteIndex]! & ~mask;
    stored = commitBytes(db, key, bytes);
    db.set(key, stored, true);
    c.changed(key, 'setbit', '$');
  }
  // Redis unshares the value even when the bit is unchanged, which makes it "raw".
  forceEncoding(db, key, stored, 'raw');
  return old;
}

function getbit(c: Session, argv: string[]): Reply {
  const offset = parseBitOffset(c, argv[2]!);
  const value = readString(c, argv[1]!);
  if (value === undefined) return 0;
  const byteIndex = Math.floor(offset / 8);
  if (byteIndex >= value.length) return 0;
  return (value.charCodeAt(byteIndex) >> (7 - (offset & 7))) & 1;
}

/** Parses BIT|BYTE (a C-string comparison in Redis); true for BIT. */
function isBitUnit(arg: string): boolean {
  const unit = optionWord(arg);
  if (unit === 'BIT') return true;
  if (unit === 'BYTE') return false;
  throw new RedisError(SYNTAX);
}

/** Masks of the bits outside a BIT range in its first and last bytes (0 when the edge is byte-aligned). */
function edgeMasks(start: number, end: number): [first: number, last: number] {
  return [~((1 << (8 - (start & 7))) - 1) & 0xff, (1 << (7 - (end & 7))) - 1];
}

function bitcount(c: Session, argv: string[]): Reply {
  const value = readString(c, argv[1]!);
  if (value === undefined) return 0;
  const len = value.length;
  let start: number;
  let end: number;
  let firstMask = 0;
  let lastMask = 0;
  if (argv.length === 4 || argv.length === 5) {
    start = toLong(argv[2]!);
    end = toLong(argv[3]!);
    if (start < 0 && end < 0 && start > end) return 0;
    const isBit = argv.length === 5 && isBitUnit(argv[4]!);
    ({ start, end, firstMask, lastMask } = byteRange(start, end, len, isBit));
  } else if (argv.length === 2) {
    start = 0;
    end = len - 1;
  } else throw new RedisError(SYNTAX);
  if (start > end) return 0;
  let count = popcount(value, start, end - start + 1);
  if (firstMask) count -= bitsInByte(value.charCodeAt(start) & firstMask);
  if (lastMask) count -= bitsInByte(value.charCodeAt(end) & lastMask);
  return count;
}

/**
 * BITCOUNT/BITPOS ranges: negative indexes count from the end, then clamp to the value; a BIT range
 * becomes the bytes it spans plus masks of the bits outside it in the first and last byte.
 */
function byteRange(
  start: number,
  end: number,
  len: number,
  isBit: boolean,
): { start: number; end: number; firstMask: number; lastMask: number } {
  const total = isBit ? len * 8 : len;
  if (start < 0) start += total;
  if (end < 0) end += total;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= total) end = total - 1;
  if (!isBit || start > end) return { start, end, firstMask: 0, lastMask: 0 };
  const [firstMask, lastMask] = edgeMasks(start, end);
  return { start: Math.floor(start / 8), end: Math.floor(end / 8), firstMask, lastMask };
}

function bitpos(c: Session, argv: string[]): Reply {
  const bit = toLong(argv[2]!);
  if (bit !== 0 && bit !== 1) fail('ERR The bit argument must be 1 or 0.');
  const value = c.db.read(argv[1]!);
  // A missing key is an endless run of zero bits.
  if (value === undefined) return bit ? -1 : 0;
  if (typeof value !== 'string') wrongType();
  const len = value.length;
  let start: number;
  let end: number;
  let endGiven = false;
  let firstMask = 0;
  let lastMask = 0;
  if (argv.length >= 4 && argv.length <= 6) {
    start = toLong(argv[3]!);
    const isBit = argv.length === 6 && isBitUnit(argv[5]!);
    if (argv.length >= 5) {
      end = toLong(argv[4]!);
      endGiven = true;
    } else end = len - 1;
    ({ start, end, firstMask, lastMask } = byteRange(start, end, len, isBit));
  } else if (argv.length === 3) {
    start = 0;
    end = len - 1;
  } else throw new RedisError(SYNTAX);
  if (start > end) return -1;
  return bitposInRange(value, bit, start, end, firstMask, lastMask, endGiven);
}

/**
 * Searches bytes start..end, ignoring the bits the edge masks exclude, in Redis's three steps (partial
 * first byte, whole bytes, partial last byte); `bytes` tracks the bytes left as Redis's does, since the
 * "no clear bit in an explicit range" answer depends on it.
 */
function bitposInRange(
  value: string,
  bit: number,
  start: number,
  end: number,
  firstMask: number,
  lastMask: number,
  endGiven: boolean,
): number {
  // Redis's final adjustment: `pos` is relative to `from`, with `left` bytes still in the range.
  const answer = (pos: number, from: number, left: number): number => {
    if (endGiven && bit === 0 && pos === left * 8) return -1;
    return pos === -1 ? -1 : pos + from * 8;
  };
  let bytes = end - start + 1;
  if (firstMask) {
    let byte = bit ? value.charCodeAt(start) & ~firstMask : value.charCodeAt(start) | firstMask;
    if (lastMask && bytes === 1) byte = bit ? byte & ~lastMask : byte | lastMask;
    const pos = bitposInByte(byte & 0xff, bit);
    if (bytes === 1 || (pos !== -1 && pos !== 8)) return answer(pos, start, bytes);
    start++;
    bytes--;
  }
  const whole = bytes - (lastMask ? 1 : 0);
  if (whole > 0) {
    const pos = firstBit(value, start, whole, bit);
    if (bytes === whole || (pos !== -1 && pos !== whole * 8)) return answer(pos, start, bytes);
    start += whole;
    bytes -= whole;
  }
  const byte = bit ? value.charCodeAt(end) & ~lastMask : value.charCodeAt(end) | lastMask;
  return answer(bitposInByte(byte & 0xff, bit), start, bytes);
}

enum BitOp {
  And,
  Or,
  Xor,
  Not,
}

function parseBitOp(arg: string): BitOp {
  switch (optionWord(arg)) {
    case 'AND':
      return BitOp.And;
    case 'OR':
      return BitOp.Or;
    case 'XOR':
      return BitOp.Xor;
    case 'NOT':
      return BitOp.Not;
    default:
      throw new RedisError(SYNTAX);
  }
}

function bitop(c: Session, argv: string[]): Reply {
  const op = parseBitOp(argv[1]!);
  if (op === BitOp.Not && argv.length !== 4) fail('ERR BITOP NOT must be called with a single source key.');
  const sources: Buffer[] = [];
  let maxLength = 0;
  for (let i = 3; i < argv.length; i++) {
    const value = readString(c, argv[i]!) ?? '';
    sources.push(Buffer.from(value, 'latin1'));
    if (value.length > maxLength) maxLength = value.length;
  }
  const target = argv[2]!;
  const db = c.db;
  if (maxLength === 0) {
    if (db.delete(target)) c.changed(target, 'del', 'g');
    return 0;
  }
  const result = Buffer.alloc(maxLength);
  const first = sources[0]!;
  first.copy(result);
  if (op === BitOp.Not) {
    for (let j = 0; j < maxLength; j++) result[j] = ~result[j]! & 0xff;
  } else {
    for (let s = 1; s < sources.length; s++) {
      const src = sources[s]!;
      const n = src.length;
      if (op === BitOp.And) {
        for (let j = 0; j < n; j++) result[j]! &= src[j]!;
        result.fill(0, n);
      } else if (op === BitOp.Or) {
        for (let j = 0; j < n; j++) result[j]! |= src[j]!;
      } else {
        for (let j = 0; j < n; j++) result[j]! ^= src[j]!;
      }
    }
  }
  const stored = result.toString('latin1');
  if (db.expires.size > 0) db.get(target);
  db.set(target, stored);
  clearForcedEncoding(db, target);
  forceEncoding(db, target, stored, 'raw');
  c.changed(target, 'set', '$');
  return maxLength;
}

function bitfield(c: Session, argv: string[]): Reply {
  return bitfieldGeneric(c, argv, false);
}

function bitfieldRo(c: Session, argv: string[]): Reply {
  return bitfieldGeneric(c, argv, true);
}

const docs = (since: string, summary: string, complexity = 'O(N)') => ({
  group: 'bitmap',
  since,
  summary,
  complexity,
});

export const bitmapsCommands: CommandSpec[] = [
  command(
    'setbit',
    4,
    ['write', 'denyoom'],
    [1, 1, 1],
    ['write', 'bitmap', 'slow'],
    setbit,
    docs(
      '2.2.0',
      'Sets or clears the bit at an offset of a string value, creating the key when missing.',
      'O(1)',
    ),
  ),
  command(
    'getbit',
    3,
    ['readonly', 'fast'],
    [1, 1, 1],
    ['read', 'bitmap', 'fast'],
    getbit,
    docs('2.2.0', 'Returns the bit at an offset of a string value.', 'O(1)'),
  ),
  command(
    'bitcount',
    -2,
    ['readonly'],
    [1, 1, 1],
    ['read', 'bitmap', 'slow'],
    bitcount,
    docs('2.6.0', 'Counts the set bits of a string value, optionally within a byte or bit range.'),
  ),
  command(
    'bitpos',
    -3,
    ['readonly'],
    [1, 1, 1],
    ['read', 'bitmap', 'slow'],
    bitpos,
    docs('2.8.7', 'Finds the first set or clear bit of a string value, optionally within a range.'),
  ),
  command(
    'bitop',
    -4,
    ['write', 'denyoom'],
    [2, -1, 1],
    ['write', 'bitmap', 'slow'],
    bitop,
    docs('2.6.0', 'Combines string values bitwise (AND, OR, XOR, NOT) into a destination key.'),
  ),
  command(
    'bitfield',
    -2,
    ['write', 'denyoom'],
    [1, 1, 1],
    ['write', 'bitmap', 'slow'],
    bitfield,
    docs(
      '3.2.0',
      'Reads and writes integer fields of arbitrary width and offset in a string value.',
      'O(1) for each subcommand specified',
    ),
  ),
  command(
    'bitfield_ro',
    -2,
    ['readonly', 'fast'],
    [1, 1, 1],
    ['read', 'bitmap', 'fast'],
    bitfieldRo,
    docs(
      '6.0.0',
      'Reads integer fields of arbitrary width and offset in a string value.',
      'O(1) for each subcommand specified',
    ),
  ),
];
