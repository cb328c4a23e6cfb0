import { randomBytes } from 'node:crypto';
import {
  isNoScript,
  type LuaScript,
  type RedisArg,
  type RedisBufferReply,
  type RedisPort,
  type RedisReply,
  type Subscription,
} from '../client/port.js';
import { type Duration, toMilliseconds } from '../duration.js';
import { RedkitConfigError, RedkitError } from '../errors.js';
import { escapeKeyPart, Keys } from '../keys.js';
import { Deadlines } from './deadlines.js';
import { type Envelope, LocalTier } from './local-tier.js';
import { END_FILL, FILL_ENDED, FOUND_VALUE, LOCK_ACQUIRED, LOCK_OR_READ, LOOKUP, WRITE } from './scripts.js';
import { jsonSerializer, msgpackSerializer, type Serializer } from './serializers.js';
import { VersionSnapshots } from './version-snapshots.js';

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
  /**
   * How long one caller may hold a key's fill lock while its loader runs (default '10s'). A loader still
   * running then is given up on: the lock expires, exactly one waiting caller takes the fill over, and the
   * late value is stored only if the key is still empty.
   */
  lockTtl?: Duration;
  /**
   * How long a caller waits, in all, for fills by others (takeovers included) before it loads itself
   * without the lock (default: 3 × lockTtl).
   */
  waitTimeout?: Duration;
  /**
   * When a fill's loader throws: how many times one of the callers waiting for it retries at once before
   * the error is shared with all of them (default 0: every caller waiting for that fill, in any process,
   * rejects with a CacheLoaderError, so a failing source is called once per stampede, not once per caller).
   */
  fillRetries?: number;
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
  /**
   * How long a fill reuses the namespace and tag versions this process read last (default '250ms'; 0 reads
   * them on every miss). Never serves an invalidated value: an entry stored under a version bumped meanwhile
   * is outdated for every reader at once, so an invalidation from another process costs at most this long
   * of refills here. Saves a version read (or, on ioredis, a script) per miss.
   */
  versionReuse?: Duration;
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
  /** Loaders given up on because they ran past lockTtl (another caller took the fill over). */
  loadTimeouts: number;
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

/**
 * The loader of a fill this caller waited for threw (in another process, or in this one for an earlier
 * caller): its error is shared instead of calling the source again.
 */
export class CacheLoaderError extends RedkitError {
  override name = 'CacheLoaderError';
  constructor(
    readonly key: string,
    /** The name and message of the loader's error. */
    readonly loaderError: { name: string; message: string },
  ) {
    super(
      `loading cache key '${key}' failed for the caller that filled it (${loaderError.name}: ${loaderError.message}); this caller waited for that fill and shares its error instead of calling the source again: retry later, or set fillRetries to let one waiter retry at once`,
    );
  }
}

/** What a caller of getOrSet got: the value, and whether Redis (or the local tier) already had it. */
interface Outcome {
  value: unknown;
  hit: boolean;
}

/** A getOrSet in progress in this process; later callers join it unless a write happened since it began. */
interface Flight {
  promise: Promise<Outcome>;
  generation: number;
}

/** The reply of LOOKUP, decoded. */
interface Found {
  /** The stored bytes of a value (FOUND_VALUE), and the value. */
  raw: Buffer | undefined;
  envelope: Envelope | undefined;
  state: number;
  /** Acquired: failures so far. Held: the holder's marker. Ended: the marker it left. */
  info: string | number | undefined;
  /** Held: the lock's remaining ms. */
  pttl: number;
  versions: Versions;
}

interface EncodedEntry {
  envelope: Envelope;
  data: string | Buffer;
  keepMs: number;
}

interface Versions {
  namespace: string;
  tags: ReadonlyMap<string, string>;
}

/** A message on the cache's channel: a key written or deleted, tags invalidated, or all cleared (c). */
interface Announcement {
  /** The sending Cache instance, so it can ignore its own messages. */
  o: string;
  k?: string;
  t?: string[];
  c?: 1;
}

const NO_TAGS: ReadonlyMap<string, string> = new Map();

/** A loader that outlived its lock. */
const HUNG = Symbol('hung');
/** The first byte of a stored value (the others are lock and fill markers, see scripts.ts). */
const VALUE_PREFIX = Buffer.from('E');

