import { fail, SYNTAX } from '../../resp/errors.js';
import { DoubleReply, EMPTY_ARRAY, NULL_ARRAY, type Reply } from '../../resp/reply.js';
import type { Session } from '../../session.js';
import { ZSet } from '../../types/zset.js';
import { isOption } from '../args.js';
import { BlockRequest, type CommandResult, type CommandSpec, command } from '../registry.js';
import { docs, numkeysKeys, removedFrom, writeZSet } from './common.js';
import { parseTimeout, toLong } from './parse.js';

/** How a pop replies: ZPOPMIN's flat list, RESP3 pairs, BZPOPMIN's key first, or ZMPOP's [key, pairs]. */
interface PopShape {
  /** Put the key name in the reply (blocking pops, ZMPOP). */
  withKey: boolean;
  /** [member, score] pairs instead of a flat list. */
  nested: boolean;
}

/** Pops up to `count` (-1: a single pop) entries from an existing, non-empty set and builds the reply. */
function popFrom(
  c: Session,
  key: string,
  zset: ZSet,
  highest: boolean,
  count: number,
  shape: PopShape,
): Reply {
  if (count === 0) return EMPTY_ARRAY;
  const n = Math.min(count < 0 ? 1 : count, zset.size);
  const items: Reply[] = [];
  if (shape.withKey && !shape.nested) items.push(key);
  for (let i = 0; i < n; i++) {
    const [member, score] = zset.pop(highest);
    if (shape.nested) items.push([member, new DoubleReply(score)]);
    else items.push(member, new DoubleReply(score));
  }
  removedFrom(c, key, zset, highest ? 'zpopmax' : 'zpopmin');
  return shape.withKey && shape.nested ? [key, items] : items;
}

/** The first of `keys` that holds a sorted set (WRONGTYPE stops at the first key of another type). */
function firstNonEmpty(c: Session, keys: readonly string[]): [string, ZSet] | undefined {
  for (const key of keys) {
    const zset = writeZSet(c, key);
    if (zset) return [key, zset];
  }
  return undefined;
}

function zpop(c: Session, argv: string[], highest: boolean): Reply {
  if (argv.length > 3) fail(SYNTAX);
  let count = -1;
  if (argv.length === 3) {
    count = toLong(argv[2]!, NOT_POSITIVE);
    if (count < 0) fail(NOT_POSITIVE);
  }
  const found = firstNonEmpty(c, [argv[1]!]);
  if (!found) return EMPTY_ARRAY;
  const nested = c.protocol === 3 && count !== -1;
  return popFrom(c, found[0], found[1], highest, count, { withKey: false, nested });
}

const NOT_POSITIVE = 'ERR value is out of range, must be positive';

interface MultiPop {
  keys: string[];
  highest: boolean;
  count: number;
}

/** ZMPOP / BZMPOP arguments: numkeys key [key …] MIN|MAX [COUNT count]. */
function parseMultiPop(argv: string[], numkeysIndex: number): MultiPop {
  const numkeys = toLong(argv[numkeysIndex]!, 'ERR numkeys should be greater than 0');
  if (numkeys < 1) fail('ERR numkeys should be greater than 0');
  const whereIndex = numkeysIndex + numkeys + 1;
  if (whereIndex >= argv.length) fail(SYNTAX);
  const where = argv[whereIndex]!;
  let highest: boolean;
  if (isOption(where, 'MIN')) highest = false;
  else if (isOption(where, 'MAX')) highest = true;
  else fail(SYNTAX);
  let count = -1;
  for (let j = whereIndex + 1; j < argv.length; j++) {
    if (count === -1 && isOption(argv[j], 'COUNT') && j + 1 < argv.length) {
      count = toLong(argv[++j]!, 'ERR count should be greater than 0');
      if (count < 1) fail('ERR count should be greater than 0');
    } else fail(SYNTAX);
  }
  return { keys: argv.slice(numkeysIndex + 1, whereIndex), highest, count: count === -1 ? 1 : count };
}

const MULTI_SHAPE: PopShape = { withKey: true, nested: true };
const BLOCKING_SHAPE: PopShape = { withKey: true, nested: false };

