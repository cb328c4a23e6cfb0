/** A growable byte buffer for building listpacks, intsets and RDB payloads. */
export class ByteWriter {
  buf: Buffer;
  length = 0;

  constructor(capacity = 256) {
    this.buf = Buffer.allocUnsafe(capacity);
  }

  ensure(extra: number): void {
    const need = this.length + extra;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.length++] = v;
  }

  u16le(v: number): void {
    this.ensure(2);
    this.buf.writeUInt16LE(v, this.length);
    this.length += 2;
  }

  u32le(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32LE(v >>> 0, this.length);
    this.length += 4;
  }

  u32be(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32BE(v >>> 0, this.length);
    this.length += 4;
  }

  i64le(v: bigint): void {
    this.ensure(8);
    this.buf.writeBigInt64LE(v, this.length);
    this.length += 8;
  }

  u64be(v: bigint): void {
    this.ensure(8);
    this.buf.writeBigUInt64BE(BigInt.asUintN(64, v), this.length);
    this.length += 8;
  }

  f64le(v: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(v, this.length);
    this.length += 8;
  }

  /** A binary (latin1) string, one byte per char. */
  latin1(s: string): void {
    this.ensure(s.length);
    if (s.length < 32) {
      for (let i = 0; i < s.length; i++) this.buf[this.length + i] = s.charCodeAt(i);
      this.length += s.length;
    } else this.length += this.buf.write(s, this.length, s.length, 'latin1');
  }

  bytes(data: Uint8Array): void {
    this.ensure(data.length);
    this.buf.set(data, this.length);
    this.length += data.length;
  }

  /** The bytes written so far (a view: copy it before writing more if it must be kept). */
  view(): Buffer {
    return this.buf.subarray(0, this.length);
  }

  reset(): void {
    this.length = 0;
  }
}

/** Thrown for any malformed encoding (RESTORE answers "Bad data format", loading refuses the file). */
export class RdbFormatError extends Error {}

export function bad(what: string): never {
  throw new RdbFormatError(what);
}

/** A canonical int64 decimal string, as Redis's string2ll accepts it: its value, else undefined. */
export function parseCanonicalInt(s: string): number | bigint | undefined {
  const len = s.length;
  if (len === 0 || len > 20) return undefined;
  let i = 0;
  const negative = s.charCodeAt(0) === 45;
  if (negative) {
    if (len === 1) return undefined;
    i = 1;
  }
  const first = s.charCodeAt(i);
  if (first === 48) return len === 1 ? 0 : undefined;
  if (first < 49 || first > 57) return undefined;
  for (let j = i + 1; j < len; j++) {
    const c = s.charCodeAt(j);
    if (c < 48 || c > 57) return undefined;
  }
  if (len - i < 16) return Number(s);
  const big = BigInt(s);
  if (big > 9223372036854775807n || big < -9223372036854775808n) return undefined;
  return big;
}
