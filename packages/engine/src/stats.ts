/**
 * Latency of one command, as a log-linear histogram of nanoseconds: exact below 64 ns, then 32 buckets
 * per power of two (about 3% wide), enough for INFO latencystats' percentiles.
 */
export class LatencyHistogram {
  private static readonly SIZE = 27 * 32 + 32;
  private counts: Uint32Array | undefined;
  total = 0;

  record(ns: number): void {
    const v = ns >= 0xffffffff ? 0xffffffff : ns < 1 ? 1 : ns >>> 0;
    const bits = 32 - Math.clz32(v);
    const shift = bits > 6 ? bits - 6 : 0;
    const index = shift === 0 ? v : shift * 32 + (v >>> shift);
    this.counts ??= new Uint32Array(LatencyHistogram.SIZE);
    this.counts[index]!++;
    this.total++;
  }

  /** The highest value of the bucket holding the given percentile (HdrHistogram's convention). */
  valueAtPercentile(percentile: number): number {
    if (!this.counts || this.total === 0) return 0;
    const wanted = Math.max(1, Math.floor((percentile / 100) * this.total + 0.5));
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i]!;
      if (seen >= wanted) {
        if (i < 64) return i;
        const shift = Math.floor(i / 32) - 1;
        const mantissa = i - shift * 32;
        return (mantissa + 1) * 2 ** shift - 1;
      }
    }
    return 0;
  }

  /** Calls `visit` with the lowest value (ns) and count of every non-empty bucket, lowest first. */
  forEachBucket(visit: (lowestNs: number, count: number) => void): void {
    const counts = this.counts;
    if (!counts) return;
    for (let i = 0; i < counts.length; i++) {
      const count = counts[i]!;
      if (count === 0) continue;
      const shift = Math.floor(i / 32) - 1;
      visit(i < 64 ? i : (i - shift * 32) * 2 ** shift, count);
    }
  }

  clear(): void {
    this.counts = undefined;
    this.total = 0;
  }
}

/** Counters of one command (INFO commandstats) and its latency distribution (INFO latencystats). */
export class CommandStat {
  calls = 0;
  rejected = 0;
  failed = 0;
  readonly latency = new LatencyHistogram();
  private totalUsec = 0;

  /** Total microseconds. The engine adds each call's duration here, which also records its latency. */
  get usec(): number {
    return this.totalUsec;
  }

  set usec(total: number) {
    const delta = total - this.totalUsec;
    this.totalUsec = total;
    if (delta >= 0) this.latency.record(delta * 1000);
  }

  /** Adds a measured duration that stands for `weight` calls (the engine samples its timings). */
  addDuration(usec: number, weight: number): void {
    this.totalUsec += usec * weight;
    this.latency.record(usec * 1000);
  }

  reset(): void {
    this.calls = 0;
    this.rejected = 0;
    this.failed = 0;
    this.totalUsec = 0;
    this.latency.clear();
  }
}

interface OpsSample {
  at: number;
  commands: number;
}

/** Counters behind INFO stats, commandstats, errorstats and latencystats. */
export class EngineStats {
  keyspaceHits = 0;
  keyspaceMisses = 0;
  expiredKeys = 0;
  evictedKeys = 0;
  totalConnections = 0;
  rejectedConnections = 0;
  totalErrorReplies = 0;
  /** Highest used_memory INFO has seen (Redis samples it in its cron). */
  peakMemory = 0;
  /** Keyed by full name ("get", "config|get"); entries stay (zeroed) across CONFIG RESETSTAT. */
  readonly commands = new Map<string, CommandStat>();
  /** Error prefix (e.g. "ERR", "WRONGTYPE") → count. */
  readonly errors = new Map<string, number>();
  private lastOpsSample: OpsSample | undefined;
  private lastOpsRate = 0;

  commandStats(name: string): CommandStat {
    let stat = this.commands.get(name);
    if (!stat) this.commands.set(name, (stat = new CommandStat()));
    return stat;
  }

  /** Commands run since start or CONFIG RESETSTAT (INFO's total_commands_processed). */
  get totalCommands(): number {
    let n = 0;
    for (const stat of this.commands.values()) n += stat.calls;
    return n;
  }

  /** Counts an error reply under its prefix: the first word, if a space comes within 31 chars, else ERR. */
  countError(message: string): void {
    this.totalErrorReplies++;
    const space = message.indexOf(' ');
    const prefix = space < 0 || space > 30 ? 'ERR' : message.slice(0, space);
    this.errors.set(prefix, (this.errors.get(prefix) ?? 0) + 1);
  }

  /**
   * Commands per second since the previous sample (Redis averages samples its cron takes every 100 ms;
   * the engine has no cron, so INFO samples when it runs and measures from the previous INFO or start).
   */
  opsPerSecond(now: number, since: number): number {
    const commands = this.totalCommands;
    const base = this.lastOpsSample ?? { at: since, commands: 0 };
    const elapsed = now - base.at;
    if (elapsed < 100 && this.lastOpsSample) return this.lastOpsRate;
    const rate = elapsed > 0 ? Math.round(((commands - base.commands) * 1000) / elapsed) : 0;
    this.lastOpsSample = { at: now, commands };
    this.lastOpsRate = Math.max(0, rate);
    return this.lastOpsRate;
  }

  reset(now?: number): void {
    this.keyspaceHits = 0;
    this.keyspaceMisses = 0;
    this.expiredKeys = 0;
    this.evictedKeys = 0;
    this.totalConnections = 0;
    this.rejectedConnections = 0;
    this.totalErrorReplies = 0;
    this.peakMemory = 0;
    for (const stat of this.commands.values()) stat.reset();
    this.errors.clear();
    this.lastOpsSample = now === undefined ? undefined : { at: now, commands: 0 };
    this.lastOpsRate = 0;
  }
}
