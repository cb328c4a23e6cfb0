import { fail, SYNTAX } from '../../resp/errors.js';
import { EMPTY_ARRAY, type Reply } from '../../resp/reply.js';
import type { Session } from '../../session.js';
import type { ZSet } from '../../types/zset.js';
import { globMatch } from '../../util/glob.js';
import { formatDouble, INT64_MAX, INT64_MIN } from '../../util/numbers.js';
import { parseScanCursor, scanStep } from '../../util/scan.js';
import { isOption, toInt64 } from '../args.js';
import { type CommandSpec, command } from '../registry.js';
import { docs, readZSet, ScoredReply } from './common.js';
import { toLong } from './parse.js';

const HALF_INT64_MAX = INT64_MAX / 2n;
/** A listpack holds integral scores up to this magnitude (2^62) as integers (Redis's double2ll). */
const LISTPACK_INT_LIMIT = 2 ** 62;
/** Replies beyond this many elements would exhaust memory long before Redis's would; refuse them. */
const MAX_REPLY_ELEMENTS = 1 << 24;

/** How a listpack stores a score (an integer when it is one, else %.17g), which ZSCAN returns verbatim. */
function listpackScoreText(score: number): string {
  if (Number.isInteger(score) && Math.abs(score) <= LISTPACK_INT_LIMIT) return BigInt(score).toString();
  return formatDouble(score);
}

function zscan(c: Session, argv: string[]): Reply {
  const cursor = parseScanCursor(argv[2]!);
  const zset = readZSet(c, argv[1]!);
  if (!zset) return ['0', []];
  let count = 10;
  let pattern: string | undefined;
  for (let i = 3; i < argv.length; i++) {
    const hasValue = i + 1 < argv.length;
    if (isOption(argv[i], 'COUNT') && hasValue) {
      count = toLong(argv[++i]!);
      if (count < 1) fail(SYNTAX);
    } else if (isOption(argv[i], 'MATCH') && hasValue) {
      pattern = argv[++i]!;
      if (pattern === '*') pattern = undefined;
    } else fail(SYNTAX);
  }
  const found: Reply[] = [];
  if (zset.isListpack) {
    // Small sets answer everything at once, in order, with the listpack's own score text.
    zset.forEach((member, score) => {
      if (pattern === undefined || globMatch(pattern, member)) found.push(member, listpackScoreText(score));
    });
    return ['0', found];
  }
  const dict = zset.table!;
  const next = scanStep(
    dict,
    cursor,
    count,
    () => dict.entries(),
    ([member, score]) => {
      if (pattern === undefined || globMatch(pattern, member)) found.push(member, formatDouble(score));
    },
  );
  return [String(next), found];
}

function randomRank(size: number): number {
  return Math.floor(Math.random() * size);
}

function zrandmember(c: Session, argv: string[]): Reply {
  if (argv.length >= 3) {
    const count = toInt64(argv[2]!);
    if (count === INT64_MIN)
      fail(`ERR value is out of range, value must between -${INT64_MAX} and ${INT64_MAX}`);
    if (argv.length > 4 || (argv.length === 4 && !isOption(argv[3], 'WITHSCORES'))) fail(SYNTAX);
    const withScores = argv.length === 4;
    if (withScores && (count < -HALF_INT64_MAX || count > HALF_INT64_MAX)) fail('ERR value is out of range');
    return randomWithCount(c, argv[1]!, Number(count), withScores);
  }
  const zset = readZSet(c, argv[1]!);
  if (!zset) return null;
  return zset.at(randomRank(zset.size)).member;
}

function randomWithCount(c: Session, key: string, requested: number, withScores: boolean): Reply {
  const zset = readZSet(c, key);
  if (!zset) return EMPTY_ARRAY;
  const size = zset.size;
  const unique = requested >= 0;
  const count = Math.abs(requested);
  if (count === 0) return EMPTY_ARRAY;
  const out = new ScoredReply(c, withScores);
  if (!unique || count === 1) {
    if (count > MAX_REPLY_ELEMENTS) fail('ERR value is out of range');
    for (let i = 0; i < count; i++) {
      const cursor = zset.at(randomRank(size));
      out.push(cursor.member, cursor.score);
    }
    return out.items;
  }
  if (count >= size) {
    // The whole set, walked from the highest score down as Redis's iterator does.
    const cursor = zset.at(size - 1);
    for (; cursor.valid; cursor.prev()) out.push(cursor.member, cursor.score);
    return out.items;
  }
  if (count * 3 > size) {
    // Close to the whole set: drop random entries from a shuffled list of ranks.
    const ranks = Array.from({ length: size }, (_, i) => i);
    for (let i = 0; i < count; i++) {
      const j = i + randomRank(size - i);
      const t = ranks[i]!;
      ranks[i] = ranks[j]!;
      ranks[j] = t;
    }
    for (let i = 0; i < count; i++) emitRank(zset, ranks[i]!, out);
    return out.items;
  }
  if (zset.isListpack) {
    // Redis samples a listpack in one ordered pass, so the picks come out in set order.
    let needed = count;
    const cursor = zset.at(0);
    for (let left = size; needed > 0; left--, cursor.next()) {
      if (Math.random() * left < needed) {
        out.push(cursor.member, cursor.score);
        needed--;
      }
    }
    return out.items;
  }
  const picked = new Set<number>();
  while (picked.size < count) {
    const rank = randomRank(size);
    if (picked.has(rank)) continue;
    picked.add(rank);
    emitRank(zset, rank, out);
  }
  return out.items;
}

function emitRank(zset: ZSet, rank: number, out: ScoredReply): void {
  const cursor = zset.at(rank);
  out.push(cursor.member, cursor.score);
}

export const samplingCommands: CommandSpec[] = [
  command(
    'zscan',
    -3,
    ['readonly'],
    [1, 1, 1],
    ['read', 'sortedset', 'slow'],
    zscan,
    docs(
      '2.8.0',
      'Iterates over the members and scores of a sorted set.',
      'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.',
    ),
  ),
  command(
    'zrandmember',
    -2,
    ['readonly'],
    [1, 1, 1],
    ['read', 'sortedset', 'slow'],
    zrandmember,
    docs(
      '6.2.0',
      'Returns one or more random members of a sorted set.',
      'O(N) where N is the number of members returned',
    ),
  ),
];
