import { authRequired, NOAUTH_MESSAGE } from './auth/access.js';
import { AclRegistry } from './auth/acl/registry.js';
import { BlockingRegistry } from './blocking.js';
import { CallLog } from './call-log.js';
import { CommandTable } from './command-table.js';
import { ALL_COMMANDS } from './commands/index.js';
import {
  BlockRequest,
  type CommandResult,
  type CommandSpec,
  DEFERRED,
  NO_REPLY,
} from './commands/registry.js';
import { Config } from './config.js';
import { type Clock, SystemClock } from './keyspace/clock.js';
import { Database } from './keyspace/database.js';
import { MemoryManager } from './memory/manager.js';
import type { ReplyBarrier, WriteGuard, WriteObserver } from './persistence/hooks.js';
import { PubSubHub } from './pubsub.js';
import { busyError, errorArg, RedisError } from './resp/errors.js';
import { ErrorReply, PushReply, QUEUED, type Reply } from './resp/reply.js';
import { BLOCKED, type EventClass, Session, type SessionTransport } from './session.js';
import { type CommandStat, EngineStats } from './stats.js';
import { Tracking } from './tracking.js';

export interface EngineOptions {
  /** Time source; tests pass a ManualClock. */
  clock?: Clock;
  /** Initial configuration, as redis.conf names it (e.g. { databases: '16' }). */
  config?: Record<string, string>;
  /** Extra commands (later groups register here). */
  commands?: CommandSpec[];
}

/** Commands a RESP2 client may still send while subscribed. */
const SUBSCRIBED_ALLOWED = new Set([
  'subscribe',
  'ssubscribe',
  'unsubscribe',
  'sunsubscribe',
  'psubscribe',
  'punsubscribe',
  'ping',
  'quit',
  'reset',
]);
/** Commands that run at once inside MULTI instead of being queued. */
const MULTI_IMMEDIATE = new Set(['exec', 'discard', 'multi', 'watch', 'quit', 'reset']);

/**
 * The embedded engine: databases, command dispatch, transactions, blocking, pub/sub. Everything runs
 * on the caller's event loop; each command runs to completion before the next starts.
 */
export class Engine {
  readonly clock: Clock;
  readonly config: Config;
  readonly databases: Database[];
  readonly commands: CommandTable;
  /** ACL users and permission checks (auth/acl/). */
  readonly acl: AclRegistry;
  readonly pubsub = new PubSubHub();
  readonly blocking: BlockingRegistry;
  /** SLOWLOG and MONITOR. */
  readonly callLog = new CallLog(this);
  readonly stats = new EngineStats();
  /** CLIENT TRACKING: client-side caching invalidations (tracking.ts). */
  readonly tracking: Tracking = new Tracking(this);
  readonly sessions = new Map<number, Session>();
  readonly startedAt: number;
  /** maxmemory: the memory estimate, LRU/LFU data and eviction (see memory/). */
  readonly memory: MemoryManager;
  /** Writes since start (Redis's server.dirty). */
  dirty = 0;
  /** Keys WATCHed, per database index: key → sessions. */
  private readonly watchers = new Map<number, Map<string, Set<Session>>>();
  private nextSessionId = 1;
  private frozenTime: number | undefined;
  /**
   * SHUTDOWN: set by whoever owns the process (`redkit serve`), which closes the server and exits. Without it
   * SHUTDOWN answers an error: an engine embedded in an application does not end that application. It
   * returns false when it cannot shut down (its final save failed): SHUTDOWN answers the same error.
   */
  onShutdown: ((options: ShutdownOptions) => boolean) | undefined;
  /** DEBUG SET-ACTIVE-EXPIRE 0 turns background expiry off (keys still expire when accessed). */
  activeExpireEnabled = true;
  /** A script past busy-reply-threshold: other clients get BUSY until it ends or is killed. */
  busyScript: BusyScript | undefined;
  private expiryTimer: NodeJS.Timeout | undefined;
  lastSave: number;
  /** Sees every executed write, in order (the append-only file, see persistence/); unset when off. */
  writeObserver: WriteObserver | undefined;
  /** Set by persistence: replies wait until the writes they acknowledge are in the file. */
  replyBarrier: ReplyBarrier | undefined;
  /** Registered by persistence: while one of them fails, writes get its MISCONF error. */
  readonly writeGuards: WriteGuard[] = [];

