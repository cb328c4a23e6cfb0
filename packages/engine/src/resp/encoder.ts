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

/** Encodes a reply as RESP2 or RESP3. The result is a latin1 string: one char per byte. */
export function encodeReply(reply: Reply, protocol: Protocol): string {
  if (typeof reply === 'string') return `$${reply.length}\r\n${reply}\r\n`;
  if (typeof reply === 'number' || typeof reply === 'bigint') return `:${reply}\r\n`;
  if (reply === null) return protocol === 3 ? '_\r\n' : '$-1\r\n';
  if (Array.isArray(reply)) return encodeAggregate('*', reply, protocol);
  if (reply instanceof StatusReply) return `+${reply.status}\r\n`;
  if (reply instanceof ErrorReply) return `-${reply.message}\r\n`;
  if (reply instanceof DoubleReply) {
    const text = formatDouble(reply.value);
    return protocol === 3 ? `,${text}\r\n` : `$${text.length}\r\n${text}\r\n`;
  }
  if (reply instanceof MapReply) {
    if (protocol === 2) return encodeAggregate('*', reply.entries, protocol);
    let out = `%${reply.entries.length / 2}\r\n`;
    for (const item of reply.entries) out += encodeReply(item, protocol);
    return out;
  }
  if (reply instanceof SetReply) return encodeAggregate(protocol === 3 ? '~' : '*', reply.items, protocol);
  if (reply instanceof NullArrayReply) return protocol === 3 ? '_\r\n' : '*-1\r\n';
  if (reply instanceof BooleanReply) {
    if (protocol === 3) return reply.value ? '#t\r\n' : '#f\r\n';
    return reply.value ? ':1\r\n' : ':0\r\n';
  }
  if (reply instanceof VerbatimReply) {
    if (protocol === 2) return `$${reply.text.length}\r\n${reply.text}\r\n`;
    return `=${reply.text.length + 4}\r\n${reply.format}:${reply.text}\r\n`;
  }
  if (reply instanceof PushReply) return encodeAggregate(protocol === 3 ? '>' : '*', reply.items, protocol);
  if (reply instanceof BigNumberReply) {
    return protocol === 3 ? `(${reply.digits}\r\n` : `$${reply.digits.length}\r\n${reply.digits}\r\n`;
  }
  throw new Error(`unknown reply ${String(reply)}`);
}

function encodeAggregate(prefix: string, items: Reply[], protocol: Protocol): string {
  let out = `${prefix}${items.length}\r\n`;
  for (const item of items) out += encodeReply(item, protocol);
  return out;
}
