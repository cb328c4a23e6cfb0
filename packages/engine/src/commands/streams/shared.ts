import { errorArg, fail, wrongType } from '../../resp/errors.js';
import type { Reply } from '../../resp/reply.js';
import type { Session } from '../../session.js';
import {
  type ConsumerGroup,
  formatId,
  RedisStream,
  type StreamId,
  type StreamLimits,
} from '../../types/stream.js';

export function docs(since: string, summary: string, complexity?: string) {
  return { group: 'stream', since, summary, ...(complexity ? { complexity } : {}) };
}

/** The stream at key for a read command (undefined when missing; WRONGTYPE for another type). */
export function readStream(c: Session, key: string): RedisStream | undefined {
  const value = c.db.read(key);
  if (value === undefined) return undefined;
  if (!(value instanceof RedisStream)) wrongType();
  return value;
}

/** The stream at key for a write command. */
export function writableStream(c: Session, key: string): RedisStream | undefined {
  const value = c.db.get(key);
  if (value === undefined) return undefined;
  if (!(value instanceof RedisStream)) wrongType();
  return value;
}

export function streamLimits(c: Session): StreamLimits {
  return {
    nodeMaxEntries: c.engine.config.number('stream-node-max-entries'),
    nodeMaxBytes: c.engine.config.number('stream-node-max-bytes'),
  };
}

/** Redis's error formatting turns CR and LF of interpolated names into spaces. */
export function noGroupError(key: string, group: string): never {
  fail(`NOGROUP No such key '${errorArg(key)}' or consumer group '${errorArg(group)}'`);
}

/** The group, or NOGROUP as XCLAIM/XPENDING/XAUTOCLAIM word it. */
export function requireGroup(stream: RedisStream | undefined, key: string, name: string): ConsumerGroup {
  const group = stream?.groups.get(name);
  if (!group) noGroupError(key, name);
  return group;
}

/** One entry as Redis replies it: [id, [field, value, …]]. */
export function entryReply(id: StreamId, fields: string[]): Reply {
  return [formatId(id), fields];
}

/** Entries of [start, end] as an array of [id, fields]. */
export function rangeReply(
  stream: RedisStream,
  start: StreamId,
  end: StreamId,
  count: number,
  reverse: boolean,
): Reply[] {
  const out: Reply[] = [];
  stream.range(start, end, count, reverse, (id, fields) => {
    out.push(entryReply(id, fields));
  });
  return out;
}

/** Notification without a WATCH/dirty effect (events Redis fires without signalModifiedKey). */
export function notifyOnly(c: Session, key: string, event: string): void {
  c.engine.notify(c.db, key, event, 't');
}

/**
 * A consumer-group change: Redis counts it and notifies, but does not touch WATCH (no
 * signalModifiedKey) for XGROUP, XSETID, XREADGROUP, XCLAIM and the like.
 */
export function groupEvent(c: Session, key: string, event: string): void {
  c.engine.dirty++;
  notifyOnly(c, key, event);
}
