import { fail, RedisError, SYNTAX, WRONGTYPE } from '../../resp/errors.js';
import type { Reply } from '../../resp/reply.js';
import type { Session } from '../../session.js';
import { compareEntries } from '../../types/order-statistic-tree.js';
import { RedisSet } from '../../types/set.js';
import { ZSet } from '../../types/zset.js';
import { isOption, toDouble } from '../args.js';
import { type CommandSpec, command } from '../registry.js';
import { docs, numkeysKeys, ScoredReply, zsetLimits } from './common.js';
import { toLong } from './parse.js';

type SetOp = 'union' | 'inter' | 'diff';
type Aggregate = 'sum' | 'min' | 'max';

/** One input: a sorted set, a plain set (every member scores 1), or a missing key (empty). */
interface Source {
  value: ZSet | RedisSet | null;
  weight: number;
}

function sizeOf(source: Source): number {
  return source.value?.size ?? 0;
}

/** The input's score for a member, or undefined when it is not there. */
function scoreIn(source: Source, member: string): number | undefined {
  const value = source.value;
  if (value === null) return undefined;
  if (value instanceof ZSet) return value.score(member);
  return value.has(member) ? 1 : undefined;
}

/**
 * Visits the entries of an input until `visit` returns true; sorted sets are walked from the highest
 * score down, as Redis does.
 */
function forEachIn(source: Source, visit: (member: string, score: number) => boolean | undefined): void {
  const value = source.value;
  if (value === null) return;
  if (value instanceof ZSet) {
    for (const cursor = value.at(value.size - 1); cursor.valid; cursor.prev()) {
      if (visit(cursor.member, cursor.score)) return;
    }
  } else {
    for (const member of value.items) if (visit(member, 1)) return;
  }
}

function aggregate(target: number, value: number, how: Aggregate): number {
  if (how === 'sum') {
    const sum = target + value;
    // inf + -inf is NaN: Redis counts it as 0.
    return Number.isNaN(sum) ? 0 : sum;
  }
  // Not Math.min/max: C's comparison keeps the current value on ties such as -0 vs 0.
  if (how === 'min') return value < target ? value : target;
  return value > target ? value : target;
}

/** A result under construction: member → score, sorted at the end. */
class Result {
  readonly scores = new Map<string, number>();

  sorted(): [members: string[], scores: number[]] {
    const entries = [...this.scores];
    entries.sort((a, b) => compareEntries(a[1], a[0], b[1], b[0]));
    return [entries.map((e) => e[0]), entries.map((e) => e[1])];
  }
}

function union(sources: Source[], how: Aggregate): Result {
  const result = new Result();
  const acc = result.scores;
  for (const source of sources) {
    const weight = source.weight;
    forEachIn(source, (member, s) => {
      let score = weight * s;
      if (Number.isNaN(score)) score = 0;
      const current = acc.get(member);
      acc.set(member, current === undefined ? score : aggregate(current, score, how));
      return false;
    });
  }
  return result;
}

/** Members of the smallest input present in all others, until `onMatch` returns true (ZINTERCARD's LIMIT). */
function inter(sources: Source[], how: Aggregate, onMatch: (member: string, score: number) => boolean): void {
  const [first, ...rest] = sources;
  if (sizeOf(first!) === 0) return;
  const w0 = first!.weight;
  forEachIn(first!, (member, s) => {
    let score = w0 * s;
    if (Number.isNaN(score)) score = 0;
    for (const other of rest) {
      // The same key twice: its score is known without a lookup.
      const found = other.value === first!.value ? s : scoreIn(other, member);
      if (found === undefined) return false;
      score = aggregate(score, found * other.weight, how);
    }
    return onMatch(member, score);
  });
}

function diff(sources: Source[]): Result {
  const result = new Result();
  const [first, ...rest] = sources;
  if (sizeOf(first!) === 0) return result;
  if (rest.some((other) => other.value === first!.value)) return result;
  forEachIn(first!, (member, score) => {
    for (const other of rest) if (scoreIn(other, member) !== undefined) return false;
    result.scores.set(member, score);
    return false;
  });
  return result;
}

const EVENTS: Record<SetOp, string> = { union: 'zunionstore', inter: 'zinterstore', diff: 'zdiffstore' };

/**
 * ZUNION, ZINTER, ZDIFF, their STORE forms and ZINTERCARD. `dst` is the STORE destination; the
 * numkeys argument sits at `numkeysIndex`.
 */
