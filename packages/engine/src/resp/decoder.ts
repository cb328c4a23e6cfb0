/**
 * Resumable, byte-oriented request decoder: multibulk (`*N\r\n$L\r\n…`) and inline commands, pipelined
 * input, input split at any byte. Arguments come out as latin1 strings (one char per byte).
 * Nothing is allocated in proportion to a claimed length before those bytes arrive.
 */

export class ProtocolError extends Error {}

const INLINE_MAX = 64 * 1024;
const MULTIBULK_MAX = 2147483647; // INT_MAX, as Redis 7.0
const CR = 13;
const LF = 10;

export interface DecoderLimits {
  /** proto-max-bulk-len */
  maxBulkLength: number;
}

/** Requests that came inline rather than as multibulk (Redis limits unauthenticated multibulk only). */
export const inlineRequests = new WeakSet<string[]>();

export class RequestDecoder {
  private buffer: Buffer = Buffer.alloc(0);
  private offset = 0;
  // State of the multibulk being read.
  private argsLeft = 0;
  private args: string[] = [];
  private bulkLength = -1;
  // Chunks of a large bulk argument still arriving.
  private bulkChunks: Buffer[] = [];
  private bulkReceived = 0;

  constructor(private readonly limits: DecoderLimits = { maxBulkLength: 512 * 1024 * 1024 }) {}

  /**
   * Feeds bytes; returns the commands completed by them. On malformed input, the commands before the
   * fault are returned and `error` is set: the connection must answer it and close.
   */
  push(chunk: Buffer): string[][] {
    const commands: string[][] = [];
    try {
      this.decode(chunk, commands);
    } catch (e) {
      if (!(e instanceof ProtocolError)) throw e;
      this.error = e;
      this.buffer = Buffer.alloc(0);
      this.offset = 0;
    }
    return commands;
  }

  /** Set once the input was malformed; nothing more is decoded after it. */
  error: ProtocolError | undefined;

  private decode(chunk: Buffer, commands: string[][]): void {
    if (this.error) return;
    if (this.bulkChunks.length > 0) {
      const rest = this.takeLargeBulk(chunk);
      if (rest === null) return;
      if (this.argsLeft === 0) commands.push(this.finishCommand());
      chunk = rest;
    }
    this.buffer =
      this.offset < this.buffer.length ? Buffer.concat([this.buffer.subarray(this.offset), chunk]) : chunk;
    this.offset = 0;
    while (this.offset < this.buffer.length) {
      const command = this.argsLeft > 0 ? this.continueMultibulk() : this.startCommand();
      if (command === undefined) break;
      if (command !== null) commands.push(command);
    }
    if (this.offset >= this.buffer.length) {
      this.buffer = Buffer.alloc(0);
      this.offset = 0;
    }
  }

  /** The declared argument count of a multibulk request still arriving, else 0 (auth limits). */
  get partialArgCount(): number {
    return this.argsLeft > 0 ? this.args.length + this.argsLeft : 0;
  }

  /** The length of the bulk argument being read, -1 between arguments (auth limits). */
  get partialBulkLength(): number {
    return this.argsLeft > 0 ? this.bulkLength : -1;
  }

  /** Bytes received but not yet part of a complete command (for query-buffer limits). */
  get pendingBytes(): number {
    return this.buffer.length - this.offset + this.bulkReceived;
  }

  /** The first bytes of what `pendingBytes` counts (a large argument's own bytes once it is being read). */
  pendingPreview(max: number): Buffer {
    if (this.bulkChunks.length > 0) return this.bulkChunks[0]!.subarray(0, max);
    return this.buffer.subarray(this.offset, Math.min(this.buffer.length, this.offset + max));
  }

  /** Returns a command, null for an empty request, or undefined when more bytes are needed. */
  private startCommand(): string[] | null | undefined {
    if (this.buffer[this.offset] !== 42 /* '*' */) return this.inlineCommand();
    const end = this.findLineEnd(this.offset);
    if (end < 0) {
      if (this.buffer.length - this.offset > INLINE_MAX) {
        throw new ProtocolError('too big mbulk count string');
      }
      return undefined;
    }
    const count = parseLength(this.buffer, this.offset + 1, end);
    if (count === null || count > MULTIBULK_MAX) throw new ProtocolError('invalid multibulk length');
    this.offset = end + 2;
    if (count <= 0) return null;
    this.argsLeft = count;
    this.args = [];
    return this.continueMultibulk();
  }

  private continueMultibulk(): string[] | undefined {
    const buf = this.buffer;
    while (this.argsLeft > 0) {
      if (this.bulkLength < 0) {
        if (this.offset >= buf.length) return undefined;
        const end = this.findLineEnd(this.offset);
        if (end < 0) {
          if (buf.length - this.offset > INLINE_MAX) throw new ProtocolError('too big bulk count string');
          return undefined;
        }
        if (buf[this.offset] !== 36 /* '$' */) {
          // Redis's error replies turn CR and LF into spaces.
          const got = buf[this.offset] === CR || buf[this.offset] === LF ? 32 : buf[this.offset]!;
          throw new ProtocolError(`expected '$', got '${String.fromCharCode(got)}'`);
        }
        const length = parseLength(buf, this.offset + 1, end);
        if (length === null || length < 0 || length > this.limits.maxBulkLength) {
          throw new ProtocolError('invalid bulk length');
        }
        this.bulkLength = length;
        this.offset = end + 2;
      }
      const available = buf.length - this.offset;
      if (available < this.bulkLength + 2) {
        // A large argument arrives over many chunks: keep the pieces instead of re-concatenating.
        if (this.bulkLength >= 64 * 1024 && available > 0) {
          this.bulkChunks.push(buf.subarray(this.offset));
          this.bulkReceived = available;
          this.offset = buf.length;
        }
        return undefined;
      }
      this.args.push(latin1(buf, this.offset, this.offset + this.bulkLength));
      this.offset += this.bulkLength + 2;
      this.bulkLength = -1;
      this.argsLeft--;
    }
    return this.finishCommand();
  }

