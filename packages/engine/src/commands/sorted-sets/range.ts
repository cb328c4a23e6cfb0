import { fail, SYNTAX } from '../../resp/errors.js';
import { EMPTY_ARRAY, type Reply } from '../../resp/reply.js';
import type { Session } from '../../session.js';
import type { TreeCursor } from '../../types/order-statistic-tree.js';
import {
  type LexRange,
  lexGteMin,
  lexLteMax,
  type ScoreRange,
  scoreGteMin,
  scoreLteMax,
  ZSet,
  type ZSetLimits,
} from '../../types/zset.js';
import { isOption } from '../args.js';
import { type CommandSpec, command } from '../registry.js';
import { docs, readZSet, removedFrom, ScoredReply, writeZSet, zsetLimits } from './common.js';
import { parseLexRange, parseScoreRange, toLong } from './parse.js';

type RangeKind = 'rank' | 'score' | 'lex';

/** Where a range's entries go: the client's reply, or a new sorted set for ZRANGESTORE. */
interface RangeSink {
  /** Called once before any entry; `length` is -1 when not known in advance. */
  begin(length: number): void;
  push(member: string, score: number): void;
  finish(): Reply;
}

class ClientSink implements RangeSink {
  private readonly out: ScoredReply;
  constructor(
    c: Session,
    private readonly withScores: boolean,
  ) {
    this.out = new ScoredReply(c, withScores);
  }
  get membersOnly(): boolean {
    return !this.withScores;
  }
  private members: string[] | undefined;
  /** The fast path of a plain ZRANGE: members copied leaf by leaf. */
  takeMembers(cursor: TreeCursor, count: number, reverse: boolean): void {
    this.members = cursor.takeMembers(count, reverse);
  }
  begin(): void {}
  push(member: string, score: number): void {
    this.out.push(member, score);
  }
  finish(): Reply {
    return this.members ?? this.out.items;
  }
}

/** Builds the destination as Redis does: a listpack unless the known length is too big, then ZADD rules. */
class StoreSink implements RangeSink {
  private zset: ZSet | undefined;
  private readonly limits: ZSetLimits;
  constructor(
    private readonly c: Session,
    private readonly dst: string,
  ) {
    this.limits = zsetLimits(c);
  }
  begin(length: number): void {
    this.zset = new ZSet(length <= this.limits.maxEntries);
  }
  push(member: string, score: number): void {
    this.zset!.add(member, score, this.limits);
  }
  finish(): Reply {
    const c = this.c;
    const zset = this.zset;
    if (zset && zset.size > 0) {
      c.db.set(this.dst, zset);
      c.changed(this.dst, 'zrangestore', 'z');
      return zset.size;
    }
    if (c.db.delete(this.dst)) c.changed(this.dst, 'del', 'g');
    return 0;
  }
}

/**
 * ZRANGE and its relatives. `start` is the index of the source key; `kind` and `reverse` are fixed for
 * the legacy commands and chosen by BYSCORE / BYLEX / REV for ZRANGE and ZRANGESTORE.
 */
function zrangeGeneric(
  c: Session,
  argv: string[],
  start: number,
  store: boolean,
  fixedKind: RangeKind | undefined,
  fixedReverse: boolean | undefined,
): Reply {
  let kind = fixedKind;
  let reverse = fixedReverse;
  let withScores = false;
  let offset = 0;
  let limit = -1;
  for (let j = start + 3; j < argv.length; j++) {
    const arg = argv[j]!;
    const left = argv.length - j - 1;
    if (!store && isOption(arg, 'WITHSCORES')) withScores = true;
    else if (isOption(arg, 'LIMIT') && left >= 2) {
      offset = toLong(argv[j + 1]!);
      limit = toLong(argv[j + 2]!);
      j += 2;
    } else if (reverse === undefined && isOption(arg, 'REV')) reverse = true;
    else if (kind === undefined && isOption(arg, 'BYLEX')) kind = 'lex';
    else if (kind === undefined && isOption(arg, 'BYSCORE')) kind = 'score';
    else fail(SYNTAX);
  }
  reverse ??= false;
  kind ??= 'rank';
  if (limit !== -1 && kind === 'rank') {
    fail('ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX');
  }
  if (withScores && kind === 'lex')
    fail('ERR syntax error, WITHSCORES not supported in combination with BYLEX');
  // BYSCORE and BYLEX take [max, min] when reversed.
  const swap = reverse && kind !== 'rank';
  const minArg = argv[swap ? start + 2 : start + 1]!;
  const maxArg = argv[swap ? start + 1 : start + 2]!;
  let rankStart = 0;
  let rankEnd = 0;
  let scoreRange: ScoreRange | undefined;
  let lexRange: LexRange | undefined;
  if (kind === 'rank') {
    rankStart = toLong(minArg);
    rankEnd = toLong(maxArg);
  } else if (kind === 'score') scoreRange = parseScoreRange(minArg, maxArg);
  else lexRange = parseLexRange(minArg, maxArg);

  const sink: RangeSink = store ? new StoreSink(c, argv[1]!) : new ClientSink(c, withScores);
  const zset = readZSet(c, argv[start]!);
  if (!zset) {
    if (!store) return EMPTY_ARRAY;
    sink.begin(-1);
    return sink.finish();
  }
  if (kind === 'rank') rankRange(zset, rankStart, rankEnd, reverse, sink);
  else if (kind === 'score') scoreRangeOf(zset, scoreRange!, offset, limit, reverse, sink);
  else lexRangeOf(zset, lexRange!, offset, limit, reverse, sink);
  return sink.finish();
}

