import { fail } from '../../resp/errors.js';
import type { Session } from '../../session.js';
import { parseInt64 } from '../../util/numbers.js';
import { smallInt } from './integers.js';
import { MAX_JS_STRING } from './limits.js';

const BITS_IN_BYTE = new Uint8Array(256);
for (let i = 1; i < 256; i++) BITS_IN_BYTE[i] = (i & 1) + BITS_IN_BYTE[i >> 1]!;

/** Ranges from this size are counted a 32-bit word at a time over a byte copy. */
const WORDWISE_MIN = 256;

/** Number of set bits in `count` bytes of a binary string from `start`. */
export function popcount(s: string, start: number, count: number): number {
  if (count >= WORDWISE_MIN) return popcountWords(s, start, count);
  let bits = 0;
  const end = start + count;
  for (let i = start; i < end; i++) bits += BITS_IN_BYTE[s.charCodeAt(i)]!;
  return bits;
}

function popcountWords(s: string, start: number, count: number): number {
  const words = count >>> 2;
  const buffer = new ArrayBuffer(words * 4 + 4);
  Buffer.from(buffer).write(s.substring(start, start + count), 0, 'latin1');
  const view = new Uint32Array(buffer, 0, words);
  let bits = 0;
  for (let i = 0; i < words; i++) {
    let v = view[i]!;
    v -= (v >>> 1) & 0x55555555;
    v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
    bits += Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
  }
  for (let i = start + words * 4; i < start + count; i++) bits += BITS_IN_BYTE[s.charCodeAt(i)]!;
  return bits;
}

/** Set bits in one byte. */
export function bitsInByte(byte: number): number {
  return BITS_IN_BYTE[byte & 0xff]!;
}

/** Position of the first bit equal to `bit` in one byte (MSB first), or Redis's "not found" answer. */
export function bitposInByte(byte: number, bit: number): number {
  for (let i = 0; i < 8; i++) if (((byte >> (7 - i)) & 1) === bit) return i;
  return bit ? -1 : 8;
}

/**
 * Redis's redisBitpos over `count` bytes from `start`: the first bit equal to `bit`. When there is none,
 * -1 for a set bit, while for a clear bit the bytes are considered zero-padded: count * 8.
 */
export function firstBit(s: string, start: number, count: number, bit: number): number {
  const skip = bit ? 0 : 0xff;
  const end = start + count;
  for (let i = start; i < end; i++) {
    const byte = s.charCodeAt(i);
    if (byte !== skip) return (i - start) * 8 + bitposInByte(byte, bit);
  }
  return bit ? -1 : count * 8;
}

export const BIT_OFFSET_ERROR = 'ERR bit offset is not an integer or out of range';

/**
 * A bit offset argument (SETBIT, GETBIT, BITFIELD), limited to proto-max-bulk-len bytes. With `bits`
 * (BITFIELD), the "#n" form means n * bits, multiplied with int64 wrap-around as in C.
 */
export function parseBitOffset(c: Session, arg: string, bits = 0): number {
  let offset: number;
  if (bits > 0 && arg.charCodeAt(0) === 35) {
    const n = parseInt64(arg.slice(1));
    if (n === null) fail(BIT_OFFSET_ERROR);
    offset = Number(BigInt.asIntN(64, n * BigInt(bits)));
  } else {
    const small = smallInt(arg);
    if (small !== undefined) offset = small;
    else {
      const n = parseInt64(arg);
      if (n === null) fail(BIT_OFFSET_ERROR);
      offset = Number(n);
    }
  }
  if (offset < 0 || Math.floor(offset / 8) >= c.engine.config.number('proto-max-bulk-len'))
    fail(BIT_OFFSET_ERROR);
  return offset;
}

/** Writers must also fit the grown string in a JS string (a few bytes under Redis's 512MB default). */
export function checkWritableBit(maxBit: number): void {
  if (Math.floor(maxBit / 8) + 1 > MAX_JS_STRING) fail(BIT_OFFSET_ERROR);
}
