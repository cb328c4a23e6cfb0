import type { RedisPort } from '../client/port.js';
import { RedisCommandError } from '../errors.js';
import { replyText } from './entries.js';

/** What this process's consumer did since it started. */
export interface ConsumerCounters {
  /** Entries handled and acknowledged. */
  processed: number;
  /** Failed handler calls (each attempt). */
  failed: number;
  /** Retries started after a backoff. */
  retried: number;
  /** Entries moved to the dead-letter stream (or dropped without one). */
  deadLettered: number;
  /** Entries taken over from consumers that died or hung. */
  reclaimed: number;
  /** Pending entries that were trimmed or deleted before they could be processed. */
  deletedWhilePending: number;
  /** Handlers running now. */
  inFlight: number;
  /** Entries this consumer owns now: running, waiting to retry, or being acknowledged. */
  held: number;
}

export interface StreamMetrics {
  /** Entries in the stream (XLEN). */
  length: number;
  /** Entries not yet delivered to the group; null when Redis cannot tell (after deletions in the range). */
  lag: number | null;
  /** Entries delivered to the group's consumers and not yet acknowledged. */
  pending: number;
  /** The oldest pending entry's ID (its time part tells how old the oldest unfinished work is). */
  oldestPendingId: string | null;
  lastDeliveredId: string | null;
  consumers: Array<{ name: string; pending: number; idleMs: number }>;
  local: ConsumerCounters;
}

/** XINFO replies: a flat [name, value, …] array (or a RESP3 map). */
export function record(reply: unknown): Record<string, unknown> {
  const flat = reply instanceof Map ? [...reply].flat() : Array.isArray(reply) ? reply : [];
  const out: Record<string, unknown> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[replyText(flat[i])] = flat[i + 1];
  return out;
}

/** One round trip: XLEN, XINFO GROUPS, XPENDING and XINFO CONSUMERS of the stream and group. */
export async function readMetrics(
  redis: RedisPort,
  stream: string,
  group: string,
  local: ConsumerCounters,
): Promise<StreamMetrics> {
  const [length, groups, pending, consumers] = await redis.pipeline([
    ['XLEN', stream],
    ['XINFO', 'GROUPS', stream],
    ['XPENDING', stream, group],
    ['XINFO', 'CONSUMERS', stream, group],
  ]);
  for (const reply of [groups, pending, consumers]) if (reply instanceof RedisCommandError) throw reply;
  const info = (groups as unknown[]).map(record).find((g) => replyText(g.name as string) === group) ?? {};
  const [count, oldest] = pending as [number, string | null];
  return {
    length: Number(length),
    lag: info.lag === null || info.lag === undefined ? null : Number(info.lag),
    pending: Number(count),
    oldestPendingId: oldest ?? null,
    lastDeliveredId: (info['last-delivered-id'] as string | undefined) ?? null,
    consumers: (consumers as unknown[]).map(record).map((c) => ({
      name: String(c.name),
      pending: Number(c.pending),
      idleMs: Number(c.idle),
    })),
    local,
  };
}
