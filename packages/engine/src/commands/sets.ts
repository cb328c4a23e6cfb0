import { fail, syntaxError, wrongType } from '../resp/errors.js';
import { type Reply, SetReply } from '../resp/reply.js';
import type { Session } from '../session.js';
import { RedisSet, sampleDistinctIndexes } from '../types/set.js';
import { globMatch } from '../util/glob.js';
import { parseInteger } from '../util/numbers.js';
import { parseScanCursor, scanStep } from '../util/scan.js';
import { isOption } from './args.js';
import { guardReplySize, parseScanOptions, toRandomCount } from './hashes.js';
import { type CommandFlag, type CommandSpec, command } from './registry.js';

const maxIntsetEntries = (c: Session) => c.engine.config.number('set-max-intset-entries');

function readSet(c: Session, key: string): RedisSet | undefined {
  const value = c.db.read(key);
  if (value === undefined) return undefined;
  if (!(value instanceof RedisSet)) wrongType();
  return value;
}

function writableSet(c: Session, key: string): RedisSet | undefined {
  const value = c.db.get(key);
  if (value === undefined) return undefined;
  if (!(value instanceof RedisSet)) wrongType();
  return value;
}

/** Looks up source sets for SINTER/SUNION/SDIFF (undefined = missing = empty); WRONGTYPE for others. */
function readSets(c: Session, keys: string[]): Array<RedisSet | undefined> {
  const sets = new Array<RedisSet | undefined>(keys.length);
  for (let i = 0; i < keys.length; i++) sets[i] = readSet(c, keys[i]!);
  return sets;
}

/** Removes an emptied set's key, with the 'del' event Redis sends after the command's own. */
function deleteIfEmpty(c: Session, key: string, set: RedisSet): void {
  if (set.size > 0) return;
  c.db.delete(key);
  c.engine.notify(c.db, key, 'del', 'g');
}

function sadd(c: Session, argv: string[]): Reply {
  const key = argv[1]!;
  const existing = writableSet(c, key);
  const set = existing ?? new RedisSet();
  const max = set.isIntset ? maxIntsetEntries(c) : 0;
  let added = 0;
  for (let i = 2; i < argv.length; i++) if (set.add(argv[i]!, max)) added++;
  if (!existing) c.db.set(key, set);
  if (added > 0) c.changed(key, 'sadd', 's');
  return added;
}

function srem(c: Session, argv: string[]): Reply {
  const key = argv[1]!;
  const set = writableSet(c, key);
  if (!set) return 0;
  let removed = 0;
  for (let i = 2; i < argv.length; i++) {
    if (set.delete(argv[i]!)) {
      removed++;
      if (set.size === 0) break;
    }
  }
  if (removed === 0) return 0;
  c.changed(key, 'srem', 's');
  deleteIfEmpty(c, key, set);
  return removed;
}

function smove(c: Session, argv: string[]): Reply {
  const source = argv[1]!;
  const destination = argv[2]!;
  const member = argv[3]!;
  const from = c.db.get(source);
  const to = c.db.get(destination);
  if (from === undefined) return 0;
  if (!(from instanceof RedisSet) || (to !== undefined && !(to instanceof RedisSet))) wrongType();
  if (from === to) return from.has(member) ? 1 : 0;
  if (!from.delete(member)) return 0;
  c.changed(source, 'srem', 's');
  deleteIfEmpty(c, source, from);
  let target = to;
  if (!target) {
    target = new RedisSet();
    c.db.set(destination, target);
  }
  if (target.add(member, maxIntsetEntries(c))) c.changed(destination, 'sadd', 's');
  return 1;
}

function sismember(c: Session, argv: string[]): Reply {
  return readSet(c, argv[1]!)?.has(argv[2]!) ? 1 : 0;
}

function smismember(c: Session, argv: string[]): Reply {
  const set = readSet(c, argv[1]!);
  const out: Reply[] = new Array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) out[i - 2] = set?.has(argv[i]!) ? 1 : 0;
  return out;
}

function scard(c: Session, argv: string[]): Reply {
  return readSet(c, argv[1]!)?.size ?? 0;
}

