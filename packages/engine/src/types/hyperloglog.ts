/**
 * HyperLogLog in Redis 7.0's own byte format, so values move between Redis and the engine with GET/SET.
 *
 * A value is a string: a 16-byte header ("HYLL", encoding byte, 3 unused bytes, a little-endian 64-bit
 * cached cardinality whose top bit marks the cache stale), then either 16384 packed 6-bit registers
 * (dense, always 12304 bytes) or run-length opcodes (sparse): ZERO 00xxxxxx (1-64 zero registers),
 * XZERO 01xxxxxx yyyyyyyy (1-16384 zero registers), VAL 1vvvvvxx (1-4 registers of value 1-32).
 * Elements are hashed with MurmurHash64A (Redis's seed); the low 14 bits pick the register, the run of
 * zeros above them (plus one) is the register candidate. The count is Ertl's improved estimator.
 */

export const HLL_REGISTERS = 16384;
export const HLL_HEADER_BYTES = 16;
export const HLL_DENSE_BYTES = HLL_HEADER_BYTES + (HLL_REGISTERS * 6) / 8;
export const HLL_DENSE = 0;
export const HLL_SPARSE = 1;
/** The highest register value a sparse VAL opcode can hold. */
const SPARSE_VAL_MAX = 32;
const SPARSE_VAL_MAX_LEN = 4;
const SPARSE_ZERO_MAX_LEN = 64;
/** Highest register value the estimator looks at (64 - 14 + 1). */
const Q_PLUS_1 = 51;
const CACHE_STALE_BIT = 0x80;
const TWO_32 = 4294967296;
const TWO_63 = 2 ** 63;

// ---------------------------------------------------------------------------------------------------
// MurmurHash64A on 32-bit halves (no BigInt on the hot path).

const M_HI = 0xc6a4a793;
const M_LO = 0x5bd1e995;
const SEED = 0xadc83b19;
let mulHi = 0;
let mulLo = 0;

/** (hi, lo) * M mod 2^64, into mulHi/mulLo (unsigned). */
function mulM(hi: number, lo: number): void {
  const a0 = lo & 0xffff;
  const a1 = lo >>> 16;
  const p00 = a0 * 0xe995;
  const p01 = a0 * 0x5bd1;
  const p10 = a1 * 0xe995;
  const p11 = a1 * 0x5bd1;
  // The high word of lo * M_LO from 16-bit partial products (doubles hold them exactly).
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  const carry = p11 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16);
  mulLo = Math.imul(lo, M_LO) >>> 0;
  mulHi = (carry + Math.imul(hi, M_LO) + Math.imul(lo, M_HI)) >>> 0;
}

/** MurmurHash64A of a binary string with Redis's HLL seed, as [high, low] unsigned 32-bit halves. */
export function murmurHash64A(s: string): [hi: number, lo: number] {
  hashInto(s);
  return [hashHi, hashLo];
}

let hashHi = 0;
let hashLo = 0;

function hashInto(s: string): void {
  const len = s.length;
  mulM(0, len);
  let hh = mulHi;
  let hl = (mulLo ^ SEED) >>> 0;
  const blocks = len - (len & 7);
  for (let i = 0; i < blocks; i += 8) {
    const kl =
      s.charCodeAt(i) |
      (s.charCodeAt(i + 1) << 8) |
      (s.charCodeAt(i + 2) << 16) |
      (s.charCodeAt(i + 3) << 24);
    const kh =
      s.charCodeAt(i + 4) |
      (s.charCodeAt(i + 5) << 8) |
      (s.charCodeAt(i + 6) << 16) |
      (s.charCodeAt(i + 7) << 24);
    mulM(kh, kl);
    mulM(mulHi, mulLo ^ (mulHi >>> 15));
    mulM(hh ^ mulHi, hl ^ mulLo);
    hh = mulHi;
    hl = mulLo;
  }
  const rest = len & 7;
  if (rest !== 0) {
    const i = blocks;
    if (rest >= 7) hh ^= s.charCodeAt(i + 6) << 16;
    if (rest >= 6) hh ^= s.charCodeAt(i + 5) << 8;
    if (rest >= 5) hh ^= s.charCodeAt(i + 4);
    if (rest >= 4) hl ^= s.charCodeAt(i + 3) << 24;
    if (rest >= 3) hl ^= s.charCodeAt(i + 2) << 16;
    if (rest >= 2) hl ^= s.charCodeAt(i + 1) << 8;
    hl ^= s.charCodeAt(i);
    mulM(hh, hl);
    hh = mulHi;
    hl = mulLo;
  }
  mulM(hh, hl ^ (hh >>> 15));
  hashHi = mulHi;
  hashLo = (mulLo ^ (mulHi >>> 15)) >>> 0;
}

