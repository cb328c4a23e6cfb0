/**
 * LZF, the compression of RDB strings. The compressor follows liblzf 3.6 as Redis builds it (HLOG 16,
 * VERY_FAST, 3-byte hash, back-references up to 8 KiB away and 264 bytes long), so that for the same
 * input it emits the same bytes as Redis (which matters for DUMP payloads compared byte for byte); like
 * the liblzf Redis 7.0 ships, a match may start up to the last three bytes. One
 * difference is deliberate: Redis leaves its hash table uninitialised between calls, so a stale entry can
 * occasionally give it a different (equally valid) back-reference; ours starts every call empty.
 */

const HLOG = 16;
const HSIZE = 1 << HLOG;
const MAX_LIT = 1 << 5;
const MAX_OFF = 1 << 13;
const MAX_REF = (1 << 8) + (1 << 3);

/** Hash slots hold a position; a slot counts only when its stamp is the current call's. */
const slotPosition = new Int32Array(HSIZE);
const slotStamp = new Uint32Array(HSIZE);
let stamp = 0;
let scratch = new Uint8Array(1024);

function slotOf(hval: number): number {
  return ((hval >>> (3 * 8 - HLOG)) - Math.imul(hval, 5)) & (HSIZE - 1);
}

/**
 * Compresses `input` into at most `maxOut` bytes; undefined when it does not fit (Redis stores the
 * string uncompressed then). The result is a view valid until the next call.
 */
export function lzfCompress(input: Uint8Array, maxOut: number): Uint8Array | undefined {
  const inLen = input.length;
  if (inLen === 0 || maxOut <= 0) return undefined;
  if (scratch.length < maxOut + 64) scratch = new Uint8Array(Math.max(maxOut + 64, scratch.length * 2));
  const out = scratch;
  stamp = (stamp + 1) >>> 0;
  if (stamp === 0) {
    slotStamp.fill(0);
    stamp = 1;
  }
  const outEnd = maxOut;
  let ip = 0;
  let op = 1; // a literal run starts: its length byte is filled in when it ends
  let lit = 0;
  let hval = ((input[0]! << 8) | input[1]!) >>> 0;
  while (ip < inLen - 2) {
    hval = ((hval << 8) | input[ip + 2]!) >>> 0;
    const slot = slotOf(hval);
    const ref = slotStamp[slot] === stamp ? slotPosition[slot]! : -1;
    slotStamp[slot] = stamp;
    slotPosition[slot] = ip;
    const off = ip - ref - 1;
    if (
      ref > 0 &&
      off < MAX_OFF &&
      input[ref] === input[ip] &&
      input[ref + 1] === input[ip + 1] &&
      input[ref + 2] === input[ip + 2]
    ) {
      let len = 2;
      let maxlen = inLen - ip - len;
      if (maxlen > MAX_REF) maxlen = MAX_REF;
      out[op - lit - 1] = (lit - 1) & 0xff;
      if (lit === 0) op--;
      if (op + 3 + 1 >= outEnd) return undefined;
      let mismatched = false;
      if (maxlen > 16) {
        for (let k = 0; k < 16; k++) {
          len++;
          if (input[ref + len] !== input[ip + len]) {
            mismatched = true;
            break;
          }
        }
      }
      if (!mismatched) {
        do len++;
        while (len < maxlen && input[ref + len] === input[ip + len]);
      }
      len -= 2;
      ip++;
      if (len < 7) out[op++] = (off >> 8) + (len << 5);
      else {
        out[op++] = (off >> 8) + (7 << 5);
        out[op++] = len - 7;
      }
      out[op++] = off & 0xff;
      lit = 0;
      op++;
      ip += len + 1;
      if (ip >= inLen - 2) break;
      // VERY_FAST: hash the last two positions of the match only.
      ip -= 2;
      hval = ((input[ip]! << 8) | input[ip + 1]!) >>> 0;
      for (let k = 0; k < 2; k++) {
        hval = ((hval << 8) | input[ip + 2]!) >>> 0;
        const s = slotOf(hval);
        slotStamp[s] = stamp;
        slotPosition[s] = ip;
        ip++;
      }
    } else {
      if (op >= outEnd) return undefined;
      lit++;
      out[op++] = input[ip++]!;
      if (lit === MAX_LIT) {
        out[op - lit - 1] = lit - 1;
        lit = 0;
        op++;
      }
    }
  }
  if (op + 3 > outEnd) return undefined;
  while (ip < inLen) {
    lit++;
    out[op++] = input[ip++]!;
    if (lit === MAX_LIT) {
      out[op - lit - 1] = lit - 1;
      lit = 0;
      op++;
    }
  }
  out[op - lit - 1] = (lit - 1) & 0xff;
  if (lit === 0) op--;
  if (op > outEnd) return undefined;
  return out.subarray(0, op);
}

/**
 * Decompresses LZF data that must expand to exactly `expectedLength` bytes; throws on anything
 * malformed (a reference before the start, a run past either end, a wrong length).
 */
export function lzfDecompress(input: Uint8Array, expectedLength: number): Buffer {
  const out = Buffer.allocUnsafe(expectedLength);
  const inLen = input.length;
  let ip = 0;
  let op = 0;
  while (ip < inLen) {
    const ctrl = input[ip++]!;
    if (ctrl < 32) {
      const len = ctrl + 1;
      if (ip + len > inLen || op + len > expectedLength) throw new Error('invalid LZF data');
      for (let k = 0; k < len; k++) out[op++] = input[ip++]!;
      continue;
    }
    let len = ctrl >> 5;
    let ref = op - ((ctrl & 0x1f) << 8) - 1;
    if (len === 7) {
      if (ip >= inLen) throw new Error('invalid LZF data');
      len += input[ip++]!;
    }
    if (ip >= inLen) throw new Error('invalid LZF data');
    ref -= input[ip++]!;
    len += 2;
    if (ref < 0 || op + len > expectedLength) throw new Error('invalid LZF data');
    for (let k = 0; k < len; k++) out[op++] = out[ref++]!;
  }
  if (op !== expectedLength) throw new Error('invalid LZF data');
  return out;
}
