import type { RateLimitAlgorithm } from './algorithms.js';

/**
 * Plain in-memory statements of each algorithm, for tests: what may pass at time t (ms), and the state
 * after spending. The limiter's wait and reset figures are checked against brute-force searches over these
 * predicates, so the script's closed-form arithmetic is checked by something that has none.
 */
export interface Model {
  readonly capacity: number;
  allowed(t: number, cost: number): boolean;
  apply(t: number, cost: number): void;
  clone(): Model;
}

class FixedModel implements Model {
  start = Number.NEGATIVE_INFINITY;
  used = 0;
  constructor(
    readonly capacity: number,
    private readonly w: number,
  ) {}
  private usedAt(t: number) {
    return t >= this.start + this.w ? 0 : this.used;
  }
  allowed(t: number, cost: number) {
    return this.usedAt(t) + cost <= this.capacity;
  }
  apply(t: number, cost: number) {
    if (t >= this.start + this.w) {
      this.start = t;
      this.used = 0;
    }
    this.used += cost;
  }
  clone() {
    return Object.assign(new FixedModel(this.capacity, this.w), this);
  }
}

class LogModel implements Model {
  entries: Array<[number, number]> = [];
  constructor(
    readonly capacity: number,
    private readonly w: number,
  ) {}
  allowed(t: number, cost: number) {
    let sum = 0;
    for (const [at, c] of this.entries) if (at > t - this.w) sum += c;
    return sum + cost <= this.capacity;
  }
  apply(t: number, cost: number) {
    this.entries.push([t, cost]);
  }
  clone() {
    const copy = new LogModel(this.capacity, this.w);
    copy.entries = [...this.entries];
    return copy;
  }
}

class CounterModel implements Model {
  start: number | undefined;
  current = 0;
  previous = 0;
  constructor(
    readonly capacity: number,
    private readonly w: number,
  ) {}
  /** [start, current, previous] as of t. */
  private at(t: number): [number, number, number] {
    if (this.start === undefined || t - this.start >= 2 * this.w) return [t, 0, 0];
    if (t - this.start < this.w) return [this.start, this.current, this.previous];
    return [this.start + this.w, 0, this.current];
  }
  allowed(t: number, cost: number) {
    const [start, current, previous] = this.at(t);
    // previous·(overlap / w) + current + cost ≤ capacity, multiplied through by w to stay in integers
    return previous * (this.w - (t - start)) + (current + cost) * this.w <= this.capacity * this.w;
  }
  apply(t: number, cost: number) {
    [this.start, this.current, this.previous] = this.at(t);
    this.current += cost;
  }
  clone() {
    return Object.assign(new CounterModel(this.capacity, this.w), this);
  }
}

class BucketModel implements Model {
  tokens: number;
  last: number | undefined;
  constructor(
    readonly capacity: number,
    private readonly refill: number,
    private readonly interval: number,
  ) {
    this.tokens = capacity;
  }
  private at(t: number): [number, number] {
    if (this.last === undefined) return [this.capacity, t];
    const refills = Math.floor((t - this.last) / this.interval);
    const tokens = Math.min(this.capacity, this.tokens + refills * this.refill);
    return [tokens, tokens >= this.capacity ? t : this.last + refills * this.interval];
  }
  allowed(t: number, cost: number) {
    return this.at(t)[0] >= cost;
  }
  apply(t: number, cost: number) {
    [this.tokens, this.last] = this.at(t);
    this.tokens -= cost;
  }
  clone() {
    return Object.assign(new BucketModel(this.capacity, this.refill, this.interval), this);
  }
}

/** GCRA on µs: the theoretical arrival time may run at most `burst` intervals ahead of now. */
class GcraModel implements Model {
  tat = 0;
  constructor(
    readonly capacity: number,
    private readonly intervalUs: number,
  ) {}
  allowed(t: number, cost: number) {
    const now = t * 1000;
    return Math.max(this.tat, now) + this.intervalUs * cost - now <= this.intervalUs * this.capacity;
  }
  apply(t: number, cost: number) {
    this.tat = Math.max(this.tat, t * 1000) + this.intervalUs * cost;
  }
  clone() {
    return Object.assign(new GcraModel(this.capacity, this.intervalUs), this);
  }
}

export function modelOf(a: RateLimitAlgorithm): Model {
  switch (a.kind) {
    case 'fixedWindow':
      return new FixedModel(a.limit, a.windowMs);
    case 'slidingWindowLog':
      return new LogModel(a.limit, a.windowMs);
    case 'slidingWindowCounter':
      return new CounterModel(a.limit, a.windowMs);
    case 'tokenBucket':
      return new BucketModel(a.capacity, a.refill, a.intervalMs);
    case 'gcra':
      return new GcraModel(a.burst, Math.round((a.periodMs * 1000) / a.rate));
  }
}

/** Requests of cost 1 the model would admit one after another at t. */
export function remainingOf(model: Model, t: number): number {
  const copy = model.clone();
  let n = 0;
  while (copy.allowed(t, 1)) {
    copy.apply(t, 1);
    n++;
  }
  return n;
}

/** The least wait in [0, horizon] after which `ok` holds (it must stay true once true), by bisection. */
export function leastWait(ok: (wait: number) => boolean, horizon: number): number {
  if (ok(0)) return 0;
  let low = 0;
  let high = horizon;
  if (!ok(high)) throw new Error(`still refused after ${horizon} ms`);
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (ok(mid)) high = mid;
    else low = mid;
  }
  return high;
}

/** Seeded PRNG (mulberry32): random but repeatable test sequences. */
export function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