  constructor(options: EngineOptions = {}) {
    this.clock = options.clock ?? new SystemClock();
    // `user` directives are ACL users, not parameters: one per line.
    const { user: userLines, ...config } = options.config ?? {};
    this.config = new Config(config);
    this.commands = new CommandTable([...ALL_COMMANDS, ...(options.commands ?? [])]);
    this.acl = new AclRegistry(this, userLines ? userLines.split('\n') : []);
    this.blocking = new BlockingRegistry(this.clock, (session) => this.callLog.ended(session));
    const host = {
      now: () => this.now(),
      onExpired: (db: Database, key: string) => this.onExpired(db, key),
      stats: this.stats,
    };
    this.databases = Array.from({ length: this.config.number('databases') }, (_, i) => new Database(i, host));
    this.memory = new MemoryManager(this);
    this.memory.sync();
    this.startedAt = this.clock.now();
    this.lastSave = Math.floor(this.startedAt / 1000);
    if (this.clock instanceof SystemClock) this.startActiveExpiry();
  }

  /** Current time in ms; frozen while a transaction runs so all its commands see one instant. */
  now(): number {
    return this.frozenTime ?? this.clock.now();
  }

  private coarseTime: number | undefined;
  /**
   * The time to within one background tick (1000/hz ms), for bookkeeping such as a client's last
   * interaction, as Redis uses its cached clock. Exact when no background timer runs (ManualClock).
   */
  coarseNow(): number {
    return this.coarseTime ?? this.clock.now();
  }

  /** A new client. `transport` receives pushes and the replies of blocked commands. */
  createSession(transport: SessionTransport): Session {
    const session = new Session(this, transport, this.nextSessionId++);
    this.sessions.set(session.id, session);
    this.stats.totalConnections++;
    return session;
  }

  /** Forgets a client that disconnected: its subscriptions, watches and blocked command. */
  closeSession(session: Session): void {
    if (session.closed) return;
    session.closed = true;
    this.blocking.unblock(session);
    this.callLog.forget(session);
    this.pubsub.removeSession(session);
    this.unwatchAll(session);
    if (session.tracking) this.tracking.disable(session);
    this.sessions.delete(session.id);
  }

  /** Runs one command for a session, then serves clients that the command unblocked. */
  execute(session: Session, argv: string[]): Reply | typeof BLOCKED | typeof NO_REPLY {
    const skipThis = session.replyMode === 'skip';
    if (skipThis) session.replyMode = 'on';
    const tracking = this.tracking;
    const caller = tracking.current;
    tracking.current = session;
    if (tracking.enabled) tracking.beforeCommand();
    let result: CommandResult;
    try {
      result = this.dispatch(session, argv);
    } finally {
      tracking.current = caller;
    }
    if (tracking.enabled) tracking.commandDone(session, argv);
    let out: Reply | typeof BLOCKED | typeof NO_REPLY;
    if (result instanceof BlockRequest) {
      this.blocking.block(session, session.db, result);
      out = BLOCKED;
    } else if (result === DEFERRED) {
      session.blocked = true;
      out = BLOCKED;
    } else out = result;
    if (this.blocking.hasReady) this.blocking.serveReady();
    if (out !== BLOCKED && (skipThis || session.replyMode !== 'on')) return NO_REPLY;
    return out;
  }

