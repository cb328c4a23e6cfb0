import type { Database } from '../keyspace/database.js';
import { fail, OVERFLOW, wrongArity, wrongType } from '../resp/errors.js';
import { OK, type Reply } from '../resp/reply.js';
import type { Session } from '../session.js';
import { incrByFloatString } from '../util/long-double.js';
import { type CommandFlag, type CommandSpec, command } from './registry.js';
import { clearForcedEncoding, forceEncoding, stringEncoding } from './strings/encoding.js';
import { isCanonicalInt64, smallInt, toInt64Value } from './strings/integers.js';
import { lcs } from './strings/lcs.js';
import { checkStringLength } from './strings/limits.js';
import {
  EX,
  EXAT,
  expireTime,
  GET,
  KEEPTTL,
  NX,
  PERSIST,
  PX,
  PXAT,
  parseStringArgs,
  XX,
} from './strings/options.js';

export { stringEncoding };

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

/** Lookup for a write: the string at `key`, undefined when missing, WRONGTYPE for other types. */
function writableString(db: Database, key: string): string | undefined {
  const value = db.get(key);
  if (value !== undefined && typeof value !== 'string') wrongType();
  return value;
}

/** Lookup for a read (counts hits and misses), with the same type check. */
function readableString(db: Database, key: string): string | undefined {
  const value = db.read(key);
  if (value !== undefined && typeof value !== 'string') wrongType();
  return value;
}

/** Replaces the value with a fresh SET (no TTL), as Redis's setKey does. */
function storeFresh(c: Session, key: string, value: string): void {
  const db = c.db;
  // Like lookupKeyWrite: an expired key is removed (and notified) before being overwritten.
  if (db.expires.size > 0) db.get(key);
  db.set(key, value);
  clearForcedEncoding(db, key);
  c.changed(key, 'set', '$');
}

function get(c: Session, argv: string[]): Reply {
  const value = c.db.read(argv[1]!);
  if (value === undefined) return null;
  if (typeof value !== 'string') wrongType();
  return value;
}

function set(c: Session, argv: string[]): Reply {
  if (argv.length === 3) {
    storeFresh(c, argv[1]!, argv[2]!);
    return OK;
  }
  const { flags, expire } = parseStringArgs(argv, true);
  return setGeneric(c, argv[1]!, argv[2]!, flags, expire, 'set', OK, null);
}

/** SET and its variants: NX/XX conditions, GET, KEEPTTL and an optional expire argument. */
function setGeneric(
  c: Session,
  key: string,
  value: string,
  flags: number,
  expire: string | undefined,
  name: string,
  okReply: Reply,
  abortReply: Reply,
): Reply {
  const db = c.db;
  const at = expire === undefined ? undefined : expireTime(expire, flags, c.now(), name);
  let old: Reply = null;
  if (flags & GET) old = readableString(db, key) ?? null;
  const found = db.get(key) !== undefined;
  if ((flags & NX && found) || (flags & XX && !found)) return flags & GET ? old : abortReply;
  db.set(key, value, (flags & KEEPTTL) !== 0);
  clearForcedEncoding(db, key);
  c.changed(key, 'set', '$');
  if (at !== undefined) {
    db.setExpireAt(key, at);
    c.engine.notify(db, key, 'expire', 'g');
  }
  return flags & GET ? old : okReply;
}

function setnx(c: Session, argv: string[]): Reply {
  return setGeneric(c, argv[1]!, argv[2]!, NX, undefined, 'setnx', 1, 0);
}

function setex(c: Session, argv: string[]): Reply {
  return setGeneric(c, argv[1]!, argv[3]!, EX, argv[2]!, 'setex', OK, null);
}

function psetex(c: Session, argv: string[]): Reply {
  return setGeneric(c, argv[1]!, argv[3]!, PX, argv[2]!, 'psetex', OK, null);
}

