/**
 * CRC-64 as Redis computes it for RDB files and DUMP payloads: the Jones polynomial
 * (0xad93d23594c935a9), reflected input and output, initial value 0, no final xor.
 * The 64-bit state is kept as two 32-bit halves so the table-driven loop stays in small integers.
 */
const TABLE_HI = new Uint32Array(256);
const TABLE_LO = new Uint32Array(256);

// The polynomial bit-reversed (reflected form): 0x95ac9329ac4bc9b5.
const POLY_HI = 0x95ac9329;
const POLY_LO = 0xac4bc9b5;

for (let i = 0; i < 256; i++) {
  let hi = 0;
  let lo = i;
  for (let bit = 0; bit < 8; bit++) {
    const carry = lo & 1;
    lo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0;
    hi >>>= 1;
    if (carry) {
      hi = (hi ^ POLY_HI) >>> 0;
      lo = (lo ^ POLY_LO) >>> 0;
    }
  }
  TABLE_HI[i] = hi;
  TABLE_LO[i] = lo;
}

/** A running CRC-64 (feed it chunk by chunk). */
export class Crc64 {
  private hi = 0;
  private lo = 0;

  update(data: Uint8Array, start = 0, end = data.length): this {
    let hi = this.hi;
    let lo = this.lo;
    for (let i = start; i < end; i++) {
      const index = (lo ^ data[i]!) & 0xff;
      lo = ((lo >>> 8) | (hi << 24)) ^ TABLE_LO[index]!;
      hi = (hi >>> 8) ^ TABLE_HI[index]!;
    }
    this.hi = hi >>> 0;
    this.lo = lo >>> 0;
    return this;
  }

  /** The 8 bytes Redis stores after the data: the CRC, little-endian. */
  digestBytes(): Buffer {
    const out = Buffer.allocUnsafe(8);
    out.writeUInt32LE(this.lo, 0);
    out.writeUInt32LE(this.hi, 4);
    return out;
  }

  digest(): bigint {
    return (BigInt(this.hi) << 32n) | BigInt(this.lo);
  }
}

export function crc64(data: Uint8Array, start = 0, end = data.length): bigint {
  return new Crc64().update(data, start, end).digest();
}
