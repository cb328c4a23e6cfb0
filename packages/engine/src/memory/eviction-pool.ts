/** Size of the pool of best eviction candidates (EVPOOL_SIZE). */
export const EVICTION_POOL_SIZE = 16;

export interface Candidate {
  /** Higher is a better candidate (idle time, 255 - frequency, or nearness of expiry). */
  score: number;
  key: string;
  db: number;
}

/**
 * The best candidates seen by sampling, in ascending score; kept across evictions so that each round
 * starts from what earlier rounds found. A sampled key scoring below a full pool's worst is dropped.
 */
export class EvictionPool {
  private readonly entries: Candidate[] = [];

  get size(): number {
    return this.entries.length;
  }

  offer(score: number, key: string, db: number): void {
    const entries = this.entries;
    let at = 0;
    while (at < entries.length && entries[at]!.score < score) at++;
    if (at === 0 && entries.length === EVICTION_POOL_SIZE) return;
    for (const e of entries) if (e.key === key && e.db === db) return;
    entries.splice(at, 0, { score, key, db });
    if (entries.length > EVICTION_POOL_SIZE) entries.shift();
  }

  /** Removes and returns the best candidate. */
  takeBest(): Candidate | undefined {
    return this.entries.pop();
  }

  clear(): void {
    this.entries.length = 0;
  }
}
