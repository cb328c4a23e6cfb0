import type { Database } from '../../keyspace/database.js';
import type { RedisObject } from '../../keyspace/values.js';
import { fail, SYNTAX, WRONGTYPE } from '../../resp/errors.js';
import type { Reply } from '../../resp/reply.js';
import type { Session } from '../../session.js';
import type { RedisHash } from '../../types/hash.js';
import { RedisList } from '../../types/list.js';
import type { RedisSet } from '../../types/set.js';
import type { ZSet } from '../../types/zset.js';
import { parseDouble } from '../../util/numbers.js';
import { isOption, toInteger } from '../args.js';
import { type CommandSpec, command } from '../registry.js';
import { docs } from './shared.js';

interface SortRequest {
  desc: boolean;
  alpha: boolean;
  limitStart: number;
  limitCount: number;
  /** BY pattern; with no '*' in it nothing is sorted ("dontsort"). */
  by: string | undefined;
  dontSort: boolean;
  gets: string[];
  store: string | undefined;
}

function parseSort(argv: string[], readonly: boolean): SortRequest {
  const request: SortRequest = {
    desc: false,
    alpha: false,
    limitStart: 0,
    limitCount: -1,
    by: undefined,
    dontSort: false,
    gets: [],
    store: undefined,
  };
  for (let i = 2; i < argv.length; i++) {
    const arg = argv[i]!;
    const left = argv.length - i - 1;
    if (isOption(arg, 'ASC')) request.desc = false;
    else if (isOption(arg, 'DESC')) request.desc = true;
    else if (isOption(arg, 'ALPHA')) request.alpha = true;
    else if (isOption(arg, 'LIMIT') && left >= 2) {
      request.limitStart = toInteger(argv[++i]!);
      request.limitCount = toInteger(argv[++i]!);
    } else if (!readonly && isOption(arg, 'STORE') && left >= 1) request.store = argv[++i]!;
    else if (isOption(arg, 'BY') && left >= 1) {
      request.by = argv[++i]!;
      // As in Redis, a constant pattern switches sorting off for good, even if another BY follows.
      if (!request.by.includes('*')) request.dontSort = true;
    } else if (isOption(arg, 'GET') && left >= 1) request.gets.push(argv[++i]!);
    else fail(SYNTAX);
  }
  return request;
}

/** C string functions stop at the first NUL byte; Redis's pattern and collation code uses them. */
function cString(s: string): string {
  const nul = s.indexOf('\0');
  return nul < 0 ? s : s.slice(0, nul);
}

/**
 * The value a GET or BY pattern names for one element: '#' is the element itself, the first '*' is
 * replaced by the element, and "key->field" reads a hash field. Null when there is no such value.
 */
function lookupByPattern(db: Database, pattern: string, element: string): string | null {
  if (pattern === '#') return element;
  const star = cString(pattern).indexOf('*');
  if (star < 0) return null;
  const arrow = cString(pattern).indexOf('->', star + 1);
  const hasField = arrow >= 0 && arrow + 2 < pattern.length && pattern[arrow + 2] !== '\0';
  const key = pattern.slice(0, star) + element + pattern.slice(star + 1, hasField ? arrow : pattern.length);
  const value = db.read(key);
  if (value === undefined) return null;
  if (hasField) {
    if (typeof value === 'string' || value.type !== 'hash') return null;
    return (value as RedisHash).get(pattern.slice(arrow + 2)) ?? null;
  }
  return typeof value === 'string' ? value : null;
}

const SMALLEST_NORMAL = 2.2250738585072014e-308;
const C_SPACE = /^[ \t\n\v\f\r]+/;

/** A sort weight as C's strtod reads it (leading spaces allowed, "" is 0); null where Redis errors. */
function sortWeight(text: string): number | null {
  const s = cString(text);
  if (s === '') return 0;
  const v = parseDouble(s.replace(C_SPACE, ''));
  // strtod flags ERANGE for subnormal results too.
  if (v === null || (v !== 0 && Math.abs(v) < SMALLEST_NORMAL)) return null;
  return v;
}

interface Item {
  element: string;
  score: number;
  /** ALPHA with BY: the looked-up value to compare (null when missing). */
  by: string | null;
}

function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sorting order, as Redis's sortCompare (collation is the C locale's: bytes up to the first NUL). */
function comparator(request: SortRequest): (a: Item, b: Item) => number {
  const sign = request.desc ? -1 : 1;
  const collate =
    request.store !== undefined
      ? compareBytes
      : (a: string, b: string) => compareBytes(cString(a), cString(b));
  if (!request.alpha) {
    return (a, b) =>
      sign * (a.score > b.score ? 1 : a.score < b.score ? -1 : compareBytes(a.element, b.element));
  }
  if (request.by !== undefined) {
    return (a, b) => {
      if (a.by === null || b.by === null) return sign * (a.by === b.by ? 0 : a.by === null ? -1 : 1);
      return sign * collate(a.by, b.by);
    };
  }
  return (a, b) => sign * collate(a.element, b.element);
}

/** Redis converts a listpack sorted set to a skiplist before sorting it (and it stays converted). */
function convertToSkiplist(zset: ZSet): void {
  if (!zset.isListpack) return;
  let probe = '\0sort';
  while (zset.score(probe) !== undefined) probe += '\0';
  zset.add(probe, 0, { maxEntries: 0, maxValue: 0 });
  zset.delete(probe);
}

/**
 * The elements to sort. For a list or sorted set that is not sorted (constant BY), only the LIMIT
 * window is loaded, in native (or reversed, with DESC) order; `windowed` says so.
 */