function setOperation(
  c: Session,
  argv: string[],
  name: string,
  op: SetOp,
  numkeysIndex: number,
  dst: string | undefined,
  cardinalityOnly = false,
): Reply {
  const setnum = toLong(argv[numkeysIndex]!);
  if (setnum < 1) fail(`ERR at least 1 input key is needed for '${name}' command`);
  if (setnum > argv.length - numkeysIndex - 1) fail(SYNTAX);
  const sources: Source[] = [];
  let j = numkeysIndex + 1;
  for (let i = 0; i < setnum; i++, j++) {
    const value = c.db.read(argv[j]!);
    if (value !== undefined && !(value instanceof ZSet) && !(value instanceof RedisSet))
      throw new RedisError(WRONGTYPE);
    sources.push({ value: value ?? null, weight: 1 });
  }
  let how: Aggregate = 'sum';
  let withScores = false;
  let limit = 0;
  const combining = op !== 'diff' && !cardinalityOnly;
  while (j < argv.length) {
    const remaining = argv.length - j;
    const arg = argv[j]!;
    if (combining && remaining >= setnum + 1 && isOption(arg, 'WEIGHTS')) {
      j++;
      for (const source of sources) source.weight = toDouble(argv[j++]!, 'ERR weight value is not a float');
    } else if (combining && remaining >= 2 && isOption(arg, 'AGGREGATE')) {
      const value = argv[j + 1]!;
      if (isOption(value, 'SUM')) how = 'sum';
      else if (isOption(value, 'MIN')) how = 'min';
      else if (isOption(value, 'MAX')) how = 'max';
      else fail(SYNTAX);
      j += 2;
    } else if (dst === undefined && !cardinalityOnly && isOption(arg, 'WITHSCORES')) {
      withScores = true;
      j++;
    } else if (cardinalityOnly && remaining >= 2 && isOption(arg, 'LIMIT')) {
      limit = toLong(argv[j + 1]!, "ERR LIMIT can't be negative");
      if (limit < 0) fail("ERR LIMIT can't be negative");
      j += 2;
    } else fail(SYNTAX);
  }
  // Smallest inputs first (a stable sort keeps Redis's order for equal sizes in practice).
  if (op !== 'diff') sources.sort((a, b) => sizeOf(a) - sizeOf(b));

  if (cardinalityOnly) {
    let count = 0;
    inter(sources, how, () => ++count === limit);
    return count;
  }
  let result: Result;
  if (op === 'union') result = union(sources, how);
  else if (op === 'diff') result = diff(sources);
  else {
    result = new Result();
    const scores = result.scores;
    inter(sources, how, (member, score) => {
      scores.set(member, score);
      return false;
    });
  }
  const [members, scores] = result.sorted();
  if (dst !== undefined) return store(c, dst, members, scores, EVENTS[op]);
  const out = new ScoredReply(c, withScores);
  for (let i = 0; i < members.length; i++) out.push(members[i]!, scores[i]!);
  return out.items;
}

/** Writes a STORE result (a listpack when it fits, as Redis converts it) or deletes an empty destination. */
function store(c: Session, dst: string, members: string[], scores: number[], event: string): Reply {
  if (members.length === 0) {
    if (c.db.delete(dst)) c.changed(dst, 'del', 'g');
    return 0;
  }
  const limits = zsetLimits(c);
  let longest = 0;
  for (const m of members) if (m.length > longest) longest = m.length;
  const listpack = members.length <= limits.maxEntries && longest <= limits.maxValue;
  c.db.set(dst, ZSet.fromSorted(members, scores, listpack));
  c.changed(dst, event, 'z');
  return members.length;
}

const COMPLEXITY_UNION =
  'O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.';
const COMPLEXITY_INTER =
  'O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.';
const COMPLEXITY_DIFF =
  'O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.';
const READ_FLAGS = ['readonly', 'movablekeys'] as const;
const READ_CATEGORIES = ['read', 'sortedset', 'slow'];
const STORE_FLAGS = ['write', 'denyoom', 'movablekeys'] as const;
const STORE_CATEGORIES = ['write', 'sortedset', 'slow'];
const inputKeys = numkeysKeys(1);
const storeKeys = numkeysKeys(2, [1]);

export const algebraCommands: CommandSpec[] = [
  command(
    'zunion',
    -3,
    READ_FLAGS,
    [0, 0, 0],
    READ_CATEGORIES,
    (c, argv) => setOperation(c, argv, 'zunion', 'union', 1, undefined),
    docs('6.2.0', 'Returns the union of several sorted sets.', COMPLEXITY_UNION, inputKeys),
  ),
  command(
    'zinter',
    -3,
    READ_FLAGS,
    [0, 0, 0],
    READ_CATEGORIES,
    (c, argv) => setOperation(c, argv, 'zinter', 'inter', 1, undefined),
    docs('6.2.0', 'Returns the intersection of several sorted sets.', COMPLEXITY_INTER, inputKeys),
  ),
  command(
    'zdiff',
    -3,
    READ_FLAGS,
    [0, 0, 0],
    READ_CATEGORIES,
    (c, argv) => setOperation(c, argv, 'zdiff', 'diff', 1, undefined),
    docs(
      '6.2.0',
      'Returns the members of the first sorted set that are in none of the others.',
      COMPLEXITY_DIFF,
      inputKeys,
    ),
  ),
  command(
    'zintercard',
    -3,
    READ_FLAGS,
    [0, 0, 0],
    READ_CATEGORIES,
    (c, argv) => setOperation(c, argv, 'zintercard', 'inter', 1, undefined, true),
    docs(
      '7.0.0',
      'Returns the number of members in the intersection of several sorted sets.',
      'O(N*K) worst case with N being the smallest input sorted set, K being the number of input sorted sets.',
      inputKeys,
    ),
  ),
  command(
    'zunionstore',
    -4,
    STORE_FLAGS,
    [1, 1, 1],
    STORE_CATEGORIES,
    (c, argv) => setOperation(c, argv, 'zunionstore', 'union', 2, argv[1]),
    docs('2.0.0', 'Stores the union of several sorted sets in a key.', COMPLEXITY_UNION, storeKeys),
  ),
  command(
    'zinterstore',
    -4,
    STORE_FLAGS,
    [1, 1, 1],
    STORE_CATEGORIES,
    (c, argv) => setOperation(c, argv, 'zinterstore', 'inter', 2, argv[1]),
    docs('2.0.0', 'Stores the intersection of several sorted sets in a key.', COMPLEXITY_INTER, storeKeys),
  ),
  command(
    'zdiffstore',
    -4,
    STORE_FLAGS,
    [1, 1, 1],
    STORE_CATEGORIES,
    (c, argv) => setOperation(c, argv, 'zdiffstore', 'diff', 2, argv[1]),
    docs(
      '6.2.0',
      'Stores the members of the first sorted set that are in none of the others in a key.',
      COMPLEXITY_DIFF,
      storeKeys,
    ),
  ),
];
