import type { Database } from '../../keyspace/database.js';
import { type RedisValue, typeOf } from '../../keyspace/values.js';
import { fail, NO_SUCH_KEY, SAME_OBJECT, SYNTAX } from '../../resp/errors.js';
import { OK, type Reply, StatusReply } from '../../resp/reply.js';
import type { Session } from '../../session.js';
import { isOption } from '../args.js';
import { type CommandSpec, command } from '../registry.js';
import { clearForcedEncoding, forceEncoding } from '../strings/encoding.js';
import { stringEncoding } from '../strings.js';
import { databaseAt, docs, toInt32 } from './shared.js';

/** DEL and UNLINK: there is no background freeing here, so both delete at once. */
function del(c: Session, argv: string[]): Reply {
  const db = c.db;
  let deleted = 0;
  for (let i = 1; i < argv.length; i++) {
    const key = argv[i]!;
    // get() first, so a key whose TTL passed counts as already gone (as Redis's expireIfNeeded).
    if (db.get(key) === undefined) continue;
    db.delete(key);
    c.changed(key, 'del', 'g');
    deleted++;
  }
  return deleted;
}

/** Counts every argument that exists, repeats included. */
function exists(c: Session, argv: string[]): Reply {
  let count = 0;
  for (let i = 1; i < argv.length; i++) if (c.db.read(argv[i]!) !== undefined) count++;
  return count;
}

const TYPE_REPLIES: Record<string, StatusReply> = {
  none: new StatusReply('none'),
  string: new StatusReply('string'),
  list: new StatusReply('list'),
  set: new StatusReply('set'),
  zset: new StatusReply('zset'),
  hash: new StatusReply('hash'),
  stream: new StatusReply('stream'),
};

function type(c: Session, argv: string[]): Reply {
  const value = c.db.read(argv[1]!);
  return TYPE_REPLIES[value === undefined ? 'none' : typeOf(value)]!;
}

/**
 * Redis moves (RENAME, MOVE) or duplicates (COPY) the string object itself, so a "raw" string stays raw
 * under its new name; the strings module remembers such encodings per key.
 */
function carryEncoding(
  from: Database,
  fromKey: string,
  to: Database,
  toKey: string,
  value: RedisValue,
): void {
  if (typeof value !== 'string') return;
  const encoding = stringEncoding(value, from, fromKey);
  if ((encoding === 'raw' || encoding === 'embstr') && encoding !== stringEncoding(value)) {
    forceEncoding(to, toKey, value, encoding);
  } else clearForcedEncoding(to, toKey);
}

/** RENAME and RENAMENX; the TTL travels with the value. */
function renameGeneric(c: Session, argv: string[], nx: boolean): Reply {
  const db = c.db;
  const from = argv[1]!;
  const to = argv[2]!;
  const value = db.get(from);
  if (value === undefined) fail(NO_SUCH_KEY);
  if (from === to) return nx ? 0 : OK;
  if (db.get(to) !== undefined) {
    if (nx) return 0;
    db.delete(to);
  }
  const expireAt = db.expireAt(from);
  carryEncoding(db, from, db, to, value);
  db.delete(from);
  db.set(to, value);
  if (expireAt !== undefined) db.setExpireAt(to, expireAt);
  c.changed(from, 'rename_from', 'g');
  c.changed(to, 'rename_to', 'g');
  return nx ? 1 : OK;
}

/** A deep copy for COPY; strings are immutable JS strings, so they are shared as they are. */
function duplicate(value: RedisValue): RedisValue {
  return typeof value === 'string' ? value : value.clone();
}

function copy(c: Session, argv: string[]): Reply {
  const source = argv[1]!;
  const destination = argv[2]!;
  let target: Database = c.db;
  let replace = false;
  for (let i = 3; i < argv.length; i++) {
    if (isOption(argv[i], 'REPLACE')) replace = true;
    else if (isOption(argv[i], 'DB') && i + 1 < argv.length) target = databaseAt(c, toInt32(argv[++i]!));
    else fail(SYNTAX);
  }
  const db = c.db;
  if (target === db && source === destination) fail(SAME_OBJECT);
  const value = db.read(source);
  if (value === undefined) return 0;
  const expireAt = db.expireAt(source);
  if (target.get(destination) !== undefined) {
    if (!replace) return 0;
    target.delete(destination);
  }
  carryEncoding(db, source, target, destination, value);
  target.set(destination, duplicate(value));
  if (expireAt !== undefined) target.setExpireAt(destination, expireAt);
  c.engine.keyChanged(target, destination, 'copy_to', 'g');
  return 1;
}

