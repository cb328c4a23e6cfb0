import { fail, NO_SUCH_KEY, OUT_OF_RANGE, syntaxError, wrongArity } from '../../resp/errors.js';
import { EMPTY_ARRAY, NULL_ARRAY, OK, type Reply } from '../../resp/reply.js';
import type { Session } from '../../session.js';
import { RedisList } from '../../types/list.js';
import { toInt64, toInteger } from '../args.js';
import { type CommandSpec, command } from '../registry.js';
import {
  afterRemoval,
  correctDirty,
  docs,
  type End,
  popMany,
  popOne,
  readList,
  writableList,
} from './shared.js';

const MUST_BE_POSITIVE = 'ERR value is out of range, must be positive';
const INT64_MIN = -(2n ** 63n);

/** LPUSH/RPUSH/LPUSHX/RPUSHX: `onlyExisting` is the X variants. */
function push(end: End, onlyExisting: boolean) {
  return (c: Session, argv: string[]): Reply => {
    const key = argv[1]!;
    let list = writableList(c, key);
    if (!list) {
      if (onlyExisting) return 0;
      list = new RedisList();
      c.db.set(key, list);
    }
    if (end === 'left') for (let i = 2; i < argv.length; i++) list.pushFront(argv[i]!);
    else for (let i = 2; i < argv.length; i++) list.pushBack(argv[i]!);
    c.changed(key, end === 'left' ? 'lpush' : 'rpush', 'l');
    correctDirty(c, argv.length - 2, 1);
    return list.size;
  };
}

/** LPOP/RPOP key [count]: a bulk without count, an array with it. */
function pop(end: End) {
  return (c: Session, argv: string[]): Reply => {
    if (argv.length > 3) throw wrongArity(argv[0]!);
    const hasCount = argv.length === 3;
    let count = 0;
    if (hasCount) {
      count = toInteger(argv[2]!, MUST_BE_POSITIVE);
      if (count < 0) fail(MUST_BE_POSITIVE);
    }
    const key = argv[1]!;
    const list = writableList(c, key);
    if (!list) return hasCount ? NULL_ARRAY : null;
    if (hasCount && count === 0) return EMPTY_ARRAY;
    const event = end === 'left' ? 'lpop' : 'rpop';
    if (!hasCount) {
      const value = popOne(list, end);
      afterRemoval(c, key, list, event);
      return value;
    }
    const items = popMany(list, end, count);
    afterRemoval(c, key, list, event);
    correctDirty(c, items.length, 1);
    return items;
  };
}

function llen(c: Session, argv: string[]): Reply {
  return readList(c, argv[1]!)?.size ?? 0;
}

function lindex(c: Session, argv: string[]): Reply {
  const list = readList(c, argv[1]!);
  if (!list) return null;
  return list.at(toInteger(argv[2]!)) ?? null;
}

function lset(c: Session, argv: string[]): Reply {
  const key = argv[1]!;
  const list = writableList(c, key);
  if (!list) fail(NO_SUCH_KEY);
  let index = toInteger(argv[2]!);
  if (index < 0) index += list.size;
  if (index < 0 || index >= list.size) fail(OUT_OF_RANGE);
  list.set(index, argv[3]!);
  c.changed(key, 'lset', 'l');
  return OK;
}

/**
 * Redis's range normalisation for LRANGE and LTRIM: negative indexes count from the tail; returns the
 * inclusive [start, end] inside the list, or undefined when the range is empty.
 */
function normaliseRange(start: number, end: number, length: number): [number, number] | undefined {
  if (start < 0) start += length;
  if (end < 0) end += length;
  if (start < 0) start = 0;
  if (start > end || start >= length) return undefined;
  return [start, Math.min(end, length - 1)];
}

function lrange(c: Session, argv: string[]): Reply {
  const start = toInteger(argv[2]!);
  const end = toInteger(argv[3]!);
  const list = readList(c, argv[1]!);
  if (!list) return EMPTY_ARRAY;
  const range = normaliseRange(start, end, list.size);
  return range ? list.range(range[0], range[1]) : EMPTY_ARRAY;
}

