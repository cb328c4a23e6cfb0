/**
 * Reading raw RESP2/RESP3 replies: where a frame ends (to split a byte stream into replies) and a
 * parsed view of a frame (to compare replies whose order Redis leaves open).
 */

export type ParsedReply =
  | string
  | number
  | bigint
  | boolean
  | null
  | ParsedReply[]
  | { error: string }
  | { status: string }
  | { double: string }
  | { map: ParsedReply[] }
  | { set: ParsedReply[] }
  | { push: ParsedReply[] }
  | { verbatim: string };

const CRLF = Buffer.from('\r\n');

/** Offset just past the first complete frame in `buf` from `start`, or -1 if incomplete. */
export function frameEnd(buf: Buffer, start = 0): number {
  const r = parseAt(buf, start);
  return r ? r.end : -1;
}

/** Parses every complete frame of `buf`. */
export function parseFrames(buf: Buffer): ParsedReply[] {
  const out: ParsedReply[] = [];
  let offset = 0;
  while (offset < buf.length) {
    const r = parseAt(buf, offset);
    if (!r) throw new Error(`incomplete frame: ${JSON.stringify(buf.subarray(offset).toString('latin1'))}`);
    out.push(r.value);
    offset = r.end;
  }
  return out;
}

export function parseFrame(buf: Buffer): ParsedReply {
  const frames = parseFrames(buf);
  if (frames.length !== 1) throw new Error(`expected one frame, got ${frames.length}`);
  return frames[0]!;
}

function parseAt(buf: Buffer, start: number): { value: ParsedReply; end: number } | null {
  const lineEnd = buf.indexOf(CRLF, start);
  if (lineEnd < 0) return null;
  const type = String.fromCharCode(buf[start]!);
  const line = buf.toString('latin1', start + 1, lineEnd);
  const next = lineEnd + 2;
  switch (type) {
    case '+':
      return { value: { status: line }, end: next };
    case '-':
      return { value: { error: line }, end: next };
    case ':':
      return { value: safeInt(line), end: next };
    case ',':
      return { value: { double: line }, end: next };
    case '#':
      return { value: line === 't', end: next };
    case '_':
      return { value: null, end: next };
    case '(':
      return { value: BigInt(line), end: next };
    case '$':
    case '=':
    case '!': {
      const length = Number(line);
      if (length < 0) return { value: null, end: next };
      if (buf.length < next + length + 2) return null;
      const text = buf.toString('latin1', next, next + length);
      const value: ParsedReply = type === '=' ? { verbatim: text } : type === '!' ? { error: text } : text;
      return { value, end: next + length + 2 };
    }
    case '*':
    case '~':
    case '>':
    case '%':
    case '|': {
      const count = Number(line);
      if (count < 0) return { value: null, end: next };
      const items: ParsedReply[] = [];
      let offset = next;
      const total = type === '%' || type === '|' ? count * 2 : count;
      for (let i = 0; i < total; i++) {
        const r = parseAt(buf, offset);
        if (!r) return null;
        items.push(r.value);
        offset = r.end;
      }
      if (type === '|') {
        const r = parseAt(buf, offset);
        return r;
      }
      const value: ParsedReply =
        type === '*'
          ? items
          : type === '~'
            ? { set: items }
            : type === '>'
              ? { push: items }
              : { map: items };
      return { value, end: offset };
    }
    default:
      throw new Error(
        `unknown RESP type byte ${JSON.stringify(type)} in ${JSON.stringify(buf.toString('latin1'))}`,
      );
  }
}

function safeInt(text: string): number | bigint {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : BigInt(text);
}

/** A readable, escaped rendering of raw bytes for assertion messages. */
export function showBytes(buf: Buffer): string {
  return JSON.stringify(buf.toString('latin1'));
}

/** Encodes a command as a RESP multibulk request. */
export function encodeCommand(argv: Array<string | Buffer | number>): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${argv.length}\r\n`)];
  for (const arg of argv) {
    const b = Buffer.isBuffer(arg) ? arg : Buffer.from(String(arg), 'latin1');
    parts.push(Buffer.from(`$${b.length}\r\n`), b, CRLF);
  }
  return Buffer.concat(parts);
}