/** When this share of the set stays, SPOP picks the survivors instead of the popped members. */
const SPOP_MOVE_STRATEGY_MUL = 5;

function spop(c: Session, argv: string[]): Reply {
  if (argv.length > 3) syntaxError();
  if (argv.length === 3) return spopWithCount(c, argv);
  const key = argv[1]!;
  const set = writableSet(c, key);
  if (!set) return null;
  const member = set.popRandom();
  c.changed(key, 'spop', 's');
  deleteIfEmpty(c, key, set);
  return member;
}

function spopWithCount(c: Session, argv: string[]): Reply {
  const count = parseInteger(argv[2]!);
  if (count === null || count < 0) fail('ERR value is out of range, must be positive');
  const key = argv[1]!;
  const set = writableSet(c, key);
  if (!set || count === 0) return new SetReply([]);
  const size = set.size;
  const max = maxIntsetEntries(c);
  if (count >= size) {
    // Redis answers with the union of the set alone, then deletes the key.
    const all = combine([set], 'union', max);
    c.db.delete(key);
    c.changed(key, 'spop', 's');
    c.engine.notify(c.db, key, 'del', 'g');
    return new SetReply(all.toArray());
  }
  const remaining = size - count;
  let popped: string[];
  if (remaining * SPOP_MOVE_STRATEGY_MUL > count) {
    popped = new Array<string>(count);
    for (let i = 0; i < count; i++) popped[i] = set.popRandom();
  } else {
    // Most of the set goes: move the few survivors into a new set and answer with the rest, in the
    // old set's order (ascending for an intset), as Redis does. The key keeps its TTL.
    const survivors = new RedisSet();
    for (let i = 0; i < remaining; i++) survivors.add(set.popRandom(), max);
    popped = set.toArray();
    c.db.set(key, survivors, true);
  }
  c.changed(key, 'spop', 's');
  return new SetReply(popped);
}

function srandmember(c: Session, argv: string[]): Reply {
  if (argv.length > 3) syntaxError();
  if (argv.length === 2) {
    const set = readSet(c, argv[1]!);
    return set ? set.randomMember() : null;
  }
  const requested = toRandomCount(argv[2]!);
  const set = readSet(c, argv[1]!);
  if (!set || requested === 0n) return [];
  const unique = requested > 0n;
  const count = Number(unique ? requested : -requested);
  if (unique && count >= set.size) return set.toArray();
  const members = set.membersBySlot();
  if (!unique || count === 1) {
    guardReplySize(count);
    const out = new Array<Reply>(count);
    for (let i = 0; i < count; i++) out[i] = members[Math.floor(Math.random() * members.length)]!;
    return out;
  }
  return sampleDistinctIndexes(members.length, count).map((slot) => members[slot]!);
}

/**
 * Visits the members common to all `sets` as Redis does: walking the smallest set (a stable sort by
 * size, so an intset-encoded smallest set yields ascending order). `visit` returns false to stop.
 */
function intersect(sets: RedisSet[], visit: (member: string) => boolean): void {
  const ordered = sets.slice().sort((a, b) => a.size - b.size);
  const first = ordered[0]!;
  candidates: for (const member of first.items) {
    for (let j = 1; j < ordered.length; j++) {
      const other = ordered[j]!;
      if (other !== first && !other.has(member)) continue candidates;
    }
    if (!visit(member)) return;
  }
}

function allPresent(sets: Array<RedisSet | undefined>): sets is RedisSet[] {
  for (const set of sets) if (!set) return false;
  return true;
}

function sinter(c: Session, argv: string[]): Reply {
  const sets = readSets(c, argv.slice(1));
  if (!allPresent(sets)) return new SetReply([]);
  const out: Reply[] = [];
  intersect(sets, (member) => out.push(member) > 0);
  return new SetReply(out);
}