function getex(c: Session, argv: string[]): Reply {
  const { flags, expire } = parseStringArgs(argv, false);
  const key = argv[1]!;
  const db = c.db;
  const value = readableString(db, key);
  if (value === undefined) return null;
  const now = c.now();
  const at = expire === undefined ? undefined : expireTime(expire, flags, now, 'getex');
  if (at !== undefined && flags & (EXAT | PXAT) && at <= now) {
    db.delete(key);
    c.changed(key, 'del', 'g');
  } else if (at !== undefined) {
    db.setExpireAt(key, at);
    c.changed(key, 'expire', 'g');
  } else if (flags & PERSIST && db.removeExpire(key)) {
    c.changed(key, 'persist', 'g');
  }
  return value;
}

function getdel(c: Session, argv: string[]): Reply {
  const key = argv[1]!;
  const value = readableString(c.db, key);
  if (value === undefined) return null;
  c.db.delete(key);
  c.changed(key, 'del', 'g');
  return value;
}

function getset(c: Session, argv: string[]): Reply {
  const old = readableString(c.db, argv[1]!);
  storeFresh(c, argv[1]!, argv[2]!);
  return old ?? null;
}

function mget(c: Session, argv: string[]): Reply {
  const db = c.db;
  const out: Reply[] = new Array<Reply>(argv.length - 1);
  for (let i = 1; i < argv.length; i++) {
    const value = db.read(argv[i]!);
    out[i - 1] = typeof value === 'string' ? value : null;
  }
  return out;
}

function mset(c: Session, argv: string[]): Reply {
  if (argv.length % 2 === 0) throw wrongArity('mset');
  for (let i = 1; i < argv.length; i += 2) storeFresh(c, argv[i]!, argv[i + 1]!);
  return OK;
}

function msetnx(c: Session, argv: string[]): Reply {
  if (argv.length % 2 === 0) throw wrongArity('msetnx');
  const db = c.db;
  for (let i = 1; i < argv.length; i += 2) if (db.get(argv[i]!) !== undefined) return 0;
  for (let i = 1; i < argv.length; i += 2) storeFresh(c, argv[i]!, argv[i + 1]!);
  return 1;
}

function append(c: Session, argv: string[]): Reply {
  const key = argv[1]!;
  const suffix = argv[2]!;
  const db = c.db;
  const current = writableString(db, key);
  let result: string;
  if (current === undefined) {
    result = suffix;
    db.set(key, result);
    clearForcedEncoding(db, key);
  } else {
    checkStringLength(c, current.length, suffix.length);
    result = current + suffix;
    db.set(key, result, true);
    forceEncoding(db, key, result, 'raw');
  }
  c.changed(key, 'append', '$');
  return result.length;
}

function strlen(c: Session, argv: string[]): Reply {
  return readableString(c.db, argv[1]!)?.length ?? 0;
}

function getrange(c: Session, argv: string[]): Reply {
  let start = Number(toInt64Value(argv[2]!));
  let end = Number(toInt64Value(argv[3]!));
  const value = readableString(c.db, argv[1]!);
  if (value === undefined) return '';
  const len = value.length;
  if (start < 0 && end < 0 && start > end) return '';
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= len) end = len - 1;
  if (start > end || len === 0) return '';
  return value.slice(start, end + 1);
}

function setrange(c: Session, argv: string[]): Reply {
  const offset = Number(toInt64Value(argv[2]!));
  if (offset < 0) fail('ERR offset is out of range');
  const key = argv[1]!;
  const patch = argv[3]!;
  const db = c.db;
  const current = writableString(db, key);
  if (patch.length === 0) return current?.length ?? 0;
  checkStringLength(c, offset, patch.length);
  let result: string;
  if (current === undefined) {
    result = '\0'.repeat(offset) + patch;
    db.set(key, result);
  } else {
    result =
      offset > current.length
        ? current + '\0'.repeat(offset - current.length) + patch
        : current.slice(0, offset) + patch + current.slice(offset + patch.length);
    db.set(key, result, true);
  }
  forceEncoding(db, key, result, 'raw');
  c.changed(key, 'setrange', '$');
  return result.length;
}

