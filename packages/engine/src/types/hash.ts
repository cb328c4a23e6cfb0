import type { MemoryRecord, RedisObject } from '../keyspace/values.js';
import { RandomIndex } from './set.js';

/**
 * A hash: field → value in a Map. A Map iterates in insertion order, keeps an updated field in place
 * and closes the gap on delete, exactly as Redis's listpack does, so small ("listpack") hashes reply in
 * Redis's order. Past the listpack limits the hash is "hashtable"-encoded (never back, as in Redis),
 * where order is free.
 *
 * Random picks (HRANDFIELD) use an index of fields by slot that is built on the first pick and kept
 * in step afterwards, so hashes that are never sampled pay nothing for it.
 */
export class RedisHash implements RedisObject {
  readonly type = 'hash' as const;
  memory: MemoryRecord | undefined = undefined;
  private readonly map = new Map<string, string>();
  private compact = true;
  private random: RandomIndex | null = null;

  encoding(): string {
    return this.compact ? 'listpack' : 'hashtable';
  }

  get size(): number {
    return this.map.size;
  }

  get isListpack(): boolean {
    return this.compact;
  }

  get(field: string): string | undefined {
    return this.map.get(field);
  }

  has(field: string): boolean {
    return this.map.has(field);
  }

  /** Sets a field; true when the field is new. */
  set(field: string, value: string): boolean {
    const before = this.map.size;
    this.map.set(field, value);
    if (this.map.size === before) return false;
    this.random?.add(field);
    return true;
  }

  /** Removes a field; true when it was there. */
  delete(field: string): boolean {
    if (!this.map.delete(field)) return false;
    this.random?.remove(field);
    return true;
  }

  /** Fields in iteration order (Redis's order while listpack-encoded). */
  fields(): IterableIterator<string> {
    return this.map.keys();
  }

  values(): IterableIterator<string> {
    return this.map.values();
  }

  /** Calls `visit` for every field in iteration order, without allocating entries. */
  forEach(visit: (value: string, field: string) => void): void {
    this.map.forEach(visit);
  }

  /** Switches to the hashtable encoding (one way, as in Redis). */
  convertToHashtable(): void {
    this.compact = false;
  }

  /** Converts when the hash has more than `maxEntries` fields (Redis's hash-max-listpack-entries). */
  applyEntryLimit(maxEntries: number): void {
    if (this.compact && this.map.size > maxEntries) this.compact = false;
  }

  /** Every field by slot, for uniform random picks (the hash must not be empty). Do not keep or mutate. */
  fieldsBySlot(): readonly string[] {
    this.random ??= new RandomIndex(this.map.keys());
    return this.random.items;
  }

  /** A uniformly random field (the hash must not be empty). */
  randomField(): string {
    const fields = this.fieldsBySlot();
    return fields[Math.floor(Math.random() * fields.length)]!;
  }

  /** Fields in an order that survives concurrent changes (for HSCAN cursors over big hashes). */
  liveFields(): IterableIterator<string> {
    return this.map.keys();
  }

  clone(): RedisHash {
    const copy = new RedisHash();
    this.map.forEach((value, field) => {
      copy.map.set(field, value);
    });
    copy.compact = this.compact;
    return copy;
  }
}
