import { PushReply } from './resp/reply.js';
import type { Session } from './session.js';
import { globMatch } from './util/glob.js';

/** Channel and pattern subscriptions for the whole engine. */
export class PubSubHub {
  readonly channels = new Map<string, Set<Session>>();
  readonly patterns = new Map<string, Set<Session>>();

  subscribe(session: Session, channel: string): boolean {
    if (session.channels.has(channel)) return false;
    session.channels.add(channel);
    let set = this.channels.get(channel);
    if (!set) this.channels.set(channel, (set = new Set()));
    set.add(session);
    return true;
  }

  unsubscribe(session: Session, channel: string): boolean {
    if (!session.channels.delete(channel)) return false;
    const set = this.channels.get(channel);
    set?.delete(session);
    if (set?.size === 0) this.channels.delete(channel);
    return true;
  }

  psubscribe(session: Session, pattern: string): boolean {
    if (session.patterns.has(pattern)) return false;
    session.patterns.add(pattern);
    let set = this.patterns.get(pattern);
    if (!set) this.patterns.set(pattern, (set = new Set()));
    set.add(session);
    return true;
  }

  punsubscribe(session: Session, pattern: string): boolean {
    if (!session.patterns.delete(pattern)) return false;
    const set = this.patterns.get(pattern);
    set?.delete(session);
    if (set?.size === 0) this.patterns.delete(pattern);
    return true;
  }

  /** Delivers a message; returns the number of receivers (as PUBLISH answers). */
  publish(channel: string, message: string): number {
    let receivers = 0;
    const direct = this.channels.get(channel);
    if (direct) {
      for (const session of direct) {
        session.transport.push(new PushReply(['message', channel, message]));
        receivers++;
      }
    }
    for (const [pattern, sessions] of this.patterns) {
      if (!globMatch(pattern, channel)) continue;
      for (const session of sessions) {
        session.transport.push(new PushReply(['pmessage', pattern, channel, message]));
        receivers++;
      }
    }
    return receivers;
  }

  /** Drops every subscription of a closing session. */
  removeSession(session: Session): void {
    for (const channel of [...session.channels]) this.unsubscribe(session, channel);
    for (const pattern of [...session.patterns]) this.punsubscribe(session, pattern);
  }
}
