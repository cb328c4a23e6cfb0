import { fail, SYNTAX } from '../../resp/errors.js';
import { DoubleReply, type Reply } from '../../resp/reply.js';
import type { Session } from '../../session.js';
import { lexLteMax, scoreLteMax, ZSet, type ZSetLimits } from '../../types/zset.js';
import { isOption, toDouble } from '../args.js';
import { type CommandSpec, command } from '../registry.js';
import { docs, readZSet, removedFrom, writeZSet, zsetLimits } from './common.js';
import { parseLexRange, parseScoreRange } from './parse.js';

const NAN_SCORE = 'ERR resulting score is not a number (NaN)';

/** ZADD and ZINCRBY (which is ZADD … INCR with one pair). */
export function zaddGeneric(c: Session, argv: string[], incrCommand: boolean): Reply {
  const key = argv[1]!;
  let nx = false;
  let xx = false;
  let gt = false;
  let lt = false;
  let ch = false;
  let incr = incrCommand;
  let first = 2;
  for (; first < argv.length; first++) {
    const opt = argv[first]!;
    if (opt.length > 4) break;
    if (isOption(opt, 'NX')) nx = true;
    else if (isOption(opt, 'XX')) xx = true;
    else if (isOption(opt, 'CH')) ch = true;
    else if (isOption(opt, 'INCR')) incr = true;
    else if (isOption(opt, 'GT')) gt = true;
    else if (isOption(opt, 'LT')) lt = true;
    else break;
  }
  const elements = argv.length - first;
  if (elements === 0 || elements % 2 !== 0) fail(SYNTAX);
  if (nx && xx) fail('ERR XX and NX options at the same time are not compatible');
  if ((gt && nx) || (lt && nx) || (gt && lt)) {
    fail('ERR GT, LT, and/or NX options at the same time are not compatible');
  }
  if (incr && elements > 2) fail('ERR INCR option supports a single increment-element pair');
  // Every score is checked before anything changes: the command applies fully or not at all.
  const scores: number[] = [];
  for (let i = first; i < argv.length; i += 2) scores.push(toDouble(argv[i]!));

  let zset = writeZSet(c, key);
  const created = zset === undefined;
  if (zset === undefined) {
    if (xx) return incr ? null : 0;
    zset = new ZSet();
  }
  let limits: ZSetLimits | undefined;
  let added = 0;
  let updated = 0;
  let processed = 0;
  let result = 0;
  let nan = false;
  for (let j = 0; j < scores.length; j++) {
    const member = argv[first + 1 + 2 * j]!;
    let score = scores[j]!;
    const current = zset.score(member);
    if (current !== undefined) {
      if (nx) continue;
      if (incr) {
        score += current;
        if (Number.isNaN(score)) {
          nan = true;
          break;
        }
      }
      if ((lt && score >= current) || (gt && score <= current)) continue;
      processed++;
      result = score;
      if (score !== current) {
        zset.update(member, current, score);
        updated++;
      }
    } else if (!xx) {
      if (zset.isListpack) limits ??= zsetLimits(c);
      zset.add(member, score, limits!);
      added++;
      processed++;
      result = score;
    }
  }
  if (created && zset.size > 0) c.db.set(key, zset);
  if (added || updated) c.changed(key, incr ? 'zincr' : 'zadd', 'z');
  if (nan) fail(NAN_SCORE);
  if (incr) return processed ? new DoubleReply(result) : null;
  return ch ? added + updated : added;
}

function zrem(c: Session, argv: string[]): Reply {
  const key = argv[1]!;
  const zset = writeZSet(c, key);
  if (!zset) return 0;
  let deleted = 0;
  for (let i = 2; i < argv.length; i++) {
    if (zset.delete(argv[i]!)) deleted++;
    if (zset.size === 0) break;
  }
  if (deleted) removedFrom(c, key, zset, 'zrem');
  return deleted;
}

function zcard(c: Session, argv: string[]): Reply {
  return readZSet(c, argv[1]!)?.size ?? 0;
}

function zscore(c: Session, argv: string[]): Reply {
  const score = readZSet(c, argv[1]!)?.score(argv[2]!);
  return score === undefined ? null : new DoubleReply(score);
}

function zmscore(c: Session, argv: string[]): Reply {
  const zset = readZSet(c, argv[1]!);
  const out: Reply[] = [];
  for (let i = 2; i < argv.length; i++) {
    const score = zset?.score(argv[i]!);
    out.push(score === undefined ? null : new DoubleReply(score));
  }
  return out;
}

function zrankGeneric(c: Session, argv: string[], reverse: boolean): Reply {
  const zset = readZSet(c, argv[1]!);
  if (!zset) return null;
  const rank = zset.rank(argv[2]!, reverse);
  return rank < 0 ? null : rank;
}

