import { pack, unpack } from 'msgpackr';
import { RedkitConfigError } from '../errors.js';

/**
 * Turns messages into bytes and back. `decode` may validate (e.g. with a schema library) and throw:
 * a message that fails to decode is reported, never handed to a handler.
 */
export interface Codec<T> {
  readonly name: string;
  encode(value: T): string | Buffer;
  decode(data: Buffer): T;
}

/** JSON (the default): readable in redis-cli and from every language. */
export const jsonCodec: Codec<unknown> = {
  name: 'json',
  encode: (value) => {
    const text = JSON.stringify(value);
    if (text === undefined)
      throw new RedkitConfigError(`cannot encode ${typeof value} as JSON: send a value JSON can represent`);
    return text;
  },
  decode: (data) => JSON.parse(data.toString('utf8')),
};

/** MessagePack: smaller and faster for large messages; keeps Dates, Buffers, Maps and Sets. */
export const msgpackCodec: Codec<unknown> = {
  name: 'msgpack',
  encode: (value) => pack(value),
  decode: (data) => unpack(data),
};

/** Plain UTF-8 text, as other tools publish it. */
export const textCodec: Codec<string> = {
  name: 'text',
  encode: (value) => value,
  decode: (data) => data.toString('utf8'),
};

/** Raw bytes, untouched. */
export const bufferCodec: Codec<Buffer> = {
  name: 'buffer',
  encode: (value) => value,
  decode: (data) => data,
};

export type CodecOption<T> = 'json' | 'msgpack' | 'text' | 'buffer' | Codec<T>;

/** The codec an option names (JSON when none is given). */
export function resolveCodec<T>(option: CodecOption<T> | undefined): Codec<T> {
  if (option === undefined || option === 'json') return jsonCodec as Codec<T>;
  if (option === 'msgpack') return msgpackCodec as Codec<T>;
  if (option === 'text') return textCodec as unknown as Codec<T>;
  if (option === 'buffer') return bufferCodec as unknown as Codec<T>;
  if (typeof option.encode !== 'function' || typeof option.decode !== 'function')
    throw new RedkitConfigError("codec must be 'json', 'msgpack', 'text', 'buffer' or { encode, decode }");
  return option;
}
