import type { MemoryRecord, RedisObject } from '../keyspace/values.js';

const MIN_CAPACITY = 4;

/** Slots filled with undefined: several times faster to create than pushing one by one. */
function emptySlots(capacity: number): Array<string | undefined> {
  return new Array<string | undefined>(capacity).fill(undefined);
}

/**
 * A Redis list: a growable ring buffer of binary strings. Push and pop at both ends and access by
 * index are O(1); insertion or removal in the middle moves the shorter side. Redis 7.0 always
 * reports such a list as 'quicklist' (its listpack-encoded lists only arrived in 7.2).
 */
export class RedisList implements RedisObject {
  readonly type = 'list' as const;
  memory: MemoryRecord | undefined = undefined;
  private slots: Array<string | undefined>;
  /** capacity - 1; the capacity is always a power of two. */
  private mask: number;
  private head = 0;
  private length = 0;

  constructor(capacity = MIN_CAPACITY) {
    let size = MIN_CAPACITY;
    while (size < capacity) size *= 2;
    this.slots = emptySlots(size);
    this.mask = size - 1;
  }

  static from(items: Iterable<string>): RedisList {
    const list = new RedisList(Array.isArray(items) ? items.length : MIN_CAPACITY);
    for (const item of items) list.pushBack(item);
    return list;
  }

  get size(): number {
    return this.length;
  }

  encoding(): string {
    return 'quicklist';
  }

  clone(): RedisList {
    const copy = new RedisList(this.length);
    for (let i = 0; i < this.length; i++) copy.slots[i] = this.slots[(this.head + i) & this.mask];
    copy.length = this.length;
    return copy;
  }

  pushFront(value: string): void {
    if (this.length === this.mask + 1) this.resize((this.mask + 1) * 2);
    this.head = (this.head - 1) & this.mask;
    this.slots[this.head] = value;
    this.length++;
  }

  pushBack(value: string): void {
    if (this.length === this.mask + 1) this.resize((this.mask + 1) * 2);
    this.slots[(this.head + this.length) & this.mask] = value;
    this.length++;
  }

  popFront(): string | undefined {
    if (this.length === 0) return undefined;
    const value = this.slots[this.head];
    this.slots[this.head] = undefined;
    this.head = (this.head + 1) & this.mask;
    this.length--;
    this.maybeShrink();
    return value;
  }

  popBack(): string | undefined {
    if (this.length === 0) return undefined;
    const slot = (this.head + this.length - 1) & this.mask;
    const value = this.slots[slot];
    this.slots[slot] = undefined;
    this.length--;
    this.maybeShrink();
    return value;
  }

  /** The element at `index` (0-based from the head; negative counts from the tail), or undefined. */
  at(index: number): string | undefined {
    if (index < 0) index += this.length;
    if (index < 0 || index >= this.length) return undefined;
    return this.slots[(this.head + index) & this.mask];
  }

  /** Replaces the element at a 0-based index in range. */
  set(index: number, value: string): void {
    this.slots[(this.head + index) & this.mask] = value;
  }

  /** Elements from `start` to `end` inclusive (both in range, start <= end), optionally tail first. */
  range(start: number, end: number, reverse = false): string[] {
    const out = new Array<string>(end - start + 1);
    const { slots, mask, head } = this;
    if (reverse) {
      for (let i = end, j = 0; i >= start; i--, j++) out[j] = slots[(head + i) & mask]!;
    } else {
      for (let i = start, j = 0; i <= end; i++, j++) out[j] = slots[(head + i) & mask]!;
    }
    return out;
  }

  /** Removes `count` elements from the head (or from the tail when `fromTail`). */
  removeEnds(count: number, fromTail: boolean): void {
    count = Math.min(count, this.length);
    if (count === 0) return;
    if (count === this.length) {
      this.clear();
      return;
    }
    if (fromTail) {
      for (let i = this.length - count; i < this.length; i++)
        this.slots[(this.head + i) & this.mask] = undefined;
    } else {
      for (let i = 0; i < count; i++) this.slots[(this.head + i) & this.mask] = undefined;
      this.head = (this.head + count) & this.mask;
    }
    this.length -= count;
    this.maybeShrink();
  }

  /** Index of the first element equal to `value`, scanning from the head; -1 if none. */
  indexOf(value: string): number {
    const { slots, mask, head } = this;
    for (let i = 0; i < this.length; i++) if (slots[(head + i) & mask] === value) return i;
    return -1;
  }

  /** Inserts `value` so it ends up at `index` (0..size), moving the shorter side by one. */
  insertAt(index: number, value: string): void {
    if (this.length === this.mask + 1) this.resize((this.mask + 1) * 2);
    const { slots, mask } = this;
    if (index < this.length / 2) {
      this.head = (this.head - 1) & mask;
      for (let i = 0; i < index; i++) slots[(this.head + i) & mask] = slots[(this.head + i + 1) & mask];
    } else {
      for (let i = this.length; i > index; i--)
        slots[(this.head + i) & mask] = slots[(this.head + i - 1) & mask];
    }
    slots[(this.head + index) & mask] = value;
    this.length++;
  }

  /**
   * Removes up to `limit` elements equal to `value` (all when limit is 0), scanning from the head or,
   * when `fromTail`, from the tail. One compacting pass; returns how many were removed.
   */
  removeValue(value: string, limit: number, fromTail: boolean): number {
    const { slots, mask, head, length } = this;
    let removed = 0;
    if (!fromTail) {
      let write = 0;
      for (let read = 0; read < length; read++) {
        const item = slots[(head + read) & mask];
        if (item === value && (limit === 0 || removed < limit)) removed++;
        else slots[(head + write++) & mask] = item;
      }
      for (let i = write; i < length; i++) slots[(head + i) & mask] = undefined;
    } else {
      let write = length - 1;
      for (let read = length - 1; read >= 0; read--) {
        const item = slots[(head + read) & mask];
        if (item === value && (limit === 0 || removed < limit)) removed++;
        else slots[(head + write--) & mask] = item;
      }
      for (let i = 0; i <= write; i++) slots[(head + i) & mask] = undefined;
      this.head = (head + removed) & mask;
    }
    this.length -= removed;
    if (removed > 0) this.maybeShrink();
    return removed;
  }

  *[Symbol.iterator](): IterableIterator<string> {
    for (let i = 0; i < this.length; i++) yield this.slots[(this.head + i) & this.mask]!;
  }

  toArray(): string[] {
    return this.length === 0 ? [] : this.range(0, this.length - 1);
  }

  private clear(): void {
    this.slots = emptySlots(MIN_CAPACITY);
    this.mask = MIN_CAPACITY - 1;
    this.head = 0;
    this.length = 0;
  }

  /** Gives memory back once a list has shrunk to a quarter of its capacity. */
  private maybeShrink(): void {
    const capacity = this.mask + 1;
    if (capacity > 64 && this.length <= capacity >>> 2) this.resize(capacity >>> 1);
  }

  private resize(capacity: number): void {
    const next = emptySlots(capacity);
    for (let i = 0; i < this.length; i++) next[i] = this.slots[(this.head + i) & this.mask];
    this.slots = next;
    this.mask = capacity - 1;
    this.head = 0;
  }
}
