import { fail, NOT_FLOAT, OVERFLOW, RedisError, wrongArity, wrongType } from '../resp/errors.js';
import { MapReply, OK, type Reply } from '../resp/reply.js';
import type { Session } from '../session.js';
import { RedisHash } from '../types/hash.js';
import { sampleDistinctIndexes } from '../types/set.js';
import { globMatch } from '../util/glob.js';
import {
  addLongDoubles,
  formatLongDoubleHuman,
  NAN_OR_INFINITY,
  parseLongDouble,
} from '../util/long-double.js';
import { INT64_MAX, INT64_MIN, parseInt64 } from '../util/numbers.js';
import { parseScanCursor, scanStep } from '../util/scan.js';
import { isOption, syntax, toInt64, toInteger } from './args.js';
import { type CommandFlag, type CommandSpec, command } from './registry.js';

const MAX_ENTRIES = 'hash-max-listpack-entries';
const MAX_VALUE = 'hash-max-listpack-value';

/** Replies larger than this many elements are refused rather than built (Redis would stream them). */
export const MAX_RANDOM_REPLY = 1 << 24;

function readHash(c: Session, key: string): RedisHash | undefined {
  const value = c.db.read(key);
  if (value === undefined) return undefined;
  if (!(value instanceof RedisHash)) wrongType();
  return value;
}

function writableHash(c: Session, key: string): RedisHash | undefined {
  const value = c.db.get(key);
  if (value === undefined) return undefined;
  if (!(value instanceof RedisHash)) wrongType();
  return value;
}

/** Converts a listpack hash before a write when any of argv[from..] is longer than the value limit. */
function convertForLongArgs(c: Session, hash: RedisHash, argv: string[], from: number): void {
  if (!hash.isListpack) return;
  const maxValue = c.engine.config.number(MAX_VALUE);
  for (let i = from; i < argv.length; i++) {
    if (argv[i]!.length > maxValue) {
      hash.convertToHashtable();
      return;
    }
  }
}

/** Sets one field as Redis's hashTypeSet does: length checks first, then the entry-count limit. */
function setField(c: Session, hash: RedisHash, field: string, value: string): void {
  if (hash.isListpack) {
    const config = c.engine.config;
    const maxValue = config.number(MAX_VALUE);
    if (field.length > maxValue || value.length > maxValue) hash.convertToHashtable();
    hash.set(field, value);
    hash.applyEntryLimit(config.number(MAX_ENTRIES));
  } else hash.set(field, value);
}

/** HSET and HMSET: the hash is created if needed, long arguments convert it before any write. */
function setFields(c: Session, argv: string[], name: string): number {
  if (argv.length % 2 === 1) throw wrongArity(name);
  const key = argv[1]!;
  const existing = writableHash(c, key);
  const hash = existing ?? new RedisHash();
  convertForLongArgs(c, hash, argv, 2);
  let created = 0;
  for (let i = 2; i < argv.length; i += 2) if (hash.set(argv[i]!, argv[i + 1]!)) created++;
  if (hash.isListpack) hash.applyEntryLimit(c.engine.config.number(MAX_ENTRIES));
  if (!existing) c.db.set(key, hash);
  c.changed(key, 'hset', 'h');
  return created;
}

function hmset(c: Session, argv: string[]): Reply {
  setFields(c, argv, 'hmset');
  return OK;
}

function hsetnx(c: Session, argv: string[]): Reply {
  const key = argv[1]!;
  const field = argv[2]!;
  const existing = writableHash(c, key);
  if (existing?.has(field)) return 0;
  const hash = existing ?? new RedisHash();
  setField(c, hash, field, argv[3]!);
  if (!existing) c.db.set(key, hash);
  c.changed(key, 'hset', 'h');
  return 1;
}

function hget(c: Session, argv: string[]): Reply {
  return readHash(c, argv[1]!)?.get(argv[2]!) ?? null;
}

function hmget(c: Session, argv: string[]): Reply {
  const hash = readHash(c, argv[1]!);
  const out: Reply[] = new Array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) out[i - 2] = hash?.get(argv[i]!) ?? null;
  return out;
}

function hdel(c: Session, argv: string[]): Reply {
  const key = argv[1]!;
  const hash = writableHash(c, key);
  if (!hash) return 0;
  let deleted = 0;
  for (let i = 2; i < argv.length; i++) {
    if (hash.delete(argv[i]!)) {
      deleted++;
      if (hash.size === 0) break;
    }
  }
  if (deleted === 0) return 0;
  c.changed(key, 'hdel', 'h');
  if (hash.size === 0) {
    c.db.delete(key);
    c.engine.notify(c.db, key, 'del', 'g');
  }
  return deleted;
}

