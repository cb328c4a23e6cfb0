import type { Engine } from '../engine.js';
import type { RedisValue } from '../keyspace/values.js';
import { REDIS_VERSION } from '../version.js';
import { ByteWriter, bad, RdbFormatError } from './bytes.js';
import { OPCODE, RDB_MAX_READ_VERSION, RDB_VERSION } from './constants.js';
import { Crc64 } from './crc64.js';
import { type DecodeLimits, decodeObject, EmptyKeyError } from './decode.js';
import { type EncodeOptions, RdbEncoder } from './encode.js';
import { readLibraryCode } from './payload.js';
import { RdbReader } from './reader.js';

/** Bytes gathered before they are handed to the sink. */
const CHUNK = 1 << 20;

/** One database as captured for a snapshot: keys, values (objects possibly pre-encoded), expiry times. */
export interface CapturedDb {
  index: number;
  keys: string[];
  /**
   * Strings as they are (immutable); other values live, or (BGSAVE) already encoded: then a number, the
   * index of their bytes (type byte + body) in `frozen`.
   */
  values: Array<RedisValue | number>;
  frozen: FrozenValues | undefined;
  expires: Array<number | undefined>;
  expiresCount: number;
  /** Under an LRU policy each key's idle seconds, under LFU its counter (Redis writes IDLE/FREQ opcodes). */
  access: { lfu: boolean; values: number[] } | undefined;
}

export interface RdbHeader {
  /** Seconds since the epoch, for the ctime aux field. */
  ctime: number;
  usedMemory: number;
  /** Library code of every function library (RDB_OPCODE_FUNCTION2 entries). */
  functions: string[];
}

/**
 * Writes an RDB file (version 10) as a stream of chunks: header, aux fields, functions, then each
 * database (SELECTDB, RESIZEDB, keys with their expiry), EOF and the CRC-64 of everything before it.
 */
export class RdbFileWriter {
  private readonly out = new ByteWriter(CHUNK + 4096);
  private readonly encoder: RdbEncoder;
  private readonly crc = new Crc64();
  keysWritten = 0;

  constructor(
    private readonly sink: (chunk: Buffer) => void,
    options: EncodeOptions,
    private readonly checksum: boolean,
  ) {
    this.encoder = new RdbEncoder(this.out, options);
  }

  header(h: RdbHeader): void {
    this.out.latin1(`REDIS${String(RDB_VERSION).padStart(4, '0')}`);
    this.aux('redis-ver', REDIS_VERSION);
    this.aux('redis-bits', '64');
    this.aux('ctime', String(h.ctime));
    this.aux('used-mem', String(h.usedMemory));
    this.aux('aof-base', '0');
    for (const code of h.functions) {
      this.out.u8(OPCODE.FUNCTION2);
      this.encoder.string(code);
    }
  }

  private aux(name: string, value: string): void {
    this.out.u8(OPCODE.AUX);
    this.encoder.string(name);
    this.encoder.string(value);
  }

  selectDb(index: number, size: number, expires: number): void {
    this.out.u8(OPCODE.SELECTDB);
    this.encoder.len(index);
    this.out.u8(OPCODE.RESIZEDB);
    this.encoder.len(size);
    this.encoder.len(expires);
  }

  key(
    key: string,
    value: RedisValue | Buffer,
    expireAt: number | undefined,
    lfu?: boolean,
    access = 0,
  ): void {
    const out = this.out;
    if (expireAt !== undefined) {
      out.u8(OPCODE.EXPIRETIME_MS);
      out.i64le(BigInt(expireAt));
    }
    if (lfu === false) {
      out.u8(OPCODE.IDLE);
      this.encoder.len(access);
    } else if (lfu === true) {
      out.u8(OPCODE.FREQ);
      out.u8(access);
    }
    if (Buffer.isBuffer(value)) {
      // Pre-encoded: the type byte comes first, then the key, then the body.
      out.u8(value[0]!);
      this.encoder.string(key);
      out.bytes(value.subarray(1));
    } else {
      out.u8(this.encoder.typeOf(value));
      this.encoder.string(key);
      this.encoder.body(value);
    }
    this.keysWritten++;
    if (out.length >= CHUNK) this.flush();
  }

