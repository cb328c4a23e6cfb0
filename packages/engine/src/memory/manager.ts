import type { CommandSpec } from '../commands/registry.js';
import type { Engine } from '../engine.js';
import type { Database } from '../keyspace/database.js';
import type { Session } from '../session.js';
import { AccessClocks, type LfuParams } from './access.js';
import { accountedValueBytes, expiresBytes, mapTableBytes, measureObject } from './estimate.js';
import { EvictionPool } from './eviction-pool.js';
import { type EvictionPolicy, OOM_ERROR, parsePolicy, tracksAccess } from './policy.js';
import { KeyCursor } from './sampling.js';

/**
 * What the engine itself costs before any key is stored (INFO's used_memory_startup). The engine's
 * own structures weigh about what an empty Redis does, so this is Redis 7's figure: maxmemory settings
 * written for Redis leave the same room for data.
 */
export const STARTUP_BYTES = 880_000;

/** Commands that still run inside MULTI when memory is full (processCommand's exceptions). */
const ALLOWED_IN_FULL_MULTI = new Set(['exec', 'discard', 'quit', 'reset']);
const SCRIPT_COMMANDS = new Set(['eval', 'eval_ro']);
/** How far apart (at most, in table order) the keys of one sample are drawn; see KeyCursor. */
const SAMPLE_SPREAD = 32;
const RANDOM_SPREAD = 64;

/** Per-database memory figures (MEMORY STATS, INFO). */
export interface DatabaseMemory {
  /** The key table's bytes (overhead.hashtable.main). */
  main: number;
  /** The expires table's bytes (overhead.hashtable.expires). */
  expires: number;
  /** Access data for LRU/LFU. */
  access: number;
  /** Keys and values. */
  dataset: number;
}

/**
 * maxmemory: the memory estimate (used_memory), the LRU/LFU access data, eviction before commands
 * (performEvictions) and the OOM refusals of processCommand.
 */
export class MemoryManager {
  private configVersion = -1;
  maxmemory = 0;
  policy: EvictionPolicy = parsePolicy('noeviction');
  private samples = 5;
  private readonly lfu: LfuParams = { logFactor: 10, decayTime: 1 };
  private readonly pool = new EvictionPool();
  private readonly cursors = new Map<Database, KeyCursor>();
  private nextRandomDb = 0;
  /** Memory was over the limit (and eviction could not help) when the current command started. */
  oomAtCommandStart = false;
  /** The running script declared allow-oom (EVAL's shebang): its writes are never refused. */
  scriptAllowsOom = false;

  constructor(private readonly engine: Engine) {}

  /** Picks up configuration changes (CONFIG SET maxmemory, maxmemory-policy, lfu-*). */
  sync(): void {
    const config = this.engine.config;
    if (config.version === this.configVersion) return;
    this.configVersion = config.version;
    this.maxmemory = Number(config.get('maxmemory'));
    this.samples = config.number('maxmemory-samples');
    this.lfu.logFactor = config.number('lfu-log-factor');
    this.lfu.decayTime = config.number('lfu-decay-time');
    const policy = parsePolicy(config.get('maxmemory-policy'));
    this.policy = policy;
    this.installAccessClocks();
  }

  /** Gives every database the access data the policy needs (or drops it), as the policy changes. */
  private installAccessClocks(): void {
    const track = tracksAccess(this.policy);
    const lfu = this.policy.kind === 'lfu';
    this.pool.clear();
    for (const db of this.engine.databases) {
      if (!track) db.access = undefined;
      else if (db.access === undefined || db.access.lfu !== lfu) {
        db.access = new AccessClocks(lfu, () => this.engine.coarseNow(), this.lfu);
      }
    }
  }

  /** The LRU/LFU data of a database when the policy keeps it (OBJECT IDLETIME/FREQ). */
  accessOf(db: Database): AccessClocks | undefined {
    this.sync();
    return db.access;
  }

  /** A write changed `key`: a collection changed in place is measured again. */
  keyChanged(db: Database, key: string): void {
    const value = db.data.get(key);
    if (value === undefined || typeof value === 'string') return;
    const before = accountedValueBytes(value);
    db.usedBytes += measureObject(value) - before;
  }

  databaseMemory(db: Database): DatabaseMemory {
    return {
      main: mapTableBytes(db.data.size),
      expires: expiresBytes(db.expires.size),
      access: db.access === undefined ? 0 : mapTableBytes(db.access.size),
      dataset: db.usedBytes,
    };
  }

  /** used_memory: the engine's fixed part plus every database's estimate. */
  usedMemory(): number {
    let total = STARTUP_BYTES;
    for (const db of this.engine.databases) {
      if (db.data.size === 0 && db.usedBytes === 0) continue;
      total += mapTableBytes(db.data.size) + expiresBytes(db.expires.size) + db.usedBytes;
      if (db.access !== undefined && db.access.size > 0) total += mapTableBytes(db.access.size);
    }
    const used = Math.max(STARTUP_BYTES, Math.round(total));
    if (used > this.engine.stats.peakMemory) this.engine.stats.peakMemory = used;
    return used;
  }