/**
 * Cache-aside over Redis with stampede protection and atomic invalidation.
 *
 * - Invalidation by tag or of the whole namespace is one INCR of a version key: every entry records the
 *   versions it was computed under, and a read that finds a newer version treats the entry as missing. So
 *   invalidation is atomic, O(1), works on Redis Cluster, and a value computed while its tag was being
 *   invalidated is never served (the versions are captured before the loader runs).
 * - Stampedes: concurrent callers in one process share one lookup and one loader call; across processes
 *   the lookup that finds a miss takes a short fill lock in the same round trip, and the others wait for
 *   the value, woken by a pub/sub message when it lands (with a slow poll as a safety net). A loader that
 *   throws shares its error with the callers waiting for it; one that hangs past lockTtl is taken over by
 *   exactly one of them.
 * - The fill lock is the entry key itself (see scripts.ts), so storing the value releases it: on a single
 *   node a hit is one command and a miss two plain commands: `SET … NX GET` (value or lock), then
 *   `SET … GET` to store. The versions a fill stores under were read at most `versionReuse` ago (see
 *   version-snapshots.ts); when they are older they are read beside the lookup (on ioredis, which writes
 *   each command on its own, the lookup is then one small script).
 */
export class Cache {
  private readonly keys: Keys;
  private readonly versionKey: string;
  /** The last key's entry key (see entryKey). */
  private lastKey: string | undefined;
  private lastEntryKey = '';
  private readonly ttlMs: number;
  private readonly jitter: number;
  private readonly maxValueBytes: number;
  private readonly lockTtlMs: number;
  private readonly waitTimeoutMs: number;
  private readonly fillRetries: number;
  private readonly maxTtlMs: number;
  private readonly flights = new Map<string, Flight>();
  /** Bumped by every write, delete or invalidation made here: later callers don't join older flights. */
  private generation = 0;
  private readonly refreshing = new Set<string>();
  private readonly waiters = new Map<string, Set<() => void>>();
  private subscription: Promise<Subscription> | undefined;
  readonly stats: CacheStats = {
    hits: 0,
    misses: 0,
    loads: 0,
    waits: 0,
    loadErrors: 0,
    loadTimeouts: 0,
    stale: 0,
    refreshes: 0,
    localHits: 0,
  };
  private readonly local: LocalTier | undefined;
  /** Tells this instance's own announcements from others'. */
  private readonly origin = randomBytes(8).toString('hex');
  /** Recent share of getOrSet lookups that missed (a moving average): picks the cheaper first lookup. */
  private missRate = 0;
  /** Numbers this instance's fills: with `origin`, a lock token no other caller holds. */
  private fills = 0;
  /** Gives up on loaders that outlive their lock. */
  private readonly lockExpiries: Deadlines;
  private readonly staleMs: number;
  private readonly beta: number;
  private readonly serializer: Serializer;
  /** One server: scripts may take every key; on Cluster the version keys are read beside them. */
  private readonly singleNode: boolean;
  /**
   * The client writes each command to the socket on its own (ioredis): two commands cost two writes, so
   * the first lookup is one small script; node-redis writes the commands of one tick together.
   */
  private readonly oneWritePerCommand: boolean;
  private readonly recentVersions: VersionSnapshots;
  /** Stores of loaded values still in flight (a miss answers before its store completes). */
  private readonly storing = new Set<Promise<void>>();

  constructor(
    private readonly redis: RedisPort,
    private readonly options: CacheOptions = {},
  ) {
    this.keys = new Keys(options.namespace ?? 'cache');
    this.versionKey = this.keys.of('version');
    this.ttlMs = toMilliseconds(options.ttl ?? '5m', 'ttl');
    this.jitter = options.jitter ?? 0.1;
    if (!(this.jitter >= 0 && this.jitter < 1))
      throw new RedkitConfigError(`jitter must be in [0, 1), got ${this.jitter}`);
    this.maxValueBytes = options.maxValueBytes ?? 100_000;
    this.lockTtlMs = toMilliseconds(options.lockTtl ?? '10s', 'lockTtl');
    this.waitTimeoutMs = toMilliseconds(options.waitTimeout ?? this.lockTtlMs * 3, 'waitTimeout');
    this.fillRetries = options.fillRetries ?? 0;
    if (!(Number.isInteger(this.fillRetries) && this.fillRetries >= 0))
      throw new RedkitConfigError(`fillRetries must be a whole number ≥ 0, got ${this.fillRetries}`);
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
    this.singleNode = !redis.backend.endsWith('cluster');
    this.oneWritePerCommand = redis.backend === 'ioredis';
    this.lockExpiries = new Deadlines(this.lockTtlMs);
    this.recentVersions = new VersionSnapshots(toMilliseconds(options.versionReuse ?? 250, 'versionReuse'));
  }