  /** EOF, checksum, and the last chunk out. */
  finish(): void {
    this.out.u8(OPCODE.EOF);
    this.flush();
    const crc = this.checksum ? this.crc.digestBytes() : Buffer.alloc(8);
    this.sink(crc);
  }

  private flush(): void {
    if (this.out.length === 0) return;
    const chunk = Buffer.from(this.out.view());
    this.crc.update(chunk);
    this.out.reset();
    this.sink(chunk);
  }
}

/** Values encoded at capture time, back to back in one buffer: value i is bytes [starts[i], starts[i+1]). */
export class FrozenValues {
  readonly out = new ByteWriter(1 << 16);
  readonly starts: number[] = [];
  private readonly encoder: RdbEncoder;

  constructor(options: EncodeOptions) {
    this.encoder = new RdbEncoder(this.out, options);
  }

  add(value: RedisValue): number {
    this.starts.push(this.out.length);
    this.encoder.object(value);
    return this.starts.length - 1;
  }

  get(index: number): Buffer {
    const end = index + 1 < this.starts.length ? this.starts[index + 1]! : this.out.length;
    return this.out.buf.subarray(this.starts[index]!, end);
  }
}

/** What loading reports (INFO's rdb_last_load_keys_*, the log). */
export interface LoadReport {
  version: number;
  aux: Map<string, string>;
  keysLoaded: number;
  keysExpired: number;
  emptySkipped: number;
}

export interface LoadHooks {
  limits: DecodeLimits;
  /** The time keys expire against (ms). */
  now: number;
  /** Stores one key (already filtered for expiry). */
  store(db: number, key: string, value: RedisValue, expireAt: number | undefined, lru: LruInfo): void;
  /** A function library's code (RDB_OPCODE_FUNCTION2). */
  loadFunction(code: string): void;
  /** Called every ~1000 keys with the bytes read so far (for progress lines). */
  progress?(offset: number, size: number, keys: number): void;
  /** A database number beyond the configured count. */
  databases: number;
}

export interface LruInfo {
  idleSeconds: number | undefined;
  freq: number | undefined;
}

/** Thrown for files that cannot be loaded; `message` is what to log before refusing to start. */
export class RdbLoadError extends Error {}

/**
 * Loads a whole RDB file from memory. The checksum is verified first (unless the file was saved with
 * checksum disabled: zeros), so a damaged file is refused before anything is stored.
 */