  /**
   * processCommand's maxmemory step, before a command runs or is queued: evicts as needed, then
   * answers the OOM error for a command that may grow memory when eviction could not make room.
   */
  admit(session: Session, spec: CommandSpec, argv: string[]): string | undefined {
    if (this.engine.config.version !== this.configVersion) this.sync();
    if (this.maxmemory === 0) {
      this.oomAtCommandStart = false;
      return undefined;
    }
    const outOfMemory = !this.performEvictions();
    this.oomAtCommandStart = outOfMemory;
    if (!outOfMemory) return undefined;
    const name = this.engine.commands.fullName(spec);
    this.scriptAllowsOom = SCRIPT_COMMANDS.has(name) && shebangFlags(argv[1]!).allowOom;
    let refuse = this.mayGrowMemory(session, spec, name, argv);
    // Queuing may grow memory without bound, so inside MULTI everything but EXEC/DISCARD is refused.
    if (session.multi && !ALLOWED_IN_FULL_MULTI.has(name)) refuse = true;
    return refuse ? OOM_ERROR : undefined;
  }

  /** Redis's denyoom, including EXEC of a transaction that queued one and scripts that may write. */
  private mayGrowMemory(session: Session, spec: CommandSpec, name: string, argv: string[]): boolean {
    if (spec.flags.includes('denyoom')) return true;
    if (name === 'exec') return session.multi?.some((q) => q.spec.flags.includes('denyoom')) ?? false;
    if (SCRIPT_COMMANDS.has(name)) {
      const flags = shebangFlags(argv[1]!);
      return flags.declared && !flags.noWrites && !flags.allowOom;
    }
    return false;
  }

  /** A script's write when the script has not written yet and memory was full at its start. */
  refusesScriptWrite(spec: CommandSpec): boolean {
    return (
      this.maxmemory > 0 && this.oomAtCommandStart && !this.scriptAllowsOom && spec.flags.includes('denyoom')
    );
  }

  /** Evicts keys until used memory is within maxmemory; false when it cannot (EVICT_FAIL). */
  performEvictions(): boolean {
    if (this.maxmemory === 0 || this.engine.busyScript) return true;
    let used = this.usedMemory();
    if (used <= this.maxmemory) return true;
    if (this.policy.kind === 'none') return false;
    while (used > this.maxmemory) {
      const victim = this.policy.kind === 'random' ? this.randomVictim() : this.bestVictim();
      if (victim === undefined) return false;
      this.evict(victim.db, victim.key);
      used = this.usedMemory();
    }
    return true;
  }

  private cursorOf(db: Database): KeyCursor {
    let cursor = this.cursors.get(db);
    if (!cursor) this.cursors.set(db, (cursor = new KeyCursor()));
    return cursor;
  }

  private candidates(db: Database): Map<string, unknown> {
    return this.policy.allKeys ? db.data : db.expires;
  }

  /** The best key by the policy's ranking: sample every database into the pool, take its best. */
  private bestVictim(): { db: Database; key: string } | undefined {
    const sampled: string[] = [];
    for (;;) {
      let total = 0;
      for (const db of this.engine.databases) {
        const keys = this.candidates(db);
        if (keys.size === 0) continue;
        total += keys.size;
        sampled.length = 0;
        this.cursorOf(db).sample(keys, this.samples, sampled, SAMPLE_SPREAD);
        for (const key of sampled) this.pool.offer(this.score(db, key), key, db.index);
      }
      if (total === 0) return undefined;
      // Candidates may be gone since they were pooled (deleted, expired, evicted): skip those.
      for (let c = this.pool.takeBest(); c !== undefined; c = this.pool.takeBest()) {
        const db = this.engine.databases[c.db]!;
        if (this.candidates(db).has(c.key)) return { db, key: c.key };
      }
    }
  }

  private score(db: Database, key: string): number {
    if (this.policy.kind === 'ttl') return Number.MAX_SAFE_INTEGER - (db.expires.get(key) ?? 0);
    return db.access?.score(key) ?? 0;
  }

  /** A random key of the next database (in turn) that has candidates. */
  private randomVictim(): { db: Database; key: string } | undefined {
    const dbs = this.engine.databases;
    const out: string[] = [];
    for (let i = 0; i < dbs.length; i++) {
      const db = dbs[(++this.nextRandomDb >>> 0) % dbs.length]!;
      const keys = this.candidates(db);
      if (keys.size === 0) continue;
      this.cursorOf(db).sample(keys, 1, out, RANDOM_SPREAD);
      if (out.length > 0) return { db, key: out[0]! };
    }
    return undefined;
  }

  /** Deletes an evicted key as Redis does: counted, WATCH invalidated, notified, propagated as DEL. */
  private evict(db: Database, key: string): void {
    const engine = this.engine;
    db.delete(key);
    engine.stats.evictedKeys++;
    engine.touchWatched(db, key);
    engine.notify(db, key, 'evicted', 'e');
    engine.writeObserver?.keyExpired(db, key);
  }
}

/** The flags of an EVAL body's `#!lua flags=…` line (a bad shebang fails later, when the script loads). */
export function shebangFlags(body: string): { declared: boolean; noWrites: boolean; allowOom: boolean } {
  if (!body.startsWith('#!')) return { declared: false, noWrites: false, allowOom: false };
  const end = body.indexOf('\n');
  const line = end < 0 ? body : body.slice(0, end);
  let noWrites = false;
  let allowOom = false;
  for (const part of line.split(/[ \t]+/)) {
    if (!part.startsWith('flags=')) continue;
    for (const flag of part.slice(6).split(',')) {
      if (flag === 'no-writes') noWrites = true;
      else if (flag === 'allow-oom') allowOom = true;
    }
  }
  return { declared: true, noWrites, allowOom };
}
