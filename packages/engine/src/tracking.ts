import type { CommandSpec } from './commands/registry.js';
import { keysOfCall } from './commands/server/key-specs.js';
import type { Engine } from './engine.js';
import { PushReply, type Reply } from './resp/reply.js';
import type { Session } from './session.js';

/** The pub/sub channel a RESP2 client redirected to receives invalidations on. */
export const INVALIDATE_CHANNEL = '__redis__:invalidate';

/** One client's CLIENT TRACKING state (Redis's CLIENT_TRACKING_* flags); undefined on a session while off. */
export class ClientTracking {
  /** The client that receives this client's invalidations; 0 = the client itself. */
  redirect = 0;
  bcast = false;
  optin = false;
  optout = false;
  noloop = false;
  /** CLIENT CACHING YES (OPTIN) / NO (OPTOUT) was given for the next command or transaction. */
  caching = false;
  /** The redirect client went away (noticed when an invalidation could not be delivered). */
  brokenRedirect = false;
  /** BCAST prefixes of this client. */
  readonly prefixes = new Set<string>();
}

export interface TrackingOptions {
  redirect: number;
  bcast: boolean;
  optin: boolean;
  optout: boolean;
  noloop: boolean;
}

/** Who last changed a key in a BCAST window: a client, a script's client, or nobody (expiry, eviction). */
type Modifier = Session | typeof SCRIPT | null;
const SCRIPT = Symbol('script client');

/** One BCAST prefix: its clients and the keys under it changed since the last broadcast. */
interface Broadcast {
  readonly clients: Set<Session>;
  keys: Map<string, Modifier>;
}

/** Read-only scripts are not tracked themselves: only the commands they run are (as Redis's call()). */
const UNTRACKED_READERS = new Set(['eval_ro', 'evalsha_ro', 'fcall_ro']);

/**
 * Server-assisted client-side caching (Redis's tracking.c). In default mode the keys a tracking client
 * reads are remembered (key → client ids, whatever the database, as Redis does) and each reader is sent one
 * invalidation when the key next changes; in BCAST mode every change under a client's prefixes is sent,
 * batched until the end of the event-loop turn. Invalidations for the client running the command leave
 * after its reply.
 */
export class Tracking {
  /** Set once any client turned tracking on (Redis's TrackingTable exists): the hooks do nothing before. */
  enabled = false;
  /** Clients with tracking on (INFO tracking_clients). */
  clientCount = 0;
  /** Key → ids of the clients that read it. */
  private readonly keys = new Map<string, Set<number>>();
  /** The sum of the id sets' sizes (INFO tracking_total_items). */
  private items = 0;
  private readonly prefixes = new Map<string, Broadcast>();
  private broadcastScheduled = false;
  /** The session whose command is running (Redis's server.current_client). */
  current: Session | undefined;
  /** Invalidations for `current`, sent once its reply is out; null = a flush. */
  private pending: Array<string | null> = [];
  private maxKeys = 0;
  private maxKeysVersion = -1;

  constructor(private readonly engine: Engine) {}

  get totalKeys(): number {
    return this.keys.size;
  }

  get totalItems(): number {
    return this.items;
  }

  get totalPrefixes(): number {
    return this.prefixes.size;
  }

  /** CLIENT TRACKING ON, options already checked. Re-enabling keeps the prefixes and CACHING state. */
  enable(s: Session, options: TrackingOptions, prefixes: readonly string[]): void {
    let state = s.tracking;
    if (state === undefined) {
      state = new ClientTracking();
      s.tracking = state;
      this.clientCount++;
    }
    state.redirect = options.redirect;
    state.brokenRedirect = false;
    state.bcast = options.bcast;
    state.optin = options.optin;
    state.optout = options.optout;
    state.noloop = options.noloop;
    this.enabled = true;
    if (!options.bcast) return;
    if (prefixes.length === 0) this.addPrefix(s, state, '');
    for (const prefix of prefixes) this.addPrefix(s, state, prefix);
  }

  private addPrefix(s: Session, state: ClientTracking, prefix: string): void {
    let broadcast = this.prefixes.get(prefix);
    if (!broadcast) this.prefixes.set(prefix, (broadcast = { clients: new Set(), keys: new Map() }));
    broadcast.clients.add(s);
    state.prefixes.add(prefix);
  }

  /** CLIENT TRACKING OFF, RESET, a closed connection. Keys it read stay in the table until they change. */
  disable(s: Session): void {
    const state = s.tracking;
    if (state === undefined) return;
    for (const prefix of state.prefixes) {
      const broadcast = this.prefixes.get(prefix);
      if (!broadcast) continue;
      broadcast.clients.delete(s);
      if (broadcast.clients.size === 0) this.prefixes.delete(prefix);
    }
    s.tracking = undefined;
    this.clientCount--;
  }

  /** Before a client's command runs (processCommand): keep the table within tracking-table-max-keys. */
  beforeCommand(): void {
    if (this.clientCount === 0) return;
    const config = this.engine.config;
    if (this.maxKeysVersion !== config.version) {
      this.maxKeys = config.number('tracking-table-max-keys');
      this.maxKeysVersion = config.version;
    }
    const max = this.maxKeys;
    if (max === 0 || this.keys.size <= max) return;
    // Redis drops random keys (with their invalidations); the oldest ones go here.
    for (const key of this.keys.keys()) {
      this.invalidate(key, false);
      if (this.keys.size <= max) break;
    }
  }

  /** After any command ran (Engine.run, also inside EXEC and scripts): the keys a read command read. */
  afterCall(s: Session, spec: CommandSpec, argv: string[]): void {
    const state = s.tracking;
    if (state !== undefined && !state.bcast && spec.flags.includes('readonly')) {
      const name = this.engine.commands.fullName(spec);
      if (!UNTRACKED_READERS.has(name)) this.remember(s, state, spec, name, argv);
    }
  }