function rankRange(zset: ZSet, start: number, end: number, reverse: boolean, sink: RangeSink): void {
  const size = zset.size;
  if (start < 0) start += size;
  if (end < 0) end += size;
  if (start < 0) start = 0;
  if (start > end || start >= size) {
    sink.begin(0);
    return;
  }
  if (end >= size) end = size - 1;
  let n = end - start + 1;
  sink.begin(n);
  const cursor = zset.at(reverse ? size - 1 - start : start);
  if (sink instanceof ClientSink && sink.membersOnly) {
    sink.takeMembers(cursor, n, reverse);
    return;
  }
  for (; n > 0; n--) {
    sink.push(cursor.member, cursor.score);
    if (reverse) cursor.prev();
    else cursor.next();
  }
}

/**
 * Walks from the first entry in range (the last one when reversed), skips `offset` entries, then
 * emits up to `limit` (negative: no limit) while `inRange` holds, exactly as Redis's range loops.
 */
function walk(
  zset: ZSet,
  first: number,
  offset: number,
  limit: number,
  reverse: boolean,
  inRange: (member: string, score: number) => boolean,
  sink: RangeSink,
): void {
  sink.begin(-1);
  // A negative offset makes Redis step past the end: nothing is returned.
  if (first < 0 || offset < 0) return;
  const rank = reverse ? first - offset : first + offset;
  const cursor = zset.at(rank);
  for (; cursor.valid && limit !== 0; limit--) {
    if (!inRange(cursor.member, cursor.score)) break;
    sink.push(cursor.member, cursor.score);
    if (reverse) cursor.prev();
    else cursor.next();
  }
}

function scoreRangeOf(
  zset: ZSet,
  range: ScoreRange,
  offset: number,
  limit: number,
  reverse: boolean,
  sink: RangeSink,
): void {
  if (offset > 0 && offset >= zset.size) {
    sink.begin(-1);
    return;
  }
  const first = reverse ? zset.lastInScoreRange(range) : zset.firstInScoreRange(range);
  const inRange = reverse
    ? (_: string, s: number) => scoreGteMin(s, range)
    : (_: string, s: number) => scoreLteMax(s, range);
  walk(zset, first, offset, limit, reverse, inRange, sink);
}

function lexRangeOf(
  zset: ZSet,
  range: LexRange,
  offset: number,
  limit: number,
  reverse: boolean,
  sink: RangeSink,
): void {
  const first = reverse ? zset.lastInLexRange(range) : zset.firstInLexRange(range);
  const inRange = reverse ? (m: string) => lexGteMin(m, range) : (m: string) => lexLteMax(m, range);
  walk(zset, first, offset, limit, reverse, inRange, sink);
}

/** ZREMRANGEBYRANK / ZREMRANGEBYSCORE / ZREMRANGEBYLEX. */
function zremrange(c: Session, argv: string[], kind: RangeKind): Reply {
  const key = argv[1]!;
  let start = 0;
  let end = 0;
  let scoreRange: ScoreRange | undefined;
  let lexRange: LexRange | undefined;
  if (kind === 'rank') {
    start = toLong(argv[2]!);
    end = toLong(argv[3]!);
  } else if (kind === 'score') scoreRange = parseScoreRange(argv[2]!, argv[3]!);
  else lexRange = parseLexRange(argv[2]!, argv[3]!);
  const zset = writeZSet(c, key);
  if (!zset) return 0;
  let first: number;
  let count: number;
  if (kind === 'rank') {
    const size = zset.size;
    if (start < 0) start += size;
    if (end < 0) end += size;
    if (start < 0) start = 0;
    if (start > end || start >= size) return 0;
    if (end >= size) end = size - 1;
    first = start;
    count = end - start + 1;
  } else if (kind === 'score') {
    const range = scoreRange!;
    first = zset.scoreDeletionStart(range);
    count = zset.countForward(first, (_, s) => scoreLteMax(s, range));
  } else {
    const range = lexRange!;
    first = zset.lexDeletionStart(range);
    count = first < 0 ? 0 : zset.countForward(first, (m) => lexLteMax(m, range));
  }
  if (count === 0) return 0;
  zset.deleteRange(first, count);
  removedFrom(c, key, zset, `zremrangeby${kind}`);
  return count;
}