/**
 * The register an element updates and the value it proposes, packed as `count << 14 | index`: the
 * index is the hash's low 14 bits, the count is 1 + the number of zero bits above them (at most 51).
 */
export function elementPattern(element: string): number {
  hashInto(element);
  const index = hashLo & (HLL_REGISTERS - 1);
  const above = hashLo >>> 14;
  let count: number;
  if (above !== 0) count = 32 - Math.clz32(above & -above);
  else if (hashHi !== 0) count = 18 + 32 - Math.clz32(hashHi & -hashHi);
  else count = Q_PLUS_1;
  return (count << 14) | index;
}

// ---------------------------------------------------------------------------------------------------
// The estimator.

/** Ertl's sigma helper (arXiv:1702.01284). */
function sigma(x: number): number {
  if (x === 1) return Number.POSITIVE_INFINITY;
  let y = 1;
  let z = x;
  let previous: number;
  do {
    x *= x;
    previous = z;
    z += x * y;
    y += y;
  } while (previous !== z);
  return z;
}

/** Ertl's tau helper (arXiv:1702.01284). */
function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let y = 1;
  let z = 1 - x;
  let previous: number;
  do {
    x = Math.sqrt(x);
    previous = z;
    y *= 0.5;
    const d = 1 - x;
    z -= d * d * y;
  } while (previous !== z);
  return z / 3;
}

/** 0.5 / ln(2), the limit of alpha for many registers. */
const ALPHA_INF = 0.7213475204444817;

/**
 * Cardinality from a histogram of register values (64 bins). The result is an integer-valued double;
 * values of 2^63 and above (and the infinite estimate of a saturated sketch) stand for what Redis's
 * llroundl overflow gives: the bit pattern 2^63, replied as -9223372036854775808.
 */
export function estimate(histogram: Int32Array): number {
  const m = HLL_REGISTERS;
  let z = m * tau((m - histogram[Q_PLUS_1]) / m);
  for (let j = Q_PLUS_1 - 1; j >= 1; j--) {
    z += histogram[j];
    z *= 0.5;
  }
  z += m * sigma(histogram[0] / m);
  const e = Math.round((ALPHA_INF * m * m) / z);
  return e < TWO_63 ? e : TWO_63;
}

/** A cardinality as Redis replies it (a signed 64-bit integer). */
export function cardinalityReply(card: number): number | bigint {
  if (card <= Number.MAX_SAFE_INTEGER) return card;
  if (card >= TWO_63) return -(2n ** 63n);
  return BigInt(card);
}

// ---------------------------------------------------------------------------------------------------
// String-level checks (no copying).

/** Redis's isHLLObjectOrReply test on a string value. */
export function isHllString(value: string): boolean {
  if (value.length < HLL_HEADER_BYTES) return false;
  if (value.charCodeAt(0) !== 72 || value.charCodeAt(1) !== 89) return false; // 'HY'
  if (value.charCodeAt(2) !== 76 || value.charCodeAt(3) !== 76) return false; // 'LL'
  const encoding = value.charCodeAt(4);
  if (encoding > HLL_SPARSE) return false;
  return encoding !== HLL_DENSE || value.length === HLL_DENSE_BYTES;
}

