import type { RedisPort } from '../client/port.js';
import { type Duration, toMilliseconds } from '../duration.js';
import { Keys } from '../keys.js';
import { type Period, periodLabel, periodMs } from './periods.js';

export interface LeaderboardOptions {
  namespace?: string;
  /** Time-boxed boards: a new board each period (UTC). */
  period?: Period;
  /** How long a board lives after its last write. Default: two periods, or 30 days for an unboxed board. */
  ttl?: Duration;
  /** Keep the board forever (no TTL). */
  persistent?: boolean;
  /** The clock that picks the period (ms). */
  now?: () => number;
}

export interface Standing {
  member: string;
  score: number;
  /** 1-based; equal scores share a rank (1, 2, 2, 4). */
  rank: number;
}

/** A leaderboard on a sorted set: highest score first, ties ranked together. */
export class Leaderboard {
  private readonly keys: Keys;
  private readonly ttlMs: number | undefined;
  private readonly now: () => number;

  constructor(
    private readonly redis: RedisPort,
    readonly name: string,
    private readonly options: LeaderboardOptions = {},
  ) {
    this.keys = new Keys(options.namespace ?? 'leaderboard');
    this.now = options.now ?? Date.now;
    const fallback = options.period ? 2 * periodMs(options.period) : 30 * 86_400_000;
    this.ttlMs = options.persistent ? undefined : toMilliseconds(options.ttl ?? fallback, 'ttl');
  }

  /** The key of the board for the period containing `at` (default: now). */
  key(at?: number | Date): string {
    const { period } = this.options;
    return period ? this.keys.of(this.name, periodLabel(period, at ?? this.now())) : this.keys.of(this.name);
  }

  /** Sets a member's score. */
  async add(member: string, score: number): Promise<void> {
    await this.write(['ZADD', this.key(), score, member]);
  }

  /** Adds to a member's score; returns the new score. */
  async increment(member: string, by = 1): Promise<number> {
    const [score] = await this.write(['ZINCRBY', this.key(), by, member]);
    return Number(score);
  }

  async remove(member: string): Promise<void> {
    await this.redis.send('ZREM', this.key(), member);
  }

  /** The first `count` standings. */
  async top(count = 10, at?: number | Date): Promise<Standing[]> {
    return this.range(0, count - 1, at);
  }

  /** A page of standings (page 1 first). */
  async page(page: number, size = 20, at?: number | Date): Promise<Standing[]> {
    const start = Math.max(0, (page - 1) * size);
    return this.range(start, start + size - 1, at);
  }

  /** A member's standing, or null when it has no score. */
  async rank(member: string, at?: number | Date): Promise<Standing | null> {
    const key = this.key(at);
    const score = await this.redis.send('ZSCORE', key, member);
    if (score === null) return null;
    const better = (await this.redis.send('ZCOUNT', key, `(${score}`, '+inf')) as number;
    return { member, score: Number(score), rank: better + 1 };
  }

  /** The standings around a member: `radius` above and below it. */
  async around(member: string, radius = 2, at?: number | Date): Promise<Standing[]> {
    const position = await this.redis.send('ZREVRANK', this.key(at), member);
    if (position === null) return [];
    const index = Number(position);
    return this.range(Math.max(0, index - radius), index + radius, at);
  }

  async size(at?: number | Date): Promise<number> {
    return (await this.redis.send('ZCARD', this.key(at))) as number;
  }

  private async range(start: number, stop: number, at?: number | Date): Promise<Standing[]> {
    const key = this.key(at);
    const flat = (await this.redis.send('ZRANGE', key, start, stop, 'REV', 'WITHSCORES')) as string[];
    if (flat.length === 0) return [];
    // Ranks with ties: the first entry's rank counts everyone strictly above it; then it follows scores.
    const firstScore = flat[1]!;
    let rank = ((await this.redis.send('ZCOUNT', key, `(${firstScore}`, '+inf')) as number) + 1;
    const out: Standing[] = [];
    for (let i = 0; i < flat.length; i += 2) {
      const score = Number(flat[i + 1]);
      if (i > 0 && score !== out[out.length - 1]!.score) rank = start + i / 2 + 1;
      out.push({ member: flat[i]!, score, rank });
    }
    return out;
  }

  private async write(command: [string, ...Array<string | number>]): Promise<Array<unknown>> {
    const key = command[1] as string;
    const commands: Array<[string, ...Array<string | number>]> = [command];
    if (this.ttlMs !== undefined) commands.push(['PEXPIRE', key, this.ttlMs]);
    const replies = await this.redis.transaction(commands);
    if (replies[0] instanceof Error) throw replies[0];
    return replies;
  }
}