function sintercard(c: Session, argv: string[]): Reply {
  const numkeys = parseInteger(argv[1]!);
  if (numkeys === null || numkeys < 1) fail('ERR numkeys should be greater than 0');
  if (numkeys > argv.length - 2) fail("ERR Number of keys can't be greater than number of args");
  let limit = 0;
  for (let i = 2 + numkeys; i < argv.length; i++) {
    if (isOption(argv[i], 'LIMIT') && i + 1 < argv.length) {
      const value = parseInteger(argv[++i]!);
      if (value === null || value < 0) fail("ERR LIMIT can't be negative");
      limit = value;
    } else syntaxError();
  }
  const sets = readSets(c, argv.slice(2, 2 + numkeys));
  if (!allPresent(sets)) return 0;
  let cardinality = 0;
  intersect(sets, () => ++cardinality !== limit);
  return cardinality;
}

/** Stores a STORE command's result, or deletes the destination when the result is empty. */
function store(c: Session, destination: string, result: RedisSet, event: string): Reply {
  if (result.size > 0) {
    c.db.set(destination, result);
    c.changed(destination, event, 's');
    return result.size;
  }
  if (c.db.delete(destination)) c.changed(destination, 'del', 'g');
  return 0;
}

function sinterstore(c: Session, argv: string[]): Reply {
  const destination = argv[1]!;
  const sets = readSets(c, argv.slice(2));
  const result = new RedisSet();
  if (allPresent(sets)) {
    const max = maxIntsetEntries(c);
    intersect(sets, (member) => {
      result.add(member, max);
      return true;
    });
  }
  return store(c, destination, result, 'sinterstore');
}

/**
 * SUNION/SDIFF into a fresh set built the way Redis builds it (starting as an intset and adding in
 * the same order, with the same choice of diff algorithm), so the result's encoding and iteration
 * order match Redis's.
 */
function combine(sets: Array<RedisSet | undefined>, op: 'union' | 'diff', max: number): RedisSet {
  const result = new RedisSet();
  if (op === 'union') {
    for (const set of sets) if (set) for (const member of set.items) result.add(member, max);
    return result;
  }
  const first = sets[0];
  if (!first) return result;
  const others: RedisSet[] = [];
  for (let j = 1; j < sets.length; j++) {
    const set = sets[j];
    if (set === first) return result; // the first set minus itself
    if (set) others.push(set);
  }
  // Redis's cost model: walk the first set against the others, or copy it and remove the others.
  let walkCost = first.size;
  let copyCost = first.size;
  for (const set of others) {
    walkCost += first.size;
    copyCost += set.size;
  }
  if (Math.floor(walkCost / 2) <= copyCost) {
    others.sort((a, b) => b.size - a.size);
    for (const member of first.items) {
      if (!others.some((set) => set.has(member))) result.add(member, max);
    }
    return result;
  }
  for (const member of first.items) result.add(member, max);
  for (const set of others) {
    for (const member of set.items) result.delete(member);
    if (result.size === 0) break;
  }
  return result;
}

function sunionOrDiff(c: Session, argv: string[], op: 'union' | 'diff'): Reply {
  const result = combine(readSets(c, argv.slice(1)), op, maxIntsetEntries(c));
  return new SetReply(result.toArray());
}

function storeUnionOrDiff(c: Session, argv: string[], op: 'union' | 'diff'): Reply {
  const result = combine(readSets(c, argv.slice(2)), op, maxIntsetEntries(c));
  return store(c, argv[1]!, result, op === 'union' ? 'sunionstore' : 'sdiffstore');
}

function sscan(c: Session, argv: string[]): Reply {
  const cursor = parseScanCursor(argv[2]!);
  const set = readSet(c, argv[1]!);
  if (!set) return ['0', []];
  const { count, pattern } = parseScanOptions(argv, 3);
  const out: Reply[] = [];
  const visit = (member: string) => {
    if (pattern === null || globMatch(pattern, member)) out.push(member);
  };
  if (set.isIntset) {
    // Like Redis, a small set is answered whole, whatever the cursor.
    for (const member of set.items) visit(member);
    return ['0', out];
  }
  const next = scanStep(set, cursor, count, () => set.liveMembers(), visit);
  return [String(next), out];
}

/** SINTERCARD's keys: argv[2 .. 2 + numkeys). */
function sintercardKeys(argv: string[]): number[] {
  const numkeys = parseInteger(argv[1] ?? '');
  if (numkeys === null || numkeys < 1 || numkeys > argv.length - 2) return [];
  const keys: number[] = [];
  for (let i = 0; i < numkeys; i++) keys.push(2 + i);
  return keys;
}