/** INCR, DECR, INCRBY, DECRBY: int64 arithmetic with Redis's overflow check; the TTL is kept. */
function incrBy(c: Session, key: string, delta: number | bigint): Reply {
  const db = c.db;
  const current = writableString(db, key);
  let result: number | bigint;
  const small = current === undefined ? 0 : smallInt(current);
  if (small !== undefined && typeof delta === 'number' && Math.abs(delta) <= 1e15) {
    result = small + delta; // both below 1e15: exact
  } else {
    const value = current === undefined ? 0n : BigInt(toInt64Value(current));
    const sum = value + BigInt(delta);
    if (sum > INT64_MAX || sum < INT64_MIN) fail(OVERFLOW);
    result = sum;
  }
  db.set(key, String(result), true);
  clearForcedEncoding(db, key);
  c.changed(key, 'incrby', '$');
  return result;
}

function incr(c: Session, argv: string[]): Reply {
  return incrBy(c, argv[1]!, 1);
}

function decr(c: Session, argv: string[]): Reply {
  return incrBy(c, argv[1]!, -1);
}

function incrby(c: Session, argv: string[]): Reply {
  return incrBy(c, argv[1]!, toInt64Value(argv[2]!));
}

function decrby(c: Session, argv: string[]): Reply {
  const delta = toInt64Value(argv[2]!);
  if (delta === INT64_MIN) fail('ERR decrement would overflow');
  return incrBy(c, argv[1]!, typeof delta === 'number' ? -delta : -delta);
}

function incrbyfloat(c: Session, argv: string[]): Reply {
  const key = argv[1]!;
  const db = c.db;
  const current = writableString(db, key);
  const result = incrByFloatString(current ?? '0', argv[2]!);
  db.set(key, result, true);
  // Redis builds a plain string object here, never an int-encoded one.
  if (isCanonicalInt64(result)) forceEncoding(db, key, result, 'embstr');
  else clearForcedEncoding(db, key);
  c.changed(key, 'incrbyfloat', '$');
  return result;
}

const docs = (since: string, summary: string, complexity = 'O(1)') => ({
  group: 'string',
  since,
  summary,
  complexity,
});
const W: CommandFlag[] = ['write', 'denyoom'];
const WF: CommandFlag[] = ['write', 'denyoom', 'fast'];
const ONE: [number, number, number] = [1, 1, 1];

