import { StatusReply } from './resp/reply.js';
import type { Session } from './session.js';
import { reprString } from './util/repr.js';

/**
 * MONITOR: clients that are sent every command the server runs, as one status line each in Redis's
 * format: `<seconds>.<µs> [<db> <ip:port>] "arg" "arg" …`, with `lua` for the commands scripts call.
 */
export class Monitors {
  readonly sessions = new Set<Session>();

  get size(): number {
    return this.sessions.size;
  }

  /**
   * Sends one command to every monitor; `from` is the client that ran it, or 'lua'. A monitor that ran
   * the command itself sees it after the command's reply, unless `beforeReply`.
   */
  feed(
    from: Session | 'lua',
    db: number,
    argv: readonly string[],
    nowMicros: number,
    beforeReply: boolean,
  ): void {
    const seconds = Math.floor(nowMicros / 1e6);
    const micros = String(nowMicros - seconds * 1e6).padStart(6, '0');
    const source = from === 'lua' ? 'lua' : (from.transport.remoteAddress ?? '?:0');
    let line = `${seconds}.${micros} [${db} ${source}]`;
    for (const arg of argv) line += ` ${reprString(arg)}`;
    const reply = new StatusReply(line);
    for (const monitor of this.sessions) {
      // A client closing after its reply (QUIT) is sent nothing more, as in Redis.
      if (monitor.closeAfterReply) continue;
      if (monitor === from && !beforeReply) monitor.deferPush(reply);
      else monitor.transport.push(reply);
    }
  }
}
