import { ByteWriter, bad } from './bytes.js';

/** An intset: encoding (bytes per member: 2, 4 or 8, u32), count (u32), members ascending, little-endian. */
export function encodeIntset(sortedMembers: readonly string[]): Buffer {
  let width = 2;
  const values: bigint[] = new Array(sortedMembers.length);
  for (let i = 0; i < sortedMembers.length; i++) {
    const v = BigInt(sortedMembers[i]!);
    values[i] = v;
    if (v < -2147483648n || v > 2147483647n) width = 8;
    else if (width < 4 && (v < -32768n || v > 32767n)) width = 4;
  }
  const w = new ByteWriter(8 + width * values.length);
  w.u32le(width);
  w.u32le(values.length);
  const buf = w.buf;
  for (const v of values) {
    if (width === 2) buf.writeInt16LE(Number(v), w.length);
    else if (width === 4) buf.writeInt32LE(Number(v), w.length);
    else buf.writeBigInt64LE(v, w.length);
    w.length += width;
  }
  return w.view();
}

/** The members of an intset as decimal strings, ascending. Throws RdbFormatError when malformed. */
export function decodeIntset(data: Uint8Array): string[] {
  if (data.length < 8) bad('intset too short');
  const view = Buffer.from(data.buffer, data.byteOffset, data.length);
  const width = view.readUInt32LE(0);
  const count = view.readUInt32LE(4);
  if (width !== 2 && width !== 4 && width !== 8) bad('intset bad encoding');
  if (8 + width * count !== data.length) bad('intset size mismatch');
  const out: string[] = new Array(count);
  let previous: bigint | undefined;
  for (let i = 0, p = 8; i < count; i++, p += width) {
    const v =
      width === 2
        ? BigInt(view.readInt16LE(p))
        : width === 4
          ? BigInt(view.readInt32LE(p))
          : view.readBigInt64LE(p);
    if (previous !== undefined && v <= previous) bad('intset not sorted');
    previous = v;
    out[i] = String(v);
  }
  return out;
}