  /** Subscribes (once) to the cache's announcements: fills for waiters, others' writes for the local tier. */
  private listen(): Promise<Subscription> {
    this.subscription ??= this.redis.subscribe(
      [this.channel()],
      (_, message) => this.onAnnouncement(message),
      {
        // Messages sent while the connection was down are lost: drop every local copy, re-check every wait.
        onReconnect: () => {
          this.local?.clear();
          for (const waiting of this.waiters.values()) for (const wake of waiting) wake();
        },
      },
    );
    return this.subscription;
  }

  private onAnnouncement(raw: Buffer): void {
    const message = JSON.parse(raw.toString()) as Announcement;
    if (message.k !== undefined) {
      const waiting = this.waiters.get(message.k);
      if (waiting) for (const wake of waiting) wake();
    }
    if (message.o === this.origin) return;
    if (message.c) this.recentVersions.forget([this.namespaceVersionKey()]);
    if (message.t) this.recentVersions.forget(message.t.map((tag) => this.tagVersionKey(tag)));
    if (!this.local) return;
    if (message.c) this.local.clear();
    if (message.k !== undefined) this.local.delete(message.k);
    if (message.t) this.local.deleteTagged(message.t);
  }

  private announcement(message: Omit<Announcement, 'o'>): string {
    return JSON.stringify({ ...message, o: this.origin });
  }

  /** Tells other processes to drop local copies (no-op without a local tier). */
  private async broadcast(message: Omit<Announcement, 'o'>): Promise<void> {
    if (!this.local) return;
    await this.listen();
    await this.redis.send('PUBLISH', this.channel(), this.announcement(message));
  }

  /** The cached value, or undefined (missing, expired, or invalidated). */
  async get<T>(key: string): Promise<T | undefined> {
    const envelope = await this.read(key);
    return envelope?.v as T | undefined;
  }

  /** The current entry (stale ones included while they are kept), counting hits and misses. */
  private async read(key: string): Promise<Envelope | undefined> {
    const local = this.localHit(key);
    if (local) return local;
    if (this.local) await this.listen();
    const epoch = this.local?.epoch;
    const envelope = await this.readCurrent(key, []);
    if (envelope) {
      this.stats.hits++;
      this.local?.set(key, envelope, epoch);
      return envelope;
    }
    this.stats.misses++;
    return undefined;
  }

  /**
   * The entry if it is current, read with the versions that judge it: one plain MGET on a single node
   * (the `tags` expected of it ride along; others it carries are read after), GETs in parallel on Cluster.
   */
  private async readCurrent(key: string, tags: string[]): Promise<Envelope | undefined> {
    const versionKeys = [this.namespaceVersionKey(), ...tags.map((tag) => this.tagVersionKey(tag))];
    let raw: RedisBufferReply;
    let versions: string[];
    if (this.singleNode) {
      const replies = (await this.redis.sendBuffer(
        'MGET',
        this.entryKey(key),
        ...versionKeys,
      )) as RedisBufferReply[];
      raw = replies[0] ?? null;
      versions = replies.slice(1).map((v) => (v === null ? '0' : String(v)));
    } else {
      [raw, ...versions] = (await Promise.all([
        this.redis.sendBuffer('GET', this.entryKey(key)),
        ...versionKeys.map((k) => this.version(k)),
      ])) as [RedisBufferReply, ...string[]];
    }
    this.recentVersions.remember(versionKeys, versions, Date.now());
    const envelope = this.decode(raw);
    if (!envelope) return undefined;
    const known = {
      namespace: versions[0]!,
      tags: tags.length === 0 ? NO_TAGS : new Map(tags.map((tag, i) => [tag, versions[i + 1]!])),
    };
    return (await this.isCurrent(envelope, known)) ? envelope : undefined;
  }

  private localHit(key: string): Envelope | undefined {
    const local = this.local?.get(key);
    if (local) {
      this.stats.hits++;
      this.stats.localHits++;
    }
    return local;
  }

  async set<T>(key: string, value: T, options: SetOptions = {}): Promise<void> {
    this.generation++;
    await this.store(key, value, await this.currentVersions(options.tags ?? []), options);
  }

  async delete(key: string): Promise<void> {
    this.generation++;
    this.local?.delete(key);
    await Promise.all([this.redis.send('DEL', this.entryKey(key)), this.broadcast({ k: key })]);
  }

