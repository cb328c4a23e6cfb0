/**
 * What a key holds. Strings are plain JS strings (one char per byte) so a million small values stay
 * compact; every other type is an object of its class in src/types/.
 */
export type RedisValue = string | RedisObject;

export type TypeName = 'string' | 'list' | 'set' | 'zset' | 'hash' | 'stream';

/**
 * What memory/estimate.ts last accounted for a collection. It lives on the value itself: a side table
 * cost a lookup on every write and extra work for the garbage collector.
 */
export interface MemoryRecord {
  bytes: number;
  /** Element count when the average element size was last sampled. */
  sampledAt: number;
  perElement: number;
}

export interface RedisObject {
  readonly type: Exclude<TypeName, 'string'>;
  /** Set by memory/estimate.ts once the value is measured. */
  memory: MemoryRecord | undefined;
  /** OBJECT ENCODING's answer, e.g. "listpack" or "hashtable". */
  encoding(): string;
  /** Number of elements (0 means the key must be deleted). */
  readonly size: number;
  /** A deep copy, for COPY. */
  clone(): RedisObject;
}

export function typeOf(value: RedisValue): TypeName {
  return typeof value === 'string' ? 'string' : value.type;
}
