/** Counters of one subscriber (a handler or an iterator). */
export interface InboxStats {
  /** Messages that reached this subscriber. */
  received: number;
  /** Messages handled (handler returned) or taken (iterator). */
  handled: number;
  /** Handler calls that threw or rejected. */
  failed: number;
  /** Messages dropped because more than maxBuffered were waiting. */
  dropped: number;
  /** Messages waiting now. */
  buffered: number;
}

export interface InboxLimits {
  /** Waiting messages past which a warning says the subscriber falls behind. */
  highWaterMark: number;
  /** Waiting messages past which the oldest are dropped (counted in stats.dropped). */
  maxBuffered: number;
  /** Names the subscriber in warnings. */
  label: string;
  warn: (message: string) => void;
}

/**
 * A FIFO of messages waiting for a slow subscriber. Pub/sub has no backpressure (Redis pushes, and drops
 * a client whose output buffer overflows), so the queue lives here: it warns once the subscriber is
 * `highWaterMark` behind (again only after it caught up to half of it), and sheds the oldest past
 * `maxBuffered` so a stuck handler cannot exhaust memory.
 */
export class Inbox<M> {
  private items: M[] = [];
  private head = 0;
  private warned = false;
  private droppedSinceWarning = 0;
  readonly stats: InboxStats = { received: 0, handled: 0, failed: 0, dropped: 0, buffered: 0 };

  constructor(private readonly limits: InboxLimits) {}

  get size(): number {
    return this.items.length - this.head;
  }

  push(item: M): void {
    this.stats.received++;
    this.items.push(item);
    if (this.size > this.limits.maxBuffered) {
      this.items[this.head++] = undefined as M;
      this.stats.dropped++;
      if (this.droppedSinceWarning++ === 0)
        this.limits.warn(
          `${this.limits.label} dropped its oldest message: over maxBuffered (${this.limits.maxBuffered}) were waiting. Pub/sub is at-most-once; use a Stream for messages that must not be lost`,
        );
    }
    if (!this.warned && this.size > this.limits.highWaterMark) {
      this.warned = true;
      this.limits.warn(
        `${this.limits.label} falls behind: ${this.size} messages are waiting (highWaterMark ${this.limits.highWaterMark}). Make the handler faster, raise its concurrency, or move the work to a Stream`,
      );
    }
    this.stats.buffered = this.size;
  }

  shift(): M | undefined {
    if (this.size === 0) return undefined;
    const item = this.items[this.head]!;
    this.items[this.head++] = undefined as M;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    if (this.size <= Math.min(this.limits.highWaterMark, this.limits.maxBuffered) / 2) {
      this.warned = false;
      this.droppedSinceWarning = 0;
    }
    this.stats.buffered = this.size;
    return item;
  }

  clear(): void {
    this.items = [];
    this.head = 0;
    this.stats.buffered = 0;
  }
}
