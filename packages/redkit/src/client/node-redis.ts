import { RedisCommandError } from '../errors.js';
import {
  isNoScript,
  type LuaScript,
  type RedisArg,
  type RedisBufferReply,
  type RedisCommand,
  type RedisPort,
  type RedisReply,
  type SubscribeOptions,
  type Subscription,
} from './port.js';

type Args = Array<string | Buffer>;

/** The parts of a node-redis (v5) client the port uses; no import of the library is needed. */
export interface NodeRedisClient {
  sendCommand(args: Args, options?: unknown): Promise<unknown>;
  multi(): { addCommand(args: Args): unknown; exec(): Promise<unknown[]> };
  duplicate(): NodeRedisClient;
  connect(): Promise<unknown>;
  isOpen: boolean;
  close?(): Promise<unknown>;
  quit?(): Promise<unknown>;
}

/** The parts of a node-redis (v5) cluster the port uses: commands are routed by their first key. */
export interface NodeRedisCluster {
  sendCommand(
    firstKey: string | Buffer | undefined,
    isReadonly: boolean,
    args: Args,
    options?: unknown,
  ): Promise<unknown>;
  multi(): {
    addCommand(firstKey: string | Buffer | undefined, isReadonly: boolean, args: Args): unknown;
    exec(): Promise<unknown[]>;
  };
  duplicate(): NodeRedisCluster;
  connect(): Promise<unknown>;
  isOpen: boolean;
  close?(): Promise<unknown>;
  quit?(): Promise<unknown>;
  masters: unknown[];
}

/** The subscribe side of a node-redis client or cluster (listener gets message, channel). */
interface NodeRedisSubscriber {
  connect(): Promise<unknown>;
  subscribe(
    channels: string[],
    listener: (message: Buffer, channel: Buffer) => void,
    buffers: true,
  ): Promise<unknown>;
  pSubscribe(
    patterns: string[],
    listener: (message: Buffer, channel: Buffer) => void,
    buffers: true,
  ): Promise<unknown>;
  unsubscribe(
    channels: string[],
    listener: (message: Buffer, channel: Buffer) => void,
    buffers: true,
  ): Promise<unknown>;
  pUnsubscribe(
    patterns: string[],
    listener: (message: Buffer, channel: Buffer) => void,
    buffers: true,
  ): Promise<unknown>;
  on(event: 'error' | 'ready' | 'reconnecting', listener: (...args: unknown[]) => void): unknown;
  close?(): Promise<unknown>;
  quit?(): Promise<unknown>;
}

/** RESP type byte of bulk strings, as node-redis v5's type mapping names it ('$'). */
const BLOB_STRING = 36;
const AS_BUFFERS = { typeMapping: { [BLOB_STRING]: Buffer } };
/** Commands whose keys follow a numkeys argument: the first key is then at index 3 (name included). */
const NUMKEYS_AT_2 = /^(EVAL|EVALSHA|EVAL_RO|EVALSHA_RO|FCALL|FCALL_RO)$/i;

function toArgs(command: string, args: RedisArg[]): Args {
  return [command, ...args.map((a) => (typeof a === 'number' ? String(a) : a))];
}

/** The key a cluster routes a command by (undefined: any node). */
function firstKey(args: Args): string | Buffer | undefined {
  if (NUMKEYS_AT_2.test(String(args[0]))) return Number(args[2]) > 0 ? args[3] : undefined;
  return args[1];
}

/** RESP3 maps and sets become RESP2 arrays; errors become RedisCommandError values. */
function normalise(reply: unknown): RedisReply | RedisCommandError {
  if (reply instanceof Error) return new RedisCommandError(reply.message);
  if (reply instanceof Map) return [...reply].flat().map((r) => normalise(r) as RedisReply);
  if (reply instanceof Set || Array.isArray(reply)) return [...reply].map((r) => normalise(r) as RedisReply);
  if (reply === undefined) return null;
  return reply as RedisReply;
}

/** Error replies start with Redis's upper-case code (ERR, WRONGTYPE …); anything else is a client error. */
function commandError(error: unknown): Error {
  return error instanceof Error && /^[A-Z][A-Z_]+ /.test(error.message)
    ? new RedisCommandError(error.message)
    : (error as Error);
}

function toCommandError(error: unknown): RedisCommandError {
  const e = commandError(error);
  if (e instanceof RedisCommandError) return e;
  throw e;
}

/** node-redis (a client or a cluster) behind the port. */
export class NodeRedisPort implements RedisPort {
  readonly backend: 'node-redis' | 'node-redis-cluster';
  private readonly cluster: NodeRedisCluster | undefined;

  constructor(
    readonly client: NodeRedisClient | NodeRedisCluster,
    private readonly ownsClient: boolean,
  ) {
    this.cluster = 'masters' in client ? client : undefined;
    this.backend = this.cluster ? 'node-redis-cluster' : 'node-redis';
  }