function hlen(c: Session, argv: string[]): Reply {
  return readHash(c, argv[1]!)?.size ?? 0;
}

function hstrlen(c: Session, argv: string[]): Reply {
  return readHash(c, argv[1]!)?.get(argv[2]!)?.length ?? 0;
}

function hexists(c: Session, argv: string[]): Reply {
  return readHash(c, argv[1]!)?.has(argv[2]!) ? 1 : 0;
}

function hkeys(c: Session, argv: string[]): Reply {
  const hash = readHash(c, argv[1]!);
  return hash ? [...hash.fields()] : [];
}

function hvals(c: Session, argv: string[]): Reply {
  const hash = readHash(c, argv[1]!);
  return hash ? [...hash.values()] : [];
}

function hgetall(c: Session, argv: string[]): Reply {
  const hash = readHash(c, argv[1]!);
  if (!hash) return new MapReply([]);
  const entries: Reply[] = [];
  hash.forEach((value, field) => {
    entries.push(field, value);
  });
  return new MapReply(entries);
}

function hincrby(c: Session, argv: string[]): Reply {
  const increment = toInt64(argv[3]!);
  const key = argv[1]!;
  const field = argv[2]!;
  const existing = writableHash(c, key);
  const old = existing?.get(field);
  let current = 0n;
  if (old !== undefined) {
    const parsed = parseInt64(old);
    if (parsed === null) fail('ERR hash value is not an integer');
    current = parsed;
  }
  const result = current + increment;
  if (result > INT64_MAX || result < INT64_MIN) fail(OVERFLOW);
  const hash = existing ?? new RedisHash();
  setField(c, hash, field, result.toString());
  if (!existing) c.db.set(key, hash);
  c.changed(key, 'hincrby', 'h');
  return result >= -9007199254740991n && result <= 9007199254740991n ? Number(result) : result;
}

function hincrbyfloat(c: Session, argv: string[]): Reply {
  const increment = parseLongDouble(argv[3]!);
  if (increment === null) throw new RedisError(NOT_FLOAT);
  if (increment.inf) fail('ERR value is NaN or Infinity');
  const key = argv[1]!;
  const field = argv[2]!;
  const existing = writableHash(c, key);
  const old = existing?.get(field) ?? '0';
  const current = parseLongDouble(old);
  if (current === null) fail('ERR hash value is not a float');
  const sum = addLongDoubles(current, increment);
  if (sum === null) fail(NAN_OR_INFINITY);
  const text = formatLongDoubleHuman(sum);
  const hash = existing ?? new RedisHash();
  setField(c, hash, field, text);
  if (!existing) c.db.set(key, hash);
  c.changed(key, 'hincrbyfloat', 'h');
  return text;
}

const LONG_MAX = INT64_MAX;
const HALF_LONG_MAX = INT64_MAX / 2n;

/** Parses a random-count argument as Redis's getRangeLongFromObjectOrReply(-LONG_MAX, LONG_MAX). */
export function toRandomCount(arg: string): bigint {
  const count = toInt64(arg);
  if (count < -LONG_MAX) {
    fail('ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807');
  }
  return count;
}

/** A reply of `count` elements that would not fit in memory is refused (Redis would stream it). */
export function guardReplySize(count: number): void {
  if (count > MAX_RANDOM_REPLY) fail('ERR value is out of range');
}

function hrandfield(c: Session, argv: string[]): Reply {
  if (argv.length === 2) {
    const hash = readHash(c, argv[1]!);
    return hash ? hash.randomField() : null;
  }
  const requested = toRandomCount(argv[2]!);
  if (argv.length > 4 || (argv.length === 4 && !isOption(argv[3], 'WITHVALUES'))) syntax();
  const withValues = argv.length === 4;
  if (withValues && (requested < -HALF_LONG_MAX || requested > HALF_LONG_MAX))
    fail('ERR value is out of range');
  const hash = readHash(c, argv[1]!);
  if (!hash || requested === 0n) return [];
  const unique = requested > 0n;
  const size = hash.size;
  const count = Number(unique ? requested : -requested);
  const out: Reply[] = [];
  const emit = (value: string, field: string) => {
    if (!withValues) out.push(field);
    else if (c.protocol === 3) out.push([field, value]);
    else out.push(field, value);
  };
  if (count >= size && unique) {
    // The whole hash, in its iteration order (Redis's listpack order while small).
    hash.forEach(emit);
    return out;
  }
  const fields = hash.fieldsBySlot();
  const emitSlot = (slot: number) => emit(hash.get(fields[slot]!)!, fields[slot]!);
  if (!unique || count === 1) {
    guardReplySize(withValues ? count * 2 : count);
    for (let i = 0; i < count; i++) emitSlot(Math.floor(Math.random() * size));
  } else {
    for (const slot of sampleDistinctIndexes(size, count)) emitSlot(slot);
  }
  return out;
}

