import { performance } from 'node:perf_hooks';
import { aged, type RateLimitResult } from './result.js';

interface Entry {
  /** performance.now() at which the refusal was cached, and at which anything may pass again. */
  since: number;
  until: number;
  result: RateLimitResult;
}

/**
 * Identifiers this process knows are refused for a while (a window used up, a penalty block): their
 * requests are answered in-process until the server said something could pass again. Only durations
 * reported by the server are used, measured on this process's monotonic clock, so clock skew between
 * hosts doesn't matter. Bounded: the oldest entry goes first.
 */
export class BlockedCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly maxEntries: number) {}

  get(id: string): RateLimitResult | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    const now = performance.now();
    if (now >= entry.until) {
      this.entries.delete(id);
      return undefined;
    }
    return aged(entry.result, now - entry.since, Math.ceil(entry.until - now));
  }

  set(id: string, result: RateLimitResult, freeInMs: number): void {
    this.entries.delete(id);
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    const now = performance.now();
    this.entries.set(id, { since: now, until: now + freeInMs, result });
  }

  delete(id: string): void {
    this.entries.delete(id);
  }

  get size(): number {
    return this.entries.size;
  }
}