  /** Looks up, checks and runs (or queues) a command, as Redis's processCommand. */
  private dispatch(session: Session, argv: string[]): CommandResult {
    const name = argv[0] ?? '';
    let spec = this.commands.lookup(name);
    if (!spec) {
      let args = '';
      for (let i = 1; i < argv.length && args.length < 128; i++) {
        args += `'${errorArg(argv[i]!).slice(0, 128 - args.length)}' `;
      }
      return this.reject(
        session,
        argv,
        undefined,
        `ERR unknown command '${errorArg(name).slice(0, 128)}', with args beginning with: ${args}`,
      );
    }
    if (spec.subcommands) {
      if (argv.length >= 2) {
        const sub = this.commands.lookupSubcommand(spec, argv[1]!);
        if (!sub) {
          return this.reject(
            session,
            argv,
            undefined,
            `ERR unknown subcommand '${errorArg(argv[1]!).slice(0, 128)}'. Try ${errorArg(name).toUpperCase()} HELP.`,
          );
        }
        spec = sub;
      }
    }
    if ((spec.arity > 0 && argv.length !== spec.arity) || argv.length < -spec.arity) {
      return this.reject(
        session,
        argv,
        spec,
        `ERR wrong number of arguments for '${this.commands.fullName(spec)}' command`,
      );
    }
    if (!session.authenticated && authRequired(session) && !spec.flags.includes('no_auth')) {
      return this.reject(session, argv, spec, NOAUTH_MESSAGE);
    }
    if (!this.acl.open) {
      const denied = this.acl.check(session, spec, argv);
      if (denied !== undefined) return this.reject(session, argv, spec, denied);
    }
    if (!this.busyScript) {
      const oom = this.memory.admit(session, spec, argv);
      if (oom !== undefined) return this.reject(session, argv, spec, oom);
    }
    const refusal = this.diskWriteError();
    if (refusal !== undefined && refusedOnDiskError(session, spec, this.commands.fullName(spec))) {
      return this.reject(session, argv, spec, refusal);
    }
    if (session.protocol === 2 && session.subscriptionCount > 0) {
      const fullName = this.commands.fullName(spec);
      if (!SUBSCRIBED_ALLOWED.has(fullName)) {
        return this.reject(
          session,
          argv,
          spec,
          `ERR Can't execute '${fullName}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`,
        );
      }
    }
    if (this.busyScript && !spec.flags.includes('allow_busy')) {
      return this.reject(session, argv, spec, busyError(this.busyScript.kind));
    }
    if (session.monitor && touchesKeyspace(spec)) {
      return this.reject(session, argv, spec, "ERR Replica can't interact with the keyspace");
    }
    if (session.multi && !MULTI_IMMEDIATE.has(this.commands.fullName(spec))) {
      if (spec.flags.includes('no_multi')) {
        return this.reject(session, argv, spec, 'ERR Command not allowed inside a transaction');
      }
      session.multi.push({ spec, argv });
      return QUEUED;
    }
    return this.call(session, spec, argv);
  }

  private reject(
    session: Session,
    argv: string[],
    spec: CommandSpec | undefined,
    message: string,
  ): ErrorReply {
    if (session.multi) session.multiFailed = true;
    if (spec) this.statsOf(spec).rejected++;
    if (spec?.name === 'exec') {
      // A refused EXEC ends the transaction, naming the refusal (as Redis's execCommandAbort), even
      // outside MULTI (EXEC from an unauthenticated client, EXEC with arguments).
      session.multi = null;
      session.multiFailed = false;
      this.unwatchAll(session);
      message = `EXECABORT Transaction discarded because of: ${message}`;
      // Monitors saw MULTI: they are shown the EXEC that ends the transaction (Redis's execCommandAbort).
      this.callLog.feed(session, argv);
    }
    const reply = new ErrorReply(message.replace(/[\r\n]/g, ' '));
    this.stats.countError(reply.message);
    return reply;
  }

  /** Runs a command's handler with statistics and error mapping (also used by EXEC). */
  call(session: Session, spec: CommandSpec, argv: string[]): CommandResult {
    const observer = this.writeObserver;
    if (observer === undefined) return this.run(session, spec, argv);
    const db = session.db;
    const dirty = this.dirty;
    observer.enter();
    let result: CommandResult = NO_REPLY;
    try {
      result = this.run(session, spec, argv);
    } finally {
      result = observer.leave(session, db, spec, argv, result, this.dirty !== dirty);
    }
    return result;
  }

  private run(session: Session, spec: CommandSpec, argv: string[]): CommandResult {
    const stat = this.statsOf(spec);
    // Durations are measured on every call for a command's first 8 calls, then on every 8th call
    // (weighted by 8): reading the clock twice per call costs more than many commands themselves. The
    // slowlog times more (call-log.ts).
    const sampled = stat.calls < 8 || (stat.calls & 7) === 0;
    const timed = sampled || this.callLog.mustTime(spec);
    const started = timed ? performance.now() : 0;
    let result: CommandResult;
    try {
      result = spec.handler(session, argv);
    } catch (e) {
      // A bug in a handler must never take the server down: report it as an error reply.
      result =
        e instanceof RedisError
          ? e.toReply()
          : new ErrorReply(`ERR internal error in '${argv[0]}': ${String(e)}`.replace(/[\r\n]/g, ' '));
    }
    const micros = timed ? (performance.now() - started) * 1000 : undefined;
    if (sampled) stat.addDuration(micros!, stat.calls < 8 ? 1 : 8);
    stat.calls++;
    if (result instanceof ErrorReply) {
      stat.failed++;
      this.stats.countError(result.message);
    }
    session.lastCommand = spec;
    const state = result instanceof BlockRequest ? 'blocked' : result === DEFERRED ? 'running' : 'done';
    this.callLog.called(session, spec, argv, micros, state);
    if (this.tracking.enabled) this.tracking.afterCall(session, spec, argv);
    return result;
  }

