import {
  closeSync,
  existsSync,
  fsync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { Engine } from '../engine.js';
import { engineLogger, type LogFunction } from '../log.js';
import { decodeLimits } from '../rdb/decode.js';
import {
  type CapturedDb,
  captureDatabases,
  type LoadReport,
  loadRdb,
  RdbFileWriter,
  RdbLoadError,
} from '../rdb/file.js';
import { encodeOptions } from '../rdb/payload.js';
import { functionLibraries } from '../scripting/functions.js';
import { strerror } from '../util/strerror.js';
import { appendOnlyFileOf } from './aof.js';
import type { WriteGuard } from './hooks.js';
import { PersistenceError, syncDirectory } from './manifest.js';
import { serializeFunctions } from './serialize.js';

/** Time one BGSAVE slice may hold the event loop. */
const SLICE_MS = 4;
/** CONFIG_BGSAVE_RETRY_DELAY: after a failed BGSAVE, save rules wait this long before trying again. */
const RETRY_DELAY_SECONDS = 5;

/** Redis's reply to writes (and PING) while snapshots fail under stop-writes-on-bgsave-error. */
export const RDB_MISCONF =
  "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.";

const attached = new WeakMap<Engine, Snapshots>();

/** The snapshot state of an engine (SAVE/BGSAVE/INFO find it here), created on first use. */
export function snapshotsOf(engine: Engine): Snapshots {
  let s = attached.get(engine);
  if (!s) attached.set(engine, (s = new Snapshots(engine)));
  return s;
}

/** The snapshot state if any snapshot work happened (INFO uses it without creating one). */
export function existingSnapshots(engine: Engine): Snapshots | undefined {
  return attached.get(engine);
}

/**
 * RDB snapshots of an engine: SAVE (synchronous), BGSAVE, the `save` rules checked on a timer, and
 * loading at start-up. Files are written to a temporary file, fsynced, renamed over `dir/dbfilename`,
 * and the directory is fsynced, so a crash leaves either the old or the new file.
 *
 * BGSAVE without fork: a point-in-time view is taken synchronously. Strings are immutable JS values,
 * so the keyspace is captured by reference (a walk over each database's Map); every other value is
 * mutable and is encoded into RDB bytes right then. The file is then written in slices of a few
 * milliseconds while the server keeps answering; writes made meanwhile do not reach it.
 */
export class Snapshots implements WriteGuard {
  private job: BackgroundSave | undefined;
  private cron: NodeJS.Timeout | undefined;
  private scheduled = false;
  private lastBgsaveTry = 0;
  log: LogFunction;

  // INFO persistence
  lastBgsaveStatus: 'ok' | 'err' = 'ok';
  lastBgsaveSeconds = -1;
  saves = 0;
  lastLoadKeysLoaded = 0;
  lastLoadKeysExpired = 0;
  /** Milliseconds the last BGSAVE held the event loop to capture its view. */
  lastCapturePauseMs = 0;

  constructor(private readonly engine: Engine) {
    this.log = engineLogger(engine);
    engine.writeGuards.push(this);
  }

  /** After a failed BGSAVE, with save rules and stop-writes-on-bgsave-error: writes are refused. */
  writeRefusal(): string | undefined {
    if (this.lastBgsaveStatus !== 'err') return undefined;
    const config = this.engine.config;
    if (config.get('stop-writes-on-bgsave-error') !== 'yes' || !saveRulesConfigured(this.engine))
      return undefined;
    return RDB_MISCONF;
  }

  get inProgress(): boolean {
    return this.job !== undefined;
  }

  get bgsaveStartedAt(): number | undefined {
    return this.job?.startedAt;
  }

  get keysProcessed(): number {
    return this.job?.keysProcessed ?? 0;
  }

  get keysTotal(): number {
    return this.job?.keysTotal ?? 0;
  }

  path(): { dir: string; name: string } {
    return { dir: this.engine.config.get('dir'), name: this.engine.config.get('dbfilename') };
  }

  /** SAVE: writes the file now, holding the event loop. False (logged) on failure. */
  save(counted = true): boolean {
    const { dir, name } = this.path();
    const temp = join(dir, `temp-${process.pid}.rdb`);
    if (counted) this.saves++;
    const dirty = this.engine.dirty;
    try {
      const fd = openSync(temp, 'w');
      try {
        const writer = this.writer((chunk) => writeAll(fd, chunk));
        writer.header(this.header());
        for (const db of captureDatabases(this.engine, encodeOptions(this.engine.config), false)) {
          writer.selectDb(db.index, db.keys.length, db.expiresCount);
          writeDb(writer, db, 0, db.keys.length);
        }
        writer.finish();
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(temp, join(dir, name));
      syncDirectory(dir);
    } catch (error) {
      removeQuietly(temp);
      this.log('warning', `Failed opening or writing the .rdb file ${temp}: ${(error as Error).message}`);
      return false;
    }
    this.saved(dirty);
    this.log('notice', 'DB saved on disk');
    return true;
  }

  /** BGSAVE: false when one is already running. */
  startBackground(): boolean {
    if (this.job) return false;
    const { dir, name } = this.path();
    this.saves++;
    this.lastBgsaveTry = Math.floor(Date.now() / 1000);
    try {
      this.job = new BackgroundSave(this, this.engine, dir, name, (ok, dirty, seconds) => {
        this.job = undefined;
        this.lastBgsaveSeconds = seconds;
        this.lastBgsaveStatus = ok ? 'ok' : 'err';
        if (ok) {
          this.saved(dirty);
          this.log('notice', 'Background saving terminated with success');
        } else this.log('warning', 'Background saving error');
      });
    } catch (error) {
      // Redis's fork succeeds and its child fails to create the file: the reply is still "started", the
      // failure is the save's status (which stop-writes-on-bgsave-error then acts on).
      this.job = undefined;
      this.lastBgsaveStatus = 'err';
      this.lastBgsaveSeconds = 0;
      this.log('warning', `Failed opening the temp RDB file in ${dir} for saving: ${strerror(error)}`);
      this.log('warning', 'Background saving error');
      return true;
    }
    this.log(
      'notice',
      `Background saving started (point-in-time view taken in ${this.lastCapturePauseMs.toFixed(1)} ms)`,
    );
    return true;
  }

  /** BGSAVE SCHEDULE while something else runs: started by the timer once possible. */
  schedule(): void {
    this.scheduled = true;
    this.startCron();
  }

  private saved(dirtyAtStart: number): void {
    this.engine.dirty = Math.max(0, this.engine.dirty - dirtyAtStart);
    this.engine.lastSave = Math.floor(Date.now() / 1000);
  }

  writer(sink: (chunk: Buffer) => void): RdbFileWriter {
    const config = this.engine.config;
    return new RdbFileWriter(sink, encodeOptions(config), config.get('rdbchecksum') === 'yes');
  }

  header() {
    const functions: string[] = [];
    serializeFunctions(this.engine, (argv) => functions.push(argv[2]!));
    return {
      ctime: Math.floor(Date.now() / 1000),
      usedMemory: this.engine.memory.usedMemory(),
      functions,
    };
  }

  /** The `save` rules (and a scheduled BGSAVE), checked ten times a second as Redis's serverCron does. */
  startCron(): void {
    if (this.cron) return;
    this.cron = setInterval(() => this.tick(), 100);
    this.cron.unref();
  }

  private tick(): void {
    if (this.job) return;
    const aofBusy = appendOnlyFileOf(this.engine)?.rewriteInProgress ?? false;
    if (this.scheduled && !aofBusy) {
      this.scheduled = false;
      this.startBackground();
      return;
    }
    const rules = this.engine.config.get('save').split(' ').filter(Boolean).map(Number);
    if (rules.length === 0 || aofBusy) return;
    const now = Math.floor(Date.now() / 1000);
    for (let i = 0; i + 1 < rules.length; i += 2) {
      const seconds = rules[i]!;
      const changes = rules[i + 1]!;
      if (
        this.engine.dirty >= changes &&
        now - this.engine.lastSave > seconds &&
        (now - this.lastBgsaveTry > RETRY_DELAY_SECONDS || this.lastBgsaveStatus === 'ok')
      ) {
        this.log('notice', `${changes} changes in ${seconds} seconds. Saving...`);
        this.startBackground();
        break;
      }
    }
  }

  /** Stops the timer and abandons a BGSAVE in progress (its temporary file is removed). */
  close(): void {
    if (this.cron) clearInterval(this.cron);
    this.cron = undefined;
    this.job?.abort();
    this.job = undefined;
  }

  /** Before exiting (SHUTDOWN, SIGTERM): a running BGSAVE is abandoned and the file written now. */
  /**
   * FLUSHALL with save rules: a BGSAVE in progress is dropped (it would write the old data) and the empty
   * dataset is saved at once, as Redis 7.0 does (not counted in rdb_saves).
   */
  afterFlushAll(): void {
    if (!saveRulesConfigured(this.engine)) return;
    this.job?.abort();
    this.job = undefined;
    this.save(false);
  }

  saveBeforeExit(): boolean {
    if (this.job) {
      this.log('warning', 'There is a child saving an .rdb. Killing it!');
      this.job.abort();
      this.job = undefined;
    }
    this.log('notice', 'Saving the final RDB snapshot before exiting.');
    const ok = this.save();
    if (!ok) this.log('warning', "Error trying to save the DB, can't exit.");
    return ok;
  }

  /**
   * Loads `dir/dbfilename` into the (empty) engine if it exists, with Redis's log lines. Throws
   * PersistenceError when the file is damaged (the server must not start on half a dataset).
   */
  load(): boolean {
    const { dir, name } = this.path();
    const file = join(dir, name);
    if (!existsSync(file)) return false;
    const started = performance.now();
    const engine = this.engine;
    let report: LoadReport;
    try {
      report = this.loadFile(file, false);
    } catch (error) {
      for (const db of engine.databases) db.clear();
      if (error instanceof RdbLoadError) {
        this.log('warning', error.message);
        throw new PersistenceError(`${error.message} (loading ${file}; run 'redis-check-rdb ${file}')`);
      }
      throw error;
    }
    const ver = report.aux.get('redis-ver');
    if (ver) this.log('notice', `Loading RDB produced by version ${ver}`);
    const ctime = Number(report.aux.get('ctime'));
    if (ctime > 0)
      this.log('notice', `RDB age ${Math.max(0, Math.floor(Date.now() / 1000) - ctime)} seconds`);
    const usedMem = Number(report.aux.get('used-mem'));
    if (usedMem > 0)
      this.log('notice', `RDB memory usage when created ${(usedMem / 1024 / 1024).toFixed(2)} Mb`);
    if (report.emptySkipped > 0) {
      this.log('warning', `Done loading RDB, skipped ${report.emptySkipped} empty keys (as Redis does).`);
    }
    this.log(
      'notice',
      `Done loading RDB, keys loaded: ${report.keysLoaded}, keys expired: ${report.keysExpired}.`,
    );
    this.lastLoadKeysLoaded = report.keysLoaded;
    this.lastLoadKeysExpired = report.keysExpired;
    engine.dirty = 0;
    this.log('notice', `DB loaded from disk: ${((performance.now() - started) / 1000).toFixed(3)} seconds`);
    return true;
  }

  /**
   * DEBUG RELOAD: loads the file into the current dataset. `merge` replaces keys and libraries that exist;
   * without it an existing key fails the load (Redis aborts the process there). False (logged) on failure.
   */
  reload(merge: boolean): boolean {
    const { dir, name } = this.path();
    try {
      this.loadFile(join(dir, name), merge);
    } catch (error) {
      this.log('warning', `Failed loading the RDB file: ${(error as Error).message}`);
      return false;
    }
    this.log('warning', 'DB reloaded by DEBUG RELOAD');
    return true;
  }

  /** Reads an RDB file into the engine, keys and function libraries; throws RdbLoadError when it is bad. */
  private loadFile(file: string, merge: boolean): LoadReport {
    const engine = this.engine;
    const data = readFileSync(file);
    let lastProgress = performance.now();
    return loadRdb(data, {
      limits: decodeLimits(engine.config),
      now: engine.clock.now(),
      databases: engine.databases.length,
      store: (index, key, value, expireAt, lru) => {
        const db = engine.databases[index]!;
        if (!merge && db.data.has(key))
          throw new RdbLoadError(`RDB has duplicated key '${key}' in DB ${index}`);
        db.set(key, value);
        if (expireAt !== undefined) db.setExpireAt(key, expireAt);
        if (db.access && (lru.idleSeconds !== undefined || lru.freq !== undefined)) {
          db.access.restore(key, lru.idleSeconds, lru.freq);
        }
      },
      loadFunction: (code) => {
        try {
          functionLibraries(engine).load(code, merge);
        } catch (error) {
          throw new RdbLoadError(`Failed loading library from the RDB file: ${(error as Error).message}`);
        }
      },
      progress: (offset, size, keys) => {
        const now = performance.now();
        if (now - lastProgress < 1000) return;
        lastProgress = now;
        this.log('notice', `Loading RDB: ${((offset / size) * 100).toFixed(1)}% (${keys} keys loaded)`);
      },
    });
  }
}

/** One BGSAVE: the captured view written in slices, then fsync, rename and directory fsync. */
class BackgroundSave {
  readonly startedAt = Date.now();
  private readonly dbs: CapturedDb[];
  private readonly writer: RdbFileWriter;
  private readonly fd: number;
  private readonly temp: string;
  private readonly dirty: number;
  private dbIndex = 0;
  private keyIndex = 0;
  private aborted = false;
  readonly keysTotal: number;

  constructor(
    owner: Snapshots,
    engine: Engine,
    private readonly dir: string,
    private readonly name: string,
    private readonly done: (ok: boolean, dirty: number, seconds: number) => void,
  ) {
    this.temp = join(dir, `temp-bg-${process.pid}.rdb`);
    const t0 = performance.now();
    this.dirty = engine.dirty;
    this.dbs = captureDatabases(engine, encodeOptions(engine.config), true);
    const header = owner.header();
    owner.lastCapturePauseMs = performance.now() - t0;
    this.keysTotal = this.dbs.reduce((n, db) => n + db.keys.length, 0);
    this.fd = openSync(this.temp, 'w');
    this.writer = owner.writer((chunk) => writeAll(this.fd, chunk));
    try {
      this.writer.header(header);
    } catch (error) {
      closeSync(this.fd);
      removeQuietly(this.temp);
      throw error;
    }
    setImmediate(this.step);
  }

  get keysProcessed(): number {
    return this.writer.keysWritten;
  }

  private readonly step = (): void => {
    if (this.aborted) return;
    try {
      const deadline = performance.now() + SLICE_MS;
      while (this.dbIndex < this.dbs.length) {
        const db = this.dbs[this.dbIndex]!;
        if (this.keyIndex === 0) this.writer.selectDb(db.index, db.keys.length, db.expiresCount);
        const end = Math.min(db.keys.length, this.keyIndex + 512);
        writeDb(this.writer, db, this.keyIndex, end);
        this.keyIndex = end;
        if (end === db.keys.length) {
          this.dbIndex++;
          this.keyIndex = 0;
        }
        if (performance.now() >= deadline) {
          setImmediate(this.step);
          return;
        }
      }
      this.writer.finish();
    } catch (error) {
      this.fail(error as Error);
      return;
    }
    // The fsync runs off the event loop; rename and directory sync are quick.
    fsync(this.fd, (error) => {
      if (this.aborted) return;
      if (error) return this.fail(error);
      try {
        closeSync(this.fd);
        renameSync(this.temp, join(this.dir, this.name));
        syncDirectory(this.dir);
      } catch (e) {
        return this.fail(e as Error);
      }
      this.done(true, this.dirty, Math.round((Date.now() - this.startedAt) / 1000));
    });
  };

  private fail(error: Error): void {
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
    removeQuietly(this.temp);
    this.done(false, this.dirty, Math.round((Date.now() - this.startedAt) / 1000));
    void error;
  }

  abort(): void {
    this.aborted = true;
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
    removeQuietly(this.temp);
  }
}

/** Writes keys [from, to) of a captured database. */
function writeDb(writer: RdbFileWriter, db: CapturedDb, from: number, to: number): void {
  const { keys, values, expires, frozen, access } = db;
  for (let i = from; i < to; i++) {
    const value = values[i]!;
    const bytes = typeof value === 'number' ? frozen!.get(value) : value;
    writer.key(keys[i]!, bytes, expires[i], access?.lfu, access?.values[i]);
  }
}

function writeAll(fd: number, chunk: Buffer): void {
  let offset = 0;
  while (offset < chunk.length) offset += writeSync(fd, chunk, offset);
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // not there
  }
}

/** Loads dump.rdb at start-up unless `appendonly yes` (then the AOF is the source, as in Redis). */
export function loadSnapshotAtStartup(engine: Engine): boolean {
  if (engine.config.get('appendonly') === 'yes') return false;
  return snapshotsOf(engine).load();
}

/** Whether SHUTDOWN (or a signal) must save first: SAVE given, or save rules configured and not NOSAVE. */
export function shouldSaveOnShutdown(engine: Engine, save: boolean | undefined): boolean {
  if (save !== undefined) return save;
  return saveRulesConfigured(engine);
}

/** `save` has at least one rule (Redis's saveparamslen > 0). */
export function saveRulesConfigured(engine: Engine): boolean {
  return engine.config.get('save').trim() !== '';
}
