import type { BlockRequest } from './commands/registry.js';
import type { Clock, TimerHandle } from './keyspace/clock.js';
import type { Database } from './keyspace/database.js';
import type { Reply } from './resp/reply.js';
import type { Session } from './session.js';

interface Waiter {
  session: Session;
  request: BlockRequest;
  db: Database;
  timer: TimerHandle | undefined;
}

/**
 * Clients parked by blocking commands (BLPOP, BZPOPMIN, …). Waiters on a key are served first come,
 * first served, after the command that made the key ready has finished, as Redis does.
 */
export class BlockingRegistry {
  /** db index → key → waiters in arrival order */
  private readonly waiting = new Map<number, Map<string, Waiter[]>>();
  private readonly bySession = new Map<Session, Waiter>();
  private ready: Array<{ db: Database; key: string }> = [];

  constructor(
    private readonly clock: Clock,
    /** Told when a blocked command ends (served, timed out or unblocked with a reply). */
    private readonly onEnd: (session: Session) => void = () => {},
  ) {}

  get blockedCount(): number {
    return this.bySession.size;
  }

  /** Number of distinct keys clients are blocked on (INFO's blocking_keys). */
  get blockingKeys(): number {
    let n = 0;
    for (const keys of this.waiting.values()) n += keys.size;
    return n;
  }

  block(session: Session, db: Database, request: BlockRequest): void {
    const waiter: Waiter = { session, request, db, timer: undefined };
    let keys = this.waiting.get(db.index);
    if (!keys) this.waiting.set(db.index, (keys = new Map()));
    for (const key of new Set(request.keys)) {
      const list = keys.get(key);
      if (list) list.push(waiter);
      else keys.set(key, [waiter]);
    }
    if (request.timeoutMs > 0) {
      waiter.timer = this.clock.setTimer(request.timeoutMs, () => this.finish(waiter, request.timeoutReply));
    }
    session.blocked = true;
    this.bySession.set(session, waiter);
  }

  /** Called for every changed key: remembers it if someone is blocked on it. */
  keyChanged(db: Database, key: string): void {
    if (this.bySession.size === 0) return;
    if (this.waiting.get(db.index)?.has(key)) this.ready.push({ db, key });
  }

  get hasReady(): boolean {
    return this.ready.length > 0;
  }

  /** Serves waiters on keys that became ready, in blocking order, until nothing more can be served. */
  serveReady(): void {
    while (this.ready.length > 0) {
      const batch = this.ready;
      this.ready = [];
      for (const { db, key } of batch) {
        const list = this.waiting.get(db.index)?.get(key);
        if (!list) continue;
        for (const waiter of [...list]) {
          if (!this.bySession.has(waiter.session)) continue;
          const previousDb = waiter.session.db;
          waiter.session.db = waiter.db;
          let reply: Reply | undefined;
          try {
            reply = waiter.request.serve(key);
          } finally {
            waiter.session.db = previousDb;
          }
          if (reply !== undefined) this.finish(waiter, reply);
          // No break once the key is gone: XREADGROUP waiters are released with an error then.
        }
      }
    }
  }

  /** CLIENT UNBLOCK, CLIENT KILL or a disconnect: stops waiting; replies with `reply` when given. */
  unblock(session: Session, reply?: Reply): boolean {
    const waiter = this.bySession.get(session);
    if (!waiter) return false;
    if (reply === undefined) this.remove(waiter);
    else this.finish(waiter, reply);
    return true;
  }

  timeoutReplyOf(session: Session): Reply | undefined {
    return this.bySession.get(session)?.request.timeoutReply;
  }

  private finish(waiter: Waiter, reply: Reply): void {
    this.remove(waiter);
    this.onEnd(waiter.session);
    waiter.session.transport.resume(reply);
  }

  private remove(waiter: Waiter): void {
    if (waiter.timer) this.clock.clearTimer(waiter.timer);
    this.bySession.delete(waiter.session);
    waiter.session.blocked = false;
    const keys = this.waiting.get(waiter.db.index);
    if (!keys) return;
    for (const key of waiter.request.keys) {
      const list = keys.get(key);
      if (!list) continue;
      const i = list.indexOf(waiter);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) keys.delete(key);
    }
  }

  /** FLUSHDB / FLUSHALL: every key waited on in `db` is gone, so its waiters are examined again. */
  databaseEmptied(db: Database): void {
    const keys = this.waiting.get(db.index);
    if (keys) for (const key of keys.keys()) this.ready.push({ db, key });
  }

  /** SWAPDB: clients blocked in one database now wait on the other, and may be served at once. */
  swapDatabases(a: Database, b: Database): void {
    const wa = this.waiting.get(a.index);
    const wb = this.waiting.get(b.index);
    for (const [map, db] of [
      [wa, a],
      [wb, b],
    ] as const) {
      if (!map) continue;
      for (const key of map.keys()) this.ready.push({ db, key });
    }
  }
}