export const stringsCommands: CommandSpec[] = [
  command(
    'get',
    2,
    ['readonly', 'fast'],
    ONE,
    ['read', 'string', 'fast'],
    get,
    docs('1.0.0', 'Returns the string value of a key.'),
  ),
  command(
    'set',
    -3,
    W,
    ONE,
    ['write', 'string', 'slow'],
    set,
    docs('1.0.0', 'Sets the string value of a key, with optional conditions and expiry.'),
  ),
  command(
    'setnx',
    3,
    WF,
    ONE,
    ['write', 'string', 'fast'],
    setnx,
    docs('1.0.0', 'Sets the string value of a key only when the key does not exist.'),
  ),
  command(
    'setex',
    4,
    W,
    ONE,
    ['write', 'string', 'slow'],
    setex,
    docs('2.0.0', 'Sets the string value and the expiration time in seconds of a key.'),
  ),
  command(
    'psetex',
    4,
    W,
    ONE,
    ['write', 'string', 'slow'],
    psetex,
    docs('2.6.0', 'Sets the string value and the expiration time in milliseconds of a key.'),
  ),
  command(
    'getex',
    -2,
    ['write', 'fast'],
    ONE,
    ['write', 'string', 'fast'],
    getex,
    docs('6.2.0', 'Returns the string value of a key after changing or removing its expiration time.'),
  ),
  command(
    'getdel',
    2,
    ['write', 'fast'],
    ONE,
    ['write', 'string', 'fast'],
    getdel,
    docs('6.2.0', 'Returns the string value of a key and deletes the key.'),
  ),
  command(
    'getset',
    3,
    WF,
    ONE,
    ['write', 'string', 'fast'],
    getset,
    docs('1.0.0', 'Sets a new string value for a key and returns the previous one.'),
  ),
  command(
    'mget',
    -2,
    ['readonly', 'fast'],
    [1, -1, 1],
    ['read', 'string', 'fast'],
    mget,
    docs(
      '1.0.0',
      'Returns the string values of several keys.',
      'O(N) where N is the number of keys to retrieve.',
    ),
  ),
  command(
    'mset',
    -3,
    W,
    [1, -1, 2],
    ['write', 'string', 'slow'],
    mset,
    docs(
      '1.0.1',
      'Sets the string values of several keys at once.',
      'O(N) where N is the number of keys to set.',
    ),
  ),
  command(
    'msetnx',
    -3,
    W,
    [1, -1, 2],
    ['write', 'string', 'slow'],
    msetnx,
    docs(
      '1.0.1',
      'Sets several keys at once, only when none of them exists.',
      'O(N) where N is the number of keys to set.',
    ),
  ),
  command(
    'append',
    3,
    WF,
    ONE,
    ['write', 'string', 'fast'],
    append,
    docs('2.0.0', 'Appends a string to the value of a key, creating the key when missing.'),
  ),
  command(
    'strlen',
    2,
    ['readonly', 'fast'],
    ONE,
    ['read', 'string', 'fast'],
    strlen,
    docs('2.2.0', 'Returns the length of a string value.'),
  ),
  command(
    'getrange',
    4,
    ['readonly'],
    ONE,
    ['read', 'string', 'slow'],
    getrange,
    docs(
      '2.4.0',
      'Returns a substring of a string value.',
      'O(N) where N is the length of the returned string.',
    ),
  ),
  command(
    'substr',
    4,
    ['readonly'],
    ONE,
    ['read', 'string', 'slow'],
    getrange,
    docs(
      '1.0.0',
      'Returns a substring of a string value (the old name of GETRANGE).',
      'O(N) where N is the length of the returned string.',
    ),
  ),
  command(
    'setrange',
    4,
    W,
    ONE,
    ['write', 'string', 'slow'],
    setrange,
    docs(
      '2.2.0',
      'Overwrites part of a string value from an offset, padding with zero bytes.',
      'O(M) where M is the length of the value argument.',
    ),
  ),
  command(
    'incr',
    2,
    WF,
    ONE,
    ['write', 'string', 'fast'],
    incr,
    docs('1.0.0', 'Adds one to the integer value of a key.'),
  ),
  command(
    'decr',
    2,
    WF,
    ONE,
    ['write', 'string', 'fast'],
    decr,
    docs('1.0.0', 'Subtracts one from the integer value of a key.'),
  ),
  command(
    'incrby',
    3,
    WF,
    ONE,
    ['write', 'string', 'fast'],
    incrby,
    docs('1.0.0', 'Adds an amount to the integer value of a key.'),
  ),
  command(
    'decrby',
    3,
    WF,
    ONE,
    ['write', 'string', 'fast'],
    decrby,
    docs('1.0.0', 'Subtracts an amount from the integer value of a key.'),
  ),
  command(
    'incrbyfloat',
    3,
    WF,
    ONE,
    ['write', 'string', 'fast'],
    incrbyfloat,
    docs('2.6.0', 'Adds a floating point amount to the value of a key.'),
  ),
  command(
    'lcs',
    -3,
    ['readonly'],
    [1, 2, 1],
    ['read', 'string', 'slow'],
    lcs,
    docs(
      '7.0.0',
      'Finds the longest common subsequence of two string values.',
      'O(N*M) where N and M are the lengths of s1 and s2, respectively',
    ),
  ),
];
