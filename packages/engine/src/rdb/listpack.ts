import { ByteWriter, bad, parseCanonicalInt } from './bytes.js';

/** Listpack header: total bytes (u32) and element count (u16); then elements; then 0xff. */
const HEADER = 6;
const END = 0xff;

/** Bytes of the back-length that follows an element of `l` bytes. */
function backlenSize(l: number): number {
  return l <= 127 ? 1 : l < 16383 ? 2 : l < 2097151 ? 3 : l < 268435455 ? 4 : 5;
}

/**
 * Builds a listpack as Redis's lpAppend does: a string that reads as a canonical int64 is stored as the
 * smallest integer encoding, anything else as a string with a 6-, 12- or 32-bit length.
 */
export class ListpackBuilder {
  private readonly w = new ByteWriter(64);
  count = 0;

  constructor() {
    this.w.length = HEADER;
  }

  /** Empties the builder for reuse (the last `finish()` result becomes invalid). */
  reset(): this {
    this.w.length = HEADER;
    this.count = 0;
    return this;
  }

  /** Bytes so far including the end byte (Redis's lpBytes). */
  get bytes(): number {
    return this.w.length + 1;
  }

  append(s: string): void {
    const n = s.length <= 20 ? parseCanonicalInt(s) : undefined;
    if (n !== undefined) this.appendInteger(n);
    else this.appendString(s);
  }

  appendString(s: string): void {
    const w = this.w;
    const len = s.length;
    let l: number;
    if (len < 64) {
      w.u8(0x80 | len);
      l = 1 + len;
    } else if (len < 4096) {
      w.u8(0xe0 | (len >> 8));
      w.u8(len & 0xff);
      l = 2 + len;
    } else {
      w.u8(0xf0);
      w.u32le(len);
      l = 5 + len;
    }
    w.latin1(s);
    this.backlen(l);
    this.count++;
  }

  appendInteger(value: number | bigint): void {
    const w = this.w;
    const v =
      typeof value === 'bigint' && value >= -0x80000000n && value <= 0x7fffffffn ? Number(value) : value;
    let l: number;
    if (typeof v === 'bigint' || v < -2147483648 || v > 2147483647) {
      w.u8(0xf4);
      w.i64le(BigInt(v));
      l = 9;
    } else if (v >= 0 && v <= 127) {
      w.u8(v);
      l = 1;
    } else if (v >= -4096 && v <= 4095) {
      const u = v < 0 ? (1 << 13) + v : v;
      w.u8(0xc0 | (u >> 8));
      w.u8(u & 0xff);
      l = 2;
    } else if (v >= -32768 && v <= 32767) {
      w.u8(0xf1);
      w.u16le(v < 0 ? (1 << 16) + v : v);
      l = 3;
    } else if (v >= -8388608 && v <= 8388607) {
      const u = v < 0 ? (1 << 24) + v : v;
      w.u8(0xf2);
      w.u8(u & 0xff);
      w.u8((u >> 8) & 0xff);
      w.u8((u >> 16) & 0xff);
      l = 4;
    } else {
      w.u8(0xf3);
      w.u32le(v < 0 ? 0x100000000 + v : v);
      l = 5;
    }
    this.backlen(l);
    this.count++;
  }

  /** Bytes an element would add (encoding, data and back-length), without adding it. */
  static sizeOf(s: string): number {
    const n = s.length <= 20 ? parseCanonicalInt(s) : undefined;
    let l: number;
    if (n !== undefined) {
      const v = Number(n);
      l =
        v >= 0 && v <= 127
          ? 1
          : v >= -4096 && v <= 4095
            ? 2
            : v >= -32768 && v <= 32767
              ? 3
              : v >= -8388608 && v <= 8388607
                ? 4
                : v >= -2147483648 && v <= 2147483647
                  ? 5
                  : 9;
    } else {
      const len = s.length;
      l = len < 64 ? 1 + len : len < 4096 ? 2 + len : 5 + len;
    }
    return l + backlenSize(l);
  }

