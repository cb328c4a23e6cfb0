import { NULL_ARRAY, type Reply } from '../../resp/reply.js';
import type { Session } from '../../session.js';
import {
  Consumer,
  type ConsumerGroup,
  formatId,
  INVALID_ENTRIES_READ,
  MAX_ID,
  type PendingEntry,
  type RedisStream,
  type StreamId,
} from '../../types/stream.js';
import { entryReply } from './shared.js';

/**
 * Consumer-group bookkeeping shared by XREADGROUP, XCLAIM, XAUTOCLAIM and XINFO: consumers, the
 * pending entries lists, and the entries-read / lag counters computed as Redis 7.0 does.
 */

/** Looks a consumer up, refreshing its seen time (Redis's SLC_DEFAULT). */
export function lookupConsumer(c: Session, group: ConsumerGroup, name: string): Consumer | undefined {
  const consumer = group.consumers.get(name);
  if (consumer) consumer.seenTime = c.now();
  return consumer;
}

/** Creates a consumer (firing xgroup-createconsumer), or returns undefined if it exists. */
export function createConsumer(
  c: Session,
  group: ConsumerGroup,
  name: string,
  key: string,
): Consumer | undefined {
  if (group.consumers.has(name)) return undefined;
  const consumer = new Consumer(name, c.now());
  group.consumers.set(name, consumer);
  c.engine.dirty++;
  c.engine.notify(c.db, key, 'xgroup-createconsumer', 't');
  return consumer;
}

export function lookupOrCreateConsumer(
  c: Session,
  group: ConsumerGroup,
  name: string,
  key: string,
): Consumer {
  return lookupConsumer(c, group, name) ?? createConsumer(c, group, name, key)!;
}

/** True when a deleted entry may lie in [start, end] (Redis's streamRangeHasTombstones). */
export function rangeHasTombstones(stream: RedisStream, start: StreamId, end: StreamId = MAX_ID): boolean {
  if (stream.length === 0 || stream.maxDeletedId === 0n) return false;
  if (stream.firstId > stream.maxDeletedId) return false;
  return start <= stream.maxDeletedId && stream.maxDeletedId <= end;
}

/** How many entries were added up to id, when that can be known (else -1). */
export function estimateEntriesRead(stream: RedisStream, id: StreamId): bigint {
  if (stream.entriesAdded === 0n) return 0n;
  if (stream.length === 0 && id <= stream.lastId) return stream.entriesAdded;
  if (id === stream.lastId) return stream.entriesAdded;
  if (id > stream.lastId) return INVALID_ENTRIES_READ;
  if (stream.maxDeletedId === 0n || stream.maxDeletedId < stream.firstId) {
    if (id < stream.firstId) return stream.entriesAdded - BigInt(stream.length);
    if (id === stream.firstId) return stream.entriesAdded - BigInt(stream.length) + 1n;
  }
  return INVALID_ENTRIES_READ;
}

/** The group's lag (null when it cannot be known). */
export function groupLag(stream: RedisStream, group: ConsumerGroup): bigint | null {
  if (stream.entriesAdded === 0n) return 0n;
  if (group.entriesRead !== INVALID_ENTRIES_READ && !rangeHasTombstones(stream, group.lastId)) {
    return stream.entriesAdded - group.entriesRead;
  }
  const read = estimateEntriesRead(stream, group.lastId);
  return read === INVALID_ENTRIES_READ ? null : stream.entriesAdded - read;
}

function advanceGroup(stream: RedisStream, group: ConsumerGroup, id: StreamId): void {
  if (id <= group.lastId) return;
  if (group.entriesRead !== INVALID_ENTRIES_READ && !rangeHasTombstones(stream, id)) {
    group.entriesRead++;
  } else if (stream.entriesAdded !== 0n) {
    group.entriesRead = estimateEntriesRead(stream, id);
  }
  group.lastId = id;
}

export function removePending(group: ConsumerGroup, nack: PendingEntry): void {
  group.pel.delete(nack.id);
  nack.consumer?.pel.delete(nack.id);
}

/** Serves new entries (">") from start on to a consumer: advances the group, records them as pending. */
export function deliverNew(
  c: Session,
  stream: RedisStream,
  group: ConsumerGroup,
  consumer: Consumer,
  start: StreamId,
  count: number,
  noAck: boolean,
): Reply[] {
  const out: Reply[] = [];
  const now = c.now();
  stream.range(start, MAX_ID, count, false, (id, fields) => {
    advanceGroup(stream, group, id);
    if (!noAck) {
      const existing = group.pel.get(id);
      if (existing) {
        existing.consumer?.pel.delete(id);
        existing.consumer = consumer;
        existing.deliveryTime = now;
        existing.deliveryCount = 1n;
        consumer.pel.insert(id, existing);
      } else {
        const nack: PendingEntry = { id, consumer, deliveryTime: now, deliveryCount: 1n };
        group.pel.insert(id, nack);
        consumer.pel.insert(id, nack);
      }
    }
    out.push(entryReply(id, fields));
  });
  return out;
}

/** Serves a consumer's own pending entries from start on (history reads); deleted ones as [id, nil]. */
export function deliverHistory(
  c: Session,
  stream: RedisStream,
  consumer: Consumer,
  start: StreamId,
  count: number,
): Reply[] {
  const out: Reply[] = [];
  const pel = consumer.pel;
  for (let i = pel.seek(start); i < pel.end && (count === 0 || out.length < count); i = pel.next(i)) {
    const nack = pel.valueAt(i);
    const fields = stream.get(nack.id);
    if (fields === undefined) {
      out.push([formatId(nack.id), NULL_ARRAY]);
    } else {
      nack.deliveryTime = c.now();
      nack.deliveryCount++;
      out.push(entryReply(nack.id, fields));
    }
  }
  return out;
}
