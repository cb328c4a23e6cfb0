import { initiallyAuthenticated } from './auth/access.js';
import type { CommandSpec, NO_REPLY } from './commands/registry.js';
import type { Engine } from './engine.js';
import type { Database } from './keyspace/database.js';
import type { Reply } from './resp/reply.js';
import type { Protocol } from './resp/writer.js';
import type { ClientTracking } from './tracking.js';

/** How a session talks back to its connection (a TCP socket, or an in-process client). */
export interface SessionTransport {
  /** An out-of-band message: pub/sub deliveries. */
  push(reply: Reply): void;
  /** The reply of a blocked command, once it is served, times out or is unblocked. */
  resume(reply: Reply): void;
  /** Closes the connection (CLIENT KILL, QUIT after its reply). */
  close(): void;
  readonly remoteAddress?: string;
  readonly localAddress?: string;
}

/** Notification classes, as the letters of notify-keyspace-events. */
export type EventClass = 'g' | '$' | 'l' | 's' | 'h' | 'z' | 'x' | 'e' | 't' | 'n' | 'm';

export interface QueuedCommand {
  spec: CommandSpec;
  argv: string[];
}

/** One client's state: selected database, protocol, transaction, subscriptions, names. */
export class Session {
  readonly id: number;
  readonly createdAt: number;
  name = '';
  libName = '';
  libVersion = '';
  protocol: Protocol = 2;
  db: Database;
  /** Queued commands while in MULTI, else null. */
  multi: QueuedCommand[] | null = null;
  /** A command queued in MULTI was rejected: EXEC must answer EXECABORT. */
  multiFailed = false;
  /** Set when a WATCHed key changed: EXEC must fail. */
  watchDirty = false;
  /** Keys this client WATCHes, per database index. */
  readonly watching = new Map<number, Set<string>>();
  /** Inside EXEC (or a script): blocking commands must not block. */
  executingTransaction = false;
  readonly channels = new Set<string>();
  readonly patterns = new Set<string>();
  /** SSUBSCRIBE's shard channels, a namespace apart from `channels`. */
  readonly shardChannels = new Set<string>();
  /** CLIENT REPLY: 'on', 'off', or 'skip' (the next reply only). */
  replyMode: 'on' | 'off' | 'skip' = 'on';
  noEvict = false;
  /** Set while a blocking command waits. */
  blocked = false;
  /** False while a caller needs the reply synchronously (EngineClient.callSync): nothing may defer. */
  deferrable = true;
  lastInteraction: number;
  /** The last command run (CLIENT LIST's cmd=); engine.commands.fullName() gives its name. */
  lastCommand: CommandSpec | undefined;
  closed = false;
  /** QUIT: the transport closes the connection once this reply is written. */
  closeAfterReply = false;
  /** MONITOR: the client is sent every command the server runs (call-log.ts). */
  monitor = false;
  /** Arguments of the running command that SLOWLOG and MONITOR must not show (passwords). */
  redacted: Set<number> | undefined;
  /** Pushes that must follow the reply of the command running now (a monitor seeing its own command). */
  private deferredPushes: Reply[] | undefined;
  /** False until AUTH/HELLO AUTH when the default user has a password (requirepass). */
  authenticated: boolean;
  user = 'default';
  /** CLIENT TRACKING state while tracking is on (tracking.ts). */
  tracking: ClientTracking | undefined = undefined;

  constructor(
    readonly engine: Engine,
    readonly transport: SessionTransport,
    id: number,
  ) {
    this.id = id;
    this.db = engine.databases[0]!;
    this.createdAt = engine.now();
    this.lastInteraction = this.createdAt;
    this.authenticated = initiallyAuthenticated(engine);
  }

  /** Current time in ms (frozen for the duration of a transaction). */
  now(): number {
    return this.engine.now();
  }

  /**
   * Every write calls this once per key it changes: it invalidates WATCH, counts the change, wakes
   * blocked clients and (for keyspace notifications) names the event, e.g. changed(k, 'lpush', 'l').
   */
  changed(key: string, event: string, eventClass: EventClass): void {
    this.engine.keyChanged(this.db, key, event, eventClass);
  }

  /** Subscriptions of every kind: above 0 the client is in pub/sub mode (Redis's CLIENT_PUBSUB flag). */
  get subscriptionCount(): number {
    return this.channels.size + this.patterns.size + this.shardChannels.size;
  }

  /** Runs one command; the result is a reply, or BLOCKED when the reply comes later via resume(). */
  execute(argv: string[]): Reply | typeof BLOCKED | typeof NO_REPLY {
    return this.engine.execute(this, argv);
  }

  /** Hides argument `index` of the running command from SLOWLOG and MONITOR, as Redis redacts secrets. */
  redact(index: number): void {
    (this.redacted ??= new Set()).add(index);
  }

  /** Queues a push to leave after the reply of the running command (see flushDeferredPushes). */
  deferPush(reply: Reply): void {
    (this.deferredPushes ??= []).push(reply);
  }

  /** Transports call this once they have written a command's reply. */
  flushDeferredPushes(): void {
    const pushes = this.deferredPushes;
    if (pushes === undefined) return;
    this.deferredPushes = undefined;
    for (const reply of pushes) this.transport.push(reply);
  }
}

export const BLOCKED: unique symbol = Symbol('blocked');