  private raw(args: Args, options?: unknown): Promise<unknown> {
    if (this.cluster) return this.cluster.sendCommand(firstKey(args), false, args, options);
    return (this.client as NodeRedisClient).sendCommand(args, options);
  }

  async send(command: string, ...args: RedisArg[]): Promise<RedisReply> {
    let reply: unknown;
    try {
      reply = await this.raw(toArgs(command, args));
    } catch (error) {
      throw commandError(error);
    }
    const value = normalise(reply);
    if (value instanceof RedisCommandError) throw value;
    return value;
  }

  async sendBuffer(command: string, ...args: RedisArg[]): Promise<RedisBufferReply> {
    try {
      return (await this.raw(toArgs(command, args), AS_BUFFERS)) as RedisBufferReply;
    } catch (error) {
      throw commandError(error);
    }
  }

  async pipeline(commands: RedisCommand[]): Promise<Array<RedisReply | RedisCommandError>> {
    // node-redis writes commands issued in the same tick together: one round trip, each reply kept.
    const settled = await Promise.allSettled(commands.map(([c, ...a]) => this.raw(toArgs(c, a))));
    return settled.map((r) => (r.status === 'fulfilled' ? normalise(r.value) : toCommandError(r.reason)));
  }

  async transaction(commands: RedisCommand[]): Promise<Array<RedisReply | RedisCommandError>> {
    let replies: unknown[];
    try {
      if (this.cluster) {
        const multi = this.cluster.multi();
        for (const [c, ...a] of commands) multi.addCommand(firstKey(toArgs(c, a)), false, toArgs(c, a));
        replies = await multi.exec();
      } else {
        const multi = (this.client as NodeRedisClient).multi();
        for (const [c, ...a] of commands) multi.addCommand(toArgs(c, a));
        replies = await multi.exec();
      }
    } catch (error) {
      // node-redis rejects a transaction with failed commands and keeps every reply on the error.
      const partial = (error as { replies?: unknown[] }).replies;
      if (!partial) throw commandError(error);
      replies = partial;
    }
    if (replies === null) throw new RedisCommandError('EXECABORT the transaction was aborted');
    return replies.map(normalise);
  }

  async runScript(script: LuaScript, keys: string[], args: RedisArg[]): Promise<RedisReply> {
    try {
      return await this.send('EVALSHA', script.sha, keys.length, ...keys, ...args);
    } catch (error) {
      // Only NOSCRIPT means "send the source": retrying on any other error would run the script twice.
      if (!isNoScript(error)) throw error;
      return this.send('EVAL', script.source, keys.length, ...keys, ...args);
    }
  }

  async duplicate(): Promise<RedisPort> {
    const copy = this.client.duplicate();
    await copy.connect();
    return new NodeRedisPort(copy, true);
  }

  async subscribe(
    channels: string[],
    onMessage: (channel: string, message: Buffer, pattern?: string) => void,
    options: SubscribeOptions = {},
  ): Promise<Subscription> {
    const subscriber = this.client.duplicate() as unknown as NodeRedisSubscriber;
    // Without an error listener a dropped connection would crash the process; node-redis reconnects and
    // subscribes again to every channel before it emits 'ready'.
    subscriber.on('error', () => {});
    let lost = false;
    subscriber.on('reconnecting', () => (lost = true));
    subscriber.on('ready', () => {
      if (lost) options.onReconnect?.();
      lost = false;
    });
    await subscriber.connect();
    const listener = (message: Buffer, channel: Buffer) => onMessage(channel.toString(), message);
    // node-redis does not tell which pattern matched: one listener per pattern remembers it.
    const patternListeners = new Map<string, (message: Buffer, channel: Buffer) => void>();
    const patternListener = (pattern: string) => {
      let found = patternListeners.get(pattern);
      if (!found) {
        found = (message: Buffer, channel: Buffer) => onMessage(channel.toString(), message, pattern);
        patternListeners.set(pattern, found);
      }
      return found;
    };
    // The `true` flag asks node-redis for Buffers, so binary messages arrive intact.
    const add = async (more: string[]) => {
      if (more.length === 0) return;
      if (!options.pattern) return void (await subscriber.subscribe(more, listener, true));
      for (const pattern of more) await subscriber.pSubscribe([pattern], patternListener(pattern), true);
    };
    await add(channels);
    return {
      add,
      remove: async (some) => {
        if (some.length === 0) return;
        if (!options.pattern) return void (await subscriber.unsubscribe(some, listener, true));
        for (const pattern of some) {
          await subscriber.pUnsubscribe([pattern], patternListener(pattern), true);
          patternListeners.delete(pattern);
        }
      },
      close: async () => {
        await (subscriber.close?.() ?? subscriber.quit?.());
      },
    };
  }

  async ping(): Promise<void> {
    await this.send('PING');
  }

  async close(): Promise<void> {
    if (!this.ownsClient || !this.client.isOpen) return;
    await (this.client.close?.() ?? this.client.quit?.());
  }
}
