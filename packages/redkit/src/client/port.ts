import { createHash } from 'node:crypto';
import type { RedisCommandError } from '../errors.js';

/** A command argument: strings are sent as UTF-8, Buffers as they are. */
export type RedisArg = string | Buffer | number;

/** A reply in RESP2 shape: bulk and status replies as strings (UTF-8), integers as numbers. */
export type RedisReply = string | number | null | RedisReply[];

/** The same, with bulk replies as Buffers (for binary serialisation). */
export type RedisBufferReply = Buffer | string | number | null | RedisBufferReply[];

/** One command of a pipeline or transaction: name first. */
export type RedisCommand = [command: string, ...args: RedisArg[]];

/** A Lua script with its SHA1, sent with EVALSHA and only on NOSCRIPT with EVAL. */
export class LuaScript {
  readonly sha: string;
  constructor(readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }
}

export type Backend = 'embedded' | 'ioredis' | 'ioredis-cluster' | 'node-redis' | 'node-redis-cluster';

/**
 * The one small port the toolkit speaks to: every pattern runs on any backend through it. Adapters map it
 * onto the embedded engine, ioredis (standalone, Cluster, Sentinel) and node-redis.
 */
export interface RedisPort {
  readonly backend: Backend;
  /** Runs one command. Error replies reject with RedisCommandError. */
  send(command: string, ...args: RedisArg[]): Promise<RedisReply>;
  /** Runs one command with bulk replies as Buffers. */
  sendBuffer(command: string, ...args: RedisArg[]): Promise<RedisBufferReply>;
  /** Sends commands in one round trip (not atomic); each result is its reply or its error. */
  pipeline(commands: RedisCommand[]): Promise<Array<RedisReply | RedisCommandError>>;
  /** Runs commands in MULTI/EXEC (atomic); each result is its reply or its error. */
  transaction(commands: RedisCommand[]): Promise<Array<RedisReply | RedisCommandError>>;
  /** Runs a script: EVALSHA, then EVAL only if the server answers NOSCRIPT. */
  runScript(script: LuaScript, keys: string[], args: RedisArg[]): Promise<RedisReply>;
  /** A dedicated connection to the same server (for blocking reads). */
  duplicate(): Promise<RedisPort>;
  /**
   * Subscribes to channels (or, with `pattern`, glob patterns) on a dedicated connection. Resolves once the
   * server confirmed; messages arrive as binary-safe Buffers with their channel (and, for a pattern
   * subscription, the pattern that matched).
   */
  subscribe(
    channels: string[],
    onMessage: (channel: string, message: Buffer, pattern?: string) => void,
    options?: SubscribeOptions,
  ): Promise<Subscription>;
  /** Health check: resolves when the server answers PING. */
  ping(): Promise<void>;
  /** Closes connections this port opened (a wrapped client stays the caller's to close). */
  close(): Promise<void>;
}

export interface SubscribeOptions {
  /** The channels are glob patterns (PSUBSCRIBE). */
  pattern?: boolean;
  /**
   * Called when the subscriber connection was lost and is back with every channel subscribed again
   * (the adapters resubscribe by themselves); messages published while it was down are lost.
   */
  onReconnect?: () => void;
}

/** A live subscription on its own connection; `close()` unsubscribes and closes that connection. */
export interface Subscription {
  /** Subscribes this connection to more channels (patterns, for a pattern subscription). */
  add(channels: string[]): Promise<void>;
  /** Unsubscribes from some channels (patterns); the connection stays open for later add(). */
  remove(channels: string[]): Promise<void>;
  close(): Promise<void>;
}

export function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}
