import { PushReply } from './resp/reply.js';
import type { Session } from './session.js';
import { globMatch } from './util/glob.js';

/**
 * Channel, pattern and shard-channel subscriptions for the whole engine. Shard channels (SSUBSCRIBE,
 * SPUBLISH) are a namespace of their own: patterns never see them and PUBLISH never reaches them.
 */
export class PubSubHub {
  readonly channels = new Map<string, Set<Session>>();
  readonly patterns = new Map<string, Set<Session>>();
  readonly shardChannels = new Map<string, Set<Session>>();

  subscribe(session: Session, channel: string): boolean {
    return join(session.channels, this.channels, session, channel);
  }

  unsubscribe(session: Session, channel: string): boolean {
    return leave(session.channels, this.channels, session, channel);
  }

  psubscribe(session: Session, pattern: string): boolean {
    return join(session.patterns, this.patterns, session, pattern);
  }

  punsubscribe(session: Session, pattern: string): boolean {
    return leave(session.patterns, this.patterns, session, pattern);
  }

  ssubscribe(session: Session, channel: string): boolean {
    return join(session.shardChannels, this.shardChannels, session, channel);
  }

  sunsubscribe(session: Session, channel: string): boolean {
    return leave(session.shardChannels, this.shardChannels, session, channel);
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

  /** Delivers a message to the subscribers of a shard channel (SPUBLISH); patterns play no part. */
  spublish(channel: string, message: string): number {
    const sessions = this.shardChannels.get(channel);
    if (!sessions) return 0;
    let receivers = 0;
    for (const session of sessions) {
      session.transport.push(new PushReply(['smessage', channel, message]));
      receivers++;
    }
    return receivers;
  }

  /** Drops every subscription of a closing (or RESET) session. */
  removeSession(session: Session): void {
    for (const channel of [...session.channels]) this.unsubscribe(session, channel);
    for (const pattern of [...session.patterns]) this.punsubscribe(session, pattern);
    for (const channel of [...session.shardChannels]) this.sunsubscribe(session, channel);
  }
}

/** Adds a subscription to both sides; false when the session already had it. */
function join(mine: Set<string>, all: Map<string, Set<Session>>, session: Session, name: string): boolean {
  if (mine.has(name)) return false;
  mine.add(name);
  let set = all.get(name);
  if (!set) all.set(name, (set = new Set()));
  set.add(session);
  return true;
}

/** Removes a subscription from both sides, forgetting names nobody subscribes to any more. */
function leave(mine: Set<string>, all: Map<string, Set<Session>>, session: Session, name: string): boolean {
  if (!mine.delete(name)) return false;
  const set = all.get(name);
  set?.delete(session);
  if (set?.size === 0) all.delete(name);
  return true;
}
