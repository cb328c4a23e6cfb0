import { fail, NOT_INTEGER, RedisError, SYNTAX, wrongType } from '../../resp/errors.js';
import type { Reply } from '../../resp/reply.js';
import type { Session } from '../../session.js';
import { parseInt64 } from '../../util/numbers.js';
import { checkWritableBit, parseBitOffset } from './bits.js';
import { forceEncoding } from './encoding.js';
import { commitBytes, editableBytes } from './mirror.js';
import { optionWord } from './options.js';

enum Op {
  Get,
  Set,
  IncrBy,
}

enum Overflow {
  Wrap,
  Sat,
  Fail,
}

interface FieldOp {
  op: Op;
  offset: number;
  value: bigint;
  overflow: Overflow;
  bits: number;
  signed: boolean;
}

const TYPE_ERROR =
  'ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.';

/** "i<bits>" (1..64) or "u<bits>" (1..63); C-string rules: the width ends at a NUL byte. */
function parseType(arg: string): { signed: boolean; bits: number } {
  const kind = arg[0];
  if (kind !== 'i' && kind !== 'u') fail(TYPE_ERROR);
  const nul = arg.indexOf('\0');
  const width = parseInt64(nul < 0 ? arg.slice(1) : arg.slice(1, nul));
  const signed = kind === 'i';
  if (width === null || width < 1n || width > (signed ? 64n : 63n)) fail(TYPE_ERROR);
  return { signed, bits: Number(width) };
}

function parseOps(c: Session, argv: string[]): { ops: FieldOp[]; readonly: boolean; highestBit: number } {
  const ops: FieldOp[] = [];
  let overflow = Overflow.Wrap;
  let readonly = true;
  let highestBit = 0;
  for (let j = 2; j < argv.length; j++) {
    const remaining = argv.length - j - 1;
    const name = optionWord(argv[j]!);
    let op: Op;
    if (name === 'GET' && remaining >= 2) op = Op.Get;
    else if (name === 'SET' && remaining >= 3) op = Op.Set;
    else if (name === 'INCRBY' && remaining >= 3) op = Op.IncrBy;
    else if (name === 'OVERFLOW' && remaining >= 1) {
      const kind = optionWord(argv[++j]!);
      if (kind === 'WRAP') overflow = Overflow.Wrap;
      else if (kind === 'SAT') overflow = Overflow.Sat;
      else if (kind === 'FAIL') overflow = Overflow.Fail;
      else fail('ERR Invalid OVERFLOW type specified');
      continue;
    } else throw new RedisError(SYNTAX);
    const { signed, bits } = parseType(argv[j + 1]!);
    const offset = parseBitOffset(c, argv[j + 2]!, bits);
    let value = 0n;
    if (op !== Op.Get) {
      readonly = false;
      highestBit = Math.max(highestBit, offset + bits - 1);
      const v = parseInt64(argv[j + 3]!);
      if (v === null) fail(NOT_INTEGER);
      value = v;
    }
    ops.push({ op, offset, value, overflow, bits, signed });
    j += op === Op.Get ? 2 : 3;
  }
  return { ops, readonly, highestBit };
}

function readField(buf: Uint8Array, offset: number, bits: number, signed: boolean): bigint {
  let v = 0n;
  for (let i = 0; i < bits; i++) {
    const pos = offset + i;
    const byte = Math.floor(pos / 8) < buf.length ? buf[Math.floor(pos / 8)]! : 0;
    v = (v << 1n) | BigInt((byte >> (7 - (pos & 7))) & 1);
  }
  return signed ? BigInt.asIntN(bits, v) : v;
}

function writeField(buf: Uint8Array, offset: number, bits: number, value: bigint): void {
  const u = BigInt.asUintN(bits, value);
  for (let i = 0; i < bits; i++) {
    const pos = offset + i;
    const bit = Number((u >> BigInt(bits - 1 - i)) & 1n);
    const mask = 1 << (7 - (pos & 7));
    const index = Math.floor(pos / 8);
    buf[index] = bit ? buf[index]! | mask : buf[index]! & ~mask;
  }
}

