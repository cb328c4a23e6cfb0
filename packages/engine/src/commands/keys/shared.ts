import type { Database } from '../../keyspace/database.js';
import { DB_INDEX_OUT_OF_RANGE, fail, NOT_INTEGER } from '../../resp/errors.js';
import type { Session } from '../../session.js';
import { parseInt64 } from '../../util/numbers.js';

export const docs = (since: string, summary: string, complexity?: string) => ({
  group: 'generic',
  since,
  summary,
  ...(complexity ? { complexity } : {}),
});

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/**
 * Redis's getIntFromObjectOrReply: an int64 first, then a C int. `rangeError` replaces both messages
 * when the caller gives its own (SWAPDB's "invalid first DB index").
 */
export function toInt32(arg: string, rangeError?: string): number {
  const v = parseInt64(arg);
  if (v === null) fail(rangeError ?? NOT_INTEGER);
  if (v < INT32_MIN || v > INT32_MAX) {
    fail(rangeError ?? `ERR value is out of range, value must between ${INT32_MIN} and ${INT32_MAX}`);
  }
  return Number(v);
}

/** The database with this index, or Redis's "DB index is out of range". */
export function databaseAt(c: Session, index: number): Database {
  const db = index >= 0 ? c.engine.databases[index] : undefined;
  if (!db) fail(DB_INDEX_OUT_OF_RANGE);
  return db;
}