function move(c: Session, argv: string[]): Reply {
  const key = argv[1]!;
  const target = databaseAt(c, toInt32(argv[2]!));
  const db = c.db;
  if (target === db) fail(SAME_OBJECT);
  const value = db.get(key);
  if (value === undefined) return 0;
  const expireAt = db.expireAt(key);
  if (target.get(key) !== undefined) return 0;
  carryEncoding(db, key, target, key, value);
  target.set(key, value);
  if (expireAt !== undefined) target.setExpireAt(key, expireAt);
  db.delete(key);
  c.changed(key, 'move_from', 'g');
  c.engine.keyChanged(target, key, 'move_to', 'g');
  return 1;
}

/** TOUCH: a read of each key; answers how many exist. */
function touch(c: Session, argv: string[]): Reply {
  let touched = 0;
  for (let i = 1; i < argv.length; i++) if (c.db.read(argv[i]!) !== undefined) touched++;
  return touched;
}

const KEYSPACE_WRITE = ['keyspace', 'write'];
const KEYSPACE_READ = ['keyspace', 'read'];

export const genericCommands: CommandSpec[] = [
  command(
    'del',
    -2,
    ['write'],
    [1, -1, 1],
    [...KEYSPACE_WRITE, 'slow'],
    del,
    docs('1.0.0', 'Deletes one or more keys.', 'O(N) where N is the number of keys that will be removed.'),
  ),
  command(
    'unlink',
    -2,
    ['write', 'fast'],
    [1, -1, 1],
    [...KEYSPACE_WRITE, 'fast'],
    del,
    docs(
      '4.0.0',
      'Deletes one or more keys, freeing their memory without blocking the caller.',
      'O(1) for each key removed regardless of its size.',
    ),
  ),
  command(
    'exists',
    -2,
    ['readonly', 'fast'],
    [1, -1, 1],
    [...KEYSPACE_READ, 'fast'],
    exists,
    docs('1.0.0', 'Counts how many of the given keys exist.', 'O(N) where N is the number of keys to check.'),
  ),
  command(
    'type',
    2,
    ['readonly', 'fast'],
    [1, 1, 1],
    [...KEYSPACE_READ, 'fast'],
    type,
    docs('1.0.0', 'Names the type of the value stored at a key.', 'O(1)'),
  ),
  command(
    'rename',
    3,
    ['write'],
    [1, 2, 1],
    [...KEYSPACE_WRITE, 'slow'],
    (c, argv) => renameGeneric(c, argv, false),
    docs('1.0.0', 'Gives a key a new name, replacing any key with that name.', 'O(1)'),
  ),
  command(
    'renamenx',
    3,
    ['write', 'fast'],
    [1, 2, 1],
    [...KEYSPACE_WRITE, 'fast'],
    (c, argv) => renameGeneric(c, argv, true),
    docs('1.0.0', 'Gives a key a new name only if that name is free.', 'O(1)'),
  ),
  command(
    'copy',
    -3,
    ['write', 'denyoom'],
    [1, 2, 1],
    [...KEYSPACE_WRITE, 'slow'],
    copy,
    docs(
      '6.2.0',
      'Duplicates the value of a key under another key, optionally in another database.',
      'O(N) worst case for collections, where N is the number of nested items. O(1) for string values.',
    ),
  ),
  command(
    'move',
    3,
    ['write', 'fast'],
    [1, 1, 1],
    [...KEYSPACE_WRITE, 'fast'],
    move,
    docs('1.0.0', 'Moves a key into another database.', 'O(1)'),
  ),
  command(
    'touch',
    -2,
    ['readonly', 'fast'],
    [1, -1, 1],
    [...KEYSPACE_READ, 'fast'],
    touch,
    docs(
      '3.2.1',
      'Records an access to each given key; answers how many exist.',
      'O(N) where N is the number of keys that will be touched.',
    ),
  ),
];