type Handler = (c: Session, argv: string[]) => Reply;
type Kind = 'read' | 'read-fast' | 'write' | 'insert' | 'store';

/**
 * A set command. `kind` gives Redis's flags and ACL categories: 'read' (readonly, slow), 'read-fast',
 * 'write' (write, fast), 'insert' (write, denyoom, fast) and 'store' (write, denyoom, slow).
 */
function spec(
  kind: Kind,
  name: string,
  arity: number,
  keys: [number, number, number],
  handler: Handler,
  since: string,
  summary: string,
): CommandSpec {
  const write = kind === 'write' || kind === 'insert' || kind === 'store';
  const fast = kind === 'read-fast' || kind === 'write' || kind === 'insert';
  const flags: CommandFlag[] = write ? ['write'] : ['readonly'];
  if (kind === 'insert' || kind === 'store') flags.push('denyoom');
  if (fast) flags.push('fast');
  const categories = [write ? 'write' : 'read', 'set', fast ? 'fast' : 'slow'];
  return command(name, arity, flags, keys, categories, handler, { group: 'set', since, summary });
}

const ONE: [number, number, number] = [1, 1, 1];
const ALL: [number, number, number] = [1, -1, 1];

const sunion: Handler = (c, argv) => sunionOrDiff(c, argv, 'union');
const sdiff: Handler = (c, argv) => sunionOrDiff(c, argv, 'diff');
const sunionstore: Handler = (c, argv) => storeUnionOrDiff(c, argv, 'union');
const sdiffstore: Handler = (c, argv) => storeUnionOrDiff(c, argv, 'diff');

const sintercardSpec = spec(
  'read',
  'sintercard',
  -3,
  [0, 0, 0],
  sintercard,
  '7.0.0',
  'Counts the common members.',
);

export const setsCommands: CommandSpec[] = [
  spec('insert', 'sadd', -3, ONE, sadd, '1.0.0', 'Adds members to a set.'),
  spec('write', 'srem', -3, ONE, srem, '1.0.0', 'Removes members from a set.'),
  spec('read', 'smembers', 2, ONE, sinter, '1.0.0', 'Returns all the members of a set.'),
  spec('read-fast', 'sismember', 3, ONE, sismember, '1.0.0', 'Tells whether a value is a member of a set.'),
  spec('read-fast', 'smismember', -3, ONE, smismember, '6.2.0', 'Tells which of several values are members.'),
  spec('read-fast', 'scard', 2, ONE, scard, '1.0.0', 'Returns the number of members of a set.'),
  spec('write', 'smove', 4, [1, 2, 1], smove, '1.0.0', 'Moves a member from one set to another.'),
  spec('write', 'spop', -2, ONE, spop, '1.0.0', 'Removes and returns random members of a set.'),
  spec('read', 'srandmember', -2, ONE, srandmember, '1.0.0', 'Returns random members of a set.'),
  spec('read', 'sinter', -2, ALL, sinter, '1.0.0', 'Returns the members common to all the sets.'),
  {
    ...sintercardSpec,
    flags: ['readonly', 'movablekeys'],
    summary: 'Counts the members common to all the sets, up to an optional limit.',
    getKeys: sintercardKeys,
  },
  spec('store', 'sinterstore', -3, ALL, sinterstore, '1.0.0', 'Stores the intersection of sets.'),
  spec('read', 'sunion', -2, ALL, sunion, '1.0.0', 'Returns the union of sets.'),
  spec('store', 'sunionstore', -3, ALL, sunionstore, '1.0.0', 'Stores the union of sets.'),
  spec('read', 'sdiff', -2, ALL, sdiff, '1.0.0', 'Returns the first set minus the others.'),
  spec('store', 'sdiffstore', -3, ALL, sdiffstore, '1.0.0', 'Stores the first set minus the others.'),
  spec('read', 'sscan', -3, ONE, sscan, '2.8.0', 'Iterates over the members of a set.'),
];
