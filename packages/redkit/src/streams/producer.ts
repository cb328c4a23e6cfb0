import type { RedisArg, RedisCommand, RedisPort } from '../client/port.js';
import { type Duration, toMilliseconds } from '../duration.js';
import { RedisCommandError, RedkitConfigError } from '../errors.js';
import { type Codec, type CodecOption, resolveCodec } from '../pubsub/codec.js';
import { DATA_FIELD } from './entries.js';

export interface StreamProducerOptions<T> {
  /**
   * Keep about this many newest entries (XADD MAXLEN ~, trimmed in whole macro nodes: cheap). Default
   * 100,000. Trimming drops entries whether or not a group has read them, so size it above the backlog
   * your consumers may build up (see StreamConsumer.metrics().lag). `null`: never trim by length.
   */
  maxLen?: number | null;
  /** Instead of a length, keep entries younger than this (XADD MINID ~ now - maxAge). */
  maxAge?: Duration;
  /** Trim exactly (`=`) instead of approximately (`~`): slower, only for hard limits. */
  exactTrim?: boolean;
  /**
   * Expire the whole stream this long after the last add (refreshed on every add). Default: no expiry —
   * a stream is a log that outlives its producers, and expiring it would also drop its consumer groups
   * and their pending entries; its size is bounded by maxLen / maxAge instead.
   */
  ttl?: Duration;
  /** 'json' (default), 'msgpack', 'text', 'buffer' or your own Codec. */
  codec?: CodecOption<T>;
}

/**
 * Appends typed entries to a Redis Stream, capped by length or age so the stream cannot grow without
 * bound. Each entry stores its encoded payload in one field (`data`); StreamConsumer reads it back.
 */
export class StreamProducer<T = unknown> {
  private readonly codec: Codec<T>;
  private readonly trim: RedisArg[];
  private readonly ttlMs: number | undefined;
  private readonly maxAgeMs: number | undefined;

  constructor(
    private readonly redis: RedisPort,
    readonly stream: string,
    options: StreamProducerOptions<T> = {},
  ) {
    this.codec = resolveCodec(options.codec);
    const how = options.exactTrim ? '=' : '~';
    if (options.maxAge !== undefined) {
      if (options.maxLen !== undefined)
        throw new RedkitConfigError(
          'give StreamProducer maxLen or maxAge, not both: Redis trims by one of them',
        );
      this.maxAgeMs = toMilliseconds(options.maxAge, 'maxAge');
      this.trim = ['MINID', how];
    } else {
      const maxLen = options.maxLen === undefined ? 100_000 : options.maxLen;
      if (maxLen !== null && !(Number.isInteger(maxLen) && maxLen > 0))
        throw new RedkitConfigError(`maxLen must be a positive integer or null (no trimming), got ${maxLen}`);
      this.trim = maxLen === null ? [] : ['MAXLEN', how, maxLen];
    }
    this.ttlMs = options.ttl === undefined ? undefined : toMilliseconds(options.ttl, 'ttl');
  }

  /** Appends one entry; resolves with its ID. */
  async add(value: T): Promise<string> {
    const [id] = await this.addMany([value]);
    return id!;
  }

  /** Appends entries in one round trip, in order; resolves with their IDs. */
  async addMany(values: T[]): Promise<string[]> {
    if (values.length === 0) return [];
    const trim = this.maxAgeMs === undefined ? this.trim : [...this.trim, `${Date.now() - this.maxAgeMs}-0`];
    const commands: RedisCommand[] = values.map((value) => [
      'XADD',
      this.stream,
      ...trim,
      '*',
      DATA_FIELD,
      this.codec.encode(value),
    ]);
    if (this.ttlMs !== undefined) commands.push(['PEXPIRE', this.stream, this.ttlMs]);
    const replies = await this.redis.pipeline(commands);
    const failed = replies.find((r) => r instanceof RedisCommandError);
    if (failed) throw failed;
    return replies.slice(0, values.length) as string[];
  }

  /** Entries in the stream now. */
  async length(): Promise<number> {
    return (await this.redis.send('XLEN', this.stream)) as number;
  }
}
