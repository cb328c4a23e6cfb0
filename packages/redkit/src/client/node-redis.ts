import { RedisCommandError } from '../errors.js';
import {
  isNoScript,
  type LuaScript,
  type RedisArg,
  type RedisBufferReply,
  type RedisCommand,
  type RedisPort,
  type RedisReply,
} from './port.js';

/** The parts of a node-redis (v4/v5) client the port uses; no import of the library is needed. */
export interface NodeRedisClient {
  sendCommand(args: Array<string | Buffer>, options?: unknown): Promise<unknown>;
  multi(): NodeRedisMulti;
  duplicate(): NodeRedisClient;
  connect(): Promise<unknown>;
  isOpen: boolean;
  quit?(): Promise<unknown>;
  close?(): Promise<unknown>;
}

interface NodeRedisMulti {
  addCommand(args: Array<string | Buffer>): NodeRedisMulti;
  exec(): Promise<unknown[]>;
}

/** RESP type byte of bulk strings, as node-redis v5's type mapping names it ('$'). */
const BLOB_STRING = 36;

function toArgs(command: string, args: RedisArg[]): Array<string | Buffer> {
  return [command, ...args.map((a) => (typeof a === 'number' ? String(a) : a))];
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

/** node-redis behind the port. */
export class NodeRedisPort implements RedisPort {
  readonly backend = 'node-redis' as const;

  constructor(
    readonly client: NodeRedisClient,
    private readonly ownsClient: boolean,
  ) {}

  async send(command: string, ...args: RedisArg[]): Promise<RedisReply> {
    let reply: unknown;
    try {
      reply = await this.client.sendCommand(toArgs(command, args));
    } catch (error) {
      throw commandError(error);
    }
    const value = normalise(reply);
    if (value instanceof RedisCommandError) throw value;
    return value;
  }

  async sendBuffer(command: string, ...args: RedisArg[]): Promise<RedisBufferReply> {
    try {
      const options = { typeMapping: { [BLOB_STRING]: Buffer } };
      return (await this.client.sendCommand(toArgs(command, args), options)) as RedisBufferReply;
    } catch (error) {
      throw commandError(error);
    }
  }

  async pipeline(commands: RedisCommand[]): Promise<Array<RedisReply | RedisCommandError>> {
    // node-redis writes commands issued in the same tick together: one round trip, each reply kept.
    const settled = await Promise.allSettled(
      commands.map(([c, ...a]) => this.client.sendCommand(toArgs(c, a))),
    );
    return settled.map((r) => (r.status === 'fulfilled' ? normalise(r.value) : toCommandError(r.reason)));
  }

  async transaction(commands: RedisCommand[]): Promise<Array<RedisReply | RedisCommandError>> {
    const multi = this.client.multi();
    for (const [command, ...args] of commands) multi.addCommand(toArgs(command, args));
    let replies: unknown[];
    try {
      replies = await multi.exec();
    } catch (error) {
      // node-redis rejects a batch with failed commands and keeps every reply on the error.
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
      if (!isNoScript(error)) throw error;
      return this.send('EVAL', script.source, keys.length, ...keys, ...args);
    }
  }

  async duplicate(): Promise<RedisPort> {
    const copy = this.client.duplicate();
    await copy.connect();
    return new NodeRedisPort(copy, true);
  }

  async ping(): Promise<void> {
    await this.send('PING');
  }

  async close(): Promise<void> {
    if (!this.ownsClient || !this.client.isOpen) return;
    await (this.client.close?.() ?? this.client.quit?.());
  }
}