  /** Cache-aside: the cached value, or the loader's (stored for next time), loading once per fill. */
  async getOrSet<T>(key: string, loader: () => T | Promise<T>, options: SetOptions = {}): Promise<T> {
    const local = this.localHit(key);
    if (local) {
      this.refreshIfDue(key, local, loader, options);
      return local.v as T;
    }
    const flight = this.flights.get(key);
    if (flight && flight.generation === this.generation) {
      const outcome = await flight.promise;
      if (outcome.hit) this.stats.hits++;
      else {
        this.stats.misses++;
        this.stats.waits++;
      }
      return outcome.value as T;
    }
    const mine: Flight = { promise: this.lookupOrFill(key, loader, options), generation: this.generation };
    this.flights.set(key, mine);
    const forget = () => {
      if (this.flights.get(key) === mine) this.flights.delete(key);
    };
    mine.promise.then(forget, forget);
    return (await mine.promise).value as T;
  }

  /**
   * One caller's getOrSet against Redis: a lookup that takes the fill lock on a miss, then the load — or
   * waiting for another process's fill, taking it over when that one's loader hangs past its lock.
   */
  private lookupOrFill(key: string, loader: () => unknown, options: SetOptions): Promise<Outcome> {
    const tags = options.tags ?? [];
    // While most lookups hit, the first round trip is a plain MGET (the same as a get), and a miss pays a
    // second lookup that takes the lock; while misses are common, lookups go straight to the one that
    // locks (see plainLookup), so a miss costs two round trips: that lookup, and the store.
    if (this.singleNode && this.missRate < 0.25) return this.readThenFill(key, loader, options, tags);
    return this.fill(key, loader, options, tags, true);
  }

  private async readThenFill(
    key: string,
    loader: () => unknown,
    options: SetOptions,
    tags: string[],
  ): Promise<Outcome> {
    const epoch = this.local?.epoch;
    const envelope = await this.readCurrent(key, tags);
    this.missRate = this.missRate * 0.99 + (envelope ? 0 : 0.01);
    if (envelope) return this.hit(key, envelope, epoch, loader, options);
    this.stats.misses++;
    return this.fill(key, loader, options, tags, false);
  }

  private hit(
    key: string,
    envelope: Envelope,
    epoch: number | undefined,
    loader: () => unknown,
    options: SetOptions,
  ): Outcome {
    this.stats.hits++;
    this.local?.set(key, envelope, epoch);
    this.refreshIfDue(key, envelope, loader, options);
    return { value: envelope.v, hit: true };
  }

  /** The lookup-and-lock loop: a value found, or this caller's fill, or another's waited for. */
  private async fill(
    key: string,
    loader: () => unknown,
    options: SetOptions,
    tags: string[],
    first: boolean,
  ): Promise<Outcome> {
    const deadline = Date.now() + this.waitTimeoutMs;
    let outdated: Buffer | undefined;
    let waitedFor = '';
    for (let attempt = 0; ; attempt++) {
      const token = `${this.origin}${(++this.fills).toString(36)}`;
      const epoch = this.local?.epoch;
      const found = await this.lookup(key, tags, token, waitedFor, outdated);
      const counts = first && attempt === 0;
      if (counts) this.missRate = this.missRate * 0.99 + (found.state === FOUND_VALUE ? 0 : 0.01);
      if (found.state === FOUND_VALUE && found.envelope) {
        if (await this.isCurrent(found.envelope, found.versions)) {
          if (counts) return this.hit(key, found.envelope, epoch, loader, options);
          this.local?.set(key, found.envelope, epoch);
          return { value: found.envelope.v, hit: false };
        }
        if (counts) this.stats.misses++;
        outdated = found.raw; // invalidated since it was stored: replace it, taking the lock
        continue;
      }
      if (counts) this.stats.misses++;
      outdated = undefined;
      if (found.state === LOCK_ACQUIRED) {
        const loaded = await this.load(key, loader, options, found.versions, token, Number(found.info));
        if (loaded !== HUNG) return { value: loaded, hit: false };
        waitedFor = token; // given up on: wait for (or be) the one caller that takes over
        continue;
      }
      if (found.state === FILL_ENDED) return { value: this.endedFill(key, String(found.info)), hit: false };
      if (Date.now() >= deadline) {
        const value = await this.load(key, loader, options, found.versions);
        return { value: value === HUNG ? undefined : value, hit: false };
      }
      // Another caller is filling: wait for its value instead of hitting the source too.
      if (waitedFor === '') this.stats.waits++;
      waitedFor = String(found.info).slice(1);
      const backoff = 50 * 2 ** Math.min(attempt, 5);
      await this.waitForFill(key, Math.min(deadline - Date.now(), backoff, found.pttl + 5));
    }
  }

