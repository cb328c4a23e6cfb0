import { bad } from './bytes.js';

/**
 * Readers for the encodings older Redis versions wrote (ziplist up to 6.2, zipmap before 2.6): only
 * for loading; nothing is written in them.
 */
export function decodeZiplist(data: Uint8Array): string[] {
  if (data.length < 11) bad('ziplist too short');
  const view = Buffer.from(data.buffer, data.byteOffset, data.length);
  if (view.readUInt32LE(0) !== data.length) bad('ziplist size mismatch');
  const declared = view.readUInt16LE(8);
  const out: string[] = [];
  let p = 10;
  const end = data.length - 1;
  while (p < end) {
    p += data[p]! < 254 ? 1 : 5;
    if (p >= end) bad('ziplist truncated');
    const b = data[p]!;
    const kind = b >> 6;
    let value: string;
    if (kind === 0 || kind === 1 || kind === 2) {
      let len: number;
      if (kind === 0) {
        len = b & 0x3f;
        p += 1;
      } else if (kind === 1) {
        len = ((b & 0x3f) << 8) | data[p + 1]!;
        p += 2;
      } else {
        len = view.readUInt32BE(p + 1);
        p += 5;
      }
      if (p + len > end) bad('ziplist string past the end');
      value = view.toString('latin1', p, p + len);
      p += len;
    } else {
      p += 1;
      let size: number;
      if (b === 0xc0) size = 2;
      else if (b === 0xd0) size = 4;
      else if (b === 0xe0) size = 8;
      else if (b === 0xf0) size = 3;
      else if (b === 0xfe) size = 1;
      else if (b >= 0xf1 && b <= 0xfd) size = 0;
      else bad('ziplist bad encoding');
      if (p + size > end) bad('ziplist truncated');
      if (size === 0) value = String((b & 0x0f) - 1);
      else if (size === 8) value = String(view.readBigInt64LE(p));
      else value = String(view.readIntLE(p, size));
      p += size;
    }
    out.push(value);
  }
  if (data[end] !== 0xff) bad('ziplist without end byte');
  if (declared !== 65535 && declared !== out.length) bad('ziplist count mismatch');
  return out;
}

/** A zipmap's field, value pairs, flat. */
export function decodeZipmap(data: Uint8Array): string[] {
  const view = Buffer.from(data.buffer, data.byteOffset, data.length);
  const out: string[] = [];
  let p = 1;
  const readLen = (): number => {
    if (p >= data.length) bad('zipmap truncated');
    const b = data[p]!;
    if (b < 254) {
      p += 1;
      return b;
    }
    if (b === 254) {
      if (p + 5 > data.length) bad('zipmap truncated');
      const len = view.readUInt32LE(p + 1);
      p += 5;
      return len;
    }
    return -1;
  };
  for (;;) {
    const keyLen = readLen();
    if (keyLen < 0) break;
    if (p + keyLen > data.length) bad('zipmap truncated');
    out.push(view.toString('latin1', p, p + keyLen));
    p += keyLen;
    const valueLen = readLen();
    if (valueLen < 0) bad('zipmap field without value');
    const free = data[p++]!;
    if (p + valueLen + free > data.length) bad('zipmap truncated');
    out.push(view.toString('latin1', p, p + valueLen));
    p += valueLen + free;
  }
  return out;
}
