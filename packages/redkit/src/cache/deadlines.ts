/**
 * Gives up on waits after a fixed delay with one timer for all of them, not one per wait: a fill's loader
 * usually settles in microseconds to milliseconds, and arming and clearing a timer for each costs more
 * than the rest of a cache miss's own work. Deadlines are added in increasing order (the delay is fixed),
 * so the timer only ever needs the oldest one.
 */
export class Deadlines {
  private readonly pending = new Set<{ at: number; expire: () => void }>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly delayMs: number) {}

  /** Settles as `work` does, or with `expired` once the delay has passed, whichever comes first. */
  race<T, E>(work: Promise<T>, expired: E): Promise<T | E> {
    return new Promise<T | E>((resolve, reject) => {
      const entry = { at: Date.now() + this.delayMs, expire: () => resolve(expired) };
      this.pending.add(entry);
      if (!this.timer) this.arm(this.delayMs);
      work.then(
        (value) => {
          this.pending.delete(entry);
          resolve(value);
        },
        (error: unknown) => {
          this.pending.delete(entry);
          reject(error);
        },
      );
    });
  }

  private arm(ms: number): void {
    // Unreferenced: a loader still running keeps the process alive by itself, an idle timer must not.
    this.timer = setTimeout(() => this.fire(), Math.max(ms, 1)).unref();
  }

  private fire(): void {
    this.timer = undefined;
    const now = Date.now();
    for (const entry of this.pending) {
      if (entry.at > now) {
        this.arm(entry.at - now);
        return;
      }
      this.pending.delete(entry);
      entry.expire();
    }
  }
}