function ltrim(c: Session, argv: string[]): Reply {
  const start = toInteger(argv[2]!);
  const end = toInteger(argv[3]!);
  const key = argv[1]!;
  const list = writableList(c, key);
  if (!list) return OK;
  const length = list.size;
  const range = normaliseRange(start, end, length);
  const fromHead = range ? range[0] : length;
  const fromTail = range ? length - range[1] - 1 : 0;
  list.removeEnds(fromHead, false);
  list.removeEnds(fromTail, true);
  // Redis signals LTRIM even when nothing was trimmed.
  afterRemoval(c, key, list, 'ltrim');
  correctDirty(c, fromHead + fromTail, 1);
  return OK;
}

function lrem(c: Session, argv: string[]): Reply {
  const count = toInteger(argv[2]!);
  const key = argv[1]!;
  const list = writableList(c, key);
  if (!list) return 0;
  const removed = list.removeValue(argv[3]!, Math.abs(count), count < 0);
  if (removed > 0) {
    afterRemoval(c, key, list, 'lrem');
    correctDirty(c, removed, 1);
  }
  return removed;
}

function linsert(c: Session, argv: string[]): Reply {
  const where = argv[2]!.toUpperCase();
  if (where !== 'BEFORE' && where !== 'AFTER') syntaxError();
  const key = argv[1]!;
  const list = writableList(c, key);
  if (!list) return 0;
  const pivot = list.indexOf(argv[3]!);
  if (pivot < 0) return -1;
  list.insertAt(where === 'BEFORE' ? pivot : pivot + 1, argv[4]!);
  c.changed(key, 'linsert', 'l');
  return list.size;
}

interface LposOptions {
  /** Which match to start from (1 = first), counted from the tail when `fromTail`. */
  rank: number;
  fromTail: boolean;
  /** Undefined without COUNT; 0 means all matches. */
  count: number | undefined;
  maxlen: number;
}

function parseLposOptions(argv: string[]): LposOptions {
  const options: LposOptions = { rank: 1, fromTail: false, count: undefined, maxlen: 0 };
  let rank = 1n;
  for (let i = 3; i < argv.length; i++) {
    const option = argv[i]!.toUpperCase();
    const hasValue = i + 1 < argv.length;
    if (option === 'RANK' && hasValue) {
      rank = toInt64(argv[++i]!);
      if (rank === 0n) {
        fail(
          "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list",
        );
      }
    } else if (option === 'COUNT' && hasValue) {
      options.count = nonNegative(argv[++i]!, "ERR COUNT can't be negative");
    } else if (option === 'MAXLEN' && hasValue) {
      options.maxlen = nonNegative(argv[++i]!, "ERR MAXLEN can't be negative");
    } else syntaxError();
  }
  options.fromTail = rank < 0n;
  if (rank === INT64_MIN) {
    // Redis negates the rank in a C long: INT64_MIN stays negative, so every match qualifies and the
    // COUNT limit test overflows and never stops the scan.
    options.rank = 1;
    if (options.count !== undefined) options.count = 0;
  } else options.rank = Number(rank < 0n ? -rank : rank);
  return options;
}

function nonNegative(arg: string, error: string): number {
  const v = toInteger(arg, error);
  if (v < 0) fail(error);
  return v;
}

function lpos(c: Session, argv: string[]): Reply {
  const { rank, fromTail, count, maxlen } = parseLposOptions(argv);
  const list = readList(c, argv[1]!);
  if (!list) return count === undefined ? null : EMPTY_ARRAY;
  const element = argv[2]!;
  const length = list.size;
  const limit = maxlen === 0 ? length : Math.min(maxlen, length);
  const found: number[] = [];
  let matches = 0;
  for (let scanned = 0; scanned < limit; scanned++) {
    const index = fromTail ? length - scanned - 1 : scanned;
    if (list.at(index) !== element) continue;
    matches++;
    if (matches < rank) continue;
    if (count === undefined) return index;
    found.push(index);
    if (count !== 0 && found.length >= count) break;
  }
  return count === undefined ? null : found;
}

