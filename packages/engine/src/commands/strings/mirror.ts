import type { Database } from '../../keyspace/database.js';

/**
 * Bit commands change single bytes, but values are immutable JS strings: each write must build a new
 * string. For big values we keep a mutable byte copy of the few most recently written ones, so a write
 * costs one native buffer-to-string conversion instead of decoding, slicing and concatenating.
 * A mirror is valid only while the key still holds the exact string it produced.
 */
interface Mirror {
  data: Map<string, unknown>;
  key: string;
  value: string;
  bytes: Buffer;
}

/** Below this size rebuilding the string directly is cheap enough. */
const MIRROR_MIN_BYTES = 4096;
const MAX_MIRRORS = 4;
/** Mirrors double the memory of their values: bound the total. */
const MAX_MIRROR_BYTES = 32 * 1024 * 1024;
const mirrors: Mirror[] = [];

function find(db: Database, key: string, value: string): Mirror | undefined {
  for (let i = 0; i < mirrors.length; i++) {
    const m = mirrors[i]!;
    if (m.key === key && m.data === db.data) {
      if (m.value === value) return m;
      mirrors.splice(i, 1);
      return undefined;
    }
  }
  return undefined;
}

/**
 * The bytes of `value` (the current string at `key`, or '' when missing) zero-extended to at least
 * `length`, ready to be modified and then stored with `commitBytes`.
 */
export function editableBytes(db: Database, key: string, value: string, length: number): Buffer {
  const size = Math.max(length, value.length);
  if (size >= MIRROR_MIN_BYTES) {
    const m = find(db, key, value);
    if (m !== undefined) {
      if (m.bytes.length < size) {
        const grown = Buffer.alloc(size);
        m.bytes.copy(grown);
        m.bytes = grown;
      }
      return m.bytes;
    }
  }
  const bytes = Buffer.alloc(size);
  bytes.write(value, 0, 'latin1');
  return bytes;
}

/** The string for modified bytes; remembers them as the key's mirror when the value is big. */
export function commitBytes(db: Database, key: string, bytes: Buffer): string {
  const value = bytes.toString('latin1');
  const existing = mirrors.findIndex((m) => m.key === key && m.data === db.data);
  if (existing >= 0) mirrors.splice(existing, 1);
  if (bytes.length < MIRROR_MIN_BYTES || bytes.length > MAX_MIRROR_BYTES) return value;
  mirrors.unshift({ data: db.data, key, value, bytes });
  let total = 0;
  for (let i = 0; i < mirrors.length; i++) {
    total += mirrors[i]!.bytes.length;
    if (i >= MAX_MIRRORS || total > MAX_MIRROR_BYTES) {
      mirrors.length = i;
      break;
    }
  }
  return value;
}