const READ_RANGE = ['readonly'] as const;
const READ_CATEGORIES = ['read', 'sortedset', 'slow'];
const REMOVE_CATEGORIES = ['write', 'sortedset', 'slow'];

export const rangeCommands: CommandSpec[] = [
  command(
    'zrange',
    -4,
    READ_RANGE,
    [1, 1, 1],
    READ_CATEGORIES,
    (c, argv) => zrangeGeneric(c, argv, 1, false, undefined, undefined),
    docs(
      '1.2.0',
      'Returns members of a sorted set within a range of ranks, scores or lexicographical values.',
      'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.',
    ),
  ),
  command(
    'zrangestore',
    -5,
    ['write', 'denyoom'],
    [1, 2, 1],
    ['write', 'sortedset', 'slow'],
    (c, argv) => zrangeGeneric(c, argv, 2, true, undefined, undefined),
    docs(
      '6.2.0',
      'Stores a range of members of a sorted set in another key.',
      'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements stored into the destination key.',
    ),
  ),
  command(
    'zrevrange',
    -4,
    READ_RANGE,
    [1, 1, 1],
    READ_CATEGORIES,
    (c, argv) => zrangeGeneric(c, argv, 1, false, 'rank', true),
    docs(
      '1.2.0',
      'Returns members of a sorted set within a range of ranks, from the highest score down.',
      'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.',
    ),
  ),
  command(
    'zrangebyscore',
    -4,
    READ_RANGE,
    [1, 1, 1],
    READ_CATEGORIES,
    (c, argv) => zrangeGeneric(c, argv, 1, false, 'score', false),
    docs(
      '1.0.5',
      'Returns members of a sorted set whose scores lie in a range.',
      'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned.',
    ),
  ),
  command(
    'zrevrangebyscore',
    -4,
    READ_RANGE,
    [1, 1, 1],
    READ_CATEGORIES,
    (c, argv) => zrangeGeneric(c, argv, 1, false, 'score', true),
    docs(
      '2.2.0',
      'Returns members of a sorted set whose scores lie in a range, from the highest score down.',
      'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned.',
    ),
  ),
  command(
    'zrangebylex',
    -4,
    READ_RANGE,
    [1, 1, 1],
    READ_CATEGORIES,
    (c, argv) => zrangeGeneric(c, argv, 1, false, 'lex', false),
    docs(
      '2.8.9',
      'Returns members of a sorted set that lie in a lexicographical range.',
      'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned.',
    ),
  ),
  command(
    'zrevrangebylex',
    -4,
    READ_RANGE,
    [1, 1, 1],
    READ_CATEGORIES,
    (c, argv) => zrangeGeneric(c, argv, 1, false, 'lex', true),
    docs(
      '2.8.9',
      'Returns members of a sorted set that lie in a lexicographical range, in reverse order.',
      'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned.',
    ),
  ),
  command(
    'zremrangebyrank',
    4,
    ['write'],
    [1, 1, 1],
    REMOVE_CATEGORIES,
    (c, argv) => zremrange(c, argv, 'rank'),
    docs(
      '2.0.0',
      'Removes the members of a sorted set within a range of ranks.',
      'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.',
    ),
  ),
  command(
    'zremrangebyscore',
    4,
    ['write'],
    [1, 1, 1],
    REMOVE_CATEGORIES,
    (c, argv) => zremrange(c, argv, 'score'),
    docs(
      '1.2.0',
      'Removes the members of a sorted set whose scores lie in a range.',
      'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.',
    ),
  ),
  command(
    'zremrangebylex',
    4,
    ['write'],
    [1, 1, 1],
    REMOVE_CATEGORIES,
    (c, argv) => zremrange(c, argv, 'lex'),
    docs(
      '2.8.9',
      'Removes the members of a sorted set that lie in a lexicographical range.',
      'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.',
    ),
  ),
];
