import type { RedisObject, RedisValue } from '../keyspace/values.js';
import type { RedisHash } from '../types/hash.js';
import type { RedisList } from '../types/list.js';
import { SMALL_LEAF } from '../types/order-statistic-tree.js';
import type { RedisSet } from '../types/set.js';
import type { RedisStream } from '../types/stream.js';
import type { ZSet } from '../types/zset.js';

/*
 * What a key costs the JavaScript heap, estimated in O(1) per write. The constants were measured on
 * Node 20 / x64 (8-byte pointers) with process.memoryUsage() while loading a million keys of each type
 * (see memory/estimate.test.ts for the check that keeps them honest):
 *   - a one-byte string is a 16-byte header plus its bytes, rounded up to 8;
 *   - a Map spends 28 bytes per slot of capacity (3 words of entry + half a word of bucket), a Set 20;
 *     V8 keeps capacities at powers of two (at least 4);
 *   - a Smi number is stored in place, any other number is a 16-byte heap number.
 */

const STRING_HEADER = 16;
export const MAP_SLOT_BYTES = 28;
const SET_SLOT_BYTES = 20;
const HEAP_NUMBER_BYTES = 16;
const POINTER_BYTES = 8;

/** The fixed part of each kind of collection (the object, its Map/array headers, initial tables). */
const HASH_BASE = 120;
const LIST_BASE = 110;
const SET_BASE = 130;
const ZSET_BASE = 220;
/** A listpack-encoded zset: no member table; a small leaf's two arrays are kept at their exact size. */
const ZSET_LISTPACK_BASE = 270;
const STREAM_BASE = 880;
/** A zset member's share of the B+tree (member pointer, unboxed score, part-full leaves, branches). */
const ZSET_TREE_BYTES = 40;
/** A listpack-encoded zset member's slots in its leaf (member pointer, unboxed score). */
const ZSET_LISTPACK_ENTRY_BYTES = 16;
/** This module's own record of each collection's estimate (MemoryRecord and the field holding it). */
const RECORD_BYTES = 64;
/** A stream entry apart from its strings: its 128-bit bigint ID, slots and node bookkeeping. */
const STREAM_ENTRY_BYTES = 88;

/** How many elements are looked at to estimate a collection's average element size. */
const SAMPLE = 8;

export function stringBytes(length: number): number {
  return (STRING_HEADER + length + 7) & ~7;
}

/** A V8 hash table's capacity for `count` entries. */
export function tableCapacity(count: number): number {
  if (count <= 4) return 4;
  return count <= 1 << 30 ? 1 << (32 - Math.clz32(count - 1)) : 2 ** Math.ceil(Math.log2(count));
}

/** Bytes of a Map's table holding `count` entries (0 for an empty map we never allocated). */
export function mapTableBytes(count: number): number {
  return count === 0 ? 0 : MAP_SLOT_BYTES * tableCapacity(count);
}

const numberBytes = (n: number) => ((n | 0) === n ? 0 : HEAP_NUMBER_BYTES);

/** Average bytes of one element's strings (and boxed numbers), from up to SAMPLE elements. */
function sampleElementBytes(value: RedisObject): number {
  let total = 0;
  let seen = 0;
  switch (value.type) {
    case 'hash': {
      const hash = value as RedisHash;
      for (const field of hash.fields()) {
        total += stringBytes(field.length) + stringBytes(hash.get(field)!.length);
        if (++seen === SAMPLE) break;
      }
      break;
    }
    case 'list': {
      const list = value as RedisList;
      const n = list.size;
      const step = Math.max(1, Math.floor(n / SAMPLE));
      for (let i = 0; i < n && seen < SAMPLE; i += step, seen++) total += stringBytes(list.at(i)!.length);
      break;
    }
    case 'set':
      for (const member of (value as RedisSet).items) {
        total += stringBytes(member.length);
        if (++seen === SAMPLE) break;
      }
      break;
    case 'zset':
      // A cursor: iterating the dict made an iterator and an entry array per element, on every write.
      for (const cursor = (value as ZSet).at(0); cursor.valid && seen < SAMPLE; cursor.next(), seen++) {
        total += stringBytes(cursor.member.length) + numberBytes(cursor.score);
      }
      break;
    case 'stream': {
      // Entries are reached by ID only: the first and the last stand for the rest.
      const stream = value as RedisStream;
      for (const id of [stream.firstEntryId(), stream.lastEntryId()]) {
        const entry = id === undefined ? undefined : stream.get(id);
        if (entry === undefined) continue;
        total += 16 + POINTER_BYTES * entry.length;
        for (const part of entry) total += stringBytes(part.length);
        seen++;
      }
      break;
    }
    default:
      return 0;
  }
  return seen === 0 ? 0 : total / seen;
}

/** Bytes of a collection with `n` elements averaging `perElement` bytes of strings. */
function collectionBytes(value: RedisObject, n: number, perElement: number): number {
  switch (value.type) {
    case 'hash':
      return HASH_BASE + n * perElement + mapTableBytes(n);
    case 'list':
      return LIST_BASE + n * perElement + POINTER_BYTES * tableCapacity(n);
    case 'set':
      // intset: a sorted array of pointers; hashtable: a Set (plus its random-pick index, if built).
      return (
        SET_BASE +
        n * perElement +
        ((value as RedisSet).isIntset ? POINTER_BYTES * n : SET_SLOT_BYTES * tableCapacity(n))
      );
    case 'zset':
      return (value as ZSet).isListpack
        ? ZSET_LISTPACK_BASE +
            n * (perElement + ZSET_LISTPACK_ENTRY_BYTES) +
            // Past SMALL_LEAF members the leaf arrays grow with room to spare.
            (n > SMALL_LEAF ? n * ZSET_LISTPACK_ENTRY_BYTES : 0)
        : ZSET_BASE + n * (perElement + ZSET_TREE_BYTES) + mapTableBytes(n);
    case 'stream':
      return STREAM_BASE + n * (STREAM_ENTRY_BYTES + perElement);
    default:
      return HASH_BASE;
  }
}

/**
 * Re-estimates a collection (after a write changed it). The average element size is re-sampled while
 * the collection is small and whenever its size doubled or halved since the last sample, so growing a
 * collection one element at a time costs O(1) amortized.
 */
export function measureObject(value: RedisObject): number {
  const n = value.size;
  let record = value.memory;
  if (record === undefined || n <= SAMPLE * 2 || n >= record.sampledAt * 2 || n * 2 <= record.sampledAt) {
    const perElement = sampleElementBytes(value);
    if (record === undefined) {
      record = { bytes: 0, sampledAt: n, perElement };
      value.memory = record;
    } else {
      record.sampledAt = n;
      record.perElement = perElement;
    }
  }
  record.bytes = RECORD_BYTES + collectionBytes(value, n, record.perElement);
  return record.bytes;
}

/** The estimate last recorded for a value (strings are exact, so they are computed). */
export function accountedValueBytes(value: RedisValue): number {
  if (typeof value === 'string') return stringBytes(value.length);
  return value.memory?.bytes ?? 0;
}

/** Estimates a value now (recording it, for a collection). */
export function measureValueBytes(value: RedisValue): number {
  return typeof value === 'string' ? stringBytes(value.length) : measureObject(value);
}

/** A key's own string (its table slot is counted per database, from the table's size). */
export function keyBytes(key: string): number {
  return stringBytes(key.length);
}

/** Bytes of a database's expires Map: its table plus a heap number per deadline (ms exceed Smi range). */
export function expiresBytes(count: number): number {
  return mapTableBytes(count) + HEAP_NUMBER_BYTES * count;
}