function zmpop(c: Session, argv: string[]): Reply {
  const { keys, highest, count } = parseMultiPop(argv, 1);
  const found = firstNonEmpty(c, keys);
  if (!found) return NULL_ARRAY;
  return popFrom(c, found[0], found[1], highest, count, MULTI_SHAPE);
}

/**
 * The blocking pops: serve at once from the first non-empty key, else (outside transactions) park the
 * client until one of the keys holds a sorted set.
 */
function blockingPop(
  c: Session,
  keys: string[],
  timeoutMs: number,
  highest: boolean,
  count: number,
  shape: PopShape,
): CommandResult {
  const found = firstNonEmpty(c, keys);
  if (found) return popFrom(c, found[0], found[1], highest, count, shape);
  if (c.executingTransaction) return NULL_ARRAY;
  const serve = (key: string): Reply | undefined => {
    const value = c.db.get(key);
    if (!(value instanceof ZSet)) return undefined;
    return popFrom(c, key, value, highest, count, shape);
  };
  return new BlockRequest(keys, timeoutMs, serve, NULL_ARRAY);
}

function bzpop(c: Session, argv: string[], highest: boolean): CommandResult {
  const timeout = parseTimeout(argv[argv.length - 1]!);
  return blockingPop(c, argv.slice(1, -1), timeout, highest, -1, BLOCKING_SHAPE);
}

function bzmpop(c: Session, argv: string[]): CommandResult {
  const { keys, highest, count } = parseMultiPop(argv, 2);
  const timeout = parseTimeout(argv[1]!);
  return blockingPop(c, keys, timeout, highest, count, MULTI_SHAPE);
}

const POP_FLAGS = ['write', 'fast'] as const;
const POP_CATEGORIES = ['write', 'sortedset', 'fast'];
const BLOCKING_FLAGS = ['write', 'noscript', 'blocking', 'fast'] as const;
const BLOCKING_CATEGORIES = ['write', 'sortedset', 'fast', 'blocking'];

export const popCommands: CommandSpec[] = [
  command(
    'zpopmin',
    -2,
    POP_FLAGS,
    [1, 1, 1],
    POP_CATEGORIES,
    (c, argv) => zpop(c, argv, false),
    docs(
      '5.0.0',
      'Removes and returns the members with the lowest scores of a sorted set.',
      'O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.',
    ),
  ),
  command(
    'zpopmax',
    -2,
    POP_FLAGS,
    [1, 1, 1],
    POP_CATEGORIES,
    (c, argv) => zpop(c, argv, true),
    docs(
      '5.0.0',
      'Removes and returns the members with the highest scores of a sorted set.',
      'O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.',
    ),
  ),
  command(
    'zmpop',
    -4,
    ['write', 'movablekeys'],
    [0, 0, 0],
    ['write', 'sortedset', 'slow'],
    zmpop,
    docs(
      '7.0.0',
      'Removes and returns members with the lowest or highest scores from the first non-empty sorted set of several keys.',
      'O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.',
      numkeysKeys(1),
    ),
  ),
  command(
    'bzpopmin',
    -3,
    BLOCKING_FLAGS,
    [1, -2, 1],
    BLOCKING_CATEGORIES,
    (c, argv) => bzpop(c, argv, false),
    docs(
      '5.0.0',
      'Removes and returns the member with the lowest score from the first non-empty sorted set, blocking until one is available.',
      'O(log(N)) with N being the number of elements in the sorted set.',
    ),
  ),
  command(
    'bzpopmax',
    -3,
    BLOCKING_FLAGS,
    [1, -2, 1],
    BLOCKING_CATEGORIES,
    (c, argv) => bzpop(c, argv, true),
    docs(
      '5.0.0',
      'Removes and returns the member with the highest score from the first non-empty sorted set, blocking until one is available.',
      'O(log(N)) with N being the number of elements in the sorted set.',
    ),
  ),
  command(
    'bzmpop',
    -5,
    ['write', 'blocking', 'movablekeys'],
    [0, 0, 0],
    ['write', 'sortedset', 'slow', 'blocking'],
    bzmpop,
    docs(
      '7.0.0',
      'Removes and returns members with the lowest or highest scores from the first non-empty sorted set of several keys, blocking until one is available.',
      'O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.',
      numkeysKeys(2),
    ),
  ),
];
