import { DoubleReply, MapReply, type Reply } from '../../resp/reply.js';

export type DenyReason = 'command' | 'key' | 'channel' | 'auth';
export type LogContext = 'toplevel' | 'multi' | 'lua';

interface LogEntry {
  count: number;
  reason: DenyReason;
  context: LogContext;
  object: string;
  username: string;
  /** ms of the last occurrence. */
  time: number;
  clientInfo: string;
}

/** Entries closer than this in time, with the same reason, context, object and user, are merged. */
const GROUPING_MS = 60000;

/** ACL LOG: recent denials, newest first, similar ones counted together (as Redis's addACLLogEntry). */
export class AclLog {
  private entries: LogEntry[] = [];

  add(entry: Omit<LogEntry, 'count'>, maxLength: number): void {
    const scan = Math.min(10, this.entries.length);
    for (let i = 0; i < scan; i++) {
      const e = this.entries[i]!;
      if (
        e.reason === entry.reason &&
        e.context === entry.context &&
        Math.abs(e.time - entry.time) <= GROUPING_MS &&
        e.object === entry.object &&
        e.username === entry.username
      ) {
        this.entries.splice(i, 1);
        e.clientInfo = entry.clientInfo;
        e.time = entry.time;
        e.count++;
        this.entries.unshift(e);
        return;
      }
    }
    this.entries.unshift({ ...entry, count: 1 });
    if (this.entries.length > maxLength) this.entries.length = Math.max(0, maxLength);
  }

  reset(): void {
    this.entries = [];
  }

  reply(count: number, now: number): Reply[] {
    return this.entries
      .slice(0, count)
      .map(
        (e) =>
          new MapReply([
            'count',
            e.count,
            'reason',
            e.reason,
            'context',
            e.context,
            'object',
            e.object,
            'username',
            e.username,
            'age-seconds',
            new DoubleReply((now - e.time) / 1000),
            'client-info',
            e.clientInfo,
          ]),
      );
  }
}
