import { formatDouble } from '../util/numbers.js';
import {
  BigNumberReply,
  BooleanReply,
  DoubleReply,
  ErrorReply,
  MapReply,
  NullArrayReply,
  PushReply,
  type Reply,
  SetReply,
  StatusReply,
  VerbatimReply,
} from './reply.js';

export type Protocol = 2 | 3;

const SLAB_SIZE = 64 * 1024;
type Latin1Writable = Buffer & { latin1Write(text: string, offset: number, length?: number): number };

/**
 * Encodes replies as RESP2 or RESP3 straight into a byte slab, so a pipeline's replies leave in one
 * buffer without building intermediate strings. `take()` hands out what was written since the last call;
 * the slab's unwritten rest keeps serving later replies until it runs low.
 */
export class ReplyWriter {
  private slab = Buffer.allocUnsafe(SLAB_SIZE) as Latin1Writable;
  private start = 0;
  private pos = 0;
  private full: Buffer[] = [];

  get pending(): boolean {
    return this.pos > this.start || this.full.length > 0;
  }

  /** The bytes written since the last take(), or null. */
  take(): Buffer | null {
    if (!this.pending) return null;
    const last = this.slab.subarray(this.start, this.pos);
    this.start = this.pos;
    if (this.slab.length - this.pos < 4096) this.newSlab(SLAB_SIZE);
    if (this.full.length === 0) return last;
    const all = Buffer.concat([...this.full, last]);
    this.full = [];
    return all;
  }

  write(reply: Reply, protocol: Protocol): void {
    if (typeof reply === 'string') {
      this.bulk(reply);
      return;
    }
    if (typeof reply === 'number' || typeof reply === 'bigint') {
      this.line(':', String(reply));
      return;
    }
    if (reply === null) {
      this.ascii(protocol === 3 ? '_\r\n' : '$-1\r\n');
      return;
    }
    if (Array.isArray(reply)) {
      this.aggregate('*', reply, protocol);
      return;
    }
    if (reply instanceof StatusReply) {
      this.line('+', reply.status);
      return;
    }
    if (reply instanceof ErrorReply) {
      this.line('-', reply.message);
      return;
    }
    if (reply instanceof DoubleReply) {
      const text = reply.text ?? formatDouble(reply.value);
      if (protocol === 3) this.line(',', text);
      else this.bulk(text);
      return;
    }
    if (reply instanceof MapReply) {
      if (protocol === 2) {
        this.aggregate('*', reply.entries, protocol);
        return;
      }
      this.line('%', String(reply.entries.length / 2));
      for (const item of reply.entries) this.write(item, protocol);
      return;
    }
    if (reply instanceof SetReply) {
      this.aggregate(protocol === 3 ? '~' : '*', reply.items, protocol);
      return;
    }
    if (reply instanceof NullArrayReply) {
      this.ascii(protocol === 3 ? '_\r\n' : '*-1\r\n');
      return;
    }
    if (reply instanceof BooleanReply) {
      if (protocol === 3) {
        this.ascii(reply.value ? '#t\r\n' : '#f\r\n');
        return;
      }
      this.ascii(reply.value ? ':1\r\n' : ':0\r\n');
      return;
    }
    if (reply instanceof VerbatimReply) {
      if (protocol === 2) {
        this.bulk(reply.text);
        return;
      }
      this.line('=', String(reply.text.length + 4));
      this.ascii(`${reply.format}:`);
      this.ascii(reply.text);
      this.ascii('\r\n');
      return;
    }
    if (reply instanceof PushReply) {
      this.aggregate(protocol === 3 ? '>' : '*', reply.items, protocol);
      return;
    }
    if (reply instanceof BigNumberReply) {
      if (protocol === 3) this.line('(', reply.digits);
      else this.bulk(reply.digits);
      return;
    }
    throw new Error(`unknown reply ${String(reply)}`);
  }

  private aggregate(prefix: string, items: Reply[], protocol: Protocol): void {
    this.line(prefix, String(items.length));
    for (const item of items) {
      if (typeof item === 'string') this.bulk(item);
      else this.write(item, protocol);
    }
  }

  private bulk(text: string): void {
    const length = text.length;
    this.reserve(length + 24);
    const slab = this.slab;
    let p = this.pos;
    slab[p++] = 36; // '$'
    p = writeDigits(slab, p, length);
    slab[p++] = 13;
    slab[p++] = 10;
    p = writeText(slab, p, text);
    slab[p++] = 13;
    slab[p++] = 10;
    this.pos = p;
  }

  private line(prefix: string, text: string): void {
    this.reserve(text.length + 3);
    const slab = this.slab;
    let p = this.pos;
    slab[p++] = prefix.charCodeAt(0);
    p = writeText(slab, p, text);
    slab[p++] = 13;
    slab[p++] = 10;
    this.pos = p;
  }

  private ascii(text: string): void {
    this.reserve(text.length);
    this.pos = writeText(this.slab, this.pos, text);
  }

  private reserve(bytes: number): void {
    if (this.pos + bytes <= this.slab.length) return;
    if (this.pos > this.start) this.full.push(this.slab.subarray(this.start, this.pos));
    this.newSlab(Math.max(SLAB_SIZE, bytes));
  }

  private newSlab(size: number): void {
    this.slab = Buffer.allocUnsafe(size) as Latin1Writable;
    this.start = 0;
    this.pos = 0;
  }
}

/** Short strings are copied by a JS loop: cheaper than a call into native code for a few bytes. */
function writeText(slab: Latin1Writable, p: number, text: string): number {
  const length = text.length;
  if (length > 24) return p + slab.latin1Write(text, p);
  for (let i = 0; i < length; i++) slab[p++] = text.charCodeAt(i);
  return p;
}

function writeDigits(slab: Buffer, p: number, n: number): number {
  if (n < 10) {
    slab[p] = 48 + n;
    return p + 1;
  }
  if (n < 100) {
    slab[p] = 48 + ((n / 10) | 0);
    slab[p + 1] = 48 + (n % 10);
    return p + 2;
  }
  return writeText(slab as Latin1Writable, p, String(n));
}

/** Encodes one reply as a latin1 string (one char per byte), for callers that want text. */
export function encodeReply(reply: Reply, protocol: Protocol): string {
  const writer = new ReplyWriter();
  writer.write(reply, protocol);
  return writer.take()?.toString('latin1') ?? '';
}