  private readonly statsBySpec = new Map<CommandSpec, CommandStat>();
  /** The commandstats entry of a command, found once per spec instead of by name on every call. */
  private statsOf(spec: CommandSpec): CommandStat {
    let stat = this.statsBySpec.get(spec);
    if (!stat) {
      stat = this.stats.commandStats(this.commands.fullName(spec));
      this.statsBySpec.set(spec, stat);
    }
    return stat;
  }

  /** The MISCONF error writes get while persistence fails (Redis's writeCommandsDeniedByDiskError). */
  diskWriteError(): string | undefined {
    for (const guard of this.writeGuards) {
      const refusal = guard.writeRefusal();
      if (refusal !== undefined) return refusal;
    }
    return undefined;
  }

  /** Runs a transaction's queued commands with time frozen; blocking commands answer as on timeout. */
  runTransaction(session: Session, queued: Array<{ spec: CommandSpec; argv: string[] }>): Reply[] {
    const replies: Reply[] = [];
    const froze = this.freezeTime();
    // EXEC re-checks permissions (loading an AOF, already inside a transaction, does not).
    const recheck = !session.executingTransaction;
    session.executingTransaction = true;
    try {
      for (const { spec, argv } of queued) {
        const denied = recheck && !this.acl.open ? this.acl.checkQueued(session, spec, argv) : undefined;
        if (denied !== undefined) {
          this.stats.countError(denied);
          replies.push(new ErrorReply(denied));
          continue;
        }
        const result = this.call(session, spec, argv);
        if (result === NO_REPLY) continue;
        replies.push(result instanceof BlockRequest ? result.timeoutReply : result);
      }
    } finally {
      session.executingTransaction = false;
      if (froze) this.thawTime();
    }
    return replies;
  }

  /** The reply of a command that returned DEFERRED: the client resumes, then blocked clients are served. */
  finishDeferred(session: Session, reply: Reply): void {
    session.blocked = false;
    this.callLog.ended(session);
    if (!session.closed) session.transport.resume(reply);
    if (this.blocking.hasReady) this.blocking.serveReady();
  }

  /**
   * Freezes time until `thawTime` (a script that yields keeps one instant across event-loop turns), at
   * `at` when given (loading an AOF freezes it at 0 so that no key expires while the file replays).
   */
  freezeTime(at?: number): boolean {
    if (this.frozenTime !== undefined) return false;
    this.frozenTime = at ?? this.clock.now();
    return true;
  }

  thawTime(): void {
    this.frozenTime = undefined;
  }

  /** Every change to a key ends here: WATCH, dirty count, blocked clients, notifications. */
  keyChanged(db: Database, key: string, event: string, eventClass: EventClass): void {
    this.dirty++;
    this.memory.keyChanged(db, key);
    this.writeObserver?.keyChanged(db, key);
    this.touchWatched(db, key);
    this.blocking.keyChanged(db, key);
    this.notify(db, key, event, eventClass);
  }

  /** Invalidates WATCH on one key (also used by FLUSHDB/SWAPDB for every watched key). */
  touchWatched(db: Database, key: string, byClient = true): void {
    const sessions = this.watchers.get(db.index)?.get(key);
    if (sessions) for (const s of sessions) s.watchDirty = true;
    // Redis's signalModifiedKey: WATCH and client-side caching learn of every change the same way.
    if (this.tracking.enabled) this.tracking.keyModified(key, byClient);
  }

  /** Invalidates every WATCH on a database (FLUSHDB, FLUSHALL, SWAPDB), for keys that existed. */
  touchAllWatched(db: Database, onlyExisting = true): void {
    const keys = this.watchers.get(db.index);
    if (!keys) return;
    for (const [key, sessions] of keys) {
      if (onlyExisting && !db.data.has(key)) continue;
      for (const s of sessions) s.watchDirty = true;
    }
  }

