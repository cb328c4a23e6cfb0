import { bad } from './bytes.js';

/** Buffer#latin1Slice: the fastest way to a one-byte string; it exists at run time but not in @types/node. */
const latin1Slice = (
  Buffer.prototype as unknown as { latin1Slice(this: Buffer, start: number, end: number): string }
).latin1Slice;

export function latin1(buf: Buffer, start: number, end: number): string {
  return latin1Slice.call(buf, start, end);
}

import { ENC_INT8, ENC_INT16, ENC_INT32, ENC_LZF, LEN_32BIT, LEN_64BIT } from './constants.js';
import { lzfDecompress } from './lzf.js';

/** Reads RDB primitives from a buffer; every read past the end throws RdbFormatError('short read'). */
export class RdbReader {
  pos: number;

  constructor(
    readonly buf: Buffer,
    start = 0,
    readonly end = buf.length,
  ) {
    this.pos = start;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number): void {
    if (this.pos + n > this.end) bad('short read');
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  bytes(n: number): Buffer {
    this.need(n);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  i64le(): bigint {
    this.need(8);
    const v = this.buf.readBigInt64LE(this.pos);
    this.pos += 8;
    return v;
  }

  u32le(): number {
    this.need(4);
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  f64le(): number {
    this.need(8);
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  /** A length, or (encoded = true) the special string encoding in its low bits. */
  private lenOrEncoding(): { value: number | bigint; encoded: boolean } {
    const first = this.u8();
    const kind = first >> 6;
    if (kind === 0) return { value: first & 0x3f, encoded: false };
    if (kind === 1) return { value: ((first & 0x3f) << 8) | this.u8(), encoded: false };
    if (kind === 3) return { value: first & 0x3f, encoded: true };
    if (first === LEN_32BIT) {
      this.need(4);
      const v = this.buf.readUInt32BE(this.pos);
      this.pos += 4;
      return { value: v, encoded: false };
    }
    if (first === LEN_64BIT) {
      this.need(8);
      const v = this.buf.readBigUInt64BE(this.pos);
      this.pos += 8;
      return { value: v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v, encoded: false };
    }
    return bad('unknown length encoding');
  }

  /** A length that must fit in a JS number (counts, sizes). */
  len(): number {
    const { value, encoded } = this.lenOrEncoding();
    if (encoded || typeof value !== 'number') bad('bad length');
    return value;
  }

  /** A 64-bit unsigned length (IDs, counters). */
  lenBig(): bigint {
    const { value, encoded } = this.lenOrEncoding();
    if (encoded) bad('bad length');
    return BigInt(value);
  }

  /** A string as bytes (listpacks, intsets …), decompressing LZF. */
  blob(): Buffer {
    const { value, encoded } = this.lenOrEncoding();
    if (!encoded) {
      if (typeof value !== 'number') bad('string too long');
      return this.bytes(value);
    }
    if (value === ENC_LZF) {
      const packed = this.len();
      const length = this.len();
      const data = this.bytes(packed);
      // A back-reference of 2-3 bytes expands to at most 264: a larger claim is bad data, not an allocation.
      if (length > packed * 132 + 32) bad('LZF length out of range');
      try {
        return lzfDecompress(data, length);
      } catch {
        return bad('invalid LZF compressed string');
      }
    }
    return Buffer.from(this.integerString(value as number), 'latin1');
  }

  /** A string (binary, one char per byte). */
  string(): string {
    const buf = this.buf;
    const first = this.pos < this.end ? buf[this.pos]! : bad('short read');
    if (first < 0x40) {
      const start = this.pos + 1;
      const stop = start + first;
      if (stop > this.end) bad('short read');
      this.pos = stop;
      return latin1(buf, start, stop);
    }
    const start = this.pos;
    const { value, encoded } = this.lenOrEncoding();
    if (encoded && value !== ENC_LZF) return this.integerString(value as number);
    if (!encoded && typeof value === 'number') {
      if (this.pos + value > this.end) bad('short read');
      const s = latin1(buf, this.pos, this.pos + value);
      this.pos += value;
      return s;
    }
    this.pos = start;
    const bytes = this.blob();
    return latin1(bytes, 0, bytes.length);
  }

  private integerString(encoding: number): string {
    if (encoding === ENC_INT8) {
      this.need(1);
      return String(this.buf.readInt8(this.pos++));
    }
    if (encoding === ENC_INT16) {
      this.need(2);
      const v = this.buf.readInt16LE(this.pos);
      this.pos += 2;
      return String(v);
    }
    if (encoding === ENC_INT32) {
      this.need(4);
      const v = this.buf.readInt32LE(this.pos);
      this.pos += 4;
      return String(v);
    }
    return bad('unknown string encoding');
  }

  /** The old ZSET type's score: a length byte and its decimal text (253 nan, 254 inf, 255 -inf). */
  textDouble(): number {
    const len = this.u8();
    if (len === 253) return Number.NaN;
    if (len === 254) return Infinity;
    if (len === 255) return -Infinity;
    return Number(latin1(this.bytes(len), 0, len));
  }
}
