/** A stored entry: the value and the namespace and tag versions it was computed under. */
export interface Envelope {
  v: unknown;
  n: string;
  g?: Record<string, string>;
  /** When the entry goes stale (ms, writer's clock); only with stale-while-revalidate or early recompute. */
  s?: number;
  /** How long its loader took (ms), for early recomputation. */
  d?: number;
  /** When the entry expires in Redis (ms, writer's clock); only with a local tier, whose copies end then. */
  x?: number;
}

/** The in-process tier: a small LRU of entries, each kept at most `ttlMs`. */
export class LocalTier {
  private readonly entries = new Map<string, { envelope: Envelope; until: number }>();
  /**
   * Counts invalidations heard from other processes: a read that was in flight while one arrived may
   * carry the value it dropped, so it is not kept (see `set`).
   */
  epoch = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly ttlMs: number,
  ) {}

  get(key: string): Envelope | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.until <= Date.now()) return undefined;
    this.entries.set(key, entry); // most recently used last
    return entry.envelope;
  }

  /** Keeps an entry read from Redis, unless an invalidation arrived since the read began (`readEpoch`). */
  set(key: string, envelope: Envelope, readEpoch = this.epoch): void {
    if (readEpoch !== this.epoch) return;
    this.entries.delete(key);
    this.entries.set(key, { envelope, until: Math.min(Date.now() + this.ttlMs, envelope.x ?? Infinity) });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  delete(key: string): void {
    this.epoch++;
    this.entries.delete(key);
  }

  deleteTagged(tags: string[]): void {
    this.epoch++;
    for (const [key, { envelope }] of this.entries) {
      if (envelope.g && tags.some((tag) => tag in envelope.g!)) this.entries.delete(key);
    }
  }

  clear(): void {
    this.epoch++;
    this.entries.clear();
  }
}
