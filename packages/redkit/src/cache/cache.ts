import { randomBytes } from 'node:crypto';
import { LuaScript, type RedisPort, type Subscription } from '../client/port.js';
import { type Duration, toMilliseconds } from '../duration.js';
import { RedkitConfigError, RedkitError } from '../errors.js';
import { Keys } from '../keys.js';
import { jsonSerializer, msgpackSerializer, type Serializer } from './serializers.js';

export interface CacheOptions {
  /** Key namespace (default 'cache'). */
  namespace?: string;
  /** Default time to live (default '5m'). */
  ttl?: Duration;
  /** TTL jitter as a fraction: 0.1 spreads expiries ±10% so keys written together don't expire together. */
  jitter?: number;
  /** Values larger than this (serialized) are the seeds' anti-pattern: warned about or refused. Default 100 KB. */
  maxValueBytes?: number;
  oversize?: 'warn' | 'refuse';
  /** How long one process may hold a key's fill lock while its loader runs (default '10s'). */
  lockTtl?: Duration;
  /** How long other processes wait for that fill before loading themselves (default: lockTtl). */
  waitTimeout?: Duration;
  /**
   * Serve an expired value for this much longer while one caller refreshes it in the background
   * (stale-while-revalidate). Default 0: expired means missing.
   */
  staleWhileRevalidate?: Duration;
  /**
   * Probabilistic early recomputation (XFetch): refresh in the background before expiry, more likely the
   * closer the entry is to it and the longer its loader took. `true` uses beta = 1. Default off.
   */
  earlyRecompute?: boolean | { beta: number };
  /** TTL for null results of a loader (negative caching), default: the normal TTL. */
  negativeTtl?: Duration;
  /** 'json' (default), 'msgpack', or your own Serializer. */
  serializer?: 'json' | 'msgpack' | Serializer;
  /**
   * An in-process first tier: recent entries kept in memory for `ttl` (default '5s'), dropped in every
   * process by a pub/sub message when any process writes, deletes or invalidates them. Off by default.
   */
  local?: { maxEntries?: number; ttl?: Duration };
  /**
   * The longest any entry may live (default '30d'). Version keys live this long after each invalidation,
   * so they always outlive the entries they judge; longer entry TTLs are cut to it.
   */
  maxTtl?: Duration;
  /** Receives warnings (oversized values); default console.warn. */
  onWarning?: (message: string) => void;
}

export interface SetOptions {
  ttl?: Duration;
  /** Tags to invalidate this entry by (invalidateTags). */
  tags?: string[];
}

export interface CacheStats {
  hits: number;
  misses: number;
  /** Loader calls (one per fill, however many callers waited for it). */
  loads: number;
  /** Callers that waited for another caller's or process's fill instead of loading. */
  waits: number;
  loadErrors: number;
  /** Hits served from an expired (stale-while-revalidate) or early-refreshed entry. */
  stale: number;
  /** Background refreshes started. */
  refreshes: number;
  /** Hits answered by the in-process tier without asking Redis. */
  localHits: number;
}

/** A value that was too large to cache under `oversize: 'refuse'`. */
export class CacheValueTooLargeError extends RedkitError {
  override name = 'CacheValueTooLargeError';
}

/** Stored entry: the value and the namespace and tag versions it was computed under. */
interface Envelope {
  v: unknown;
  n: string;
  g?: Record<string, string>;
  /** When the entry goes stale (ms, writer's clock); only with stale-while-revalidate or early recompute. */
  s?: number;
  /** How long its loader took (ms), for early recomputation. */
  d?: number;
}

/**
 * KEYS[1] lock; ARGV token, channel, key. Ends a fill that stored nothing: deletes the lock if this
 * process still holds it and wakes the waiters, so one of them can load instead.
 */
