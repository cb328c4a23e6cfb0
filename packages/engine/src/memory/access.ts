import type { Database } from '../keyspace/database.js';
import type { RedisValue } from '../keyspace/values.js';

/**
 * Per-key access data for the LRU and LFU eviction policies, in the 24 bits Redis keeps in each object:
 * LRU: the clock in seconds (mod 2^24) of the last access;
 * LFU: the time in minutes (mod 2^16) of the last decrement, then an 8-bit logarithmic counter.
 * Both fit a small integer, which a Map stores in place (no allocation per access).
 */

export const LRU_CLOCK_MAX = (1 << 24) - 1;
/** LRU_CLOCK_RESOLUTION: the clock ticks once a second. */
const LRU_RESOLUTION_MS = 1000;
/** Counter of a new key (LFU_INIT_VAL): new keys are not evicted before they had a chance to be used. */
export const LFU_INIT = 5;

export function lruClock(nowMs: number): number {
  return Math.floor(nowMs / LRU_RESOLUTION_MS) & LRU_CLOCK_MAX;
}

/** Milliseconds since the access recorded as `lru` (the clock wraps every 194 days). */
export function lruIdleMs(lru: number, nowMs: number): number {
  const clock = lruClock(nowMs);
  const ticks = clock >= lru ? clock - lru : clock + (LRU_CLOCK_MAX - lru);
  return ticks * LRU_RESOLUTION_MS;
}

function minutes(nowMs: number): number {
  return Math.floor(nowMs / 60000) & 0xffff;
}

/** LFU tuning (lfu-log-factor, lfu-decay-time), read from the config by the owner. */
export interface LfuParams {
  logFactor: number;
  decayTime: number;
}

/** The counter after decay: one point per lfu-decay-time minutes since the last decrement. */
export function lfuDecayed(packed: number, nowMs: number, params: LfuParams): number {
  const last = packed >>> 8;
  const counter = packed & 255;
  const now = minutes(nowMs);
  const elapsed = now >= last ? now - last : 65535 - last + now;
  const periods = params.decayTime > 0 ? Math.floor(elapsed / params.decayTime) : 0;
  return periods > counter ? 0 : counter - periods;
}

/** Logarithmic increment: the higher the counter, the less likely an access bumps it. */
export function lfuLogIncrement(counter: number, params: LfuParams): number {
  if (counter === 255) return 255;
  const base = Math.max(0, counter - LFU_INIT);
  const p = 1 / (base * params.logFactor + 1);
  return Math.random() < p ? counter + 1 : counter;
}

export function lfuPack(counter: number, nowMs: number): number {
  return (minutes(nowMs) << 8) | counter;
}

/**
 * The access data of one database's keys, kept only while the maxmemory-policy is an LRU or LFU one
 * (Database calls `touch` on every lookup and write). Keys without an entry (written while no such
 * policy was set) count as accessed when tracking started.
 */
export class AccessClocks {
  private readonly clocks = new Map<string, number>();
  /** The entry a key without one is treated as having. */
  private fallback: number;

  constructor(
    readonly lfu: boolean,
    private readonly now: () => number,
    private readonly params: LfuParams,
  ) {
    this.fallback = lfu ? lfuPack(LFU_INIT, now()) : lruClock(now());
  }

  get size(): number {
    return this.clocks.size;
  }

  /** A lookup of an existing key (Redis's lookupKey without NOTOUCH). */
  touch(key: string): void {
    const now = this.now();
    if (!this.lfu) {
      this.clocks.set(key, lruClock(now));
      return;
    }
    const counter = lfuLogIncrement(lfuDecayed(this.entry(key), now, this.params), this.params);
    this.clocks.set(key, lfuPack(counter, now));
  }

  /** A key stored anew: LRU restarts its clock; LFU keeps an overwritten key's counter, as Redis does. */
  stored(key: string, isNew: boolean): void {
    const now = this.now();
    if (!this.lfu) this.clocks.set(key, lruClock(now));
    else if (isNew) this.clocks.set(key, lfuPack(LFU_INIT, now));
  }

  /**
   * RESTORE … IDLETIME/FREQ and RDB loading: the key's access data as given (Redis's objectSetLRUOrLFU);
   * only the value the current policy uses is applied.
   */
  restore(key: string, idleSeconds: number | undefined, freq: number | undefined): void {
    const now = this.now();
    if (!this.lfu && idleSeconds !== undefined) this.clocks.set(key, lruClock(now - idleSeconds * 1000));
    else if (this.lfu && freq !== undefined) this.clocks.set(key, lfuPack(freq, now));
  }

  forget(key: string): void {
    this.clocks.delete(key);
  }

  clear(): void {
    this.clocks.clear();
  }

  private entry(key: string): number {
    return this.clocks.get(key) ?? this.fallback;
  }

  /** OBJECT IDLETIME's milliseconds (LRU). */
  idleMs(key: string): number {
    return lruIdleMs(this.entry(key), this.now());
  }

  /** OBJECT FREQ's counter, decayed but not incremented (LFU). */
  frequency(key: string): number {
    return lfuDecayed(this.entry(key), this.now(), this.params);
  }

  /**
   * The eviction score: the higher, the better a candidate (Redis's "idle" in the eviction pool).
   * LRU: idle milliseconds; LFU: 255 minus the decayed counter.
   */
  score(key: string): number {
    return this.lfu ? 255 - this.frequency(key) : this.idleMs(key);
  }
}

/** A lookup that counts a hit or miss but leaves the key's access data alone (LOOKUP_NOTOUCH). */
export function readWithoutTouch(db: Database, key: string): RedisValue | undefined {
  const access = db.access;
  db.access = undefined;
  try {
    return db.read(key);
  } finally {
    db.access = access;
  }
}
