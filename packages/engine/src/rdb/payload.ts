import type { Config } from '../config.js';
import type { RedisValue } from '../keyspace/values.js';
import { ByteWriter } from './bytes.js';
import { OPCODE, RDB_VERSION } from './constants.js';
import { Crc64 } from './crc64.js';
import { type DecodeLimits, decodeLimits, decodeObject } from './decode.js';
import { type EncodeOptions, RdbEncoder } from './encode.js';
import { RdbReader } from './reader.js';

export function encodeOptions(config: Config): EncodeOptions {
  return {
    compression: config.get('rdbcompression') === 'yes',
    listFill: config.number('list-max-listpack-size'),
  };
}

/** DUMP's payload: the RDB-encoded value, the RDB version (2 bytes LE) and a CRC-64 of both (8 bytes LE). */
export function createDumpPayload(value: RedisValue, options: EncodeOptions): Buffer {
  const out = new ByteWriter(64);
  new RdbEncoder(out, options).object(value);
  return withFooter(out);
}

/** FUNCTION DUMP's payload: each library's code after RDB_OPCODE_FUNCTION2, then DUMP's footer. */
export function createFunctionsPayload(codes: readonly string[], options: EncodeOptions): Buffer {
  const out = new ByteWriter(64);
  const encoder = new RdbEncoder(out, options);
  for (const code of codes) {
    out.u8(OPCODE.FUNCTION2);
    encoder.string(code);
  }
  return withFooter(out);
}

function withFooter(out: ByteWriter): Buffer {
  out.u16le(RDB_VERSION);
  const crc = new Crc64().update(out.buf, 0, out.length).digestBytes();
  out.bytes(crc);
  return Buffer.from(out.view());
}

/**
 * Reads a verified FUNCTION RESTORE payload, handing each library's code to `load` as it is read (so a
 * library that fails to load is reported before a damaged entry after it, as Redis does). Throws
 * Error with Redis's message for anything that is not a library.
 */
export function readFunctionsPayload(payload: Buffer, load: (code: string) => void): void {
  // As in Redis, strings are read from the whole payload: a damaged length may run into the footer.
  const r = new RdbReader(payload);
  while (payload.length - r.pos > 10) {
    const type = r.u8();
    if (type !== OPCODE.FUNCTION && type !== OPCODE.FUNCTION2)
      throw new Error('given type is not a function');
    load(readLibraryCode(r, type));
  }
}

/**
 * A function library's code after its opcode (Redis's rdbFunctionLoad). RDB_OPCODE_FUNCTION is the
 * format of Redis 7.0's release candidates: name, engine and description apart from the code, which
 * gets the metadata line the released format carries. Throws Error with Redis's message.
 */
export function readLibraryCode(r: RdbReader, type: number): string {
  const read = <T>(what: string, step: () => T): T => {
    try {
      return step();
    } catch {
      throw new Error(`Failed loading ${what}`);
    }
  };
  if (type === OPCODE.FUNCTION2) return read('library payload', () => r.string());
  const name = read('library name', () => r.string());
  const engine = read('engine name', () => r.string());
  const hasDescription = read('library description indicator', () => r.len());
  if (hasDescription) read('library description', () => r.string());
  const code = read('library blob', () => r.string());
  return `#!${engine} name=${name}\n${code}`;
}

/** RESTORE's check: long enough, a version this engine reads, and (unless `skipChecksum`) a matching CRC. */
export function verifyDumpPayload(payload: Buffer, skipChecksum = false): boolean {
  if (payload.length < 10) return false;
  const footer = payload.length - 10;
  if (payload.readUInt16LE(footer) > RDB_VERSION) return false;
  if (skipChecksum) return true;
  const crc = new Crc64().update(payload, 0, payload.length - 8).digestBytes();
  return crc.equals(payload.subarray(payload.length - 8));
}

/** The value in a verified payload; throws RdbFormatError when it is malformed. */
export function decodeDumpPayload(payload: Buffer, limits: DecodeLimits): RedisValue {
  // As in Redis, the value is read from the whole payload: a damaged length may run into the footer.
  const r = new RdbReader(payload);
  const type = r.u8();
  return decodeObject(type, r, limits);
}

export { decodeLimits };