const RELEASE = new LuaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
redis.call('PUBLISH', ARGV[2], ARGV[3])
return 1
`);

/**
 * KEYS[1] entry, KEYS[2] lock (one slot: both carry the key's hash tag); ARGV data, ttl ms, token,
 * channel, key. Stores the value, releases the lock if still held, and wakes the waiters — one round trip.
 */
const STORE_AND_RELEASE = new LuaScript(`
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
if redis.call('GET', KEYS[2]) == ARGV[3] then redis.call('DEL', KEYS[2]) end
redis.call('PUBLISH', ARGV[4], ARGV[5])
return 1
`);

/**
 * Cache-aside over Redis with stampede protection and atomic invalidation.
 *
 * - Invalidation by tag or of the whole namespace is one INCR of a version key: every entry records the
 *   versions it was computed under, and a read that finds a newer version treats the entry as missing. So
 *   invalidation is atomic, O(1), works on Redis Cluster, and a value computed while its tag was being
 *   invalidated is never served (the versions are captured before the loader runs).
 * - Stampedes: concurrent misses in one process share one loader call; across processes one caller takes a
 *   short fill lock and the others wait for the value, woken by a pub/sub message when it lands (with a
 *   slow poll as a safety net), and load themselves only if the filler fails or stalls.
 */
export class Cache {
  private readonly keys: Keys;
  private readonly ttlMs: number;
  private readonly jitter: number;
  private readonly maxValueBytes: number;
  private readonly lockTtlMs: number;
  private readonly waitTimeoutMs: number;
  private readonly maxTtlMs: number;
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private readonly waiters = new Map<string, Set<() => void>>();
  private subscription: Promise<Subscription> | undefined;
  readonly stats: CacheStats = {
    hits: 0,
    misses: 0,
    loads: 0,
    waits: 0,
    loadErrors: 0,
    stale: 0,
    refreshes: 0,
    localHits: 0,
  };
  private readonly local: LocalTier | undefined;
  /** Tells this process's own invalidation messages from others'. */
  private readonly origin = randomBytes(8).toString('hex');
  private readonly staleMs: number;
  private readonly beta: number;
  private readonly serializer: Serializer;

  constructor(
    private readonly redis: RedisPort,
    private readonly options: CacheOptions = {},
  ) {
    this.keys = new Keys(options.namespace ?? 'cache');
    this.ttlMs = toMilliseconds(options.ttl ?? '5m', 'ttl');
    this.jitter = options.jitter ?? 0.1;
    if (!(this.jitter >= 0 && this.jitter < 1))
      throw new RedkitConfigError(`jitter must be in [0, 1), got ${this.jitter}`);
    this.maxValueBytes = options.maxValueBytes ?? 100_000;
    this.lockTtlMs = toMilliseconds(options.lockTtl ?? '10s', 'lockTtl');
    this.waitTimeoutMs = toMilliseconds(options.waitTimeout ?? this.lockTtlMs, 'waitTimeout');
    this.maxTtlMs = toMilliseconds(options.maxTtl ?? '30d', 'maxTtl');
    this.staleMs = toMilliseconds(options.staleWhileRevalidate ?? 0, 'staleWhileRevalidate');
    const early = options.earlyRecompute;
    this.beta = early === true ? 1 : early ? early.beta : 0;
    const serializer = options.serializer ?? 'json';
    this.serializer =
      serializer === 'json' ? jsonSerializer : serializer === 'msgpack' ? msgpackSerializer : serializer;
    if (options.local) {
      this.local = new LocalTier(
        options.local.maxEntries ?? 10_000,
        toMilliseconds(options.local.ttl ?? '5s', 'local.ttl'),
      );
    }
  }

  /** Subscribes (once) to fill announcements and, with a local tier, to other processes' invalidations. */
  private listen(): Promise<Subscription> {
    this.subscription ??= this.redis.subscribe(
      this.local ? [this.fillChannel(), this.localChannel()] : [this.fillChannel()],
      (channel, message) => {
        if (channel === this.localChannel()) return this.onInvalidation(message.toString());
        const waiting = this.waiters.get(message.toString());
        if (waiting) for (const wake of waiting) wake();
      },
    );
    return this.subscription;
  }

  private onInvalidation(text: string): void {
    const message = JSON.parse(text) as Invalidation;
    if (message.o === this.origin) return;
    if (message.c) this.local?.clear();
    if (message.k) this.local?.delete(message.k);
    if (message.t) this.local?.deleteTagged(message.t);
  }

  /** Drops local copies everywhere (no-op without a local tier). */
  private async broadcast(message: Omit<Invalidation, 'o'>): Promise<void> {
    if (!this.local) return;
    await this.listen();
    await this.redis.send('PUBLISH', this.localChannel(), JSON.stringify({ ...message, o: this.origin }));
  }

  /** The cached value, or undefined (missing, expired, or invalidated). */
  async get<T>(key: string): Promise<T | undefined> {
    const envelope = await this.read(key);
    return envelope?.v as T | undefined;
  }

  /** The current entry (stale ones included while they are kept), counting hits and misses. */
  private async read(key: string): Promise<Envelope | undefined> {
    const local = this.local?.get(key);
    if (local) {
      this.stats.hits++;
      this.stats.localHits++;
      return local;
    }
    if (this.local) await this.listen();
    const [raw, namespaceVersion] = await Promise.all([
      this.redis.sendBuffer('GET', this.entryKey(key)),
      this.version(this.namespaceVersionKey()),
    ]);
    const envelope = Buffer.isBuffer(raw) ? (this.serializer.decode(raw) as Envelope) : undefined;
    if (envelope && (await this.isCurrent(envelope, namespaceVersion))) {
      this.stats.hits++;
      this.local?.set(key, envelope);
      return envelope;
    }
    this.stats.misses++;
    return undefined;
  }

  async set<T>(key: string, value: T, options: SetOptions = {}): Promise<void> {
    await this.store(key, value, await this.currentVersions(options.tags ?? []), options);
  }

  async delete(key: string): Promise<void> {
    this.local?.delete(key);
    await this.redis.send('DEL', this.entryKey(key));
    await this.broadcast({ k: key });
  }

  /** Cache-aside: the cached value, or the loader's (stored for next time), loading once per fill. */
  async getOrSet<T>(key: string, loader: () => T | Promise<T>, options: SetOptions = {}): Promise<T> {
    const cached = await this.read(key);
    if (cached !== undefined) {
      if (this.shouldRefresh(cached)) {
        this.stats.stale++;
        this.refreshInBackground(key, loader, options);
      }
      return cached.v as T;
    }
    const running = this.inFlight.get(key) as Promise<T> | undefined;
    if (running) {
      this.stats.waits++;
      return running;
    }
    const fill = this.fill(key, loader, options).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, fill);
    return fill;
  }

  /** Stale (past its soft expiry), or picked for early recomputation by XFetch's rule. */
  private shouldRefresh(entry: Envelope): boolean {
    if (entry.s === undefined) return false;
    const now = Date.now();
    if (now >= entry.s) return true;
    return this.beta > 0 && now - (entry.d ?? 0) * this.beta * Math.log(Math.random()) >= entry.s;
  }

  /** One background refresh per key and process; skipped when another process holds the fill lock. */
  private refreshInBackground<T>(key: string, loader: () => T | Promise<T>, options: SetOptions): void {
    const flightKey = `refresh:${key}`;
    if (this.inFlight.has(flightKey)) return;
    const refresh = (async () => {
      const token = randomBytes(16).toString('hex');
      const [locked, versions] = await Promise.all([
        this.redis.send('SET', this.lockKey(key), token, 'NX', 'PX', this.lockTtlMs),
        this.currentVersions(options.tags ?? []),
      ]);
      if (locked !== 'OK') return;
      this.stats.refreshes++;
      await this.loadAndStore(key, loader, options, versions, token);
    })()
      .catch(() => {}) // the stale value keeps being served; loadErrors counts the failure
      .finally(() => this.inFlight.delete(flightKey));
    this.inFlight.set(flightKey, refresh);
  }

  /** Write-through: runs `write` (e.g. the database update) and caches what it returns. */
  async update<T>(key: string, write: () => T | Promise<T>, options: SetOptions = {}): Promise<T> {
    const versions = await this.currentVersions(options.tags ?? []);
    const value = await write();
    await this.store(key, value, versions, options);
    return value;
  }

  /** Invalidates every entry carrying one of the tags, atomically per tag. */
  async invalidateTags(tags: string[]): Promise<void> {
    this.local?.deleteTagged(tags);
    await Promise.all(tags.map((tag) => this.bump(this.tagVersionKey(tag))));
    await this.broadcast({ t: tags });
  }

  /** Drops every entry of this namespace at once (bumps the namespace version). */
  async clear(): Promise<void> {
    this.local?.clear();
    await this.bump(this.namespaceVersionKey());
    await this.broadcast({ c: 1 });
  }

  /** A new version, kept at least as long as any entry written under the old one can live. */
  private async bump(versionKey: string): Promise<void> {
    const [result] = await this.redis.transaction([
      ['INCR', versionKey],
      ['PEXPIRE', versionKey, this.maxTtlMs],
    ]);
    if (result instanceof Error) throw result;
  }

  /**
   * Memoizes a function (sync or async) by its arguments: `cache.memoize(summarize, { name: 'summarize' })`.
   * `key` maps arguments to a key part (default: their JSON).
   */
  memoize<A extends unknown[], R>(
    fn: (...args: A) => R | Promise<R>,
    options: SetOptions & { name: string; key?: (...args: A) => string },
  ): (...args: A) => Promise<R> {
    const keyOf = options.key ?? ((...args: A) => JSON.stringify(args));
    return (...args: A) => this.getOrSet(`fn:${options.name}:${keyOf(...args)}`, () => fn(...args), options);
  }

  /** Stops listening for fills (call on shutdown). */
  async close(): Promise<void> {
    const subscription = this.subscription;
    this.subscription = undefined;
    if (subscription) await (await subscription).close();
  }

  private async fill<T>(key: string, loader: () => T | Promise<T>, options: SetOptions): Promise<T> {
    const lockKey = this.lockKey(key);
    const deadline = Date.now() + this.waitTimeoutMs;
    for (let attempt = 0; ; attempt++) {
      const token = randomBytes(16).toString('hex');
      // The versions are read before loading (and with the lock, in the same round trip): an invalidation
      // during the load then makes the stored value stale.
      const [lock, versions] = await Promise.all([
        this.redis.send('SET', lockKey, token, 'NX', 'PX', this.lockTtlMs),
        this.currentVersions(options.tags ?? []),
      ]);
      const acquired = lock === 'OK';
      if (acquired || Date.now() >= deadline) {
        return this.loadAndStore(key, loader, options, versions, acquired ? token : undefined);
      }
      // Another process is filling: wait for its value instead of hitting the source too.
      if (attempt === 0) this.stats.waits++;
      await this.waitForFill(key, Math.min(deadline - Date.now(), 50 * 2 ** Math.min(attempt, 5)));
      const value = await this.get<T>(key);
      if (value !== undefined) return value;
    }
  }

  private async loadAndStore<T>(
    key: string,
    loader: () => T | Promise<T>,
    options: SetOptions,
    versions: Versions,
    token?: string,
  ): Promise<T> {
    this.stats.loads++;
    const started = Date.now();
    let value: T;
    try {
      value = await loader();
    } catch (error) {
      this.stats.loadErrors++;
      // Wake the waiters so one of them can load instead.
      if (token) await this.redis.runScript(RELEASE, [this.lockKey(key)], [token, this.fillChannel(), key]);
      throw error;
    }
    const entry = this.encode(key, value, versions, options, Date.now() - started);
    if (!entry) {
      if (token) await this.redis.runScript(RELEASE, [this.lockKey(key)], [token, this.fillChannel(), key]);
    } else if (token) {
      await this.redis.runScript(
        STORE_AND_RELEASE,
        [this.entryKey(key), this.lockKey(key)],
        [entry.data, entry.keepMs, token, this.fillChannel(), key],
      );
      await this.stored(key, entry.envelope);
    } else {
      await this.write(key, entry);
    }
    return value;
  }

  /** Resolves when a fill of `key` is announced, or after `ms`. */
  private async waitForFill(key: string, ms: number): Promise<void> {
    await this.listen();
    await new Promise<void>((resolve) => {
      let set = this.waiters.get(key);
      if (!set) this.waiters.set(key, (set = new Set()));
      const done = () => {
        clearTimeout(timer);
        set!.delete(done);
        if (set!.size === 0) this.waiters.delete(key);
        resolve();
      };
      const timer = setTimeout(done, Math.max(ms, 1));
      set.add(done);
    });
  }

  private async store(key: string, value: unknown, versions: Versions, options: SetOptions): Promise<void> {
    const entry = this.encode(key, value, versions, options);
    if (entry) await this.write(key, entry);
  }

  /** The bytes and TTL of an entry (undefined for undefined values, which are never cached). */
  private encode(
    key: string,
    value: unknown,
    versions: Versions,
    options: SetOptions,
    loadMs?: number,
  ): EncodedEntry | undefined {
    if (value === undefined) return undefined;
    const envelope: Envelope = { v: value, n: versions.namespace };
    if (versions.tags.size > 0) envelope.g = Object.fromEntries(versions.tags);
    const ttl =
      value === null && this.options.negativeTtl !== undefined ? this.options.negativeTtl : options.ttl;
    const freshMs = this.jittered(ttl);
    if (this.staleMs > 0 || this.beta > 0) {
      envelope.s = Date.now() + freshMs;
      if (loadMs !== undefined) envelope.d = loadMs;
    }
    const data = this.serializer.encode(envelope);
    const bytes = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
    if (bytes > this.maxValueBytes) {
      const message = `cache value for '${key}' is ${bytes} bytes, over maxValueBytes (${this.maxValueBytes}): large values slow every reader; cache a smaller projection or raise the limit`;
      if (this.options.oversize === 'refuse') throw new CacheValueTooLargeError(message);
      (this.options.onWarning ?? console.warn)(`redkit: ${message}`);
    }
    return { envelope, data, keepMs: Math.min(freshMs + this.staleMs, this.maxTtlMs) };
  }

  private async write(key: string, entry: EncodedEntry): Promise<void> {
    await this.redis.send('SET', this.entryKey(key), entry.data, 'PX', entry.keepMs);
    await this.stored(key, entry.envelope);
  }

  /** After a write: the local copy, and other processes told to drop theirs. */
  private async stored(key: string, envelope: Envelope): Promise<void> {
    this.local?.set(key, envelope);
    await this.broadcast({ k: key });
  }

  private async currentVersions(tags: string[]): Promise<Versions> {
    const [namespace, ...tagVersions] = await Promise.all([
      this.version(this.namespaceVersionKey()),
      ...tags.map((tag) => this.version(this.tagVersionKey(tag))),
    ]);
    return { namespace: namespace!, tags: new Map(tags.map((tag, i) => [tag, tagVersions[i]!])) };
  }

  private async isCurrent(envelope: Envelope, namespaceVersion: string): Promise<boolean> {
    if (envelope.n !== namespaceVersion) return false;
    const tags = Object.entries(envelope.g ?? {});
    if (tags.length === 0) return true;
    const versions = await Promise.all(tags.map(([tag]) => this.version(this.tagVersionKey(tag))));
    return tags.every(([, version], i) => versions[i] === version);
  }

  private async version(key: string): Promise<string> {
    return ((await this.redis.send('GET', key)) as string | null) ?? '0';
  }

  private jittered(ttl: Duration | undefined): number {
    const base = ttl === undefined ? this.ttlMs : toMilliseconds(ttl, 'ttl');
    const spread = Math.round(base * (1 + (Math.random() * 2 - 1) * this.jitter));
    return Math.max(1, Math.min(spread, this.maxTtlMs));
  }

  /** The entry and its fill lock share the key's hash tag, so one script can touch both on Cluster. */
  private entryKey(key: string): string {
    return this.keys.inSlot(key).of('v');
  }

  private lockKey(key: string): string {
    return this.keys.inSlot(key).of('lock');
  }

  private tagVersionKey(tag: string): string {
    return this.keys.of('tag', tag);
  }

  private namespaceVersionKey(): string {
    return this.keys.of('version');
  }

  private fillChannel(): string {
    return this.keys.of('filled');
  }

  private localChannel(): string {
    return this.keys.of('invalidated');
  }
}

interface EncodedEntry {
  envelope: Envelope;
  data: string | Buffer;
  keepMs: number;
}

interface Versions {
  namespace: string;
  tags: Map<string, string>;
}

/** A message that drops local copies: a key, tags, or everything (c); `o` is the sender. */
interface Invalidation {
  o: string;
  k?: string;
  t?: string[];
  c?: 1;
}

/** The in-process tier: a small LRU of entries, each kept at most `ttlMs`. */
class LocalTier {
  private readonly entries = new Map<string, { envelope: Envelope; until: number }>();

  constructor(
    private readonly maxEntries: number,
    private readonly ttlMs: number,
  ) {}

  get(key: string): Envelope | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.until <= Date.now()) return undefined;
    this.entries.set(key, entry); // most recently used last
    return entry.envelope;
  }

  set(key: string, envelope: Envelope): void {
    this.entries.delete(key);
    this.entries.set(key, { envelope, until: Date.now() + this.ttlMs });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  deleteTagged(tags: string[]): void {
    for (const [key, { envelope }] of this.entries) {
      if (envelope.g && tags.some((tag) => tag in envelope.g!)) this.entries.delete(key);
    }
  }

  clear(): void {
    this.entries.clear();
  }
}