  /** What a fill this caller waited for left in its lock: undefined returned, or the loader's error. */
  private endedFill(key: string, marker: string): undefined {
    if (marker.startsWith('U')) return undefined;
    const json = marker.slice(marker.indexOf(' ', marker.indexOf(' ') + 1) + 1);
    throw new CacheLoaderError(key, JSON.parse(json) as { name: string; message: string });
  }

  /**
   * The lookup that takes the fill lock on a miss, with the namespace and tag versions read in the same
   * round trip. A caller's first attempt on a single node is plainLookup; LOOKUP (the script) decides when
   * the key holds a lock or a marker, after a wait, to replace an outdated entry, and on Cluster.
   */
  private async lookup(
    key: string,
    tags: string[],
    token: string,
    waitedFor: string,
    outdated: Buffer | undefined,
  ): Promise<Found> {
    const versionKeys = [this.namespaceVersionKey(), ...tags.map((tag) => this.tagVersionKey(tag))];
    if (this.singleNode && waitedFor === '' && !outdated) {
      const plain = await this.plainLookup(key, versionKeys, tags, token);
      if (plain) return plain;
    }
    const args: RedisArg[] = [outdated ? 'f' : 'l', `L${token}`, this.lockTtlMs, waitedFor, this.fillRetries];
    if (outdated) args.push(outdated);
    let reply: RedisBufferReply[];
    let versionValues: string[];
    if (this.singleNode) {
      reply = (await this.runScript(
        LOOKUP,
        [this.entryKey(key), ...versionKeys],
        args,
      )) as RedisBufferReply[];
      versionValues = (reply[4] as RedisBufferReply[]).map((v) => (v === null ? '0' : String(v)));
    } else {
      const [scripted, ...versions] = await Promise.all([
        this.runScript(LOOKUP, [this.entryKey(key)], args),
        ...versionKeys.map((k) => this.version(k)),
      ]);
      reply = scripted as RedisBufferReply[];
      versionValues = versions as string[];
    }
    this.recentVersions.remember(versionKeys, versionValues, Date.now());
    const raw = Buffer.isBuffer(reply[0]) ? reply[0] : undefined;
    const info = reply[2];
    return {
      raw,
      envelope: this.decode(raw),
      state: Number(reply[1]),
      info: Buffer.isBuffer(info) ? info.toString() : (info as number | undefined),
      pttl: Math.max(Number(reply[3] ?? 0), 0),
      versions: {
        namespace: versionValues[0]!,
        tags: tags.length === 0 ? NO_TAGS : new Map(tags.map((tag, i) => [tag, versionValues[i + 1]!])),
      },
    };
  }

  /**
   * The common lookup without a script: `SET entry L<token> NX PX lockTtl GET` takes the lock on a miss and
   * returns a value on a hit, atomically, and the versions are read in the same round trip (pipelined after
   * it, so an invalidation that completed before the entry was read is seen, and they are known before the
   * loader runs). Undefined when the key holds a fill's lock or marker: LOOKUP decides then.
   */
  private async plainLookup(
    key: string,
    versionKeys: string[],
    tags: string[],
    token: string,
  ): Promise<Found | undefined> {
    let raw: RedisBufferReply;
    let versionValues: string[];
    const now = Date.now();
    const recent = this.recentVersions.recent(versionKeys, now);
    if (recent) {
      raw = await this.redis.sendBuffer(
        'SET',
        this.entryKey(key),
        `L${token}`,
        'NX',
        'PX',
        this.lockTtlMs,
        'GET',
      );
      // A value found is judged by versions read after it (the recent ones may predate an invalidation).
      versionValues = raw === null ? recent : await this.versions(versionKeys);
    } else if (this.oneWritePerCommand) {
      const reply = (await this.runScript(
        LOCK_OR_READ,
        [this.entryKey(key), ...versionKeys],
        [`L${token}`, this.lockTtlMs],
      )) as RedisBufferReply[];
      raw = reply[0] ?? null;
      versionValues = new Array<string>(versionKeys.length);
      for (let i = 0; i < versionKeys.length; i++) {
        const version = reply[i + 1];
        versionValues[i] = version === null || version === undefined ? '0' : String(version);
      }
    } else {
      // Sent in the same tick: node-redis writes both at once, the versions read right after the entry.
      let read: RedisReply;
      [raw, read] = await Promise.all([
        this.redis.sendBuffer('SET', this.entryKey(key), `L${token}`, 'NX', 'PX', this.lockTtlMs, 'GET'),
        versionKeys.length === 1
          ? this.redis.send('GET', versionKeys[0]!)
          : this.redis.send('MGET', ...versionKeys),
      ]);
      versionValues = Array.isArray(read)
        ? read.map((v) => (v === null ? '0' : String(v)))
        : [read === null ? '0' : String(read)];
    }
    if (!recent) this.recentVersions.remember(versionKeys, versionValues, now);
    const envelope = this.decode(raw);
    if (raw !== null && !envelope) return undefined;
    return {
      raw: envelope ? (raw as Buffer) : undefined,
      envelope,
      state: envelope ? FOUND_VALUE : LOCK_ACQUIRED,
      info: 0,
      pttl: 0,
      versions: {
        namespace: versionValues[0]!,
        tags: tags.length === 0 ? NO_TAGS : new Map(tags.map((tag, i) => [tag, versionValues[i + 1]!])),
      },
    };
  }

