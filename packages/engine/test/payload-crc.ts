/** A payload body (ending with its version 10 footer) followed by its CRC-64, as DUMP payloads end. */
export function withCrc(body: Buffer): Buffer {
  return Buffer.concat([body, crc64Bytes(body)]);
}

function crc64Bytes(data: Buffer): Buffer {
  // Jones polynomial, reflected: bitwise, independent of the engine's table-driven implementation.
  let crc = 0n;
  const poly = 0x95ac9329ac4bc9b5n;
  for (const byte of data) {
    crc ^= BigInt(byte);
    for (let i = 0; i < 8; i++) crc = crc & 1n ? (crc >> 1n) ^ poly : crc >> 1n;
  }
  const out = Buffer.alloc(8);
  out.writeBigUInt64LE(crc);
  return out;
}
