/**
 * Key sampling for eviction. A JS Map cannot pick a random entry, so each database keeps a cursor that
 * walks its table (resuming where the last sample stopped and wrapping around); a random policy also
 * skips a random stretch first. Over successive evictions every key gets sampled, as Redis's random
 * sampling does on average, and the eviction pool keeps the best candidates seen so far.
 */
export class KeyCursor {
  private map: Map<string, unknown> | undefined;
  private iterator: IterableIterator<string> | undefined;

  /**
   * Appends up to `count` keys of `map` to `out` (fewer only when the map is smaller). Between two
   * picks a random number of keys (below `spread`) is passed over, so one sample reaches across a
   * stretch of the table rather than a run of neighbours written at the same time.
   */
  sample(map: Map<string, unknown>, count: number, out: string[], spread = 1): void {
    if (map.size === 0) return;
    // The database replaced its map (FLUSHDB, SWAPDB): start over on the new one.
    if (this.map !== map) {
      this.map = map;
      this.iterator = map.keys();
    }
    const wanted = Math.min(count, map.size);
    const gap = Math.max(1, Math.min(spread, Math.floor(map.size / wanted)));
    let taken = 0;
    let wraps = 0;
    let toSkip = gap > 1 ? Math.floor(Math.random() * gap) : 0;
    while (taken < wanted) {
      const next = this.iterator!.next();
      if (next.done) {
        if (++wraps > 2) return;
        this.iterator = map.keys();
        continue;
      }
      if (toSkip > 0) {
        toSkip--;
        continue;
      }
      out.push(next.value);
      taken++;
      if (gap > 1) toSkip = Math.floor(Math.random() * gap);
    }
  }
}
