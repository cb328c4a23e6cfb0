import type { Database } from '../../keyspace/database.js';
import { isCanonicalInt64 } from './integers.js';

/** Redis keeps strings of up to 44 bytes in one allocation with their header ("embstr"). */
const EMBSTR_MAX = 44;

/**
 * Strings are plain JS strings, so they cannot carry Redis's object encoding. Redis reports "raw" for a
 * value that APPEND, SETRANGE or a bit command modified in place (and "embstr" for an integer-looking
 * INCRBYFLOAT result), while a fresh SET gets int/embstr/raw by length. We remember those exceptions per
 * key, together with the value they apply to: a stale entry (the key was later rewritten by any command)
 * no longer matches the stored value and is ignored. Entries hang off the database's Map object, so
 * FLUSHDB drops them; the table is swept when it grows.
 */
class ForcedTable {
  readonly entries = new Map<string, { value: string; encoding: string }>();
  /** Size at which stale entries are swept; doubles when the live entries alone reach it. */
  sweepAt = 4096;
}
const forced = new WeakMap<Map<string, unknown>, ForcedTable>();
let anyForced = false;

/** OBJECT ENCODING of a string: int, embstr or raw, as Redis 7.0 reports it. */
export function stringEncoding(value: string, db?: Database, key?: string): string {
  if (db !== undefined && key !== undefined && anyForced) {
    const entry = forced.get(db.data)?.entries.get(key);
    if (entry !== undefined && entry.value === value) return entry.encoding;
  }
  if (value.length <= 20 && isCanonicalInt64(value)) return 'int';
  return value.length <= EMBSTR_MAX ? 'embstr' : 'raw';
}

/** Records that `key` now holds `value` with an encoding its content alone would not give. */
export function forceEncoding(db: Database, key: string, value: string, encoding: 'raw' | 'embstr'): void {
  let table = forced.get(db.data);
  if (table === undefined) forced.set(db.data, (table = new ForcedTable()));
  if (table.entries.size >= table.sweepAt) sweep(db, table);
  table.entries.set(key, { value, encoding });
  anyForced = true;
}

/** Called by writes that give the key a fresh SET-like encoding. Cheap when nothing was ever forced. */
export function clearForcedEncoding(db: Database, key: string): void {
  if (anyForced) forced.get(db.data)?.entries.delete(key);
}

function sweep(db: Database, table: ForcedTable): void {
  for (const [key, entry] of table.entries) if (db.data.get(key) !== entry.value) table.entries.delete(key);
  table.sweepAt = Math.max(table.sweepAt, table.entries.size * 2);
}
