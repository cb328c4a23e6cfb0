import { closeSync, fdatasyncSync, openSync, unlinkSync, writeSync } from 'node:fs';
import type { Engine } from '../engine.js';
import type { Database } from '../keyspace/database.js';
import { encodeCommand } from './resp-file.js';
import { serializeFunctions, serializeKey } from './serialize.js';

/** Below this many keys changed during the rewrite, the final (synchronous) step writes them at once. */
const FINAL_TOUCHED = 512;
/** Rounds of writing changed keys in slices before the final step takes whatever is left. */
const MAX_TAIL_ROUNDS = 16;
const OUTPUT_CHUNK = 1 << 20;

/**
 * An AOF rewrite without fork: the dataset is written out in slices between other clients' commands.
 * Keys changed after the rewrite started are remembered (`keyChanged`) and skipped by the scan; they are
 * written last (DEL + current state), in slices while many remain, then the rest in one final step. The
 * file then holds the dataset as it is at that final step, when persistence switches to it.
 */
export class RewriteJob {
  private readonly touched: Set<string>[];
  private dbIndex = 0;
  private keys: IterableIterator<string> | undefined;
  private scanning = true;
  private tail: Array<[Database, string]> = [];
  private tailAt = 0;
  private tailRounds = 0;
  private out: string[] = [];
  private outBytes = 0;
  private selected = -1;
  private fd: number | undefined;
  written = 0;
  keysWritten = 0;
  readonly startedAt = Date.now();

  constructor(
    private readonly engine: Engine,
    readonly tempPath: string,
  ) {
    this.touched = engine.databases.map(() => new Set<string>());
    this.fd = openSync(tempPath, 'w');
  }

  keyChanged(db: Database, key: string): void {
    this.touched[db.index]?.add(key);
  }

  /** Works for about `budgetMs`; true when only the final step is left. */
  step(budgetMs: number): boolean {
    const deadline = performance.now() + budgetMs;
    let n = 0;
    if (this.scanning) {
      while (this.dbIndex < this.engine.databases.length) {
        const db = this.engine.databases[this.dbIndex]!;
        this.keys ??= db.data.keys();
        const touched = this.touched[this.dbIndex]!;
        for (let next = this.keys.next(); !next.done; next = this.keys.next()) {
          const key = next.value;
          if (!touched.has(key)) this.writeKey(db, key, false);
          if ((++n & 31) === 0 && performance.now() > deadline) {
            this.drain(false);
            return false;
          }
        }
        this.keys = undefined;
        this.dbIndex++;
      }
      this.scanning = false;
    }
    for (;;) {
      while (this.tailAt < this.tail.length) {
        const [db, key] = this.tail[this.tailAt++]!;
        this.writeKey(db, key, true);
        if ((++n & 31) === 0 && performance.now() > deadline) {
          this.drain(false);
          return false;
        }
      }
      if (this.touchedCount() <= FINAL_TOUCHED || this.tailRounds >= MAX_TAIL_ROUNDS) {
        this.drain(false);
        return true;
      }
      this.tailRounds++;
      this.tail = this.takeTouched();
      this.tailAt = 0;
    }
  }

  /**
   * The final step, run in one go with nothing else between it and the switch to the new file: the keys
   * changed since they were written, the functions, then fsync. Returns the file's size.
   */
  finish(): number {
    for (; this.tailAt < this.tail.length; this.tailAt++) {
      const [db, key] = this.tail[this.tailAt]!;
      this.writeKey(db, key, true);
    }
    for (const [db, key] of this.takeTouched()) this.writeKey(db, key, true);
    serializeFunctions(this.engine, (argv) => this.write(0, argv));
    this.drain(true);
    fdatasyncSync(this.fd!);
    closeSync(this.fd!);
    this.fd = undefined;
    return this.written;
  }

  abort(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    try {
      unlinkSync(this.tempPath);
    } catch {
      // already gone
    }
  }

  private touchedCount(): number {
    let n = 0;
    for (const set of this.touched) n += set.size;
    return n;
  }

  private takeTouched(): Array<[Database, string]> {
    const taken: Array<[Database, string]> = [];
    for (let i = 0; i < this.touched.length; i++) {
      const set = this.touched[i]!;
      if (set.size === 0) continue;
      const db = this.engine.databases[i]!;
      for (const key of set) taken.push([db, key]);
      this.touched[i] = new Set();
    }
    return taken;
  }

  private writeKey(db: Database, key: string, replace: boolean): void {
    if (replace) this.write(db.index, ['DEL', key]);
    const value = db.data.get(key);
    if (value === undefined) return;
    serializeKey(key, value, db.expires.get(key), (argv) => this.write(db.index, argv));
    this.keysWritten++;
  }

  private write(db: number, argv: string[]): void {
    if (db !== this.selected) {
      this.push(encodeCommand(['SELECT', String(db)]));
      this.selected = db;
    }
    this.push(encodeCommand(argv));
  }

  private push(command: string): void {
    this.out.push(command);
    this.outBytes += command.length;
    if (this.outBytes >= OUTPUT_CHUNK) this.drain(false);
  }

  private drain(_final: boolean): void {
    if (this.out.length === 0) return;
    const data = Buffer.from(this.out.join(''), 'latin1');
    this.out = [];
    this.outBytes = 0;
    let offset = 0;
    while (offset < data.length) offset += writeSync(this.fd!, data, offset);
    this.written += data.length;
  }
}