function zcount(c: Session, argv: string[]): Reply {
  const range = parseScoreRange(argv[2]!, argv[3]!);
  const zset = readZSet(c, argv[1]!);
  if (!zset) return 0;
  const first = zset.firstInScoreRange(range);
  if (first < 0) return 0;
  if (zset.isListpack) return zset.countForward(first, (_, s) => scoreLteMax(s, range));
  const last = zset.lastInScoreRange(range);
  return last < 0 ? zset.size - first : last - first + 1;
}

function zlexcount(c: Session, argv: string[]): Reply {
  const range = parseLexRange(argv[2]!, argv[3]!);
  const zset = readZSet(c, argv[1]!);
  if (!zset) return 0;
  const first = zset.firstInLexRange(range);
  if (first < 0) return 0;
  // A listpack is walked; a skiplist subtracts ranks (which only agree when all scores are equal).
  if (zset.isListpack) return zset.countForward(first, (m) => lexLteMax(m, range));
  const last = zset.lastInLexRange(range);
  return last < 0 ? zset.size - first : last - first + 1;
}

export const basicCommands: CommandSpec[] = [
  command(
    'zadd',
    -4,
    ['write', 'denyoom', 'fast'],
    [1, 1, 1],
    ['write', 'sortedset', 'fast'],
    (c, argv) => zaddGeneric(c, argv, false),
    docs(
      '1.2.0',
      'Adds members with scores to a sorted set, or updates the scores of existing members.',
      'O(log(N)) for each item added, where N is the number of elements in the sorted set.',
    ),
  ),
  command(
    'zincrby',
    4,
    ['write', 'denyoom', 'fast'],
    [1, 1, 1],
    ['write', 'sortedset', 'fast'],
    (c, argv) => zaddGeneric(c, argv, true),
    docs(
      '1.2.0',
      "Adds an increment to a member's score in a sorted set.",
      'O(log(N)) where N is the number of elements in the sorted set.',
    ),
  ),
  command(
    'zrem',
    -3,
    ['write', 'fast'],
    [1, 1, 1],
    ['write', 'sortedset', 'fast'],
    zrem,
    docs(
      '1.2.0',
      'Removes members from a sorted set, deleting the key when it becomes empty.',
      'O(M*log(N)) with N being the number of elements in the sorted set and M the number of elements to be removed.',
    ),
  ),
  command(
    'zcard',
    2,
    ['readonly', 'fast'],
    [1, 1, 1],
    ['read', 'sortedset', 'fast'],
    zcard,
    docs('1.2.0', 'Returns the number of members in a sorted set.', 'O(1)'),
  ),
  command(
    'zscore',
    3,
    ['readonly', 'fast'],
    [1, 1, 1],
    ['read', 'sortedset', 'fast'],
    zscore,
    docs('1.2.0', 'Returns the score of a member of a sorted set.', 'O(1)'),
  ),
  command(
    'zmscore',
    -3,
    ['readonly', 'fast'],
    [1, 1, 1],
    ['read', 'sortedset', 'fast'],
    zmscore,
    docs(
      '6.2.0',
      'Returns the scores of several members of a sorted set.',
      'O(N) where N is the number of members being requested.',
    ),
  ),
  command(
    'zrank',
    3,
    ['readonly', 'fast'],
    [1, 1, 1],
    ['read', 'sortedset', 'fast'],
    (c, argv) => zrankGeneric(c, argv, false),
    docs(
      '2.0.0',
      'Returns the position of a member in a sorted set ordered by ascending score.',
      'O(log(N))',
    ),
  ),
  command(
    'zrevrank',
    3,
    ['readonly', 'fast'],
    [1, 1, 1],
    ['read', 'sortedset', 'fast'],
    (c, argv) => zrankGeneric(c, argv, true),
    docs(
      '2.0.0',
      'Returns the position of a member in a sorted set ordered by descending score.',
      'O(log(N))',
    ),
  ),
  command(
    'zcount',
    4,
    ['readonly', 'fast'],
    [1, 1, 1],
    ['read', 'sortedset', 'fast'],
    zcount,
    docs(
      '2.0.0',
      'Counts the members of a sorted set whose scores lie in a range.',
      'O(log(N)) with N being the number of elements in the sorted set.',
    ),
  ),
  command(
    'zlexcount',
    4,
    ['readonly', 'fast'],
    [1, 1, 1],
    ['read', 'sortedset', 'fast'],
    zlexcount,
    docs(
      '2.8.9',
      'Counts the members of a sorted set that lie in a lexicographical range.',
      'O(log(N)) with N being the number of elements in the sorted set.',
    ),
  ),
];