/**
 * The new value of a SET/INCRBY under the overflow policy, or null when it fails (OVERFLOW FAIL).
 * This follows Redis's C checks literally, int64 wrap-around included: an unsigned SET takes the value
 * as uint64 (a negative one counts as too large), and a signed SET of a value so negative that
 * `max - value` wraps is taken as an overflow upwards (SAT then answers the maximum).
 */
function applyOverflow(op: FieldOp, old: bigint): bigint | null {
  const { bits, signed, overflow } = op;
  const incr = op.op === Op.IncrBy ? op.value : 0n;
  const value = op.op === Op.IncrBy ? old : signed ? op.value : BigInt.asUintN(64, op.value);
  let direction: number;
  let max: bigint;
  let min: bigint;
  if (signed) {
    max = bits === 64 ? 0x7fffffffffffffffn : (1n << BigInt(bits - 1)) - 1n;
    min = -max - 1n;
    const maxIncr = BigInt.asIntN(64, max - value);
    const minIncr = BigInt.asIntN(64, min - value);
    if (value > max || (bits !== 64 && incr > maxIncr) || (value >= 0n && incr > 0n && incr > maxIncr))
      direction = 1;
    else if (value < min || (bits !== 64 && incr < minIncr) || (value < 0n && incr < 0n && incr < minIncr))
      direction = -1;
    else return value + incr;
  } else {
    max = (1n << BigInt(bits)) - 1n;
    min = 0n;
    const maxIncr = BigInt.asIntN(64, max - value);
    const minIncr = BigInt.asIntN(64, -value);
    if (value > max || (incr > 0n && incr > maxIncr)) direction = 1;
    else if (incr < 0n && incr < minIncr) direction = -1;
    else return value + incr;
  }
  if (overflow === Overflow.Fail) return null;
  if (overflow === Overflow.Sat) return direction > 0 ? max : min;
  const sum = BigInt.asUintN(64, value + incr);
  return signed ? BigInt.asIntN(bits, sum) : BigInt.asUintN(bits, sum);
}

/** BITFIELD and BITFIELD_RO. */
export function bitfieldGeneric(c: Session, argv: string[], readOnlyCommand: boolean): Reply {
  const { ops, readonly, highestBit } = parseOps(c, argv);
  const key = argv[1]!;
  const db = c.db;
  if (readonly) {
    const value = db.read(key);
    if (value !== undefined && typeof value !== 'string') wrongType();
    const buf = value === undefined ? new Uint8Array(0) : Buffer.from(value, 'latin1');
    return ops.map((op) => readField(buf, op.offset, op.bits, op.signed));
  }
  if (readOnlyCommand) fail('ERR BITFIELD_RO only supports the GET subcommand');
  const current = db.get(key);
  if (current !== undefined && typeof current !== 'string') wrongType();
  checkWritableBit(highestBit);
  const oldLength = current?.length ?? -1;
  const buf = editableBytes(db, key, current ?? '', Math.floor(highestBit / 8) + 1);
  // Created or grown: the string already changed, whatever the operations do.
  const dirty = oldLength < buf.length;
  let changes = 0;
  const replies: Reply[] = [];
  for (const op of ops) {
    if (op.op === Op.Get) {
      replies.push(readField(buf, op.offset, op.bits, op.signed));
      continue;
    }
    const old = readField(buf, op.offset, op.bits, op.signed);
    const next = applyOverflow(op, old);
    if (next === null) {
      replies.push(null);
      continue;
    }
    replies.push(op.op === Op.IncrBy ? next : old);
    writeField(buf, op.offset, op.bits, next);
    if (dirty || old !== next) changes++;
  }
  let result = current ?? '';
  if (dirty || changes > 0) {
    result = commitBytes(db, key, buf);
    db.set(key, result, true);
  }
  forceEncoding(db, key, result, 'raw');
  if (changes > 0) c.changed(key, 'setbit', '$');
  return replies;
}
