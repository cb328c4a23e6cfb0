import { RedisError, syntaxError, wrongType } from '../../resp/errors.js';
import type { Reply } from '../../resp/reply.js';
import type { Session } from '../../session.js';
import { RedisList } from '../../types/list.js';

/** Which end of a list: LEFT is the head, RIGHT the tail. */
export type End = 'left' | 'right';

export const docs = (since: string, summary: string, complexity: string) => ({
  group: 'list',
  since,
  summary,
  complexity,
});

/** A list for a read command (counts keyspace hits/misses); throws WRONGTYPE for other types. */
export function readList(c: Session, key: string): RedisList | undefined {
  const value = c.db.read(key);
  if (value === undefined) return undefined;
  if (!(value instanceof RedisList)) wrongType();
  return value;
}

/** A list for a write command; throws WRONGTYPE for other types. */
export function writableList(c: Session, key: string): RedisList | undefined {
  const value = c.db.get(key);
  if (value === undefined) return undefined;
  if (!(value instanceof RedisList)) wrongType();
  return value;
}

/** LEFT or RIGHT, case-insensitive; anything else is a syntax error. */
export function parseEnd(arg: string): End {
  const upper = arg.toUpperCase();
  if (upper === 'LEFT') return 'left';
  if (upper === 'RIGHT') return 'right';
  return syntaxError();
}

/**
 * Redis counts one change per element for some list writes (LPUSH, LPOP count …) and none for a
 * blocked client's pop, while each c.changed call counted one: this corrects the total.
 */
export function correctDirty(c: Session, redisCount: number, changedCalls: number): void {
  c.engine.dirty += redisCount - changedCalls;
}

/**
 * After elements left a list: the lpop/rpop (or ltrim, lrem) event, then the list is deleted with a
 * 'del' event if it emptied, in Redis's order.
 */
export function afterRemoval(c: Session, key: string, list: RedisList, event: string): void {
  c.changed(key, event, 'l');
  if (list.size === 0) {
    c.db.delete(key);
    c.engine.notify(c.db, key, 'del', 'g');
  }
}

/** Pops one element from `end`; the list must not be empty. */
export function popOne(list: RedisList, end: End): string {
  return (end === 'left' ? list.popFront() : list.popBack())!;
}

/** Pops up to `count` elements from `end`, in pop order. */
export function popMany(list: RedisList, end: End, count: number): string[] {
  const n = Math.min(count, list.size);
  const items = end === 'left' ? list.range(0, n - 1) : list.range(list.size - n, list.size - 1, true);
  list.removeEnds(n, end === 'right');
  return items;
}

/** LMPOP/BLMPOP's pop of up to `count` elements from one list: replies [key, [elements]]. */
export function popWithKey(c: Session, key: string, list: RedisList, end: End, count: number): Reply {
  const items = popMany(list, end, count);
  afterRemoval(c, key, list, end === 'left' ? 'lpop' : 'rpop');
  correctDirty(c, items.length, 1);
  return [key, items];
}

/**
 * LMOVE's core: pops from `source` (a non-empty list at `sourceKey`) and pushes onto the destination,
 * creating it if needed. The destination is looked up before the pop, so a list rotating onto itself
 * is never seen empty. Throws WRONGTYPE when the destination holds another type.
 */
export function moveElement(
  c: Session,
  sourceKey: string,
  source: RedisList,
  destKey: string,
  from: End,
  to: End,
): string {
  let dest = writableList(c, destKey);
  const value = popOne(source, from);
  if (!dest) {
    dest = new RedisList();
    c.db.set(destKey, dest);
  }
  if (to === 'left') dest.pushFront(value);
  else dest.pushBack(value);
  c.changed(destKey, to === 'left' ? 'lpush' : 'rpush', 'l');
  afterRemoval(c, sourceKey, source, from === 'left' ? 'lpop' : 'rpop');
  return value;
}

/** Runs a blocked client's serve step, turning a thrown Redis error into that client's error reply. */
export function replyOrError(serve: () => Reply | undefined): Reply | undefined {
  try {
    return serve();
  } catch (e) {
    if (e instanceof RedisError) return e.toReply();
    throw e;
  }
}
