import type { RedisPort } from '../client/port.js';
import { type Duration, toMilliseconds } from '../duration.js';
import { Keys } from '../keys.js';
import { type Period, periodLabel, periodLabels, periodMs } from './periods.js';

export interface CounterOptions {
  namespace?: string;
  /** One count per period (UTC). */
  period: Period;
  /** How long each period's count is kept. Default: 30 periods. */
  retention?: Duration;
  now?: () => number;
}

/** Per-period counters (page views per hour, signups per day …), each expiring after its retention. */
export class Counter {
  private readonly keys: Keys;
  private readonly retentionMs: number;
  private readonly now: () => number;

  constructor(
    private readonly redis: RedisPort,
    readonly name: string,
    private readonly options: CounterOptions,
  ) {
    this.keys = new Keys(options.namespace ?? 'counter');
    this.retentionMs = toMilliseconds(options.retention ?? 30 * periodMs(options.period), 'retention');
    this.now = options.now ?? Date.now;
  }

  /** Adds `by` to the current period's count of `subject`; returns the new count. */
  async increment(subject = '', by = 1): Promise<number> {
    const key = this.key(subject, this.now());
    const [count] = await this.redis.transaction([
      ['INCRBY', key, by],
      ['PEXPIRE', key, this.retentionMs],
    ]);
    if (count instanceof Error) throw count;
    return count as number;
  }

  /** The count of the period containing `at` (default: now). */
  async get(subject = '', at: number | Date = this.now()): Promise<number> {
    return Number((await this.redis.send('GET', this.key(subject, at))) ?? 0);
  }

  /** Counts of every period from `from` to `to`, oldest first. */
  async range(
    subject: string,
    from: number | Date,
    to: number | Date,
  ): Promise<Array<{ period: string; count: number }>> {
    const labels = periodLabels(this.options.period, from, to);
    if (labels.length === 0) return [];
    const replies = await this.redis.pipeline(labels.map((label) => ['GET', this.key(subject, label)]));
    return labels.map((period, i) => ({ period, count: Number(replies[i] ?? 0) }));
  }

  /** One hash tag per counter and subject: a range read stays in one Cluster slot. */
  private key(subject: string, at: number | Date | string): string {
    const label = typeof at === 'string' ? at : periodLabel(this.options.period, at);
    return this.keys.inSlot(this.name, subject).of(label);
  }
}