  private remember(s: Session, state: ClientTracking, spec: CommandSpec, name: string, argv: string[]): void {
    if (state.optin ? !state.caching : state.optout && state.caching) return;
    if (spec.flags.includes('pubsub')) return;
    for (const { pos } of keysOfCall(spec, name, argv)) {
      const key = argv[pos]!;
      let ids = this.keys.get(key);
      if (!ids) this.keys.set(key, (ids = new Set()));
      if (!ids.has(s.id)) {
        ids.add(s.id);
        this.items++;
      }
    }
  }

  /**
   * After a client's top-level command: its own invalidations follow the reply, and CLIENT CACHING lasts
   * for one command (or one transaction; any CLIENT subcommand keeps it, as in Redis's resetClient).
   */
  commandDone(s: Session, argv: string[]): void {
    if (this.pending.length > 0) {
      const pending = this.pending;
      this.pending = [];
      for (const key of pending) this.send(s, key === null ? null : [key], s);
    }
    const state = s.tracking;
    if (state?.caching && s.multi === null && argv[0]!.toLowerCase() !== 'client') state.caching = false;
  }

  /**
   * A key changed (Redis's signalModifiedKey): its readers are told, and BCAST prefixes collect it.
   * `byClient` is false for expiry, whose change no client made (NOLOOP BCAST clients still hear of it).
   */
  keyModified(key: string, byClient: boolean): void {
    if (this.prefixes.size > 0) {
      const modifier: Modifier = !byClient
        ? null
        : this.engine.callLog.scriptDepth > 0
          ? SCRIPT
          : (this.current ?? null);
      this.collect(key, modifier);
    }
    this.invalidate(key, true);
  }

  private invalidate(key: string, duringCommand: boolean): void {
    const ids = this.keys.get(key);
    if (ids === undefined) return;
    this.keys.delete(key);
    this.items -= ids.size;
    const sessions = this.engine.sessions;
    const current = this.current;
    for (const id of ids.size > 1 ? [...ids].sort(byIdBytes) : ids) {
      const target = sessions.get(id);
      const state = target?.tracking;
      if (state === undefined || state.bcast) continue;
      if (target === current && state.noloop) continue;
      if (target === current && duringCommand) this.pending.push(key);
      else this.send(target!, [key]);
    }
  }

  /** FLUSHDB / FLUSHALL / DEBUG RELOAD: every tracking client gets a null invalidation; the table empties. */
  flushed(): void {
    if (this.clientCount > 0) {
      for (const s of this.engine.sessions.values()) {
        if (s.tracking === undefined) continue;
        if (s === this.current) this.pending.push(null);
        else this.send(s, null);
      }
    }
    this.keys.clear();
    this.items = 0;
  }

  private collect(key: string, modifier: Modifier): void {
    let matched = false;
    for (const [prefix, broadcast] of this.prefixes) {
      if (!key.startsWith(prefix)) continue;
      broadcast.keys.set(key, modifier);
      matched = true;
    }
    if (matched && !this.broadcastScheduled) {
      this.broadcastScheduled = true;
      setImmediate(this.broadcast);
    }
  }

  /** Once per event-loop turn (Redis's beforeSleep): one message per prefix with the keys changed under it. */
  private readonly broadcast = (): void => {
    this.broadcastScheduled = false;
    if (this.clientCount === 0) return;
    for (const prefix of [...this.prefixes.keys()].sort()) {
      const broadcast = this.prefixes.get(prefix)!;
      const changed = broadcast.keys;
      if (changed.size === 0) continue;
      broadcast.keys = new Map();
      const keys = [...changed.keys()].sort();
      for (const s of broadcast.clients) {
        if (!s.tracking?.noloop) {
          this.send(s, keys);
          continue;
        }
        const others = keys.filter((k) => changed.get(k) !== s);
        if (others.length > 0) this.send(s, others);
      }
    }
  };

  /**
   * Delivers one invalidation (keys, or null for a flush) as Redis's sendTrackingMessage: a RESP3 push to
   * the client or its redirect target, or a message on __redis__:invalidate to a subscribed RESP2 target.
   * `after` is the session whose reply is about to be written: pushes to it wait for that reply.
   */
  private send(s: Session, keys: string[] | null, after?: Session): void {
    const state = s.tracking;
    let target = s;
    const redirect = state?.redirect ?? 0;
    if (redirect !== 0) {
      const other = this.engine.sessions.get(redirect);
      if (other === undefined) {
        if (state) state.brokenRedirect = true;
        if (s.protocol === 3) this.deliver(s, ['tracking-redir-broken', redirect], after);
        return;
      }
      target = other;
    }
    if (target.protocol === 3) this.deliver(target, ['invalidate', keys], after);
    else if (target !== s && target.subscriptionCount > 0) {
      this.deliver(target, ['message', INVALIDATE_CHANNEL, keys], after);
    }
    // A RESP2 client without a redirect cannot be told anything.
  }

  private deliver(target: Session, items: Reply[], after: Session | undefined): void {
    if (target === after) target.deferPush(pushOf(items));
    else this.engine.push(target, items);
  }
}

const pushOf = (items: Reply[]) => new PushReply(items);

/** Redis keeps client ids in a radix tree keyed by their 8 little-endian bytes: that is its order. */
function byIdBytes(a: number, b: number): number {
  for (let i = 0; i < 7; i++) {
    const x = a % 256;
    const y = b % 256;
    if (x !== y) return x - y;
    a = Math.floor(a / 256);
    b = Math.floor(b / 256);
  }
  return a - b;
}
