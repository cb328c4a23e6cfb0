import type { Engine } from '../engine.js';
import type { RedisValue } from '../keyspace/values.js';
import { MapReply, type Reply } from '../resp/reply.js';
import { functionLibraries } from '../scripting/functions.js';
import { RedisHash } from '../types/hash.js';
import { RedisList } from '../types/list.js';
import { RedisSet } from '../types/set.js';
import { formatId, MAX_ID, MIN_ID, RedisStream } from '../types/stream.js';
import { ZSet } from '../types/zset.js';
import { formatDouble } from '../util/numbers.js';

/** Elements per command when a collection is written out (Redis's AOF_REWRITE_ITEMS_PER_CMD). */
const ITEMS_PER_COMMAND = 64;

export type EmitCommand = (argv: string[]) => void;

/**
 * The fewest commands that rebuild `key` with `value` and its TTL (absolute, as PEXPIREAT), as Redis's
 * AOF rewrite writes them: SET, RPUSH/SADD/HSET/ZADD in batches, XADD + XSETID + XGROUP/XCLAIM.
 */
export function serializeKey(
  key: string,
  value: RedisValue,
  expireAt: number | undefined,
  emit: EmitCommand,
) {
  if (typeof value === 'string') emit(['SET', key, value]);
  else if (value instanceof RedisList) batches(emit, ['RPUSH', key], value, 1);
  else if (value instanceof RedisSet) batches(emit, ['SADD', key], value.items, 1);
  else if (value instanceof RedisHash) {
    const pairs: string[] = [];
    value.forEach((v, field) => {
      pairs.push(field, v);
    });
    batches(emit, ['HSET', key], pairs, 2);
  } else if (value instanceof ZSet) {
    const pairs: string[] = [];
    value.forEach((member, score) => {
      pairs.push(formatDouble(score), member);
    });
    batches(emit, ['ZADD', key], pairs, 2);
  } else if (value instanceof RedisStream) serializeStream(key, value, emit);
  if (expireAt !== undefined) emit(['PEXPIREAT', key, String(expireAt)]);
}

/** Emits `head` + items, ITEMS_PER_COMMAND elements (of `width` strings each) per command. */
function batches(emit: EmitCommand, head: string[], items: Iterable<string>, width: number): void {
  const limit = ITEMS_PER_COMMAND * width;
  let argv = head.slice();
  for (const item of items) {
    argv.push(item);
    if (argv.length - head.length === limit) {
      emit(argv);
      argv = head.slice();
    }
  }
  if (argv.length > head.length) emit(argv);
}

function serializeStream(key: string, stream: RedisStream, emit: EmitCommand): void {
  const lastId = formatId(stream.lastId);
  if (stream.length > 0) {
    stream.range(MIN_ID, MAX_ID, 0, false, (id, fields) => emit(['XADD', key, formatId(id), ...fields]));
  } else {
    // An empty stream: add an entry and trim it at once (XADD … MAXLEN 0), as Redis's rewrite does.
    emit(['XADD', key, 'MAXLEN', '0', lastId, 'x', 'y']);
  }
  emit([
    'XSETID',
    key,
    lastId,
    'ENTRIESADDED',
    String(stream.entriesAdded),
    'MAXDELETEDID',
    formatId(stream.maxDeletedId),
  ]);
  for (const [name, group] of stream.groups) {
    emit(['XGROUP', 'CREATE', key, name, formatId(group.lastId), 'ENTRIESREAD', String(group.entriesRead)]);
    for (const consumer of group.sortedConsumers())
      emit(['XGROUP', 'CREATECONSUMER', key, name, consumer.name]);
    for (const nack of group.pel.list()) {
      if (!nack.consumer) continue;
      emit([
        'XCLAIM',
        key,
        name,
        nack.consumer.name,
        '0',
        formatId(nack.id),
        'TIME',
        String(nack.deliveryTime),
        'RETRYCOUNT',
        String(nack.deliveryCount),
        'JUSTID',
        'FORCE',
      ]);
    }
  }
}

/** FUNCTION LOAD for every library (functions live in the AOF too, as in Redis 7). */
export function serializeFunctions(engine: Engine, emit: EmitCommand): void {
  for (const library of functionLibraries(engine).list(undefined, true)) {
    if (!(library instanceof MapReply)) continue;
    const code = fieldOf(library, 'library_code');
    if (typeof code === 'string') emit(['FUNCTION', 'LOAD', code]);
  }
}

function fieldOf(map: MapReply, name: string): Reply | undefined {
  for (let i = 0; i + 1 < map.entries.length; i += 2) if (map.entries[i] === name) return map.entries[i + 1];
  return undefined;
}
