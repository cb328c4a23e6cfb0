import { type Duration, toMilliseconds } from '../duration.js';
import { RedkitConfigError } from '../errors.js';

/**
 * Retry delay by delivery count: `{ base, max, jitter }` doubles from base (1s) up to max (30s), spread by
 * ±jitter (0.2) so entries that failed together do not retry together; or your own function of the
 * number of deliveries so far, returning milliseconds.
 */
export type BackoffOption =
  | { base?: Duration; max?: Duration; jitter?: number }
  | ((deliveries: number) => number);

export class Backoff {
  private readonly custom: ((deliveries: number) => number) | undefined;
  private readonly baseMs: number;
  private readonly maxMs: number;
  private readonly jitter: number;

  constructor(option: BackoffOption = {}) {
    this.custom = typeof option === 'function' ? option : undefined;
    const settings = typeof option === 'function' ? {} : option;
    this.baseMs = toMilliseconds(settings.base ?? '1s', 'backoff.base');
    this.maxMs = toMilliseconds(settings.max ?? '30s', 'backoff.max');
    this.jitter = settings.jitter ?? 0.2;
    if (!(this.jitter >= 0 && this.jitter < 1))
      throw new RedkitConfigError(`backoff.jitter must be in [0, 1), got ${this.jitter}`);
  }

  /** Milliseconds to wait before the delivery after `deliveries` failed ones. */
  delay(deliveries: number): number {
    if (this.custom) return Math.max(0, this.custom(deliveries));
    const exact = Math.min(this.maxMs, this.baseMs * 2 ** Math.max(0, deliveries - 1));
    return Math.round(exact * (1 + this.jitter * (2 * Math.random() - 1)));
  }
}
