import type { MemoryRecord, RedisObject } from '../keyspace/values.js';

/**
 * A stream entry ID "ms-seq" (two unsigned 64-bit halves) packed into one bigint: ms << 64 | seq, so
 * IDs compare with < and the successor of ms-(2^64-1) is (ms+1)-0, as Redis's streamIncrID does.
 */
export type StreamId = bigint;

const SEQ_BITS = 64n;
const SEQ_MASK = (1n << SEQ_BITS) - 1n;
export const MIN_ID: StreamId = 0n;
export const MAX_ID: StreamId = (1n << 128n) - 1n;

export function makeId(ms: bigint, seq: bigint): StreamId {
  return (ms << SEQ_BITS) | seq;
}

export function idMs(id: StreamId): bigint {
  return id >> SEQ_BITS;
}

export function idSeq(id: StreamId): bigint {
  return id & SEQ_MASK;
}

export function formatId(id: StreamId): string {
  return `${id >> SEQ_BITS}-${id & SEQ_MASK}`;
}

/** A pending (delivered, not yet acknowledged) entry of a consumer group. */
export interface PendingEntry {
  readonly id: StreamId;
  consumer: Consumer | null;
  deliveryTime: number;
  deliveryCount: bigint;
}

/**
 * Values keyed by ID in ID order (pending entries lists): a sorted array searched in O(log n), where
 * deletes leave tombstones (so acknowledging from the front is O(1) amortized) that are compacted away
 * once they dominate. Walk it with seek()/next() over live indexes, below end.
 */
export class IdMap<T> {
  private keys: StreamId[] = [];
  private values: (T | undefined)[] = [];
  /** Slots before head are dead; the slots at head and at the end are live (or the map is empty). */
  private head = 0;
  private live = 0;

  get size(): number {
    return this.live;
  }

  /** One past the last index. */
  get end(): number {
    return this.keys.length;
  }

  /** Index of the first slot whose key is >= id (live or not). */
  private search(id: StreamId): number {
    const keys = this.keys;
    let lo = this.head;
    let hi = keys.length;
    if (hi > lo && keys[hi - 1]! < id) return hi;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (keys[mid]! < id) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Index of the first live entry whose key is >= id (end when none). */
  seek(id: StreamId): number {
    let i = this.search(id);
    while (i < this.keys.length && this.values[i] === undefined) i++;
    return i;
  }

  /** Index of the next live entry after i (end when none). */
  next(i: number): number {
    let j = i + 1;
    while (j < this.keys.length && this.values[j] === undefined) j++;
    return j;
  }

  get(id: StreamId): T | undefined {
    const i = this.search(id);
    return i < this.keys.length && this.keys[i] === id ? this.values[i] : undefined;
  }

  /** Inserts unless present; returns false when the key was already there. */
  insert(id: StreamId, value: T): boolean {
    const i = this.search(id);
    if (i < this.keys.length && this.keys[i] === id) {
      if (this.values[i] !== undefined) return false;
      this.values[i] = value;
    } else if (i === this.keys.length) {
      this.keys.push(id);
      this.values.push(value);
    } else if (i === this.head && this.head > 0) {
      this.head--;
      this.keys[this.head] = id;
      this.values[this.head] = value;
    } else {
      this.keys.splice(i, 0, id);
      this.values.splice(i, 0, value);
    }
    this.live++;
    return true;
  }

  delete(id: StreamId): boolean {
    const i = this.search(id);
    if (i >= this.keys.length || this.keys[i] !== id || this.values[i] === undefined) return false;
    this.values[i] = undefined;
    this.live--;
    this.tidy();
    return true;
  }

  private tidy(): void {
    const values = this.values;
    while (this.head < values.length && values[this.head] === undefined) this.head++;
    while (values.length > this.head && values[values.length - 1] === undefined) {
      values.pop();
      this.keys.pop();
    }
    if (this.head === values.length) {
      this.keys = [];
      this.values = [];
      this.head = 0;
      return;
    }
    const slots = values.length - this.head;
    if (slots > 2 * this.live + 32 || (this.head > 1024 && this.head * 2 > values.length)) {
      const keys: StreamId[] = [];
      const kept: T[] = [];
      for (let i = this.head; i < values.length; i++) {
        const v = values[i];
        if (v === undefined) continue;
        keys.push(this.keys[i]!);
        kept.push(v);
      }
      this.keys = keys;
      this.values = kept;
      this.head = 0;
    }
  }

  keyAt(i: number): StreamId {
    return this.keys[i]!;
  }

  /** The value at a live index. */
  valueAt(i: number): T {
    return this.values[i]!;
  }

  /** Live values in key order, up to limit (0 = all). */
  list(limit = 0): T[] {
    const out: T[] = [];
    for (let i = this.head; i < this.values.length; i++) {
      const v = this.values[i];
      if (v === undefined) continue;
      out.push(v);
      if (out.length === limit) break;
    }
    return out;
  }

  firstKey(): StreamId | undefined {
    return this.live > 0 ? this.keys[this.head] : undefined;
  }

  lastKey(): StreamId | undefined {
    return this.live > 0 ? this.keys[this.keys.length - 1] : undefined;
  }
}

export class Consumer {
  readonly pel = new IdMap<PendingEntry>();
  constructor(
    readonly name: string,
    public seenTime: number,
  ) {}
}

/** Redis's SCG_INVALID_ENTRIES_READ: the group's read counter is unknown. */
export const INVALID_ENTRIES_READ = -1n;

export class ConsumerGroup {
  readonly pel = new IdMap<PendingEntry>();
  readonly consumers = new Map<string, Consumer>();
  constructor(
    public lastId: StreamId,
    public entriesRead: bigint,
  ) {}