  /** EVALSHA with bulk replies as Buffers (entries may be binary), EVAL only on NOSCRIPT. */
  private async runScript(script: LuaScript, keys: string[], args: RedisArg[]): Promise<RedisBufferReply> {
    try {
      return await this.redis.sendBuffer('EVALSHA', script.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!isNoScript(error)) throw error;
      return this.redis.sendBuffer('EVAL', script.source, keys.length, ...keys, ...args);
    }
  }

  /** A stored value's envelope; undefined for nothing, or for a fill's lock or marker. */
  private decode(raw: RedisBufferReply | undefined): Envelope | undefined {
    if (!Buffer.isBuffer(raw) || raw[0] !== VALUE_PREFIX[0]) return undefined;
    return this.serializer.decode(raw.subarray(1)) as Envelope;
  }

  /** Refreshes in the background a stale entry, or one XFetch picks for early recomputation. */
  private refreshIfDue(key: string, entry: Envelope, loader: () => unknown, options: SetOptions): void {
    if (entry.s === undefined) return;
    const now = Date.now();
    const due =
      now >= entry.s ||
      (this.beta > 0 && now - (entry.d ?? 0) * this.beta * Math.log(Math.random()) >= entry.s);
    if (!due) return;
    this.stats.stale++;
    this.refreshInBackground(key, loader, options);
  }

  /** One background refresh per key and process; skipped when another process holds the fill lock. */
  private refreshInBackground(key: string, loader: () => unknown, options: SetOptions): void {
    if (this.refreshing.has(key)) return;
    this.refreshing.add(key);
    void (async () => {
      // The entry keeps serving the stale value meanwhile, so this fill's lock is a key of its own.
      const [locked, versions] = await Promise.all([
        this.redis.send('SET', this.refreshLockKey(key), '1', 'NX', 'PX', this.lockTtlMs),
        this.currentVersions(options.tags ?? []),
      ]);
      if (locked !== 'OK') return;
      this.stats.refreshes++;
      await this.load(key, loader, options, versions);
      await this.redis.send('DEL', this.refreshLockKey(key));
    })()
      .catch(() => {}) // the stale value keeps being served; loadErrors counts the failure
      .finally(() => this.refreshing.delete(key));
  }

  /** Write-through: runs `write` (e.g. the database update) and caches what it returns. */
  async update<T>(key: string, write: () => T | Promise<T>, options: SetOptions = {}): Promise<T> {
    this.generation++;
    const versions = await this.currentVersions(options.tags ?? []);
    const value = await write();
    await this.store(key, value, versions, options);
    return value;
  }

  /** Invalidates every entry carrying one of the tags, atomically per tag. */
  async invalidateTags(tags: string[]): Promise<void> {
    this.generation++;
    this.local?.deleteTagged(tags);
    this.recentVersions.forget(tags.map((tag) => this.tagVersionKey(tag)));
    await Promise.all([
      ...tags.map((tag) => this.bump(this.tagVersionKey(tag))),
      this.broadcast({ t: tags }),
    ]);
  }