export interface ScanOptions {
  count: number;
  /** null when every element matches. */
  pattern: string | null;
}

/** Parses the MATCH and COUNT options of HSCAN/SSCAN/ZSCAN from argv[from]. */
export function parseScanOptions(argv: string[], from: number): ScanOptions {
  let count = 10;
  let pattern: string | null = null;
  for (let i = from; i < argv.length; i += 2) {
    const hasValue = i + 1 < argv.length;
    if (hasValue && isOption(argv[i], 'COUNT')) {
      count = toInteger(argv[i + 1]!);
      if (count < 1) syntax();
    } else if (hasValue && isOption(argv[i], 'MATCH')) {
      pattern = argv[i + 1] === '*' ? null : argv[i + 1]!;
    } else syntax();
  }
  return { count, pattern };
}

function hscan(c: Session, argv: string[]): Reply {
  const cursor = parseScanCursor(argv[2]!);
  const hash = readHash(c, argv[1]!);
  if (!hash) return ['0', []];
  const { count, pattern } = parseScanOptions(argv, 3);
  const out: Reply[] = [];
  const visit = (field: string) => {
    if (pattern === null || globMatch(pattern, field)) out.push(field, hash.get(field)!);
  };
  if (hash.isListpack) {
    // Like Redis, a small hash is answered whole, whatever the cursor.
    hash.forEach((_value, field) => {
      visit(field);
    });
    return ['0', out];
  }
  const next = scanStep(hash, cursor, count, () => hash.liveFields(), visit);
  return [String(next), out];
}

type Handler = (c: Session, argv: string[]) => Reply;

/**
 * A single-key hash command. `kind` gives Redis's flags and ACL categories: 'read' (readonly, slow),
 * 'read-fast', 'write' (write, fast) and 'insert' (write, denyoom, fast).
 */
function spec(
  kind: 'read' | 'read-fast' | 'write' | 'insert',
  name: string,
  arity: number,
  handler: Handler,
  since: string,
  summary: string,
): CommandSpec {
  const write = kind === 'write' || kind === 'insert';
  const fast = kind !== 'read';
  const flags: CommandFlag[] = write ? ['write'] : ['readonly'];
  if (kind === 'insert') flags.push('denyoom');
  if (fast) flags.push('fast');
  const categories = [write ? 'write' : 'read', 'hash', fast ? 'fast' : 'slow'];
  return command(name, arity, flags, [1, 1, 1], categories, handler, { group: 'hash', since, summary });
}

const hset: Handler = (c, argv) => setFields(c, argv, 'hset');

export const hashesCommands: CommandSpec[] = [
  spec('insert', 'hset', -4, hset, '2.0.0', 'Sets fields of a hash.'),
  spec('insert', 'hsetnx', 4, hsetnx, '2.0.0', 'Sets a hash field only when it does not exist yet.'),
  spec('insert', 'hmset', -4, hmset, '2.0.0', 'Sets fields of a hash (the older form of HSET).'),
  spec('read-fast', 'hget', 3, hget, '2.0.0', 'Returns the value of a hash field.'),
  spec('read-fast', 'hmget', -3, hmget, '2.0.0', 'Returns the values of several hash fields.'),
  spec('write', 'hdel', -3, hdel, '2.0.0', 'Removes fields from a hash, and the key when it empties.'),
  spec('read-fast', 'hlen', 2, hlen, '2.0.0', 'Returns the number of fields in a hash.'),
  spec('read-fast', 'hstrlen', 3, hstrlen, '3.2.0', 'Returns the byte length of a hash field value.'),
  spec('read-fast', 'hexists', 3, hexists, '2.0.0', 'Tells whether a hash field exists.'),
  spec('read', 'hkeys', 2, hkeys, '2.0.0', 'Returns all the field names of a hash.'),
  spec('read', 'hvals', 2, hvals, '2.0.0', 'Returns all the values of a hash.'),
  spec('read', 'hgetall', 2, hgetall, '2.0.0', 'Returns all the fields and values of a hash.'),
  spec('insert', 'hincrby', 4, hincrby, '2.0.0', 'Adds an integer to a hash field (0 if missing).'),
  spec('insert', 'hincrbyfloat', 4, hincrbyfloat, '2.6.0', 'Adds a float to a hash field (0 if missing).'),
  spec(
    'read',
    'hrandfield',
    -2,
    hrandfield,
    '6.2.0',
    'Returns random fields of a hash, optionally with values.',
  ),
  spec('read', 'hscan', -3, hscan, '2.8.0', 'Iterates over the fields and values of a hash.'),
];