  private backlen(l: number): void {
    const w = this.w;
    if (l <= 127) w.u8(l);
    else if (l < 16383) {
      w.u8(l >> 7);
      w.u8((l & 127) | 128);
    } else if (l < 2097151) {
      w.u8(l >> 14);
      w.u8(((l >> 7) & 127) | 128);
      w.u8((l & 127) | 128);
    } else if (l < 268435455) {
      w.u8(l >> 21);
      w.u8(((l >> 14) & 127) | 128);
      w.u8(((l >> 7) & 127) | 128);
      w.u8((l & 127) | 128);
    } else {
      w.u8(Math.floor(l / 2 ** 28));
      w.u8(((l >> 21) & 127) | 128);
      w.u8(((l >> 14) & 127) | 128);
      w.u8(((l >> 7) & 127) | 128);
      w.u8((l & 127) | 128);
    }
  }

  /** The finished listpack (a view into the builder's buffer). */
  finish(): Buffer {
    const w = this.w;
    w.u8(END);
    w.buf.writeUInt32LE(w.length, 0);
    w.buf.writeUInt16LE(this.count < 65535 ? this.count : 65535, 4);
    return w.view();
  }
}

/** The elements of a listpack as strings (integers in decimal). Throws RdbFormatError when malformed. */
export function decodeListpack(lp: Uint8Array): string[] {
  if (lp.length < HEADER + 1) bad('listpack too short');
  const view = Buffer.from(lp.buffer, lp.byteOffset, lp.length);
  const total = view.readUInt32LE(0);
  if (total !== lp.length) bad('listpack size mismatch');
  const declared = view.readUInt16LE(4);
  const out: string[] = [];
  let p = HEADER;
  const end = lp.length - 1;
  while (p < end) {
    const start = p;
    const b = lp[p]!;
    let value: string;
    if (b < 0x80) {
      value = String(b);
      p += 1;
    } else if (b < 0xc0) {
      const len = b & 0x3f;
      p += 1;
      if (p + len > end) bad('listpack string past the end');
      value = view.toString('latin1', p, p + len);
      p += len;
    } else if (b < 0xe0) {
      if (p + 2 > end) bad('listpack truncated');
      let v = ((b & 0x1f) << 8) | lp[p + 1]!;
      if (v >= 1 << 12) v -= 1 << 13;
      value = String(v);
      p += 2;
    } else if (b < 0xf0) {
      if (p + 2 > end) bad('listpack truncated');
      const len = ((b & 0x0f) << 8) | lp[p + 1]!;
      p += 2;
      if (p + len > end) bad('listpack string past the end');
      value = view.toString('latin1', p, p + len);
      p += len;
    } else if (b === 0xf0) {
      if (p + 5 > end) bad('listpack truncated');
      const len = view.readUInt32LE(p + 1);
      p += 5;
      if (p + len > end) bad('listpack string past the end');
      value = view.toString('latin1', p, p + len);
      p += len;
    } else if (b === 0xf1) {
      if (p + 3 > end) bad('listpack truncated');
      value = String(view.readInt16LE(p + 1));
      p += 3;
    } else if (b === 0xf2) {
      if (p + 4 > end) bad('listpack truncated');
      value = String(view.readIntLE(p + 1, 3));
      p += 4;
    } else if (b === 0xf3) {
      if (p + 5 > end) bad('listpack truncated');
      value = String(view.readInt32LE(p + 1));
      p += 5;
    } else if (b === 0xf4) {
      if (p + 9 > end) bad('listpack truncated');
      value = String(view.readBigInt64LE(p + 1));
      p += 9;
    } else bad('listpack bad encoding');
    const l = p - start;
    p += backlenSize(l);
    if (p > end) bad('listpack back-length past the end');
    out.push(value);
  }
  if (lp[end] !== END) bad('listpack without end byte');
  if (declared !== 65535 && declared !== out.length) bad('listpack count mismatch');
  return out;
}
