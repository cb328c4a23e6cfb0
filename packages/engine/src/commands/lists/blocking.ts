import { NULL_ARRAY, type Reply } from '../../resp/reply.js';
import type { Session } from '../../session.js';
import { RedisList } from '../../types/list.js';
import { BlockRequest, type CommandResult, type CommandSpec, command } from '../registry.js';
import { lmoveNow, type MpopArgs, mpopKeys, mpopNow, parseMpop } from './move.js';
import {
  afterRemoval,
  correctDirty,
  docs,
  type End,
  moveElement,
  parseEnd,
  popOne,
  popWithKey,
  replyOrError,
  writableList,
} from './shared.js';
import { parseTimeoutSeconds } from './timeout.js';

/**
 * Blocking list commands. When nothing can be served now they return a BlockRequest; the engine calls
 * its serve(readyKey) in blocking order once the key changes. A serve step only acts on a key that now
 * holds a list (a key turned into another type keeps the client waiting, as in Redis). Like Redis, a
 * blocked client's pop counts no extra change (dirty) and signals only its keyspace events.
 */

/** The list stored at `key` in the session's (the blocked client's) database, if any. */
function listAt(c: Session, key: string): RedisList | undefined {
  const value = c.db.get(key);
  return value instanceof RedisList ? value : undefined;
}

/** BLPOP/BRPOP key [key …] timeout: [key, element]. */
function blockingPop(end: End) {
  return (c: Session, argv: string[]): CommandResult => {
    const timeoutMs = parseTimeoutSeconds(argv[argv.length - 1]!);
    const keys = argv.slice(1, -1);
    const event = end === 'left' ? 'lpop' : 'rpop';
    for (const key of keys) {
      const list = writableList(c, key);
      if (!list) continue;
      const value = popOne(list, end);
      afterRemoval(c, key, list, event);
      return [key, value];
    }
    if (c.executingTransaction) return NULL_ARRAY;
    const serve = (readyKey: string): Reply | undefined => {
      const list = listAt(c, readyKey);
      if (!list) return undefined;
      const value = popOne(list, end);
      afterRemoval(c, readyKey, list, event);
      correctDirty(c, 0, 1);
      return [readyKey, value];
    };
    return new BlockRequest(keys, timeoutMs, serve, NULL_ARRAY);
  };
}

/** BLMOVE/BRPOPLPUSH: the element moved. Times out with a null array, as Redis 7.0 does. */
function blockingMove(
  c: Session,
  source: string,
  dest: string,
  from: End,
  to: End,
  timeoutMs: number,
): CommandResult {
  if (writableList(c, source)) return lmoveNow(c, source, dest, from, to);
  if (c.executingTransaction) return null;
  const serve = (readyKey: string): Reply | undefined =>
    replyOrError(() => {
      const list = listAt(c, readyKey);
      if (!list) return undefined;
      // A destination of another type answers this client WRONGTYPE and leaves the source alone.
      const value = moveElement(c, readyKey, list, dest, from, to);
      correctDirty(c, 0, 2);
      return value;
    });
  return new BlockRequest([source], timeoutMs, serve, NULL_ARRAY);
}

function blmove(c: Session, argv: string[]): CommandResult {
  const from = parseEnd(argv[3]!);
  const to = parseEnd(argv[4]!);
  const timeoutMs = parseTimeoutSeconds(argv[5]!);
  return blockingMove(c, argv[1]!, argv[2]!, from, to, timeoutMs);
}

function brpoplpush(c: Session, argv: string[]): CommandResult {
  const timeoutMs = parseTimeoutSeconds(argv[3]!);
  return blockingMove(c, argv[1]!, argv[2]!, 'right', 'left', timeoutMs);
}

/** BLMPOP timeout numkeys key [key …] LEFT|RIGHT [COUNT count]: [key, [elements]]. */
function blmpop(c: Session, argv: string[]): CommandResult {
  const args: MpopArgs = parseMpop(argv, 2);
  const timeoutMs = parseTimeoutSeconds(argv[1]!);
  const now = mpopNow(c, args);
  if (now !== undefined) return now;
  if (c.executingTransaction) return NULL_ARRAY;
  const serve = (readyKey: string): Reply | undefined => {
    const list = listAt(c, readyKey);
    return list ? popWithKey(c, readyKey, list, args.end, args.count) : undefined;
  };
  return new BlockRequest(args.keys, timeoutMs, serve, NULL_ARRAY);
}

const BLOCKING_FLAGS = ['write', 'noscript', 'blocking'] as const;
const BLOCKING_CATEGORIES = ['write', 'list', 'slow', 'blocking'];

export const blockingListCommands: CommandSpec[] = [
  command(
    'blpop',
    -3,
    BLOCKING_FLAGS,
    [1, -2, 1],
    BLOCKING_CATEGORIES,
    blockingPop('left'),
    docs(
      '2.0.0',
      'Pops the head element of the first non-empty list, waiting for one if none',
      'O(N) in the number of keys',
    ),
  ),
  command(
    'brpop',
    -3,
    BLOCKING_FLAGS,
    [1, -2, 1],
    BLOCKING_CATEGORIES,
    blockingPop('right'),
    docs(
      '2.0.0',
      'Pops the tail element of the first non-empty list, waiting for one if none',
      'O(N) in the number of keys',
    ),
  ),
  command(
    'blmove',
    6,
    ['write', 'denyoom', 'noscript', 'blocking'],
    [1, 2, 1],
    BLOCKING_CATEGORIES,
    blmove,
    docs('6.2.0', 'Moves an element between lists, waiting for the source to have one', 'O(1)'),
  ),
  command(
    'brpoplpush',
    4,
    ['write', 'denyoom', 'noscript', 'blocking'],
    [1, 2, 1],
    BLOCKING_CATEGORIES,
    brpoplpush,
    docs('2.2.0', 'Moves the tail element of a list to the head of another, waiting for one if none', 'O(1)'),
  ),
  command('blmpop', -5, ['write', 'blocking', 'movablekeys'], [0, 0, 0], BLOCKING_CATEGORIES, blmpop, {
    ...docs(
      '7.0.0',
      'Pops elements from the first non-empty list among several keys, waiting if all are empty',
      'O(N+M): N the keys given, M the elements popped',
    ),
    getKeys: mpopKeys(2),
  }),
];
