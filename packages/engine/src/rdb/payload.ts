import type { Config } from '../config.js';
import type { RedisValue } from '../keyspace/values.js';
import { ByteWriter } from './bytes.js';
import { RDB_VERSION } from './constants.js';
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
  out.u16le(RDB_VERSION);
  const crc = new Crc64().update(out.buf, 0, out.length).digestBytes();
  out.bytes(crc);
  return Buffer.from(out.view());
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
