/** Counters behind INFO stats, commandstats and errorstats. */
export interface CommandStat {
  calls: number;
  usec: number;
  rejected: number;
  failed: number;
}

export class EngineStats {
  keyspaceHits = 0;
  keyspaceMisses = 0;
  expiredKeys = 0;
  evictedKeys = 0;
  totalConnections = 0;
  rejectedConnections = 0;
  totalErrorReplies = 0;
  readonly commands = new Map<string, CommandStat>();
  /** Error prefix (e.g. "ERR", "WRONGTYPE") → count. */
  readonly errors = new Map<string, number>();

  commandStats(name: string): CommandStat {
    let stat = this.commands.get(name);
    if (!stat) this.commands.set(name, (stat = { calls: 0, usec: 0, rejected: 0, failed: 0 }));
    return stat;
  }

  countError(message: string): void {
    this.totalErrorReplies++;
    const space = message.indexOf(' ');
    const prefix = space < 0 ? message : message.slice(0, space);
    this.errors.set(prefix, (this.errors.get(prefix) ?? 0) + 1);
  }

  reset(): void {
    this.keyspaceHits = 0;
    this.keyspaceMisses = 0;
    this.expiredKeys = 0;
    this.evictedKeys = 0;
    this.totalConnections = 0;
    this.rejectedConnections = 0;
    this.totalErrorReplies = 0;
    this.commands.clear();
    this.errors.clear();
  }
}