function loadElements(
  value: RedisObject,
  request: SortRequest,
  start: number,
  end: number,
): { elements: string[]; windowed: boolean } {
  if (value.type === 'list') {
    const list = value as RedisList;
    if (!request.dontSort) return { elements: list.toArray(), windowed: false };
    if (end < start) return { elements: [], windowed: true };
    const length = list.size;
    const elements = request.desc
      ? list.range(length - 1 - end, length - 1 - start, true)
      : list.range(start, end);
    return { elements, windowed: true };
  }
  if (value.type === 'set') return { elements: [...(value as RedisSet).items], windowed: false };
  const zset = value as ZSet;
  if (!request.dontSort) return { elements: zset.members(), windowed: false };
  const elements: string[] = [];
  if (end >= start) {
    const cursor = zset.at(request.desc ? zset.size - 1 - start : start);
    for (let n = end - start + 1; n > 0 && cursor.valid; n--) {
      elements.push(cursor.member);
      if (request.desc) cursor.prev();
      else cursor.next();
    }
  }
  return { elements, windowed: true };
}

function sortGeneric(c: Session, argv: string[], readonly: boolean): Reply {
  const request = parseSort(argv, readonly);
  const db = c.db;
  const value = db.read(argv[1]!);
  if (value !== undefined && (typeof value === 'string' || !['list', 'set', 'zset'].includes(value.type))) {
    fail(WRONGTYPE);
  }
  const source: RedisObject = value ?? new RedisList();
  // A set has no order of its own: one that is stored is sorted, so the result is reproducible.
  if (request.dontSort && source.type === 'set' && request.store !== undefined) {
    request.dontSort = false;
    request.alpha = true;
    request.by = undefined;
  }
  if (source.type === 'zset') convertToSkiplist(source as ZSet);

  const length = source.size;
  let start = Math.min(Math.max(request.limitStart, 0), length);
  const count = Math.min(Math.max(request.limitCount, -1), length);
  let end = count < 0 ? length - 1 : start + count - 1;
  if (start >= length) {
    start = length - 1;
    end = length - 2;
  }
  if (end >= length) end = length - 1;

  const { elements, windowed } = loadElements(source, request, start, end);
  if (windowed) {
    end -= start;
    start = 0;
  }
  const items: Item[] = elements.map((element) => ({ element, score: 0, by: null }));
  if (!request.dontSort) {
    let convertible = true;
    for (const item of items) {
      const weight = request.by === undefined ? item.element : lookupByPattern(db, request.by, item.element);
      if (weight === null) continue;
      if (request.alpha) {
        if (request.by !== undefined) item.by = weight;
      } else {
        const score = sortWeight(weight);
        if (score === null) convertible = false;
        else item.score = score;
      }
    }
    items.sort(comparator(request));
    if (!convertible) fail("ERR One or more scores can't be converted into double");
  }
  return request.store === undefined
    ? reply(db, request, items, start, end)
    : store(c, request, request.store, items, start, end);
}

function reply(db: Database, request: SortRequest, items: Item[], start: number, end: number): Reply {
  const out: Reply[] = [];
  for (let i = start; i <= end; i++) {
    const element = items[i]!.element;
    if (request.gets.length === 0) out.push(element);
    for (const pattern of request.gets) out.push(lookupByPattern(db, pattern, element));
  }
  return out;
}

function store(
  c: Session,
  request: SortRequest,
  key: string,
  items: Item[],
  start: number,
  end: number,
): Reply {
  const db = c.db;
  const list = new RedisList();
  for (let i = start; i <= end; i++) {
    const element = items[i]!.element;
    if (request.gets.length === 0) list.pushBack(element);
    for (const pattern of request.gets) list.pushBack(lookupByPattern(db, pattern, element) ?? '');
  }
  if (list.size > 0) {
    db.get(key);
    db.set(key, list);
    c.changed(key, 'sortstore', 'l');
  } else if (db.get(key) !== undefined) {
    db.delete(key);
    c.changed(key, 'del', 'g');
  }
  return list.size;
}

/** SORT's keys: the sorted key, and the STORE target (skipping the arguments of LIMIT, GET and BY). */
function sortKeys(argv: string[]): number[] {
  const keys = [1];
  let storeAt = -1;
  for (let i = 2; i < argv.length; i++) {
    if (isOption(argv[i], 'LIMIT')) i += 2;
    else if (isOption(argv[i], 'GET') || isOption(argv[i], 'BY')) i += 1;
    // Like Redis's sortGetKeys, the argument after STORE is not skipped; the last STORE wins.
    else if (isOption(argv[i], 'STORE') && i + 1 < argv.length) storeAt = i + 1;
  }
  if (storeAt > 0) keys.push(storeAt);
  return keys;
}

const SORT_CATEGORIES = ['set', 'sortedset', 'list', 'slow', 'dangerous'];
const SORT_COMPLEXITY =
  'O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N).';

export const sortCommands: CommandSpec[] = [
  command(
    'sort',
    -2,
    ['write', 'denyoom', 'movablekeys'],
    [1, 1, 1],
    ['write', ...SORT_CATEGORIES],
    (c, argv) => sortGeneric(c, argv, false),
    {
      ...docs(
        '1.0.0',
        'Sorts the elements of a list, set or sorted set, optionally storing the result.',
        SORT_COMPLEXITY,
      ),
      getKeys: sortKeys,
    },
  ),
  command(
    'sort_ro',
    -2,
    ['readonly', 'movablekeys'],
    [1, 1, 1],
    ['read', ...SORT_CATEGORIES],
    (c, argv) => sortGeneric(c, argv, true),
    {
      ...docs(
        '7.0.0',
        'Sorts the elements of a list, set or sorted set (read-only variant).',
        SORT_COMPLEXITY,
      ),
      getKeys: () => [1],
    },
  ),
];
