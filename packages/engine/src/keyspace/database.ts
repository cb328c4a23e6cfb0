import type { AccessClocks } from '../memory/access.js';
import { accountedValueBytes, keyBytes, measureValueBytes } from '../memory/estimate.js';
import type { RedisValue } from './values.js';

/** What a database needs from its engine: time, statistics and expiry events. */
export interface KeyspaceHost {
  now(): number;
  /** Called when a key is found expired and removed (lazily or actively). */
  onExpired(db: Database, key: string): void;
  stats: { keyspaceHits: number; keyspaceMisses: number };
}

/**
 * One of the numbered databases: keys to values, plus absolute expiry times (ms since the epoch).
 * Expiry is lazy on every lookup and active through `activeExpireCycle`.
 */
export class Database {
  data = new Map<string, RedisValue>();
  expires = new Map<string, number>();
  private expireCursor: IterableIterator<[string, number]> | undefined;
  /** Estimated bytes of the keys and values (memory/estimate.ts), kept up to date by every change. */
  usedBytes = 0;
  /** Per-key LRU/LFU access data, present while the maxmemory-policy needs it (memory/). */
  access: AccessClocks | undefined;

  constructor(
    public index: number,
    private readonly host: KeyspaceHost,
  ) {}

  get size(): number {
    return this.data.size;
  }

  /** Lookup for a read command: counts keyspace hits and misses. */
  read(key: string): RedisValue | undefined {
    const value = this.get(key);
    if (value === undefined) this.host.stats.keyspaceMisses++;
    else this.host.stats.keyspaceHits++;
    return value;
  }

  /** Lookup without statistics, expiring the key first if its time has passed. */
  get(key: string): RedisValue | undefined {
    const value = this.data.get(key);
    if (value === undefined) return undefined;
    if (this.expires.size > 0 && this.expireIfNeeded(key)) return undefined;
    if (this.access !== undefined) this.access.touch(key);
    return value;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  /** Stores a value. The key's TTL is removed unless `keepTtl`. */
  set(key: string, value: RedisValue, keepTtl = false): void {
    const old = this.data.get(key);
    this.data.set(key, value);
    // What `old` was accounted at must be read before measuring `value`: they may be the same object.
    const before = old === undefined ? -keyBytes(key) : accountedValueBytes(old);
    this.usedBytes += measureValueBytes(value) - before;
    if (this.access !== undefined) this.access.stored(key, old === undefined);
    if (!keepTtl && this.expires.size > 0) this.expires.delete(key);
  }

  delete(key: string): boolean {
    const old = this.data.get(key);
    if (old === undefined) return false;
    this.data.delete(key);
    this.unaccount(key, old);
    if (this.expires.size > 0) this.expires.delete(key);
    return true;
  }

  /** Takes a removed key out of the memory estimate and the access data. */
  private unaccount(key: string, old: RedisValue): void {
    this.usedBytes -= keyBytes(key) + accountedValueBytes(old);
    if (this.access !== undefined) this.access.forget(key);
  }

  /** The key's absolute expiry time in ms, or undefined when it has none. */
  expireAt(key: string): number | undefined {
    return this.expires.get(key);
  }

  setExpireAt(key: string, at: number): void {
    this.expires.set(key, at);
  }

  removeExpire(key: string): boolean {
    return this.expires.delete(key);
  }

  /** True if the key has an expiry time that has passed (without removing it). */
  isExpired(key: string): boolean {
    const at = this.expires.get(key);
    return at !== undefined && at <= this.host.now();
  }

  clear(): void {
    this.data = new Map();
    this.expires = new Map();
    this.usedBytes = 0;
    this.access?.clear();
    this.expireCursor = undefined;
  }

  /** SWAPDB: exchanges all keys and TTLs with `other`; both keep their index. */
  swapContents(other: Database): void {
    [this.data, other.data] = [other.data, this.data];
    [this.expires, other.expires] = [other.expires, this.expires];
    [this.usedBytes, other.usedBytes] = [other.usedBytes, this.usedBytes];
    [this.access, other.access] = [other.access, this.access];
    // An active-expiry cursor walks one expires map; it must not follow that map into the other db.
    this.expireCursor = undefined;
    other.expireCursor = undefined;
  }

  /** Removes the key if it has expired; returns true when it did. */
  expireIfNeeded(key: string): boolean {
    const at = this.expires.get(key);
    if (at === undefined || at > this.host.now()) return false;
    const old = this.data.get(key);
    this.data.delete(key);
    if (old !== undefined) this.unaccount(key, old);
    this.expires.delete(key);
    this.host.onExpired(this, key);
    return true;
  }

  /**
   * Active expiry: checks up to `budget` keys that have a TTL, resuming where the last call stopped,
   * and removes the expired ones. Returns how many were removed.
   */
  activeExpireCycle(budget: number): number {
    let removed = 0;
    if (this.expires.size === 0) return 0;
    const now = this.host.now();
    this.expireCursor ??= this.expires.entries();
    for (let i = 0; i < budget; i++) {
      let next = this.expireCursor.next();
      if (next.done) {
        this.expireCursor = this.expires.entries();
        next = this.expireCursor.next();
        if (next.done) break;
      }
      const [key, at] = next.value;
      if (at <= now) {
        const old = this.data.get(key);
        this.data.delete(key);
        if (old !== undefined) this.unaccount(key, old);
        this.expires.delete(key);
        this.host.onExpired(this, key);
        removed++;
      }
    }
    return removed;
  }
}
