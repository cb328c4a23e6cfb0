import {
  BigNumberReply,
  BooleanReply,
  DoubleReply,
  type Engine,
  EngineClient,
  ErrorReply,
  formatDouble,
  MapReply,
  NullArrayReply,
  PushReply,
  type Reply,
  SetReply,
  StatusReply,
  VerbatimReply,
} from '@redkit/engine';
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

type Decode = (binary: string) => string | Buffer;
const utf8: Decode = (binary) => Buffer.from(binary, 'latin1').toString('utf8');
const buffer: Decode = (binary) => Buffer.from(binary, 'latin1');

/** Converts an engine reply to RESP2 shape, as a network client would see it. */
function convert(reply: Reply | undefined, decode: Decode): RedisBufferReply | RedisCommandError {
  if (reply === undefined || reply === null) return null;
  if (typeof reply === 'string') return decode(reply);
  if (typeof reply === 'number') return reply;
  if (typeof reply === 'bigint') return Number(reply);
  if (Array.isArray(reply)) return convertAll(reply, decode);
  if (reply instanceof StatusReply) return reply.status;
  if (reply instanceof ErrorReply) return new RedisCommandError(reply.message);
  if (reply instanceof DoubleReply) return formatDouble(reply.value);
  if (reply instanceof MapReply) return convertAll(reply.entries, decode);
  if (reply instanceof SetReply) return convertAll(reply.items, decode);
  if (reply instanceof PushReply) return convertAll(reply.items, decode);
  if (reply instanceof NullArrayReply) return null;
  if (reply instanceof BooleanReply) return reply.value ? 1 : 0;
  if (reply instanceof VerbatimReply) return decode(reply.text);
  if (reply instanceof BigNumberReply) return reply.digits;
  return null;
}

function convertAll(items: Reply[], decode: Decode): RedisBufferReply[] {
  return items.map((item) => {
    const value = convert(item, decode);
    // Inside arrays Redis sends errors as elements (EXEC); keep them as their message.
    return value instanceof RedisCommandError ? value.message : value;
  });
}

function unwrap<T>(value: T | RedisCommandError): T {
  if (value instanceof RedisCommandError) throw value;
  return value;
}

/** The in-process engine behind the port: no socket, the same semantics. */
export class EmbeddedPort implements RedisPort {
  readonly backend = 'embedded' as const;
  private readonly client: EngineClient;

  constructor(
    readonly engine: Engine,
    private readonly ownsEngine: boolean,
  ) {
    this.client = new EngineClient(engine);
  }

  async send(command: string, ...args: RedisArg[]): Promise<RedisReply> {
    return unwrap(convert(await this.client.call(command, ...args), utf8)) as RedisReply;
  }

  async sendBuffer(command: string, ...args: RedisArg[]): Promise<RedisBufferReply> {
    return unwrap(convert(await this.client.call(command, ...args), buffer));
  }

  async pipeline(commands: RedisCommand[]): Promise<Array<RedisReply | RedisCommandError>> {
    const replies = await Promise.all(commands.map(([name, ...args]) => this.client.call(name, ...args)));
    return replies.map((r) => convert(r, utf8) as RedisReply | RedisCommandError);
  }

  async transaction(commands: RedisCommand[]): Promise<Array<RedisReply | RedisCommandError>> {
    // Synchronous in-process: nothing can interleave between MULTI and EXEC.
    this.client.callSync('MULTI');
    const queued = commands.map(([name, ...args]) => this.client.callSync(name, ...args));
    const exec = this.client.callSync('EXEC');
    const failed = queued.find((r) => r instanceof ErrorReply);
    if (exec instanceof ErrorReply)
      throw new RedisCommandError(failed instanceof ErrorReply ? failed.message : exec.message);
    if (!Array.isArray(exec)) throw new RedisCommandError('EXECABORT Transaction discarded');
    return exec.map((r) => convert(r, utf8) as RedisReply | RedisCommandError);
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
    return new EmbeddedPort(this.engine, false);
  }

  async subscribe(
    channels: string[],
    onMessage: (channel: string, message: Buffer, pattern?: string) => void,
    options: SubscribeOptions = {},
  ): Promise<Subscription> {
    // In-process: the connection cannot drop, so there is never a reconnect to report.
    const client = new EngineClient(this.engine);
    client.onPush = (push) => {
      if (!(push instanceof PushReply)) return;
      const [kind, ...rest] = push.items as string[];
      if (kind === 'message') onMessage(utf8(rest[0]!) as string, buffer(rest[1]!) as Buffer);
      else if (kind === 'pmessage')
        onMessage(utf8(rest[1]!) as string, buffer(rest[2]!) as Buffer, utf8(rest[0]!) as string);
    };
    const [subscribe, unsubscribe] = options.pattern
      ? ['PSUBSCRIBE', 'PUNSUBSCRIBE']
      : ['SUBSCRIBE', 'UNSUBSCRIBE'];
    if (channels.length > 0) await client.call(subscribe, ...channels);
    return {
      add: async (more) => void (more.length > 0 && (await client.call(subscribe, ...more))),
      remove: async (some) => void (some.length > 0 && (await client.call(unsubscribe, ...some))),
      close: async () => client.close(),
    };
  }

  async ping(): Promise<void> {
    await this.send('PING');
  }

  async close(): Promise<void> {
    this.client.close();
    if (this.ownsEngine) this.engine.close();
  }
}
