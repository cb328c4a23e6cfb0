/**
 * The AOF's format: commands as RESP arrays of bulk strings (what redis-cli and Redis's own AOF use).
 * Strings are the engine's binary strings (one char per byte), so a command encodes to a latin1 string
 * whose length is its byte length.
 */

/** `*N\r\n$len\r\narg\r\n…` as a latin1 string. */
export function encodeCommand(argv: readonly string[]): string {
  let out = `*${argv.length}\r\n`;
  for (const arg of argv) out += `$${arg.length}\r\n${arg}\r\n`;
  return out;
}

/** One command read from a file, with the offset just past it. */
export interface ParsedCommand {
  argv: string[];
  end: number;
}

/** The input ends inside a command: more bytes may complete it (or, at end of file, it is truncated). */
export const INCOMPLETE = 'incomplete' as const;

/** A byte that cannot be part of a valid command: the file is corrupt at `offset`. */
export interface FormatError {
  offset: number;
  reason: string;
}

const STAR = 0x2a;
const DOLLAR = 0x24;
const CR = 0x0d;
const LF = 0x0a;
/** Redis refuses multibulk counts and bulk lengths it could not have written. */
const MAX_ARGS = 1024 * 1024 * 1024;
const MAX_BULK = 512 * 1024 * 1024 * 4;

/**
 * Reads `<prefix><digits>\r\n` at `pos`. Returns [value, next], INCOMPLETE, or a FormatError.
 */
function readLength(
  buf: Uint8Array,
  pos: number,
  prefix: number,
  what: string,
): [number, number] | typeof INCOMPLETE | FormatError {
  if (pos >= buf.length) return INCOMPLETE;
  if (buf[pos] !== prefix) {
    return { offset: pos, reason: `expected '${String.fromCharCode(prefix)}' (${what})` };
  }
  let i = pos + 1;
  let value = 0;
  let digits = 0;
  for (;;) {
    if (i >= buf.length) return INCOMPLETE;
    const b = buf[i]!;
    if (b === CR) break;
    if (b < 0x30 || b > 0x39 || digits >= 12) return { offset: i, reason: `invalid ${what}` };
    value = value * 10 + (b - 0x30);
    digits++;
    i++;
  }
  if (digits === 0) return { offset: i, reason: `invalid ${what}` };
  if (i + 1 >= buf.length) return INCOMPLETE;
  if (buf[i + 1] !== LF) return { offset: i + 1, reason: `expected line feed after ${what}` };
  return [value, i + 2];
}

/**
 * Parses the command starting at `pos`. INCOMPLETE when `buf` ends before the command does; a
 * FormatError when a byte contradicts the format (so no longer input could make it valid).
 */
export function parseCommand(buf: Buffer, pos: number): ParsedCommand | typeof INCOMPLETE | FormatError {
  const header = readLength(buf, pos, STAR, 'multibulk count');
  if (!Array.isArray(header)) return header;
  const [count, afterHeader] = header;
  if (count < 1 || count > MAX_ARGS) return { offset: pos, reason: 'invalid multibulk count' };
  let i = afterHeader;
  const argv: string[] = [];
  for (let n = 0; n < count; n++) {
    const bulk = readLength(buf, i, DOLLAR, 'bulk length');
    if (!Array.isArray(bulk)) return bulk;
    const [length, start] = bulk;
    if (length > MAX_BULK) return { offset: i, reason: 'invalid bulk length' };
    const end = start + length;
    if (end > buf.length) return INCOMPLETE;
    if (end < buf.length && buf[end] !== CR) return { offset: end, reason: 'expected CRLF after bulk' };
    if (end + 1 < buf.length && buf[end + 1] !== LF) {
      return { offset: end + 1, reason: 'expected CRLF after bulk' };
    }
    if (end + 2 > buf.length) return INCOMPLETE;
    argv.push(buf.toString('latin1', start, end));
    i = end + 2;
  }
  return { argv, end: i };
}

export function isFormatError(x: unknown): x is FormatError {
  return typeof x === 'object' && x !== null && 'reason' in x;
}
