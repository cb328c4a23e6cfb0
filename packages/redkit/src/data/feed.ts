import type { RedisPort } from '../client/port.js';
import { type Duration, toMilliseconds } from '../duration.js';
import { RedkitConfigError } from '../errors.js';
import { Keys } from '../keys.js';

export interface FeedOptions {
  namespace?: string;
  /** Items kept per feed (oldest dropped). Default 100. */
  maxLength?: number;
  /** A feed untouched this long expires. Default '30d'. */
  ttl?: Duration;
}

/** Capped activity feeds, newest first (a list per owner). Items are stored as JSON. */
export class Feed<T = unknown> {
  private readonly keys: Keys;
  private readonly maxLength: number;
  private readonly ttlMs: number;

  constructor(
    private readonly redis: RedisPort,
    readonly name: string,
    options: FeedOptions = {},
  ) {
    this.keys = new Keys(options.namespace ?? 'feed');
    this.maxLength = options.maxLength ?? 100;
    if (!Number.isInteger(this.maxLength) || this.maxLength < 1) {
      throw new RedkitConfigError(`maxLength must be a positive integer, got ${options.maxLength}`);
    }
    this.ttlMs = toMilliseconds(options.ttl ?? '30d', 'ttl');
  }

  /** Adds items at the head of `owner`'s feed, atomically trimming it to maxLength. */
  async push(owner: string, ...items: T[]): Promise<void> {
    if (items.length === 0) return;
    const key = this.keys.of(this.name, owner);
    const replies = await this.redis.transaction([
      ['LPUSH', key, ...items.map((item) => JSON.stringify(item))],
      ['LTRIM', key, 0, this.maxLength - 1],
      ['PEXPIRE', key, this.ttlMs],
    ]);
    const failed = replies.find((r) => r instanceof Error);
    if (failed) throw failed;
  }

  /** The newest `count` items after skipping `offset`. */
  async latest(owner: string, count = 20, offset = 0): Promise<T[]> {
    const items = (await this.redis.send(
      'LRANGE',
      this.keys.of(this.name, owner),
      offset,
      offset + count - 1,
    )) as string[];
    return items.map((item) => JSON.parse(item) as T);
  }

  async length(owner: string): Promise<number> {
    return (await this.redis.send('LLEN', this.keys.of(this.name, owner))) as number;
  }
}