export const basicListCommands: CommandSpec[] = [
  command(
    'lpush',
    -3,
    ['write', 'denyoom', 'fast'],
    [1, 1, 1],
    ['write', 'list', 'fast'],
    push('left', false),
    docs('1.0.0', 'Adds elements at the head of a list, creating it if needed', 'O(1) per element added'),
  ),
  command(
    'rpush',
    -3,
    ['write', 'denyoom', 'fast'],
    [1, 1, 1],
    ['write', 'list', 'fast'],
    push('right', false),
    docs('1.0.0', 'Adds elements at the tail of a list, creating it if needed', 'O(1) per element added'),
  ),
  command(
    'lpushx',
    -3,
    ['write', 'denyoom', 'fast'],
    [1, 1, 1],
    ['write', 'list', 'fast'],
    push('left', true),
    docs('2.2.0', 'Adds elements at the head of a list that already exists', 'O(1) per element added'),
  ),
  command(
    'rpushx',
    -3,
    ['write', 'denyoom', 'fast'],
    [1, 1, 1],
    ['write', 'list', 'fast'],
    push('right', true),
    docs('2.2.0', 'Adds elements at the tail of a list that already exists', 'O(1) per element added'),
  ),
  command(
    'lpop',
    -2,
    ['write', 'fast'],
    [1, 1, 1],
    ['write', 'list', 'fast'],
    pop('left'),
    docs(
      '1.0.0',
      'Removes and returns elements from the head of a list',
      'O(N) in the number of elements returned',
    ),
  ),
  command(
    'rpop',
    -2,
    ['write', 'fast'],
    [1, 1, 1],
    ['write', 'list', 'fast'],
    pop('right'),
    docs(
      '1.0.0',
      'Removes and returns elements from the tail of a list',
      'O(N) in the number of elements returned',
    ),
  ),
  command(
    'llen',
    2,
    ['readonly', 'fast'],
    [1, 1, 1],
    ['read', 'list', 'fast'],
    llen,
    docs('1.0.0', 'Returns the number of elements in a list', 'O(1)'),
  ),
  command(
    'lindex',
    3,
    ['readonly'],
    [1, 1, 1],
    ['read', 'list', 'slow'],
    lindex,
    docs('1.0.0', 'Returns the element at a position in a list', 'O(N) in the distance from the nearest end'),
  ),
  command(
    'lset',
    4,
    ['write', 'denyoom'],
    [1, 1, 1],
    ['write', 'list', 'slow'],
    lset,
    docs('1.0.0', 'Replaces the element at a position in a list', 'O(N) in the length of the list'),
  ),
  command(
    'lrange',
    4,
    ['readonly'],
    [1, 1, 1],
    ['read', 'list', 'slow'],
    lrange,
    docs(
      '1.0.0',
      'Returns a range of elements of a list',
      'O(S+N): S the offset of start, N the elements returned',
    ),
  ),
  command(
    'ltrim',
    4,
    ['write'],
    [1, 1, 1],
    ['write', 'list', 'slow'],
    ltrim,
    docs('1.0.0', 'Keeps only a range of elements of a list', 'O(N) in the number of elements removed'),
  ),
  command(
    'lrem',
    4,
    ['write'],
    [1, 1, 1],
    ['write', 'list', 'slow'],
    lrem,
    docs(
      '1.0.0',
      'Removes occurrences of an element from a list',
      'O(N+M): N the length of the list, M the elements removed',
    ),
  ),
  command(
    'linsert',
    5,
    ['write', 'denyoom'],
    [1, 1, 1],
    ['write', 'list', 'slow'],
    linsert,
    docs(
      '2.2.0',
      'Inserts an element before or after another element of a list',
      'O(N) in the elements scanned to find the pivot',
    ),
  ),
  command(
    'lpos',
    -3,
    ['readonly'],
    [1, 1, 1],
    ['read', 'list', 'slow'],
    lpos,
    docs('6.0.6', 'Returns the positions of an element in a list', 'O(N) in the elements scanned'),
  ),
];
