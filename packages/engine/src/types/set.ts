import type { MemoryRecord, RedisObject } from '../keyspace/values.js';

const INT64_MAX_DIGITS = '9223372036854775807';
const INT64_MIN_DIGITS = '9223372036854775808';

/** Redis's string2ll test for intset members: canonical decimal int64 (no '+', leading zeros or "-0"). */
export function isInt64String(s: string): boolean {
  const len = s.length;
  if (len === 0 || len > 20) return false;
  let i = 0;
  const negative = s.charCodeAt(0) === 45;
  if (negative) {
    i = 1;
    if (len === 1) return false;
  }
  const first = s.charCodeAt(i);
  if (first === 48) return len === 1; // "0" alone; "-0" and "01" are not canonical
  if (first < 49 || first > 57) return false;
  for (let j = i + 1; j < len; j++) {
    const c = s.charCodeAt(j);
    if (c < 48 || c > 57) return false;
  }
  const digits = len - i;
  if (digits < 19) return true;
  if (digits > 19) return false;
  const body = negative ? s.slice(1) : s;
  return body <= (negative ? INT64_MIN_DIGITS : INT64_MAX_DIGITS);
}

/** Numeric order of two canonical int64 strings, without parsing them. */
export function compareIntStrings(a: string, b: string): number {
  const aNegative = a.charCodeAt(0) === 45;
  const bNegative = b.charCodeAt(0) === 45;
  if (aNegative !== bNegative) return aNegative ? -1 : 1;
  const byMagnitude = a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
  return aNegative ? -byMagnitude : byMagnitude;
}

/**
 * Members by slot plus each member's slot: a uniformly random member is one array index, and a
 * removal moves the last member into the hole, both O(1). Used for SPOP/SRANDMEMBER/HRANDFIELD.
 */
export class RandomIndex {
  readonly items: string[] = [];
  private readonly slots = new Map<string, number>();

  constructor(members: Iterable<string>) {
    for (const member of members) this.add(member);
  }

  add(member: string): void {
    this.slots.set(member, this.items.length);
    this.items.push(member);
  }

  remove(member: string): void {
    const slot = this.slots.get(member);
    if (slot === undefined) return;
    this.slots.delete(member);
    const last = this.items.length - 1;
    if (slot !== last) {
      const moved = this.items[last]!;
      this.items[slot] = moved;
      this.slots.set(moved, slot);
    }
    this.items.pop();
  }
}

/**
 * A set of binary strings with Redis 7.0's two encodings:
 * - "intset": only canonical int64 members and at most set-max-intset-entries of them, kept sorted
 *   numerically in an array (binary search), so iteration is ascending as Redis's intset is;
 * - "hashtable": a JS Set. Random picks (SPOP, SRANDMEMBER) use a RandomIndex built on the first pick
 *   and kept in step afterwards, so sets that are never sampled pay nothing for it.
 * A set converts to hashtable when a non-integer arrives or it grows past the limit, and never back.
 */
export class RedisSet implements RedisObject {
  readonly type = 'set' as const;
  memory: MemoryRecord | undefined = undefined;
  /** The members while intset-encoded, ascending; null once a hashtable. */
  private sorted: string[] | null = [];
  private table: Set<string> | null = null;
  private random: RandomIndex | null = null;

  encoding(): string {
    return this.sorted ? 'intset' : 'hashtable';
  }

  get size(): number {
    return this.sorted ? this.sorted.length : this.table!.size;
  }

  get isIntset(): boolean {
    return this.sorted !== null;
  }

  has(member: string): boolean {
    if (this.table) return this.table.has(member);
    return isInt64String(member) && this.findInt(member) >= 0;
  }

  /** Adds a member, converting as Redis does; true when it was new. */
  add(member: string, maxIntsetEntries: number): boolean {
    const sorted = this.sorted;
    if (sorted && isInt64String(member)) {
      const found = this.findInt(member);
      if (found >= 0) return false;
      sorted.splice(-found - 1, 0, member);
      if (sorted.length > Math.min(maxIntsetEntries, 1 << 30)) this.convertToHashtable();
      return true;
    }
    if (sorted) this.convertToHashtable();
    const table = this.table!;
    const before = table.size;
    table.add(member);
    if (table.size === before) return false;
    this.random?.add(member);
    return true;
  }

  /** Removes a member; true when it was there. */
  delete(member: string): boolean {
    const sorted = this.sorted;
    if (sorted) {
      if (!isInt64String(member)) return false;
      const found = this.findInt(member);
      if (found < 0) return false;
      sorted.splice(found, 1);
      return true;
    }
    if (!this.table!.delete(member)) return false;
    this.random?.remove(member);
    return true;
  }

  /** Members in iteration order (ascending while intset-encoded). Do not mutate the set meanwhile. */
  get items(): Iterable<string> {
    return this.sorted ?? this.table!;
  }

  /** A fresh array of the members in iteration order. */
  toArray(): string[] {
    return this.sorted ? this.sorted.slice() : [...this.table!];
  }

  /** Every member by slot, for uniform random picks. Do not keep or mutate. */
  membersBySlot(): readonly string[] {
    if (this.sorted) return this.sorted;
    this.random ??= new RandomIndex(this.table!);
    return this.random.items;
  }

  /** A uniformly random member (the set must not be empty). */
  randomMember(): string {
    const members = this.membersBySlot();
    return members[Math.floor(Math.random() * members.length)]!;
  }

  /** Removes and returns a uniformly random member (the set must not be empty). */
  popRandom(): string {
    const member = this.randomMember();
    this.delete(member);
    return member;
  }

  /** Members in an order that survives concurrent changes (for SSCAN cursors over big sets). */
  liveMembers(): IterableIterator<string> {
    return this.sorted ? this.sorted.values() : this.table!.values();
  }

  convertToHashtable(): void {
    if (!this.sorted) return;
    this.table = new Set(this.sorted);
    this.sorted = null;
  }

  clone(): RedisSet {
    const copy = new RedisSet();
    copy.sorted = this.sorted ? this.sorted.slice() : null;
    copy.table = this.table ? new Set(this.table) : null;
    return copy;
  }

  /** Binary search of the intset: the index, or -(insertion point) - 1 when absent. */
  private findInt(member: string): number {
    const members = this.sorted!;
    let lo = 0;
    let hi = members.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const order = compareIntStrings(members[mid]!, member);
      if (order === 0) return mid;
      if (order < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return -lo - 1;
  }
}

/**
 * `count` distinct indexes of [0, size), in random order (count < size). Cost O(count): a partial
 * shuffle when count is a large share of size (O(size) <= 3 * count), else draws with rejection.
 */
export function sampleDistinctIndexes(size: number, count: number): number[] {
  if (count * 3 > size) {
    const pool = new Array<number>(size);
    for (let i = 0; i < size; i++) pool[i] = i;
    for (let i = 0; i < count; i++) {
      const j = i + Math.floor(Math.random() * (size - i));
      const t = pool[i]!;
      pool[i] = pool[j]!;
      pool[j] = t;
    }
    pool.length = count;
    return pool;
  }
  const chosen = new Set<number>();
  while (chosen.size < count) chosen.add(Math.floor(Math.random() * size));
  return [...chosen];
}
