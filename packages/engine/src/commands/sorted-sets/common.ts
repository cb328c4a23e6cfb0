import { RedisError, WRONGTYPE } from '../../resp/errors.js';
import { DoubleReply, type Reply } from '../../resp/reply.js';
import type { Session } from '../../session.js';
import { ZSet, type ZSetLimits } from '../../types/zset.js';
import { parseInt64 } from '../../util/numbers.js';

export const docs = (
  since: string,
  summary: string,
  complexity: string,
  getKeys?: (argv: string[]) => number[],
) => ({ group: 'sorted-set', since, summary, complexity, ...(getKeys ? { getKeys } : {}) });

/** The sorted set at `key` for a read command (counts a hit or miss); WRONGTYPE for other types. */
export function readZSet(c: Session, key: string): ZSet | undefined {
  const value = c.db.read(key);
  if (value === undefined) return undefined;
  if (!(value instanceof ZSet)) throw new RedisError(WRONGTYPE);
  return value;
}

/** The sorted set at `key` for a write command; WRONGTYPE for other types. */
export function writeZSet(c: Session, key: string): ZSet | undefined {
  const value = c.db.get(key);
  if (value === undefined) return undefined;
  if (!(value instanceof ZSet)) throw new RedisError(WRONGTYPE);
  return value;
}

export function zsetLimits(c: Session): ZSetLimits {
  const config = c.engine.config;
  return {
    maxEntries: config.number('zset-max-listpack-entries'),
    maxValue: config.number('zset-max-listpack-value'),
  };
}

/**
 * After elements were removed from `key` by `event` (zrem, zpopmin …): signals the change and, when
 * the set became empty, deletes the key with the extra 'del' notification Redis sends.
 */
export function removedFrom(c: Session, key: string, zset: ZSet, event: string): void {
  const emptied = zset.size === 0;
  if (emptied) c.db.delete(key);
  c.changed(key, event, 'z');
  if (emptied) c.engine.notify(c.db, key, 'del', 'g');
}

/**
 * Collects member/score results: members alone, or with scores as a flat array (RESP2) or as
 * [member, score] pairs (RESP3), as Redis replies to ZRANGE … WITHSCORES.
 */
export class ScoredReply {
  readonly items: Reply[] = [];
  private readonly pairs: boolean;

  constructor(
    c: Session,
    private readonly withScores: boolean,
  ) {
    this.pairs = withScores && c.protocol === 3;
  }

  push(member: string, score: number): void {
    if (!this.withScores) this.items.push(member);
    else if (this.pairs) this.items.push([member, new DoubleReply(score)]);
    else this.items.push(member, new DoubleReply(score));
  }
}

/**
 * Key positions of a command whose keys follow a numkeys argument at `numkeysIndex`, plus fixed
 * leading keys (a STORE destination). Bad or excessive numkeys yields no keys, as Redis's getkeys.
 */
export function numkeysKeys(numkeysIndex: number, leading: number[] = []): (argv: string[]) => number[] {
  return (argv) => {
    const n = parseInt64(argv[numkeysIndex] ?? '');
    if (n === null || n < 1n || Number(n) > argv.length - numkeysIndex - 1) return [];
    const keys = [...leading];
    for (let i = 0; i < Number(n); i++) keys.push(numkeysIndex + 1 + i);
    return keys;
  };
}