  /** Appends to a large bulk in progress; returns the bytes left over once it is complete, else null. */
  private takeLargeBulk(chunk: Buffer): Buffer | null {
    const needed = this.bulkLength + 2 - this.bulkReceived;
    if (chunk.length < needed) {
      this.bulkChunks.push(chunk);
      this.bulkReceived += chunk.length;
      return null;
    }
    this.bulkChunks.push(chunk.subarray(0, needed));
    const whole = Buffer.concat(this.bulkChunks);
    this.args.push(whole.toString('latin1', 0, this.bulkLength));
    this.bulkChunks = [];
    this.bulkReceived = 0;
    this.bulkLength = -1;
    this.argsLeft--;
    return chunk.subarray(needed);
  }

  private finishCommand(): string[] {
    const args = this.args;
    this.args = [];
    return args;
  }

  private inlineCommand(): string[] | null | undefined {
    let newline = this.buffer.indexOf(LF, this.offset);
    if (newline >= 0 && this.buffer.subarray(this.offset, newline).indexOf(0) >= 0) newline = -1;
    if (newline < 0) {
      if (this.buffer.length - this.offset > INLINE_MAX) throw new ProtocolError('too big inline request');
      return undefined;
    }
    let end = newline;
    if (end > this.offset && this.buffer[end - 1] === CR) end--;
    const line = this.buffer.toString('latin1', this.offset, end);
    this.offset = newline + 1;
    const args = splitInlineArgs(line);
    if (args === null) throw new ProtocolError('unbalanced quotes in request');
    if (args.length === 0) return null;
    inlineRequests.add(args);
    return args;
  }

  /**
   * Where a header line ends, as Redis finds it: the first '\r' (with at least one byte after it, which
   * is skipped unread), searching as C's strchr does, so a NUL byte before it means "not yet".
   */
  private findLineEnd(from: number): number {
    // A plain byte loop: header lines are a few bytes, and this allocates nothing.
    const buf = this.buffer;
    const length = buf.length;
    for (let i = from; i < length; i++) {
      const byte = buf[i]!;
      if (byte === CR) return i + 1 < length ? i : -1;
      if (byte === 0) return -1;
    }
    return -1;
  }
}

/** Buffer#latin1Slice, Node's own fast path behind toString('latin1', start, end), without its wrapper. */
const latin1Slice = (Buffer.prototype as unknown as { latin1Slice?: (start: number, end: number) => string })
  .latin1Slice;
function latin1(buf: Buffer, start: number, end: number): string {
  return latin1Slice ? latin1Slice.call(buf, start, end) : buf.toString('latin1', start, end);
}

/** Parses the decimal after a type byte; null when not a valid integer (as Redis's string2ll). */
function parseLength(buf: Buffer, start: number, end: number): number | null {
  if (start >= end || end - start > 20) return null;
  if (end - start === 1 && buf[start] === 48) return 0;
  let i = start;
  let negative = false;
  if (buf[i] === 45 /* '-' */) {
    negative = true;
    i++;
    if (i === end) return null;
  }
  if (buf[i]! < 49 || buf[i]! > 57) return null; // no leading zero, no '+'
  let value = 0;
  for (; i < end; i++) {
    const d = buf[i]! - 48;
    if (d < 0 || d > 9) return null;
    value = value * 10 + d;
  }
  return negative ? -value : value;
}

/** sdssplitargs: whitespace-separated words, "double" quotes with escapes, 'single' quotes. */
export function splitInlineArgs(line: string): string[] | null {
  const args: string[] = [];
  let i = 0;
  const n = line.length;
  const isSpace = (c: string | undefined) =>
    c === ' ' || c === '\n' || c === '\r' || c === '\t' || c === '\v' || c === '\f';
  const isHex = (c: string | undefined) => c !== undefined && /[0-9a-fA-F]/.test(c);
  while (true) {
    while (i < n && isSpace(line[i])) i++;
    if (i >= n) return args;
    let current = '';
    let inDouble = false;
    let inSingle = false;
    let done = false;
    while (!done) {
      const c = line[i];
      if (inDouble) {
        if (i >= n) return null;
        if (c === '\\' && line[i + 1] === 'x' && isHex(line[i + 2]) && isHex(line[i + 3])) {
          current += String.fromCharCode(Number.parseInt(line.slice(i + 2, i + 4), 16));
          i += 3;
        } else if (c === '\\' && i + 1 < n) {
          i++;
          const e = line[i];
          current +=
            e === 'n'
              ? '\n'
              : e === 'r'
                ? '\r'
                : e === 't'
                  ? '\t'
                  : e === 'b'
                    ? '\b'
                    : e === 'a'
                      ? '\x07'
                      : e;
        } else if (c === '"') {
          if (i + 1 < n && !isSpace(line[i + 1])) return null;
          done = true;
        } else current += c;
      } else if (inSingle) {
        if (i >= n) return null;
        if (c === '\\' && line[i + 1] === "'") {
          i++;
          current += "'";
        } else if (c === "'") {
          if (i + 1 < n && !isSpace(line[i + 1])) return null;
          done = true;
        } else current += c;
      } else if (i >= n || c === ' ' || c === '\n' || c === '\r' || c === '\t') {
        // An unquoted argument ends only at these (sdssplitargs): '\v' and '\f' belong to it.
        done = true;
      } else if (c === '"') inDouble = true;
      else if (c === "'") inSingle = true;
      else current += c;
      if (i < n) i++;
    }
    args.push(current);
  }
}