  /** Drops every entry of this namespace at once (bumps the namespace version). */
  async clear(): Promise<void> {
    this.generation++;
    this.local?.clear();
    this.recentVersions.forget([this.namespaceVersionKey()]);
    await Promise.all([this.bump(this.namespaceVersionKey()), this.broadcast({ c: 1 })]);
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

  /** Finishes the stores still in flight and stops listening for fills (call on shutdown). */
  async close(): Promise<void> {
    await Promise.all(this.storing);
    const subscription = this.subscription;
    this.subscription = undefined;
    if (subscription) await (await subscription).close();
  }

  /**
   * Runs the loader and stores its value under the versions read before it ran. With a lock `token`: a
   * throw ends the fill with the error left for its waiters, and a loader still running when the lock
   * expires is given up on (HUNG) — its value, if it ever comes, only fills a gap.
   */
  private async load(
    key: string,
    loader: () => unknown,
    options: SetOptions,
    versions: Versions,
    token?: string,
    failures = 0,
  ): Promise<unknown> {
    this.stats.loads++;
    const started = Date.now();
    const loading = invoke(loader);
    let value: unknown;
    try {
      value = token ? await this.lockExpiries.race(loading, HUNG) : await loading;
    } catch (error) {
      this.stats.loadErrors++;
      if (token) await this.endFill(key, token, `F${token} ${failures + 1} ${describe(error)}`);
      throw error;
    }
    if (value === HUNG) {
      this.stats.loadTimeouts++;
      loading
        .then(
          (late) => this.storeFilled(key, late, versions, options, started, undefined, true),
          () => void this.stats.loadErrors++,
        )
        .catch(() => {}); // a late value that cannot be stored is simply dropped
      return HUNG;
    }
    const stored = this.storeFilled(key, value, versions, options, started, token);
    if (!token) await stored;
    else {
      // The caller has its value: the store (which also releases the fill lock and wakes waiters) goes on
      // in the background. Commands on one connection stay in order, so this process's next lookup of the
      // key already sees it; a failed store leaves the lock to expire, and waiters then take over.
      const settled = stored.catch((error: unknown) =>
        this.warn(`storing the loaded value of cache key '${key}' failed: ${(error as Error).message}`),
      );
      this.storing.add(settled);
      void settled.then(() => this.storing.delete(settled));
    }
    return value;
  }

  /**
   * Stores a loaded value. With the fill's `token` it overwrites the lock (one plain SET … GET, whose old
   * value says whether callers wait to be told). A fill that lost its lock (`late`) only fills a gap.
   */
  private storeFilled(
    key: string,
    value: unknown,
    versions: Versions,
    options: SetOptions,
    started: number,
    token?: string,
    late = false,
  ): Promise<void> {
    // Encoded now, so an oversized value is refused to the caller itself.
    const entry = this.encode(key, value, versions, options, Date.now() - started);
    return this.storeEncoded(key, entry, token, late);
  }

  private async storeEncoded(
    key: string,
    entry: EncodedEntry | undefined,
    token: string | undefined,
    late: boolean,
  ): Promise<void> {
    if (!entry) {
      if (token) await this.endFill(key, token, `U${token} 0`);
      return;
    }
    if (!token && !late) return this.write(key, entry);
    // No announcement for other processes' local tiers: the key held no value, and local copies of the
    // last one were dropped when it was deleted or invalidated, or expired with it (see `encode`).
    const old = await this.redis.send(
      'SET',
      this.entryKey(key),
      entry.data,
      'PX',
      entry.keepMs,
      late ? 'NX' : 'GET',
    );
    if (late && old !== 'OK') return;
    this.local?.set(key, entry.envelope);
    if (late || (typeof old === 'string' && old.startsWith('W'))) {
      await this.redis.send('PUBLISH', this.channel(), this.announcement({ k: key }));
    }
  }

  /** Leaves `marker` in the lock (if still ours) for this fill's waiters, and wakes them. */
  private async endFill(key: string, token: string, marker: string): Promise<void> {
    await this.redis.runScript(
      END_FILL,
      [this.entryKey(key)],
      [token, marker, Math.max(this.lockTtlMs, 5_000), this.channel(), this.announcement({ k: key })],
    );
  }

  /** Resolves when a write of `key` is announced, or after `ms`. */
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
    const keepMs = Math.min(freshMs + this.staleMs, this.maxTtlMs);
    if (this.local) envelope.x = Date.now() + keepMs; // local copies never outlive the entry
    const serialized = this.serializer.encode(envelope);
    const data =
      typeof serialized === 'string' ? `E${serialized}` : Buffer.concat([VALUE_PREFIX, serialized]);
    const bytes = typeof data === 'string' ? Buffer.byteLength(data) - 1 : data.length - 1;
    if (bytes > this.maxValueBytes) {
      const message = `cache value for '${key}' is ${bytes} bytes, over maxValueBytes (${this.maxValueBytes}): large values slow every reader; cache a smaller projection or raise the limit`;
      if (this.options.oversize === 'refuse') throw new CacheValueTooLargeError(message);
      this.warn(message);
    }
    return { envelope, data, keepMs };
  }

