import {
  closeSync,
  existsSync,
  fdatasync,
  fdatasyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { Engine } from '../engine.js';
import type { Database } from '../keyspace/database.js';
import { createLogger } from '../log.js';
import { strerror } from '../util/strerror.js';
import { CommandBuffer } from './command-buffer.js';
import type { ReplyBarrier, WriteGuard } from './hooks.js';
import { type LoadFile, type Logger, loadAofFiles } from './loader.js';
import {
  type AofFile,
  formatManifest,
  loadOrder,
  PersistenceError,
  parseManifest,
  syncDirectory,
  writeFileAtomic,
} from './manifest.js';
import { type CommandSink, Propagator } from './propagator.js';
import { loadRdbBase } from './rdb-base.js';
import { RewriteJob } from './rewrite.js';

const MULTI = ['MULTI'];
const EXEC = ['EXEC'];

export interface AofOptions {
  /** Where log lines go (loading progress, warnings, rewrites); Redis-style lines on stdout by default. */
  log?: Logger;
}

type FsyncPolicy = 'always' | 'everysec' | 'no';

/** Time one rewrite slice may hold the event loop. */
const REWRITE_SLICE_MS = 4;

const attached = new WeakMap<Engine, AppendOnlyFile>();

/** The append-only file persisting an engine, if one is open (BGREWRITEAOF and INFO find it here). */
export function appendOnlyFileOf(engine: Engine): AppendOnlyFile | undefined {
  return attached.get(engine);
}

/** Redis-style lines on stdout (the shared logger of log.ts). */
export function redisStyleLogger(): Logger {
  return createLogger();
}

/**
 * Redis 7.0's multi-part append-only file for an engine: `dir/appenddirname/` holds a manifest, one base
 * file (the dataset as commands, as with aof-use-rdb-preamble no) and incr files (every write since). Each
 * executed write is appended as the commands that replay it (see propagator.ts); the file is written once
 * per event-loop turn, before the replies of that turn leave (appendfsync always: and fsynced), and
 * fsynced every second (everysec) or by the OS (no). BGREWRITEAOF, or growth past
 * auto-aof-rewrite-percentage, writes a new base in slices and switches to it with a new manifest.
 */
export class AppendOnlyFile implements CommandSink, ReplyBarrier, WriteGuard {
  private readonly propagator: Propagator;
  private readonly log: Logger;
  private fd: number;
  /** The database the incr file's last command ran in (-1: unknown, SELECT first). */
  private selectedDb = -1;
  private readonly pending = new CommandBuffer();
  private readonly holders = new Set<() => void>();
  private writeScheduled = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly cron: NodeJS.Timeout;
  private unsynced = false;
  private syncInFlight = false;
  private closed = false;
  private policy: FsyncPolicy = 'everysec';
  private policyVersion = -1;
  private rewrite: RewriteJob | undefined;
  private rewriteRestart = false;

  /** INFO persistence. */
  currentSize: number;
  baseSize: number;
  lastWriteStatus: 'ok' | 'err' = 'ok';
  /** strerror() of the last failed write (AOF MISCONF replies name it). */
  lastWriteError = '';
  lastRewriteStatus: 'ok' | 'err' = 'ok';
  lastRewriteSeconds = -1;
  rewrites = 0;
  rewriteFailures = 0;
  delayedFsync = 0;

  private constructor(
    private readonly engine: Engine,
    private readonly dir: string,
    private readonly fileName: string,
    private files: AofFile[],
    options: AofOptions,
  ) {
    this.log = options.log ?? redisStyleLogger();
    const incr = files.filter((f) => f.type === 'i').at(-1)!;
    this.fd = openSync(join(dir, incr.name), 'a');
    this.currentSize = files.reduce((n, f) => n + sizeOf(join(dir, f.name)), 0);
    this.baseSize = this.currentSize;
    this.propagator = new Propagator(engine, this);
    engine.writeObserver = this.propagator;
    engine.replyBarrier = this;
    attached.set(engine, this);
    engine.writeGuards.push(this);
    this.cron = setInterval(() => this.tick(), 1000);
    this.cron.unref();
  }

  /** While writes to the file fail, new writes are refused (they could not be kept). */
  writeRefusal(): string | undefined {
    return this.lastWriteStatus === 'err'
      ? `MISCONF Errors writing to the AOF file: ${this.lastWriteError}`
      : undefined;
  }

  /**
   * Loads the engine's AOF (dir/appenddirname, or a single pre-7.0 appendfilename in dir, which is
   * upgraded), creating it when there is none, and logs every write from then on. Throws
   * PersistenceError when a file is damaged, saying where and how to repair it.
   */
  static async open(engine: Engine, options: AofOptions = {}): Promise<AppendOnlyFile> {
    if (attached.has(engine)) throw new Error('an append-only file is already open for this engine');
    const log = options.log ?? redisStyleLogger();
    const config = engine.config;
    const base = config.get('dir');
    const fileName = config.get('appendfilename');
    const dir = join(base, config.get('appenddirname'));
    const manifestName = `${fileName}.manifest`;
    const manifestPath = join(dir, manifestName);
    const legacy = join(base, fileName);
    const loadTruncated = config.get('aof-load-truncated') === 'yes';
    let files: AofFile[];
    let fresh = false;
    if (existsSync(manifestPath)) {
      files = parseManifest(readFileSync(manifestPath, 'latin1'), manifestPath);
      const order = loadOrder(files);
      for (const f of order) {
        if (!existsSync(join(dir, f.name))) {
          throw new PersistenceError(
            `The AOF file ${join(dir, f.name)} listed in ${manifestPath} does not exist`,
          );
        }
      }
      // An RDB base (Redis's aof-use-rdb-preamble yes) is loaded as a snapshot, then the incr files replay.
      const rdbBase = order[0]?.type === 'b' && order[0].name.endsWith('.rdb') ? order[0] : undefined;
      if (rdbBase) loadRdbBase(engine, join(dir, rdbBase.name), log);
      const commandFiles = rdbBase ? order.slice(1) : order;
      const toLoad: LoadFile[] = commandFiles.map((f, i) => ({
        path: join(dir, f.name),
        last: i === commandFiles.length - 1,
      }));
      if (toLoad.length > 0)
        await loadAofFiles(engine, toLoad, { loadTruncated, log, repairTarget: manifestPath });
    } else if (existsSync(legacy) && statSync(legacy).isFile()) {
      await loadAofFiles(engine, [{ path: legacy, last: true }], {
        loadTruncated,
        log,
        repairTarget: legacy,
      });
      // Redis 7.0's upgrade: the old file becomes the base of a multi-part AOF.
      mkdirSync(dir, { recursive: true });
      renameSync(legacy, join(dir, fileName));
      files = [{ name: fileName, seq: 1, type: 'b' }];
      log('notice', `Successfully migrated an old-style AOF into the AOF directory ${dir}`);
    } else {
      mkdirSync(dir, { recursive: true });
      const baseName = `${fileName}.1.base.aof`;
      closeSync(openSync(join(dir, baseName), 'w'));
      files = [{ name: baseName, seq: 1, type: 'b' }];
      log('notice', `Creating AOF base file ${baseName} on server start`);
      fresh = true;
    }
    if (!files.some((f) => f.type === 'i')) {
      const seq = Math.max(0, ...files.filter((f) => f.type === 'i').map((f) => f.seq)) + 1;
      const incrName = `${fileName}.${seq}.incr.aof`;
      closeSync(openSync(join(dir, incrName), 'a'));
      files = [...files, { name: incrName, seq, type: 'i' }];
      writeFileAtomic(dir, manifestName, formatManifest(files));
      log('notice', `Creating AOF incr file ${incrName} on server start`);
    }
    removeTempFiles(dir);
    const aof = new AppendOnlyFile(engine, dir, fileName, files, options);
    // Data already in the engine (persistence switched on later) goes into a base file at once.
    if (fresh && engine.databases.some((db) => db.size > 0)) aof.startRewrite();
    return aof;
  }

  get rewriteInProgress(): boolean {
    return this.rewrite !== undefined;
  }

  get rewriteStartedAt(): number | undefined {
    return this.rewrite?.startedAt;
  }

  get pendingBytes(): number {
    return this.pending.length;
  }

  // --- CommandSink (from the propagator) ---

  append(dbs: readonly number[], commands: readonly string[][]): void {
    if (this.closed) return;
    const block = commands.length > 1;
    if (block) this.pending.push(MULTI);
    for (let i = 0; i < commands.length; i++) {
      const db = dbs[i]!;
      if (db !== this.selectedDb) {
        this.pending.push(['SELECT', String(db)]);
        this.selectedDb = db;
      }
      this.pending.push(commands[i]!);
    }
    if (block) this.pending.push(EXEC);
    this.scheduleWrite();
  }

  keyChanged(db: Database, key: string): void {
    this.rewrite?.keyChanged(db, key);
  }

  datasetReset(): void {
    if (this.rewrite) this.rewriteRestart = true;
  }

  // --- ReplyBarrier (from connections) ---

  hold(release: () => void): boolean {
    this.propagator.settle();
    if (this.pending.length === 0 && this.holders.size === 0) return false;
    this.holders.add(release);
    this.scheduleWrite();
    return true;
  }

  private scheduleWrite(): void {
    if (this.writeScheduled || this.retryTimer) return;
    this.writeScheduled = true;
    setImmediate(this.writeNow);
  }

  /**
   * Writes everything pending (once per event-loop turn, after the turn's commands ran), fsyncs under
   * appendfsync always, then lets the held replies go.
   */
  private readonly writeNow = (): void => {
    this.writeScheduled = false;
    if (this.closed) return;
    this.propagator.settle();
    if (!this.writePending()) return;
    const released = [...this.holders];
    this.holders.clear();
    for (const release of released) release();
  };

  /** False when the write failed (replies stay held; it is retried). */
  private writePending(): boolean {
    if (this.pending.length === 0) return true;
    const data = this.pending.bytes();
    let offset = 0;
    try {
      while (offset < data.length) offset += writeSync(this.fd, data, offset);
      if (this.fsyncPolicy() === 'always') fdatasyncSync(this.fd);
      else this.unsynced = true;
      this.currentSize += data.length;
      this.pending.drop(data.length);
      if (this.lastWriteStatus === 'err')
        this.log('notice', 'AOF write error looks solved. Redis can write again.');
      this.lastWriteStatus = 'ok';
      return true;
    } catch (error) {
      // Keep what was not written (a short write leaves a partial command: the retry completes it).
      this.pending.drop(offset);
      this.currentSize += offset;
      if (this.lastWriteStatus === 'ok') {
        this.log(
          'warning',
          `Error writing to the AOF file: ${(error as Error).message}; retrying every 100 ms`,
        );
      }
      this.lastWriteStatus = 'err';
      this.lastWriteError = strerror(error);
      this.retryTimer = setTimeout(() => {
        this.retryTimer = undefined;
        this.scheduleWrite();
      }, 100);
      return false;
    }
  }

  private fsyncPolicy(): FsyncPolicy {
    const config = this.engine.config;
    if (this.policyVersion !== config.version) {
      this.policy = config.get('appendfsync') as FsyncPolicy;
      this.policyVersion = config.version;
    }
    return this.policy;
  }

  /** Once a second: everysec's fsync (off the event loop), and the automatic rewrite check. */
  private tick(): void {
    if (this.closed) return;
    if (this.unsynced && this.fsyncPolicy() === 'everysec') {
      if (this.syncInFlight) this.delayedFsync++;
      else {
        this.unsynced = false;
        this.syncInFlight = true;
        const fd = this.fd;
        fdatasync(fd, () => {
          this.syncInFlight = false;
          if (fd !== this.fd) closeQuietly(fd);
        });
      }
    }
    if (!this.rewrite && this.shouldRewrite()) {
      this.log('notice', `Starting automatic rewriting of AOF on ${this.growthPercent()}% growth`);
      this.startRewrite();
    }
  }

  private growthPercent(): number {
    const base = this.baseSize > 0 ? this.baseSize : 1;
    return Math.floor(((this.currentSize - base) * 100) / base);
  }

  private shouldRewrite(): boolean {
    const percentage = this.engine.config.number('auto-aof-rewrite-percentage');
    if (percentage <= 0 || this.currentSize < this.engine.config.number('auto-aof-rewrite-min-size'))
      return false;
    return this.growthPercent() >= percentage;
  }

  // --- Rewrite ---

  /** BGREWRITEAOF: false when one is already running. */
  startRewrite(): boolean {
    if (this.rewrite || this.closed) return false;
    this.rewrite = new RewriteJob(this.engine, join(this.dir, `temp-rewriteaof-bg-${process.pid}.aof`));
    this.log('notice', 'Background append only file rewriting started');
    setImmediate(this.rewriteStep);
    return true;
  }

  private readonly rewriteStep = (): void => {
    const job = this.rewrite;
    if (!job || this.closed) return;
    try {
      if (this.rewriteRestart) {
        this.rewriteRestart = false;
        job.abort();
        this.rewrite = new RewriteJob(this.engine, job.tempPath);
        setImmediate(this.rewriteStep);
        return;
      }
      if (!job.step(REWRITE_SLICE_MS)) {
        setImmediate(this.rewriteStep);
        return;
      }
      // A script that yields holds its writes back until it ends: switch only between whole units.
      if (this.engine.busyScript) {
        setTimeout(this.rewriteStep, 1);
        return;
      }
      this.propagator.settle();
      this.switchToRewritten(job);
    } catch (error) {
      this.rewriteFailed(job, error as Error);
    }
  };

  /**
   * The final step, synchronous: pending writes go to the old incr file (which, with the old base, stays
   * the AOF until the new manifest is in place), the new base is completed and synced, then the manifest
   * names the new base and a new, empty incr file, atomically; the old files are then removed.
   */
  private switchToRewritten(job: RewriteJob): void {
    const previousPending = this.pending.length > 0;
    if (previousPending && !this.writePending()) throw new Error('cannot write pending commands to the AOF');
    const baseBytes = job.finish();
    const seqOf = (type: AofFile['type']) =>
      Math.max(0, ...this.files.filter((f) => f.type === type).map((f) => f.seq));
    const baseSeq = seqOf('b') + 1;
    const incrSeq = seqOf('i') + 1;
    const base: AofFile = { name: `${this.fileName}.${baseSeq}.base.aof`, seq: baseSeq, type: 'b' };
    const incr: AofFile = { name: `${this.fileName}.${incrSeq}.incr.aof`, seq: incrSeq, type: 'i' };
    renameSync(job.tempPath, join(this.dir, base.name));
    const newFd = openSync(join(this.dir, incr.name), 'a');
    try {
      writeFileAtomic(this.dir, `${this.fileName}.manifest`, formatManifest([base, incr]));
    } catch (error) {
      closeQuietly(newFd);
      throw error;
    }
    if (this.fsyncPolicy() !== 'no' && this.unsynced) fdatasyncSync(this.fd);
    const oldFd = this.fd;
    const old = this.files;
    this.fd = newFd;
    this.files = [base, incr];
    this.selectedDb = -1;
    this.unsynced = false;
    if (!this.syncInFlight) closeQuietly(oldFd);
    for (const f of old) {
      try {
        unlinkSync(join(this.dir, f.name));
      } catch {
        // already gone
      }
    }
    syncDirectory(this.dir);
    this.currentSize = baseBytes;
    this.baseSize = baseBytes;
    this.rewrite = undefined;
    this.rewrites++;
    this.rewriteFailures = 0;
    this.lastRewriteStatus = 'ok';
    this.lastRewriteSeconds = Math.round((Date.now() - job.startedAt) / 1000);
    this.log(
      'notice',
      `Background AOF rewrite finished successfully (${job.keysWritten} keys, ${baseBytes} bytes)`,
    );
    if (previousPending) {
      const released = [...this.holders];
      this.holders.clear();
      for (const release of released) release();
    }
  }

  private rewriteFailed(job: RewriteJob, error: Error): void {
    job.abort();
    this.rewrite = undefined;
    this.rewriteFailures++;
    this.lastRewriteStatus = 'err';
    this.log('warning', `Background AOF rewrite failed: ${error.message}`);
  }

  /** Waits until everything logged so far is written and fsynced (in-process users call this). */
  async sync(): Promise<void> {
    this.propagator.settle();
    if (!this.writePending()) throw new Error('the AOF cannot be written');
    await new Promise<void>((resolve, reject) => fdatasync(this.fd, (e) => (e ? reject(e) : resolve())));
  }

  /** Writes and fsyncs what is pending, stops logging and closes the file (the engine stays usable). */
  close(): void {
    if (this.closed) return;
    this.propagator.settle();
    this.writePending();
    this.closed = true;
    clearInterval(this.cron);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.rewrite?.abort();
    this.rewrite = undefined;
    try {
      fdatasyncSync(this.fd);
    } finally {
      closeQuietly(this.fd);
    }
    if (this.engine.writeObserver === this.propagator) this.engine.writeObserver = undefined;
    if (this.engine.replyBarrier === this) this.engine.replyBarrier = undefined;
    const guards = this.engine.writeGuards;
    if (guards.includes(this)) guards.splice(guards.indexOf(this), 1);
    attached.delete(this.engine);
    const released = [...this.holders];
    this.holders.clear();
    for (const release of released) release();
  }
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
}

/** Leftovers of a rewrite interrupted by a crash. */
function removeTempFiles(dir: string): void {
  for (const name of readdirSync(dir)) {
    if (name.startsWith('temp-')) {
      try {
        unlinkSync(join(dir, name));
      } catch {
        // ignore
      }
    }
  }
}

/** Opens the engine's AOF when its configuration says `appendonly yes`; undefined otherwise. */
export async function openPersistence(
  engine: Engine,
  options: AofOptions = {},
): Promise<AppendOnlyFile | undefined> {
  if (engine.config.get('appendonly') !== 'yes') return undefined;
  return AppendOnlyFile.open(engine, options);
}
