/**
 * What a key holds. Strings are plain JS strings (one char per byte) so a million small values stay
 * compact; every other type is an object of its class in src/types/.
 */
export type RedisValue = string | RedisObject;

export type TypeName = 'string' | 'list' | 'set' | 'zset' | 'hash' | 'stream';

export interface RedisObject {
  readonly type: Exclude<TypeName, 'string'>;
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