  /** Consumers in name (byte) order, as Redis's rax iterates them. */
  sortedConsumers(): Consumer[] {
    return [...this.consumers.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
}

/**
 * A model of one listpack node of Redis's stream rax, kept only to trim approximately (~) exactly as
 * Redis does: whole nodes go, and a node closes by entry count or (estimated) byte size.
 */
export interface StreamNode {
  /** The master ID: the first ID ever stored in the node (the rax key). */
  readonly first: StreamId;
  /** The last ID ever stored in the node (deleted or not). */
  last: StreamId;
  live: number;
  total: number;
  /** Estimated listpack bytes, without the master count/deleted counters. */
  bytes: number;
  readonly masterFields: string[];
}

export interface StreamLimits {
  nodeMaxEntries: number;
  nodeMaxBytes: number;
}

/** Largest listpack Redis lets a stream node reach (STREAM_LISTPACK_MAX_SIZE). */
const LISTPACK_MAX_SIZE = 1 << 30;

/**
 * A Redis stream: entries (ID → flat field/value list) in ID order. Entries live in parallel arrays
 * with tombstones (deleted slots hold undefined), so appends are O(1) and seeks O(log n); the
 * arrays are compacted once tombstones outnumber live entries. The first and last slots are always
 * live (or the stream is empty). Streams, unlike other types, stay in the keyspace when empty.
 */
export class RedisStream implements RedisObject {
  readonly type = 'stream' as const;
  memory: MemoryRecord | undefined = undefined;
  private ids: StreamId[] = [];
  private entries: (string[] | undefined)[] = [];
  /** Slots before head are dead. */
  private head = 0;
  private live = 0;
  private nodes: StreamNode[] = [];
  lastId: StreamId = 0n;
  firstId: StreamId = 0n;
  maxDeletedId: StreamId = 0n;
  entriesAdded = 0n;
  readonly groups = new Map<string, ConsumerGroup>();

  encoding(): string {
    return 'stream';
  }

  get size(): number {
    return this.live;
  }

  get length(): number {
    return this.live;
  }

  get nodeCount(): number {
    return this.nodes.length;
  }

  /** The listpack nodes as modelled (for RDB encoding: each node's master entry and ID span). */
  get nodeList(): readonly StreamNode[] {
    return this.nodes;
  }

  /** Master IDs of the listpack nodes (the rax keys), in order. */
  nodeKeys(): StreamId[] {
    return this.nodes.map((n) => n.first);
  }

  /**
   * Nodes of Redis's rax over the node keys (16-byte big-endian master IDs), as XINFO's
   * radix-tree-nodes reports: the root, one node per branching point or compressed run, one per key.
   */
  radixNodeCount(): number {
    if (this.nodes.length === 0) return 1;
    const keys = this.nodes.map((n) => {
      const bytes: number[] = [];
      for (let shift = 120n; shift >= 0n; shift -= 8n) bytes.push(Number((n.first >> shift) & 0xffn));
      return bytes;
    });
    return countRaxNodes(keys, 0, keys.length, 0);
  }

  clone(): RedisStream {
    const copy = new RedisStream();
    copy.ids = this.ids.slice(this.head);
    copy.entries = this.entries.slice(this.head).map((e) => e && [...e]);
    copy.live = this.live;
    copy.nodes = this.nodes.map((n) => ({ ...n, masterFields: n.masterFields }));
    copy.lastId = this.lastId;
    copy.firstId = this.firstId;
    copy.maxDeletedId = this.maxDeletedId;
    copy.entriesAdded = this.entriesAdded;
    for (const [name, group] of this.groups) {
      const g = new ConsumerGroup(group.lastId, group.entriesRead);
      for (const [cname, consumer] of group.consumers) {
        g.consumers.set(cname, new Consumer(cname, consumer.seenTime));
      }
      for (const nack of group.pel.list()) {
        const owner = nack.consumer ? g.consumers.get(nack.consumer.name)! : null;
        const n: PendingEntry = { ...nack, consumer: owner };
        g.pel.insert(n.id, n);
        owner?.pel.insert(n.id, n);
      }
      copy.groups.set(name, g);
    }
    return copy;
  }

  /** Appends an entry whose ID is greater than lastId. */
  append(id: StreamId, fieldsAndValues: string[], limits: StreamLimits): void {
    this.placeInNode(id, fieldsAndValues, limits);
    this.ids.push(id);
    this.entries.push(fieldsAndValues);
    if (this.live === 0) this.firstId = id;
    this.live++;
    this.lastId = id;
    this.entriesAdded++;
  }

  /** Index of the first slot whose ID is >= id. */
  private lowerBound(id: StreamId): number {
    const ids = this.ids;
    let lo = this.head;
    let hi = ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ids[mid]! < id) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Index of the last slot whose ID is <= id (head - 1 when none). */
  private upperBoundBefore(id: StreamId): number {
    const ids = this.ids;
    let lo = this.head;
    let hi = ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ids[mid]! <= id) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }

  has(id: StreamId): boolean {
    const i = this.lowerBound(id);
    return i < this.ids.length && this.ids[i] === id && this.entries[i] !== undefined;
  }

  get(id: StreamId): string[] | undefined {
    const i = this.lowerBound(id);
    return i < this.ids.length && this.ids[i] === id ? this.entries[i] : undefined;
  }

  /** First live ID (undefined when empty). */
  firstEntryId(): StreamId | undefined {
    return this.live > 0 ? this.ids[this.head] : undefined;
  }

  /** Last live ID (undefined when empty). */
  lastEntryId(): StreamId | undefined {
    return this.live > 0 ? this.ids[this.ids.length - 1] : undefined;
  }

  /** Calls visit(id, fields) for live entries in [start, end], ascending or descending, up to count (0 = all). */
  range(
    start: StreamId,
    end: StreamId,
    count: number,
    reverse: boolean,
    visit: (id: StreamId, fields: string[]) => void,
  ): number {
    if (start > end || this.live === 0) return 0;
    let emitted = 0;
    if (!reverse) {
      for (let i = this.lowerBound(start); i < this.ids.length; i++) {
        const id = this.ids[i]!;
        if (id > end) break;
        const e = this.entries[i];
        if (e === undefined) continue;
        visit(id, e);
        if (++emitted === count) break;
      }
    } else {
      for (let i = this.upperBoundBefore(end); i >= this.head; i--) {
        const id = this.ids[i]!;
        if (id < start) break;
        const e = this.entries[i];
        if (e === undefined) continue;
        visit(id, e);
        if (++emitted === count) break;
      }
    }
    return emitted;
  }

  /** Deletes one entry (XDEL); true when it existed. */
  delete(id: StreamId): boolean {
    const i = this.lowerBound(id);
    if (i >= this.ids.length || this.ids[i] !== id || this.entries[i] === undefined) return false;
    this.entries[i] = undefined;
    this.live--;
    const n = this.nodeIndexOf(id);
    const node = this.nodes[n]!;
    node.live--;
    if (node.live === 0) this.nodes.splice(n, 1);
    this.tidy();
    return true;
  }

  /** Keeps the first and last slots live and drops tombstones once they dominate. */
  private tidy(): void {
    const entries = this.entries;
    while (this.head < entries.length && entries[this.head] === undefined) this.head++;
    while (entries.length > this.head && entries[entries.length - 1] === undefined) {
      entries.pop();
      this.ids.pop();
    }
    if (this.head === entries.length) {
      this.ids = [];
      this.entries = [];
      this.head = 0;
      return;
    }
    const slots = entries.length - this.head;
    if (slots > 64 && slots > 2 * this.live) {
      const ids: StreamId[] = [];
      const kept: string[][] = [];
      for (let i = this.head; i < entries.length; i++) {
        const e = entries[i];
        if (e === undefined) continue;
        ids.push(this.ids[i]!);
        kept.push(e);
      }
      this.ids = ids;
      this.entries = kept;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > entries.length) {
      this.ids = this.ids.slice(this.head);
      this.entries = entries.slice(this.head);
      this.head = 0;
    }
  }

  /** Index of the node holding id: the last node whose master ID is <= id. */
  private nodeIndexOf(id: StreamId): number {
    const nodes = this.nodes;
    let lo = 0;
    let hi = nodes.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (nodes[mid]!.first <= id) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }

  /** Removes the first `n` live entries (all in the first nodes). */
  private dropFront(n: number): void {
    let i = this.head;
    while (n > 0) {
      if (this.entries[i] !== undefined) {
        this.entries[i] = undefined;
        this.live--;
        n--;
      }
      i++;
    }
    this.tidy();
  }

  /**
   * Trims as XADD/XTRIM with MAXLEN or MINID do: whole nodes while they fit, then (exact mode only)
   * single entries of the first node. `limit` (0 = none) caps the entries removed. Returns the count.
   */
  trim(strategy: 'maxlen' | 'minid', threshold: bigint, approx: boolean, limit: number): number {
    let deleted = 0;
    while (this.nodes.length > 0) {
      if (strategy === 'maxlen' && BigInt(this.live) <= threshold) break;
      const node = this.nodes[0]!;
      if (limit > 0 && deleted + node.live > limit) break;
      const removeWhole =
        strategy === 'maxlen' ? BigInt(this.live - node.live) >= threshold : node.last < threshold;
      if (removeWhole) {
        deleted += node.live;
        this.dropFront(node.live);
        this.nodes.shift();
        continue;
      }
      if (approx) break;
      // Exact: delete entries of this node one by one from its start.
      let i = this.head;
      while (i < this.ids.length && this.ids[i]! <= node.last) {
        if (strategy === 'maxlen' && BigInt(this.live) <= threshold) break;
        if (strategy === 'minid' && this.ids[i]! >= threshold) break;
        if (this.entries[i] !== undefined) {
          this.entries[i] = undefined;
          this.live--;
          node.live--;
          deleted++;
        }
        i++;
      }
      this.tidy();
      break;
    }
    if (deleted > 0) this.firstId = this.firstEntryId() ?? 0n;
    return deleted;
  }

  private placeInNode(id: StreamId, fv: string[], limits: StreamLimits): void {
    const tail = this.nodes[this.nodes.length - 1];
    let fieldBytes = 0;
    for (const s of fv) fieldBytes += s.length;
    if (tail) {
      const maxBytes =
        limits.nodeMaxBytes === 0 || limits.nodeMaxBytes > LISTPACK_MAX_SIZE
          ? LISTPACK_MAX_SIZE
          : limits.nodeMaxBytes;
      const lpBytes = tail.bytes + intSize(tail.live) + intSize(tail.total - tail.live);
      const full =
        lpBytes + fieldBytes >= maxBytes ||
        (limits.nodeMaxEntries > 0 && tail.total >= limits.nodeMaxEntries);
      if (!full) {
        tail.bytes += entryBytes(id, tail, fv);
        tail.last = id;
        tail.live++;
        tail.total++;
        return;
      }
    }
    const masterFields: string[] = [];
    for (let i = 0; i < fv.length; i += 2) masterFields.push(fv[i]!);
    // Header and end byte, master field count, fields and the master terminator.
    let bytes = 7 + intSize(masterFields.length) + intSize(0);
    for (const f of masterFields) bytes += elementSize(f);
    const node: StreamNode = { first: id, last: id, live: 1, total: 1, bytes, masterFields };
    node.bytes += entryBytes(id, node, fv);
    this.nodes.push(node);
  }
}

/** Listpack bytes of an integer element (encoding plus back-length). */
function intSize(v: number): number {
  let enc: number;
  if (v >= 0 && v <= 127) enc = 1;
  else if (v >= -4096 && v <= 4095) enc = 2;
  else if (v >= -32768 && v <= 32767) enc = 3;
  else if (v >= -8388608 && v <= 8388607) enc = 4;
  else if (v >= -2147483648 && v <= 2147483647) enc = 5;
  else enc = 9;
  return enc + 1;
}

const CANONICAL_INT = /^(0|-?[1-9][0-9]{0,18})$/;

/** Listpack bytes of a string element (stored as an integer when it reads as one). */
function elementSize(s: string): number {
  if (CANONICAL_INT.test(s)) {
    const v = Number(s);
    if (Number.isSafeInteger(v)) return intSize(v);
  }
  const len = s.length;
  const enc = len < 64 ? 1 + len : len < 4096 ? 2 + len : 5 + len;
  return enc + (enc < 128 ? 1 : enc < 16384 ? 2 : enc < 2097152 ? 3 : enc < 268435456 ? 4 : 5);
}

function entryBytes(id: StreamId, node: StreamNode, fv: string[]): number {
  const msDiff = Number(idMs(id) - idMs(node.first));
  const seqDiff = Number(idSeq(id) - idSeq(node.first));
  let bytes = intSize(0) + elementSize(String(msDiff)) + elementSize(String(seqDiff));
  const nfields = fv.length / 2;
  let same = nfields === node.masterFields.length;
  for (let i = 0; same && i < nfields; i++) same = fv[2 * i] === node.masterFields[i];
  if (same) {
    for (let i = 1; i < fv.length; i += 2) bytes += elementSize(fv[i]!);
    return bytes + intSize(nfields + 3);
  }
  bytes += intSize(nfields);
  for (const s of fv) bytes += elementSize(s);
  return bytes + intSize(nfields * 2 + 4);
}

/** Rax nodes for sorted, distinct, equal-length keys[from, to) sharing their first `depth` bytes. */
function countRaxNodes(keys: number[][], from: number, to: number, depth: number): number {
  const width = keys[from]!.length;
  if (depth === width) return 1;
  const first = keys[from]!;
  const last = keys[to - 1]!;
  if (first[depth] === last[depth]) {
    // One child: a compressed node over the bytes all keys share.
    let end = depth;
    while (end < width && first[end] === last[end]) end++;
    return 1 + countRaxNodes(keys, from, to, end);
  }
  let total = 1;
  let i = from;
  while (i < to) {
    const byte = keys[i]![depth];
    let j = i + 1;
    while (j < to && keys[j]![depth] === byte) j++;
    total += countRaxNodes(keys, i, j, depth + 1);
    i = j;
  }
  return total;
}
