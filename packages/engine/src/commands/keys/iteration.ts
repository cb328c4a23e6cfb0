import type { Database } from '../../keyspace/database.js';
import { typeOf } from '../../keyspace/values.js';
import { fail, SYNTAX } from '../../resp/errors.js';
import type { Reply } from '../../resp/reply.js';
import type { Session } from '../../session.js';
import { globMatch } from '../../util/glob.js';
import { parseScanCursor, scanStep } from '../../util/scan.js';
import { isOption, toInteger } from '../args.js';
import { type CommandSpec, command } from '../registry.js';
import { docs } from './shared.js';

/** True when the key's TTL has passed but it has not been removed yet (KEYS skips such keys). */
function expiredAt(db: Database, key: string, now: number): boolean {
  if (db.expires.size === 0) return false;
  const at = db.expires.get(key);
  return at !== undefined && at <= now;
}

function keys(c: Session, argv: string[]): Reply {
  const pattern = argv[1]!;
  const all = pattern === '*';
  const db = c.db;
  const now = c.now();
  const out: Reply[] = [];
  for (const key of db.data.keys()) {
    if ((all || globMatch(pattern, key)) && !expiredAt(db, key, now)) out.push(key);
  }
  return out;
}

function scan(c: Session, argv: string[]): Reply {
  const cursor = parseScanCursor(argv[1]!);
  let count = 10;
  let pattern: string | undefined;
  let typeName: string | undefined;
  for (let i = 2; i < argv.length; i++) {
    const hasValue = i + 1 < argv.length;
    if (isOption(argv[i], 'COUNT') && hasValue) {
      count = toInteger(argv[++i]!);
      if (count < 1) fail(SYNTAX);
    } else if (isOption(argv[i], 'MATCH') && hasValue) {
      pattern = argv[++i]!;
      if (pattern === '*') pattern = undefined;
    } else if (isOption(argv[i], 'TYPE') && hasValue) {
      typeName = argv[++i]!.toLowerCase();
    } else fail(SYNTAX);
  }
  const db = c.db;
  const data = db.data;
  const visited: string[] = [];
  const next = scanStep(
    data,
    cursor,
    count,
    () => data.keys(),
    (key) => visited.push(key),
  );
  const found: Reply[] = [];
  for (const key of visited) {
    if (pattern !== undefined && !globMatch(pattern, key)) continue;
    if (typeName !== undefined) {
      // Redis looks the key up (a counted read that also expires it) to learn its type.
      const value = db.read(key);
      if (value === undefined || typeOf(value) !== typeName) continue;
    }
    if (db.get(key) === undefined) continue;
    found.push(key);
  }
  return [String(next), found];
}

/**
 * Map has no random access, so RANDOMKEY draws from an array of the live keys, rebuilt when keys were
 * added since, or when draws keep landing on keys deleted since. Expired keys are dropped while
 * rebuilding, so a keyspace full of expired keys costs one pass, not one pass per draw.
 */
const snapshots = new WeakMap<Map<string, unknown>, string[]>();
const MAX_MISSES = 8;

function liveKeys(db: Database): string[] {
  const out: string[] = [];
  for (const key of db.data.keys()) if (db.get(key) !== undefined) out.push(key);
  return out;
}

function randomKey(c: Session): Reply {
  const db = c.db;
  let snapshot = snapshots.get(db.data);
  let misses = 0;
  while (db.size > 0) {
    if (!snapshot || db.size > snapshot.length || misses >= MAX_MISSES) {
      snapshot = liveKeys(db);
      snapshots.set(db.data, snapshot);
      misses = 0;
      if (snapshot.length === 0) break;
    }
    const key = snapshot[Math.floor(Math.random() * snapshot.length)]!;
    if (db.get(key) !== undefined) return key;
    misses++;
  }
  return null;
}

export const iterationCommands: CommandSpec[] = [
  command(
    'keys',
    2,
    ['readonly'],
    [0, 0, 0],
    ['keyspace', 'read', 'slow', 'dangerous'],
    keys,
    docs(
      '1.0.0',
      'Lists the keys that match a glob-style pattern.',
      'O(N) with N being the number of keys in the database, under the assumption that the key names in the database and the given pattern have limited length.',
    ),
  ),
  command(
    'scan',
    -2,
    ['readonly'],
    [0, 0, 0],
    ['keyspace', 'read', 'slow'],
    scan,
    docs(
      '2.8.0',
      'Iterates over the key names of the database, a few at a time.',
      'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.',
    ),
  ),
  command(
    'randomkey',
    1,
    ['readonly'],
    [0, 0, 0],
    ['keyspace', 'read', 'slow'],
    randomKey,
    docs('1.0.0', 'Answers a key name picked at random.', 'O(1)'),
  ),
];