  private warn(message: string): void {
    (this.options.onWarning ?? console.warn)(`redkit: ${message}`);
  }

  /** A write outside a fill (set, update): stores, and wakes callers waiting for a fill of the key. */
  private async write(key: string, entry: EncodedEntry): Promise<void> {
    if (this.local) await this.listen();
    await this.redis.runScript(
      WRITE,
      [this.entryKey(key)],
      [entry.data, entry.keepMs, this.channel(), this.announcement({ k: key }), this.local ? '1' : '0'],
    );
    this.local?.set(key, entry.envelope);
  }

  private async currentVersions(tags: string[]): Promise<Versions> {
    const [namespace, ...tagVersions] = await this.versions([
      this.namespaceVersionKey(),
      ...tags.map((tag) => this.tagVersionKey(tag)),
    ]);
    return { namespace: namespace!, tags: new Map(tags.map((tag, i) => [tag, tagVersions[i]!])) };
  }

  /** Current if its namespace and tag versions are the ones `known` (read with it) or read now. */
  private async isCurrent(envelope: Envelope, known: Versions): Promise<boolean> {
    if (envelope.n !== known.namespace) return false;
    const tags = Object.entries(envelope.g ?? {});
    const unknown = tags.filter(([tag]) => !known.tags.has(tag)).map(([tag]) => tag);
    const read = unknown.length > 0 ? await this.versions(unknown.map((tag) => this.tagVersionKey(tag))) : [];
    const current = new Map([...known.tags, ...unknown.map((tag, i) => [tag, read[i]!] as const)]);
    return tags.every(([tag, version]) => current.get(tag) === version);
  }

  /** Version keys' values ('0' for missing): one MGET on a single node, GETs in parallel on Cluster. */
  private async versions(keys: string[]): Promise<string[]> {
    const values = await this.readVersions(keys);
    this.recentVersions.remember(keys, values, Date.now());
    return values;
  }

  private async readVersions(keys: string[]): Promise<string[]> {
    if (keys.length === 1) return [await this.version(keys[0]!)];
    if (this.singleNode) {
      const values = (await this.redis.send('MGET', ...keys)) as Array<string | null>;
      return values.map((v) => v ?? '0');
    }
    return Promise.all(keys.map((k) => this.version(k)));
  }

  private async version(key: string): Promise<string> {
    return ((await this.redis.send('GET', key)) as string | null) ?? '0';
  }

  private jittered(ttl: Duration | undefined): number {
    const base = ttl === undefined ? this.ttlMs : toMilliseconds(ttl, 'ttl');
    const spread = Math.round(base * (1 + (Math.random() * 2 - 1) * this.jitter));
    return Math.max(1, Math.min(spread, this.maxTtlMs));
  }

  /** A key's value, or the lock of its fill in progress (see scripts.ts). */
  private entryKey(key: string): string {
    // = keys.inSlot(key).of('v'), built once for the lookup and the store of the same key (the hot path)
    if (key !== this.lastKey) {
      this.lastKey = key;
      this.lastEntryKey = `${this.keys.namespace}:{${escapeKeyPart(key)}}:v`;
    }
    return this.lastEntryKey;
  }

  /** The lock of a background refresh, which runs while the entry keeps serving the stale value. */
  private refreshLockKey(key: string): string {
    return this.keys.inSlot(key).of('refresh');
  }

  private tagVersionKey(tag: string): string {
    return this.keys.of('tag', tag);
  }

  private namespaceVersionKey(): string {
    return this.versionKey;
  }

  /** Announcements: writes (which wake waiting fills) and invalidations (which drop local copies). */
  private channel(): string {
    return this.keys.of('events');
  }
}

/** The loader's result as a promise (a synchronous throw becomes a rejection). */
function invoke(loader: () => unknown): Promise<unknown> {
  try {
    return Promise.resolve(loader());
  } catch (error) {
    return Promise.reject(error);
  }
}

/** A loader's error as the JSON its waiters rebuild a CacheLoaderError from. */
function describe(error: unknown): string {
  const e = error instanceof Error ? error : new Error(String(error));
  return JSON.stringify({ name: e.name, message: e.message });
}
