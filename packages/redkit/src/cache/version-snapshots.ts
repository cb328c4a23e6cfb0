/**
 * Namespace and tag versions this process read recently, reused by a fill for a short while so that a miss
 * costs one plain `SET … NX GET` (value or fill lock) and the store, like a cache without versions.
 *
 * Reusing a version never serves an invalidated value: readers judge every entry by the versions they read
 * with it, and versions only grow, so an entry stored under a version that was bumped meanwhile is simply
 * outdated at once (it costs a refill, nothing else). Versions must still be read before the loader runs,
 * which a snapshot taken earlier satisfies.
 */
export class VersionSnapshots {
  private readonly read = new Map<string, { value: string; at: number }>();

  /** `maxAgeMs` 0 turns reuse off. */
  constructor(
    private readonly maxAgeMs: number,
    private readonly maxKeys = 1_000,
  ) {}

  /** The values of all `keys` if each was read within maxAge, else undefined. */
  recent(keys: readonly string[], now: number): string[] | undefined {
    if (this.maxAgeMs === 0) return undefined;
    const values = new Array<string>(keys.length);
    for (let i = 0; i < keys.length; i++) {
      const seen = this.read.get(keys[i]!);
      if (!seen || now - seen.at > this.maxAgeMs) return undefined;
      values[i] = seen.value;
    }
    return values;
  }

  /** Records versions just read from Redis. */
  remember(keys: readonly string[], values: readonly string[], now: number): void {
    if (this.maxAgeMs === 0) return;
    if (this.read.size + keys.length > this.maxKeys) this.read.clear();
    for (let i = 0; i < keys.length; i++) this.read.set(keys[i]!, { value: values[i]!, at: now });
  }

  /** Drops versions known to have changed (an invalidation made or announced). */
  forget(keys: readonly string[]): void {
    for (const key of keys) this.read.delete(key);
  }

  clear(): void {
    this.read.clear();
  }
}