  watch(session: Session, key: string): void {
    const index = session.db.index;
    let mine = session.watching.get(index);
    if (!mine) session.watching.set(index, (mine = new Set()));
    if (mine.has(key)) return;
    mine.add(key);
    let keys = this.watchers.get(index);
    if (!keys) this.watchers.set(index, (keys = new Map()));
    let sessions = keys.get(key);
    if (!sessions) keys.set(key, (sessions = new Set()));
    sessions.add(session);
  }

  unwatchAll(session: Session): void {
    for (const [index, keys] of session.watching) {
      const all = this.watchers.get(index);
      for (const key of keys) {
        const sessions = all?.get(key);
        sessions?.delete(session);
        if (sessions?.size === 0) all!.delete(key);
      }
    }
    session.watching.clear();
    session.watchDirty = false;
  }

  private notifyFlags = '';
  private notifyFlagsVersion = -1;

  /** Keyspace notifications (notify-keyspace-events); delivered over pub/sub. */
  notify(db: Database, key: string, event: string, eventClass: EventClass): void {
    if (this.notifyFlagsVersion !== this.config.version) {
      this.notifyFlags = this.config.get('notify-keyspace-events');
      this.notifyFlagsVersion = this.config.version;
    }
    const flags = this.notifyFlags;
    if (flags === '') return;
    const classOn = flags.includes(eventClass) || (flags.includes('A') && 'g$lshzxetd'.includes(eventClass));
    if (!classOn) return;
    if (flags.includes('K')) this.pubsub.publish(`__keyspace@${db.index}__:${key}`, event);
    if (flags.includes('E')) this.pubsub.publish(`__keyevent@${db.index}__:${event}`, key);
  }

  private onExpired(db: Database, key: string): void {
    this.stats.expiredKeys++;
    this.writeObserver?.keyExpired(db, key);
    // As Redis: the 'expired' event first, then WATCH and client-side caching learn of the change.
    this.notify(db, key, 'expired', 'x');
    this.touchWatched(db, key, false);
  }

  /** Background expiry in small slices, so the event loop is never held for long. */
  private startActiveExpiry(): void {
    this.coarseTime = this.clock.now();
    const tick = () => {
      this.coarseTime = this.clock.now();
      if (this.busyScript) return; // nothing may change the data under a running script
      if (!this.activeExpireEnabled) return;
      for (const db of this.databases) {
        // Keep sweeping a database while a quarter or more of the sampled keys had expired.
        for (let round = 0; round < 16; round++) if (db.activeExpireCycle(20) < 5) break;
      }
      if (this.blocking.hasReady) this.blocking.serveReady();
    };
    this.expiryTimer = setInterval(tick, Math.max(1, Math.floor(1000 / this.config.number('hz'))));
    this.expiryTimer.unref();
  }

  /** Runs one active-expiry pass now (tests with a ManualClock call this). */
  expireNow(): void {
    for (const db of this.databases) while (db.activeExpireCycle(1000) > 0);
  }

  /** Publishes an out-of-band message to a session (pub/sub replies use PushReply). */
  push(session: Session, items: Reply[]): void {
    session.transport.push(new PushReply(items));
  }

  close(): void {
    if (this.expiryTimer) clearInterval(this.expiryTimer);
    for (const session of [...this.sessions.values()]) {
      session.transport.close();
      this.closeSession(session);
    }
  }
}

/** The script that made the engine busy (see `Engine.busyScript`). */
export interface BusyScript {
  readonly kind: 'eval' | 'function';
  /** The function's name (FUNCTION STATS), or the script's sha. */
  readonly name: string;
  readonly argv: string[];
  /** performance.now() when it started. */
  readonly startedAt: number;
  /** SCRIPT KILL / FUNCTION KILL: false when the script already wrote (it cannot be undone). */
  kill(): boolean;
}

/** SHUTDOWN's options: `save` is undefined when neither SAVE nor NOSAVE was given. */
export interface ShutdownOptions {
  save: boolean | undefined;
  now: boolean;
  force: boolean;
}

/** Redis refuses writes, EXEC of a transaction holding one, and PING while persistence fails. */
function refusedOnDiskError(session: Session, spec: CommandSpec, name: string): boolean {
  if (spec.flags.includes('write') || name === 'ping') return true;
  return name === 'exec' && (session.multi?.some((q) => q.spec.flags.includes('write')) ?? false);
}

/** Commands a monitor (Redis flags it a replica) may not run: those that read or write keys. */
function touchesKeyspace(spec: CommandSpec): boolean {
  const flags = spec.flags;
  return flags.includes('readonly') || flags.includes('write') || flags.includes('may_replicate');
}
