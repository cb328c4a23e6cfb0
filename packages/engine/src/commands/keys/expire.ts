import { errorArg, fail } from '../../resp/errors.js';
import type { Reply } from '../../resp/reply.js';
import type { Session } from '../../session.js';
import { INT64_MAX, INT64_MIN, parseInteger } from '../../util/numbers.js';
import { toInt64 } from '../args.js';
import { type CommandSpec, command } from '../registry.js';
import { docs } from './shared.js';

const NX = 1;
const XX = 2;
const GT = 4;
const LT = 8;

/** The NX | XX | GT | LT flags after the time, with Redis's errors for unknown or conflicting ones. */
function parseExpireFlags(argv: string[]): number {
  let flags = 0;
  for (let i = 3; i < argv.length; i++) {
    const option = argv[i]!.toUpperCase();
    if (option === 'NX') flags |= NX;
    else if (option === 'XX') flags |= XX;
    else if (option === 'GT') flags |= GT;
    else if (option === 'LT') flags |= LT;
    else fail(`ERR Unsupported option ${errorArg(argv[i]!)}`);
  }
  if (flags & NX && flags & (XX | GT | LT))
    fail('ERR NX and XX, GT or LT options at the same time are not compatible');
  if (flags & GT && flags & LT) fail('ERR GT and LT options at the same time are not compatible');
  return flags;
}

/** Whether the flags allow replacing `current` (undefined = no TTL, an infinite one) with `when`. */
function flagsAllow(flags: number, current: number | undefined, when: number): boolean {
  if (flags & NX && current !== undefined) return false;
  if (flags & XX && current === undefined) return false;
  if (flags & GT && (current === undefined || when <= current)) return false;
  if (flags & LT && current !== undefined && when >= current) return false;
  return true;
}

/** Below this many ms, times stay exact in a double and far from int64 overflow: no BigInt needed. */
const EXACT_LIMIT = 2 ** 52;

/**
 * The absolute expiry time in ms that EXPIRE-family arguments name, with Redis's overflow errors.
 * `relative`: the time counts from `now`; `seconds`: the argument is in seconds.
 */
function expireTime(argv: string[], now: number, relative: boolean, seconds: boolean): number {
  const arg = argv[2]!;
  const fast = parseInteger(arg);
  if (fast !== null && Math.abs(fast) < EXACT_LIMIT / 1000)
    return (seconds ? fast * 1000 : fast) + (relative ? now : 0);
  let when = toInt64(arg);
  const invalid = `ERR invalid expire time in '${argv[0]!.toLowerCase()}' command`;
  if (seconds) {
    if (when > INT64_MAX / 1000n || when < INT64_MIN / 1000n) fail(invalid);
    when *= 1000n;
  }
  const base = relative ? BigInt(now) : 0n;
  if (when > INT64_MAX - base) fail(invalid);
  // Times beyond 2^53 ms (year 287396) lose precision here; they never come due either way.
  return Number(when + base);
}

/** EXPIRE, PEXPIRE, EXPIREAT and PEXPIREAT. A time already past deletes the key (and still answers 1). */
function expireGeneric(c: Session, argv: string[], relative: boolean, seconds: boolean): Reply {
  const key = argv[1]!;
  const flags = argv.length > 3 ? parseExpireFlags(argv) : 0;
  const now = c.now();
  const when = expireTime(argv, now, relative, seconds);
  const db = c.db;
  if (db.get(key) === undefined) return 0;
  if (flags !== 0 && !flagsAllow(flags, db.expireAt(key), when)) return 0;
  if (when <= now) {
    db.delete(key);
    c.changed(key, 'del', 'g');
    return 1;
  }
  db.setExpireAt(key, when);
  c.changed(key, 'expire', 'g');
  return 1;
}

/** TTL, PTTL, EXPIRETIME and PEXPIRETIME: -2 without the key, -1 without a TTL. */
function ttlGeneric(c: Session, key: string, milliseconds: boolean, absolute: boolean): Reply {
  const db = c.db;
  if (db.read(key) === undefined) return -2;
  const at = db.expireAt(key);
  if (at === undefined) return -1;
  const ttl = Math.max(absolute ? at : at - c.now(), 0);
  return milliseconds ? ttl : Math.floor((ttl + 500) / 1000);
}

function persist(c: Session, argv: string[]): Reply {
  const key = argv[1]!;
  const db = c.db;
  if (db.get(key) === undefined || !db.removeExpire(key)) return 0;
  c.changed(key, 'persist', 'g');
  return 1;
}

const WRITE = ['write', 'fast'] as const;
const READ = ['readonly', 'fast'] as const;
const WRITE_CATEGORIES = ['keyspace', 'write', 'fast'];
const READ_CATEGORIES = ['keyspace', 'read', 'fast'];

export const expireCommands: CommandSpec[] = [
  command(
    'expire',
    -3,
    WRITE,
    [1, 1, 1],
    WRITE_CATEGORIES,
    (c, argv) => expireGeneric(c, argv, true, true),
    docs('1.0.0', 'Sets a time to live on a key, in seconds.', 'O(1)'),
  ),
  command(
    'pexpire',
    -3,
    WRITE,
    [1, 1, 1],
    WRITE_CATEGORIES,
    (c, argv) => expireGeneric(c, argv, true, false),
    docs('2.6.0', 'Sets a time to live on a key, in milliseconds.', 'O(1)'),
  ),
  command(
    'expireat',
    -3,
    WRITE,
    [1, 1, 1],
    WRITE_CATEGORIES,
    (c, argv) => expireGeneric(c, argv, false, true),
    docs('1.2.0', 'Sets the Unix time, in seconds, at which a key expires.', 'O(1)'),
  ),
  command(
    'pexpireat',
    -3,
    WRITE,
    [1, 1, 1],
    WRITE_CATEGORIES,
    (c, argv) => expireGeneric(c, argv, false, false),
    docs('2.6.0', 'Sets the Unix time, in milliseconds, at which a key expires.', 'O(1)'),
  ),
  command(
    'ttl',
    2,
    READ,
    [1, 1, 1],
    READ_CATEGORIES,
    (c, argv) => ttlGeneric(c, argv[1]!, false, false),
    docs('1.0.0', 'Answers the remaining time to live of a key, in seconds.', 'O(1)'),
  ),
  command(
    'pttl',
    2,
    READ,
    [1, 1, 1],
    READ_CATEGORIES,
    (c, argv) => ttlGeneric(c, argv[1]!, true, false),
    docs('2.6.0', 'Answers the remaining time to live of a key, in milliseconds.', 'O(1)'),
  ),
  command(
    'expiretime',
    2,
    READ,
    [1, 1, 1],
    READ_CATEGORIES,
    (c, argv) => ttlGeneric(c, argv[1]!, false, true),
    docs('7.0.0', 'Answers the Unix time, in seconds, at which a key expires.', 'O(1)'),
  ),
  command(
    'pexpiretime',
    2,
    READ,
    [1, 1, 1],
    READ_CATEGORIES,
    (c, argv) => ttlGeneric(c, argv[1]!, true, true),
    docs('7.0.0', 'Answers the Unix time, in milliseconds, at which a key expires.', 'O(1)'),
  ),
  command(
    'persist',
    2,
    WRITE,
    [1, 1, 1],
    WRITE_CATEGORIES,
    persist,
    docs('2.2.0', 'Removes the time to live of a key.', 'O(1)'),
  ),
];
