/**
 * Commands waiting to be appended to the file, encoded straight into one growing buffer as RESP arrays of
 * bulk strings (arguments are the engine's latin1 strings: one char per byte). Writing each argument into
 * place avoids building a string per command and joining them at write time: under pipelined load that
 * copying, and the garbage it made, cost a tenth of the server's time.
 */
export class CommandBuffer {
  private data = Buffer.allocUnsafe(64 * 1024);
  /** Bytes encoded and not yet taken. */
  length = 0;

  /** Appends `argv` as `*N\r\n$len\r\narg\r\n…`. */
  push(argv: readonly string[]): void {
    let size = 3 + digits(argv.length);
    for (let i = 0; i < argv.length; i++) size += 5 + digits(argv[i]!.length) + argv[i]!.length;
    this.reserve(size);
    const data = this.data;
    let at = this.length;
    data[at++] = 0x2a; // *
    at = writeDigits(data, at, argv.length);
    for (let i = 0; i < argv.length; i++) {
      const arg = argv[i]!;
      data[at++] = 0x24; // $
      at = writeDigits(data, at, arg.length);
      at += arg.length < 16 ? writeShort(data, at, arg) : data.write(arg, at, 'latin1');
      data[at++] = 0x0d;
      data[at++] = 0x0a;
    }
    this.length = at;
  }

  /** The encoded bytes (a view, valid until the next push or drop). */
  bytes(): Buffer {
    return this.data.subarray(0, this.length);
  }

  /** Forgets the first `count` bytes (written to the file); keeps the rest at the front. */
  drop(count: number): void {
    if (count < this.length) this.data.copy(this.data, 0, count, this.length);
    this.length -= count;
    // A burst may have grown the buffer: give the memory back once it is drained.
    if (this.length === 0 && this.data.length > 1024 * 1024) this.data = Buffer.allocUnsafe(64 * 1024);
  }

  private reserve(size: number): void {
    if (this.length + size <= this.data.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.data.length * 2, this.length + size));
    this.data.copy(grown, 0, 0, this.length);
    this.data = grown;
  }
}

function digits(n: number): number {
  let count = 1;
  while (n >= 10) {
    n = Math.floor(n / 10);
    count++;
  }
  return count;
}

/** Writes `n` in decimal then CRLF at `at`; returns the offset after them. */
function writeDigits(data: Buffer, at: number, n: number): number {
  const end = at + digits(n);
  for (let i = end - 1; i >= at; i--) {
    data[i] = 0x30 + (n % 10);
    n = Math.floor(n / 10);
  }
  data[end] = 0x0d;
  data[end + 1] = 0x0a;
  return end + 2;
}

/** Short arguments byte by byte: cheaper than a call into the buffer binding. */
function writeShort(data: Buffer, at: number, s: string): number {
  for (let i = 0; i < s.length; i++) data[at + i] = s.charCodeAt(i);
  return s.length;
}