/** The cached cardinality of a valid HLL string as Redis replies it, or undefined when the cache is stale. */
export function cachedCardinality(value: string): number | bigint | undefined {
  if (value.charCodeAt(15) & CACHE_STALE_BIT) return undefined;
  const lo =
    (value.charCodeAt(8) | (value.charCodeAt(9) << 8) | (value.charCodeAt(10) << 16)) +
    value.charCodeAt(11) * 2 ** 24;
  const hi =
    (value.charCodeAt(12) | (value.charCodeAt(13) << 8) | (value.charCodeAt(14) << 16)) +
    value.charCodeAt(15) * 2 ** 24;
  if (hi < 2 ** 21) return hi * TWO_32 + lo;
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/** A dense register read straight from the string (PFADD's no-change path avoids copying). */
export function denseRegisterOf(value: string, index: number): number {
  const bit = index * 6;
  const at = HLL_HEADER_BYTES + (bit >>> 3);
  const shift = bit & 7;
  const b1 = at + 1 < value.length ? value.charCodeAt(at + 1) : 0;
  return ((value.charCodeAt(at) >>> shift) | (b1 << (8 - shift))) & 63;
}

/** The value PFADD creates: sparse, all registers zero (one XZERO of 16384), cached cardinality 0. */
export const EMPTY_HLL = `HYLL\x01${'\x00'.repeat(11)}\x7f\xff`;

// ---------------------------------------------------------------------------------------------------
// Mutable bytes.

const OP_KIND = 0xc0;
const OP_XZERO = 0x40;
const OP_VAL = 0x80;

const valOpcode = (value: number, run: number): number => OP_VAL | ((value - 1) << 2) | (run - 1);

/**
 * The bytes of one HLL value being worked on. `bytes[length]` is always 0, like the terminator of a
 * Redis sds string that the register macros and opcode parser may read one byte past the end.
 */
export class HllBytes {
  bytes: Buffer;
  length = 0;

  constructor(capacity = HLL_DENSE_BYTES + 1) {
    this.bytes = Buffer.alloc(capacity);
  }

  /** Copies a string value in (reusing the buffer). */
  load(value: string): this {
    this.reserve(value.length + 4);
    this.bytes.write(value, 0, 'latin1');
    this.length = value.length;
    this.bytes[this.length] = 0;
    return this;
  }

  toString(): string {
    return this.bytes.toString('latin1', 0, this.length);
  }

  get encoding(): number {
    return this.bytes[4];
  }

  private reserve(size: number): void {
    if (this.bytes.length >= size + 1) return;
    const grown = Buffer.alloc(Math.max(size + 1, this.bytes.length * 2));
    this.bytes.copy(grown, 0, 0, this.length + 1);
    this.bytes = grown;
  }

  invalidateCache(): void {
    this.bytes[15] |= CACHE_STALE_BIT;
  }

  /** Stores a cardinality in the header cache (as estimate() returned it). */
  setCachedCardinality(card: number): void {
    const b = this.bytes;
    if (card >= TWO_63) {
      b.fill(0, 8, 15);
      b[15] = 0x80;
      return;
    }
    const lo = card % TWO_32;
    const hi = (card - lo) / TWO_32;
    b.writeUInt32LE(lo, 8);
    b.writeUInt32LE(hi, 12);
  }

  denseGet(index: number): number {
    const bit = index * 6;
    const at = HLL_HEADER_BYTES + (bit >>> 3);
    const shift = bit & 7;
    const b = this.bytes;
    return ((b[at] >>> shift) | (b[at + 1] << (8 - shift))) & 63;
  }

  denseSet(index: number, value: number): void {
    const bit = index * 6;
    const at = HLL_HEADER_BYTES + (bit >>> 3);
    const shift = bit & 7;
    const b = this.bytes;
    b[at] = (b[at] & ~(63 << shift)) | (value << shift);
    b[at + 1] = (b[at + 1] & ~(63 >>> (8 - shift))) | (value >>> (8 - shift));
  }

  /** Raises register `index` to `count` if lower: 1 when it changed, 0 when not, -1 on a corrupt sketch. */
  set(index: number, count: number, sparseMaxBytes: number): number {
    if (this.bytes[4] === HLL_DENSE) {
      if (count <= this.denseGet(index)) return 0;
      this.denseSet(index, count);
      return 1;
    }
    return this.sparseSet(index, count, sparseMaxBytes);
  }

  /** Converts sparse to dense in place; false (and unchanged) when the opcodes do not cover 16384 registers. */
  toDense(): boolean {
    if (this.bytes[4] === HLL_DENSE) return true;
    const src = this.bytes;
    const dense = new HllBytes(Math.max(HLL_DENSE_BYTES + 1, src.length));
    src.copy(dense.bytes, 0, 0, HLL_HEADER_BYTES);
    dense.bytes[4] = HLL_DENSE;
    dense.length = HLL_DENSE_BYTES;
    const covered = this.forEachSparseRun((index, run, value) => {
      if (value > 0) for (let i = 0; i < run; i++) dense.denseSet(index + i, value);
    });
    if (!covered) return false;
    this.bytes = dense.bytes;
    this.length = HLL_DENSE_BYTES;
    return true;
  }

  private promote(index: number, count: number): number {
    if (!this.toDense()) return -1;
    this.denseSet(index, count);
    return 1;
  }

  /** Redis's in-place sparse update: split the covering opcode, then merge equal neighbouring VALs. */
  private sparseSet(index: number, count: number, sparseMaxBytes: number): number {
    if (count > SPARSE_VAL_MAX) return this.promote(index, count);
    this.reserve(this.length + 3);
    const b = this.bytes;
    let end = this.length;

    // Find the opcode covering `index`.
    let p = HLL_HEADER_BYTES;
    let first = 0;
    let prev = -1;
    let span = 0;
    while (p < end) {
      const op = b[p];
      let size = 1;
      if ((op & OP_KIND) === 0) span = (op & 0x3f) + 1;
      else if (op & OP_VAL) span = (op & 3) + 1;
      else {
        span = (((op & 0x3f) << 8) | b[p + 1]) + 1;
        size = 2;
      }
      if (index <= first + span - 1) break;
      prev = p;
      p += size;
      first += span;
    }
    if (span === 0 || p >= end) return -1;

    const op = b[p];
    const kind = op & OP_KIND;
    const isXzero = kind === OP_XZERO;
    let next = isXzero ? p + 2 : p + 1;
    if (next >= end) next = -1;

    let updated = false;
    if (op & OP_VAL) {
      const old = ((op >>> 2) & 0x1f) + 1;
      if (old >= count) return 0;
      if ((op & 3) === 0) {
        b[p] = valOpcode(count, 1);
        updated = true;
      }
    } else if (kind === 0 && (op & 0x3f) === 0) {
      b[p] = valOpcode(count, 1);
      updated = true;
    }

    if (!updated) {
      // General case: replace the opcode by up to 5 bytes (XZERO-VAL-XZERO at worst).
      const seq = splitSequence;
      let n = 0;
      const last = first + span - 1;
      if (op & OP_VAL) {
        const current = ((op >>> 2) & 0x1f) + 1;
        if (index !== first) seq[n++] = valOpcode(current, index - first);
        seq[n++] = valOpcode(count, 1);
        if (index !== last) seq[n++] = valOpcode(current, last - index);
      } else {
        if (index !== first) n = writeZeros(seq, n, index - first);
        seq[n++] = valOpcode(count, 1);
        if (index !== last) n = writeZeros(seq, n, last - index);
      }
      const delta = n - (isXzero ? 2 : 1);
      if (delta > 0 && this.length + delta > sparseMaxBytes) return this.promote(index, count);
      if (delta !== 0 && next !== -1) b.copyWithin(next + delta, next, end);
      this.length += delta;
      for (let i = 0; i < n; i++) b[p + i] = seq[i];
      end += delta;
      b[end] = 0;
    }

    // Merge adjacent VAL opcodes of equal value, scanning up to 5 opcodes from the previous one.
    let q = prev >= 0 ? prev : HLL_HEADER_BYTES;
    let scan = 5;
    while (q < end && scan-- > 0) {
      const code = b[q];
      if ((code & OP_KIND) === OP_XZERO) {
        q += 2;
        continue;
      }
      if ((code & OP_KIND) === 0) {
        q++;
        continue;
      }
      if (q + 1 < end && b[q + 1] & OP_VAL) {
        const value = ((code >>> 2) & 0x1f) + 1;
        const nextCode = b[q + 1];
        if (value === ((nextCode >>> 2) & 0x1f) + 1) {
          const run = (code & 3) + (nextCode & 3) + 2;
          if (run <= SPARSE_VAL_MAX_LEN) {
            b[q + 1] = valOpcode(value, run);
            b.copyWithin(q, q + 1, end + 1);
            this.length--;
            end--;
            continue;
          }
        }
      }
      q++;
    }
    b[end] = 0;
    this.invalidateCache();
    return 1;
  }

  /**
   * Adds this sketch's registers into `histogram` (64 bins, not cleared here). For sparse sketches
   * returns false when the opcodes do not cover exactly 16384 registers.
   */
  histogram(histogram: Int32Array): boolean {
    const b = this.bytes;
    if (b[4] === HLL_DENSE) {
      for (let at = HLL_HEADER_BYTES; at < HLL_DENSE_BYTES; at += 3) {
        const x = b[at];
        const y = b[at + 1];
        const z = b[at + 2];
        histogram[x & 63]++;
        histogram[((x >>> 6) | (y << 2)) & 63]++;
        histogram[((y >>> 4) | (z << 4)) & 63]++;
        histogram[z >>> 2]++;
      }
      return true;
    }
    return this.forEachSparseRun((_index, run, value) => {
      histogram[value] += run;
    });
  }

  /** max[i] = max(max[i], register i); false for a sparse sketch that does not cover 16384 registers. */
  mergeInto(max: Uint8Array): boolean {
    const b = this.bytes;
    if (b[4] === HLL_DENSE) {
      let i = 0;
      for (let at = HLL_HEADER_BYTES; at < HLL_DENSE_BYTES; at += 3) {
        const x = b[at];
        const y = b[at + 1];
        const z = b[at + 2];
        const r0 = x & 63;
        const r1 = ((x >>> 6) | (y << 2)) & 63;
        const r2 = ((y >>> 4) | (z << 4)) & 63;
        const r3 = z >>> 2;
        if (r0 > max[i]) max[i] = r0;
        if (r1 > max[i + 1]) max[i + 1] = r1;
        if (r2 > max[i + 2]) max[i + 2] = r2;
        if (r3 > max[i + 3]) max[i + 3] = r3;
        i += 4;
      }
      return true;
    }
    return this.forEachSparseRun((index, run, value) => {
      for (let k = index; k < index + run; k++) if (value > max[k]) max[k] = value;
    });
  }

  /**
   * Walks a sparse sketch's runs in register order (zero runs have value 0). False when the opcodes do not
   * cover exactly 16384 registers (the CVE-2025-32023 checks of patched servers); nothing past the
   * overflowing run is visited.
   */
  private forEachSparseRun(visit: (index: number, run: number, value: number) => void): boolean {
    const b = this.bytes;
    const end = this.length;
    let index = 0;
    let p = HLL_HEADER_BYTES;
    while (p < end) {
      const op = b[p];
      let run: number;
      let value = 0;
      if ((op & OP_KIND) === 0) {
        run = (op & 0x3f) + 1;
        p++;
      } else if ((op & OP_KIND) === OP_XZERO) {
        run = (((op & 0x3f) << 8) | b[p + 1]) + 1;
        p += 2;
      } else {
        run = (op & 3) + 1;
        value = ((op >>> 2) & 0x1f) + 1;
        p++;
      }
      if (run + index > HLL_REGISTERS) return false;
      visit(index, run, value);
      index += run;
    }
    return index === HLL_REGISTERS;
  }

  /** PFDEBUG DECODE's text: "z:<run>", "Z:<run>" and "v:<value>,<run>" separated by spaces. */
  decodeSparse(): string {
    const parts: string[] = [];
    const b = this.bytes;
    const end = this.length;
    let p = HLL_HEADER_BYTES;
    while (p < end) {
      const op = b[p];
      if ((op & OP_KIND) === 0) {
        parts.push(`z:${(op & 0x3f) + 1}`);
        p++;
      } else if ((op & OP_KIND) === OP_XZERO) {
        parts.push(`Z:${(((op & 0x3f) << 8) | b[p + 1]) + 1}`);
        p += 2;
      } else {
        parts.push(`v:${((op >>> 2) & 0x1f) + 1},${(op & 3) + 1}`);
        p++;
      }
    }
    return parts.join(' ');
  }
}

const splitSequence = new Uint8Array(5);

function writeZeros(seq: Uint8Array, n: number, run: number): number {
  if (run > SPARSE_ZERO_MAX_LEN) {
    seq[n] = OP_XZERO | ((run - 1) >>> 8);
    seq[n + 1] = (run - 1) & 0xff;
    return n + 2;
  }
  seq[n] = run - 1;
  return n + 1;
}

// ---------------------------------------------------------------------------------------------------
// PFSELFTEST

/**
 * PFSELFTEST's checks, scaled down from Redis's (which adds 10 million elements): register packing
 * round-trips, sparse stays sparse while small, sparse and dense agree, and the error stays within six
 * standard errors. Returns Redis's failure message, or undefined when everything passes.
 */
export function runSelfTest(sparseMaxBytes = 3000): string | undefined {
  const dense = new HllBytes();
  dense.length = HLL_DENSE_BYTES;
  const expected = new Uint8Array(HLL_REGISTERS);
  for (let cycle = 0; cycle < 8; cycle++) {
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const r = Math.floor(Math.random() * 64);
      expected[i] = r;
      dense.denseSet(i, r);
    }
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const got = dense.denseGet(i);
      if (got !== expected[i]) return `TESTFAILED Register ${i} should be ${expected[i]} but is ${got}`;
    }
  }
  dense.bytes.fill(0);
  dense.bytes.write('HYLL', 0, 'latin1');
  const sparse = new HllBytes().load(EMPTY_HLL);
  const bins = new Int32Array(64);
  const count = (h: HllBytes): number => {
    bins.fill(0);
    h.histogram(bins);
    return estimate(bins);
  };
  const relativeError = 1.04 / Math.sqrt(HLL_REGISTERS);
  const seed = Math.floor(Math.random() * TWO_32);
  const element = Buffer.alloc(8);
  let checkpoint = 1;
  for (let j = 1; j <= 100_000; j++) {
    element.writeUInt32LE((j ^ seed) >>> 0, 0);
    const pattern = elementPattern(element.toString('latin1'));
    const index = pattern & (HLL_REGISTERS - 1);
    const value = pattern >>> 14;
    dense.set(index, value, sparseMaxBytes);
    sparse.set(index, value, sparseMaxBytes);
    if (j !== checkpoint) continue;
    if (j < sparseMaxBytes / 2 && sparse.encoding !== HLL_SPARSE)
      return 'TESTFAILED sparse encoding not used';
    const card = count(dense);
    if (card !== count(sparse)) return 'TESTFAILED dense/sparse disagree';
    const maxError = j === 10 ? 1 : Math.ceil(relativeError * 6 * checkpoint);
    const error = Math.abs(checkpoint - card);
    if (error > maxError) return `TESTFAILED Too big error. card:${checkpoint} abserr:${error}`;
    checkpoint *= 10;
  }
  return undefined;
}
