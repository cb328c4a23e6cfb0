import { NO_REPLY } from './commands/registry.js';
import { Engine, type EngineOptions } from './engine.js';
import type { Reply } from './resp/reply.js';
import { BLOCKED, type Session, type SessionTransport } from './session.js';

/** A command argument: strings are sent as their UTF-8 bytes, Buffers as they are. */
export type CommandArgument = string | Buffer | number | bigint;

/** Converts an argument to the engine's binary string form (one char per byte). */
export function toBinaryString(arg: CommandArgument): string {
  // A string whose UTF-8 length equals its length is ASCII: already one char per byte.
  if (typeof arg === 'string') {
    return Buffer.byteLength(arg, 'utf8') === arg.length ? arg : Buffer.from(arg, 'utf8').toString('latin1');
  }
  if (Buffer.isBuffer(arg)) return arg.toString('latin1');
  return String(arg);
}

function toArgv(args: CommandArgument[]): string[] {
  const argv = new Array<string>(args.length);
  for (let i = 0; i < args.length; i++) argv[i] = toBinaryString(args[i]!);
  return argv;
}

interface Pending {
  argv: string[];
  resolve: (reply: Reply | undefined) => void;
}

/**
 * An in-process connection to an engine, with the same semantics as a TCP client: its own selected
 * database, transaction, subscriptions and blocking commands. Replies are returned as values (error
 * replies included, as ErrorReply); bulk strings are binary strings (see `Buffer.from(s, 'latin1')`).
 */
export class EngineClient implements SessionTransport {
  readonly session: Session;
  /** Receives pub/sub messages and subscription confirmations. */
  onPush: ((reply: Reply) => void) | undefined;
  private waiting: ((reply: Reply) => void) | undefined;
  private readonly queue: Pending[] = [];
  private closed = false;

  constructor(readonly engine: Engine) {
    this.session = engine.createSession(this);
  }

  /** Runs a command. Resolves with its reply; `undefined` for commands that reply only by push. */
  call(...args: CommandArgument[]): Promise<Reply | undefined> {
    const argv = toArgv(args);
    if (this.closed) return Promise.reject(new Error('connection closed'));
    if (this.waiting || this.queue.length > 0) {
      return new Promise((resolve) => this.queue.push({ argv, resolve }));
    }
    return this.run(argv);
  }

  /** Runs a command that cannot block, synchronously. */
  callSync(...args: CommandArgument[]): Reply | undefined {
    if (this.waiting) throw new Error('a blocking command is in progress on this client');
    this.session.lastInteraction = this.engine.coarseNow();
    this.session.deferrable = false;
    let reply: ReturnType<Session['execute']>;
    try {
      reply = this.session.execute(toArgv(args));
    } finally {
      this.session.deferrable = true;
      this.session.flushDeferredPushes();
    }
    if (reply === BLOCKED) throw new Error('callSync cannot run a command that blocks');
    return reply === NO_REPLY ? undefined : reply;
  }

  private run(argv: string[]): Promise<Reply | undefined> {
    this.session.lastInteraction = this.engine.coarseNow();
    const reply = this.session.execute(argv);
    this.session.flushDeferredPushes();
    if (reply === BLOCKED) return new Promise((resolve) => (this.waiting = resolve));
    return Promise.resolve(reply === NO_REPLY ? undefined : reply);
  }

  push(reply: Reply): void {
    this.onPush?.(reply);
  }

  resume(reply: Reply): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.(reply);
    while (!this.waiting && this.queue.length > 0) {
      const next = this.queue.shift()!;
      void this.run(next.argv).then(next.resolve);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.engine.closeSession(this.session);
  }
}

/** Creates an engine for in-process use. */
export function createEngine(options?: EngineOptions): Engine {
  return new Engine(options);
}
