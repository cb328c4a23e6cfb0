import { pack, unpack } from 'msgpackr';

/** How cache entries are turned into bytes and back. */
export interface Serializer {
  readonly name: string;
  encode(value: unknown): string | Buffer;
  decode(data: Buffer): unknown;
}

/** JSON (the default): readable in redis-cli, portable to every language. */
export const jsonSerializer: Serializer = {
  name: 'json',
  encode: (value) => JSON.stringify(value),
  decode: (data) => JSON.parse(data.toString('utf8')),
};

/** MessagePack: smaller and faster for large values; keeps Dates, Buffers, Maps and Sets. */
export const msgpackSerializer: Serializer = {
  name: 'msgpack',
  encode: (value) => pack(value),
  decode: (data) => unpack(data),
};
