import { fail } from '../resp/errors.js';

/**
 * SCAN-family cursors. A cursor resumes a live iterator of the collection (Map/Set iterators survive
 * inserts and deletes, visiting every element present for the whole scan exactly once), so full
 * iterations give Redis's guarantee. The cursor number is the count of elements visited so far; if its
 * iterator was dropped (too many open scans), the scan restarts and skips that many elements.
 */
const MAX_OPEN_PER_SOURCE = 64;
const open = new WeakMap<object, Map<number, Iterator<unknown>>>();

/**
 * Visits up to `count` elements of `source` from `cursor`; returns the next cursor (0 when done).
 * `iterate` starts a fresh iterator over the source.
 */
export function scanStep<T>(
  source: object,
  cursor: number,
  count: number,
  iterate: () => Iterator<T>,
  visit: (item: T) => void,
): number {
  let table = open.get(source);
  let iterator = table?.get(cursor) as Iterator<T> | undefined;
  if (iterator) table!.delete(cursor);
  else {
    iterator = iterate();
    for (let skipped = 0; skipped < cursor; skipped++) if (iterator.next().done) return 0;
  }
  let visited = 0;
  while (visited < count) {
    const next = iterator.next();
    if (next.done) return 0;
    visit(next.value);
    visited++;
  }
  const nextCursor = cursor + visited;
  if (!table) open.set(source, (table = new Map()));
  if (table.size >= MAX_OPEN_PER_SOURCE) table.delete(table.keys().next().value!);
  table.set(nextCursor, iterator);
  return nextCursor;
}

const ULONG_LIMIT = 2n ** 64n;
const CURSOR = /^([+-]?)([0-9]*)$/;

/**
 * SCAN's cursor, read as C's strtoul does (Redis's parseScanCursorOrReply): an optional sign, digits,
 * nothing else; "" is 0 and "-n" wraps around. Precision beyond 2^53 does not matter: such a cursor
 * is past the end of any keyspace.
 */
export function parseScanCursor(arg: string): number {
  const m = CURSOR.exec(arg);
  if (!m || (m[2] === '' && m[1] !== '')) fail('ERR invalid cursor');
  if (m[2] === '') return 0;
  let value = BigInt(m[2]!);
  if (value >= ULONG_LIMIT) fail('ERR invalid cursor');
  if (m[1] === '-' && value !== 0n) value = ULONG_LIMIT - value;
  return Number(value);
}