export function loadRdb(data: Buffer, hooks: LoadHooks): LoadReport {
  if (data.length < 9 || data.toString('latin1', 0, 5) !== 'REDIS') {
    throw new RdbLoadError('Wrong signature trying to load DB from file');
  }
  const version = Number(data.toString('latin1', 5, 9));
  if (!Number.isInteger(version) || version < 1 || version > RDB_MAX_READ_VERSION) {
    throw new RdbLoadError(`Can't handle RDB format version ${data.toString('latin1', 5, 9)}`);
  }
  const r = new RdbReader(data, 9);
  const report: LoadReport = { version, aux: new Map(), keysLoaded: 0, keysExpired: 0, emptySkipped: 0 };
  let db = 0;
  let expireAt: number | undefined;
  const lru: LruInfo = { idleSeconds: undefined, freq: undefined };
  try {
    for (;;) {
      const type = r.u8();
      if (type === OPCODE.EXPIRETIME_MS) {
        expireAt = Number(r.i64le());
        continue;
      }
      if (type === OPCODE.EXPIRETIME) {
        expireAt = r.u32le() * 1000;
        continue;
      }
      if (type === OPCODE.IDLE) {
        lru.idleSeconds = r.len();
        continue;
      }
      if (type === OPCODE.FREQ) {
        lru.freq = r.u8();
        continue;
      }
      if (type === OPCODE.EOF) {
        // As Redis: the checksum is checked after the whole file was read (a cut file is a short read).
        if (version >= 5) verifyChecksum(data, r.pos, r.bytes(8));
        break;
      }
      if (type === OPCODE.SELECTDB) {
        db = r.len();
        if (db >= hooks.databases) {
          throw new RdbLoadError(
            `FATAL: Data file was created with a Redis server configured to handle more than ${hooks.databases} databases. Exiting`,
          );
        }
        continue;
      }
      if (type === OPCODE.RESIZEDB) {
        r.len();
        r.len();
        continue;
      }
      if (type === OPCODE.AUX) {
        const name = r.string();
        report.aux.set(name, r.string());
        continue;
      }
      if (type === OPCODE.FUNCTION2 || type === OPCODE.FUNCTION) {
        let code: string;
        try {
          code = readLibraryCode(r, type);
        } catch (error) {
          // Redis logs which part failed, then treats it as the file ending early.
          bad(`short read (${(error as Error).message})`);
        }
        hooks.loadFunction(code);
        continue;
      }
      if (type === OPCODE.MODULE_AUX) {
        throw new RdbLoadError(
          'The RDB file contains AUX module data this engine cannot load (modules are not supported)',
        );
      }
      const key = r.string();
      let value: RedisValue | undefined;
      try {
        value = decodeObject(type, r, hooks.limits);
      } catch (error) {
        if (!(error instanceof EmptyKeyError)) throw error;
        report.emptySkipped++;
      }
      if (value !== undefined) {
        if (expireAt !== undefined && expireAt < hooks.now) report.keysExpired++;
        else {
          hooks.store(db, key, value, expireAt, lru);
          report.keysLoaded++;
          if (hooks.progress && report.keysLoaded % 1024 === 0)
            hooks.progress(r.pos, data.length, report.keysLoaded);
        }
      }
      expireAt = undefined;
      lru.idleSeconds = undefined;
      lru.freq = undefined;
    }
  } catch (error) {
    if (error instanceof RdbFormatError) {
      if (error.message === 'short read') {
        throw new RdbLoadError(
          `Short read or OOM loading DB. Unrecoverable error, aborting now. (at offset ${r.pos} of ${data.length} bytes)`,
        );
      }
      throw new RdbLoadError(
        `Internal error in RDB reading offset ${r.pos}, function at rdb.c:0 -> ${error.message}. Unrecoverable error, aborting now.`,
      );
    }
    throw error;
  }
  return report;
}

function verifyChecksum(data: Buffer, end: number, footer: Buffer): void {
  const stored = footer.readBigUInt64LE(0);
  if (stored === 0n) return;
  const computed = new Crc64().update(data, 0, end).digest();
  if (computed !== stored) {
    throw new RdbLoadError(
      `Wrong RDB checksum expected: (${stored.toString(16)}) got: (${computed.toString(16)}). Aborting now.`,
    );
  }
}

/** The capture of one engine for a snapshot; objects encoded at once when `freezeObjects` (BGSAVE). */
export function captureDatabases(
  engine: Engine,
  options: EncodeOptions,
  freezeObjects: boolean,
): CapturedDb[] {
  const out: CapturedDb[] = [];
  const frozen = freezeObjects ? new FrozenValues(options) : undefined;
  for (const db of engine.databases) {
    if (db.data.size === 0) continue;
    const keys: string[] = new Array(db.data.size);
    const values: Array<RedisValue | number> = new Array(db.data.size);
    const expires: Array<number | undefined> = new Array(db.data.size);
    const hasExpires = db.expires.size > 0;
    const clocks = db.access;
    const access = clocks ? { lfu: clocks.lfu, values: new Array<number>(db.data.size) } : undefined;
    let i = 0;
    for (const [key, value] of db.data) {
      keys[i] = key;
      values[i] = frozen && typeof value !== 'string' ? frozen.add(value) : value;
      expires[i] = hasExpires ? db.expires.get(key) : undefined;
      if (access)
        access.values[i] = access.lfu ? clocks!.frequency(key) : Math.floor(clocks!.idleMs(key) / 1000);
      i++;
    }
    out.push({ index: db.index, keys, values, expires, expiresCount: db.expires.size, frozen, access });
  }
  return out;
}
