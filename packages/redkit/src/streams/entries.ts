import type { RedisBufferReply } from '../client/port.js';

/** The field that holds a redkit entry's encoded payload. */
export const DATA_FIELD = 'data';

/** One stream entry as read: its ID and its fields (values as bytes). `fields` null: deleted meanwhile. */
export interface RawEntry {
  id: string;
  fields: Map<string, Buffer> | null;
}

const text = (value: RedisBufferReply | undefined): string =>
  Buffer.isBuffer(value) ? value.toString('utf8') : String(value);

/** node-redis under RESP3 answers maps; everything else answers RESP2 arrays. */
function asArray(reply: unknown): RedisBufferReply[] {
  if (reply instanceof Map) return [...reply].flat() as RedisBufferReply[];
  return Array.isArray(reply) ? reply : [];
}

/** Parses `[[id, [field, value, …]], …]` (XRANGE, XCLAIM, XAUTOCLAIM's second element). */
export function parseEntries(reply: unknown): RawEntry[] {
  return asArray(reply).map((item) => {
    const [id, pairs] = asArray(item);
    if (pairs === null || pairs === undefined) return { id: text(id), fields: null };
    const flat = asArray(pairs);
    const fields = new Map<string, Buffer>();
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const value = flat[i + 1];
      fields.set(text(flat[i]), Buffer.isBuffer(value) ? value : Buffer.from(text(value)));
    }
    return { id: text(id), fields };
  });
}

/** Parses XREADGROUP's `[[stream, entries]]` (or null on timeout) for one stream. */
export function parseRead(reply: unknown): RawEntry[] {
  const streams = asArray(reply);
  if (streams.length === 0) return [];
  // RESP2: [[name, entries]]; a RESP3 map flattens to [name, entries].
  return parseEntries(Array.isArray(streams[0]) ? streams[0][1] : streams[1]);
}

/** Parses XAUTOCLAIM: next cursor, claimed entries, and (Redis 7+) IDs deleted from the stream meanwhile. */
export function parseAutoClaim(reply: unknown): { cursor: string; entries: RawEntry[]; deleted: string[] } {
  const [cursor, entries, deleted] = asArray(reply);
  return {
    cursor: text(cursor),
    entries: parseEntries(entries),
    deleted: asArray(deleted).map(text),
  };
}

export { text as replyText };
