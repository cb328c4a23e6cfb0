import type { Cluster, Redis } from 'ioredis';
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

type IoredisClient = Redis | Cluster;

function commandError(error: unknown): Error {
  return error instanceof Error && error.name === 'ReplyError'
    ? new RedisCommandError(error.message)
    : (error as Error);
}

function results(replies: Array<[Error | null, unknown]> | null): Array<RedisReply | RedisCommandError> {
  if (!replies) throw new RedisCommandError('EXECABORT the transaction was aborted');
  return replies.map(([error, reply]) =>
    error ? new RedisCommandError(error.message) : (reply as RedisReply),
  );
}

/** ioredis (standalone, Sentinel or Cluster) behind the port. */
export class IoredisPort implements RedisPort {
  readonly backend: 'ioredis' | 'ioredis-cluster';

  constructor(
    readonly client: IoredisClient,
    private readonly ownsClient: boolean,
  ) {
    this.backend = 'isCluster' in client && client.isCluster ? 'ioredis-cluster' : 'ioredis';
  }

  async send(command: string, ...args: RedisArg[]): Promise<RedisReply> {
    try {
      return (await this.client.call(command, ...args)) as RedisReply;
    } catch (error) {
      throw commandError(error);
    }
  }

  async sendBuffer(command: string, ...args: RedisArg[]): Promise<RedisBufferReply> {
    try {
      return (await this.client.callBuffer(command, ...args)) as RedisBufferReply;
    } catch (error) {
      throw commandError(error);
    }
  }

  async pipeline(commands: RedisCommand[]): Promise<Array<RedisReply | RedisCommandError>> {
    return results(await this.client.pipeline(commands.map((command) => ['call', ...command])).exec());
  }

  async transaction(commands: RedisCommand[]): Promise<Array<RedisReply | RedisCommandError>> {
    try {
      return results(await this.client.multi(commands.map((command) => ['call', ...command])).exec());
    } catch (error) {
      throw commandError(error);
    }
  }

  runScript(script: LuaScript, keys: string[], args: RedisArg[]): Promise<RedisReply> {
    // The hot path of every pattern: straight to the client, one promise layer, no async wrappers.
    return (
      this.client.call('evalsha', script.sha, keys.length, ...keys, ...args) as Promise<RedisReply>
    ).catch((error: unknown) => {
      // Only NOSCRIPT means "send the source": retrying on any other error would run the script twice.
      if (!isNoScript(error)) throw commandError(error);
      return this.send('EVAL', script.source, keys.length, ...keys, ...args);
    });
  }

  async duplicate(): Promise<RedisPort> {
    const copy = this.client.duplicate();
    if (copy.status === 'wait') await copy.connect();
    return new IoredisPort(copy, true);
  }

  async subscribe(
    channels: string[],
    onMessage: (channel: string, message: Buffer, pattern?: string) => void,
    options: SubscribeOptions = {},
  ): Promise<Subscription> {
    // autoResubscribe (ioredis's default, forced here) subscribes again to every channel after a reconnect;
    // a Cluster's subscriber moves to another node and resubscribes by itself.
    const subscriber =
      'isCluster' in this.client && this.client.isCluster
        ? this.client.duplicate()
        : (this.client as Redis).duplicate({ autoResubscribe: true });
    subscriber.on('error', () => {}); // reconnects by itself; errors surface on the commands
    if (subscriber.status === 'wait') await subscriber.connect();
    let lost = false;
    subscriber.on('close', () => (lost = true));
    subscriber.on('ready', () => {
      if (lost) options.onReconnect?.();
      lost = false;
    });
    if (options.pattern) {
      subscriber.on('pmessageBuffer', (pattern: Buffer, channel: Buffer, message: Buffer) =>
        onMessage(channel.toString(), message, pattern.toString()),
      );
    } else {
      subscriber.on('messageBuffer', (channel: Buffer, message: Buffer) =>
        onMessage(channel.toString(), message),
      );
    }
    const add = async (more: string[]) => {
      if (more.length === 0) return;
      if (options.pattern) await subscriber.psubscribe(...more);
      else await subscriber.subscribe(...more);
    };
    await add(channels);
    return {
      add,
      remove: async (some) => {
        if (some.length === 0) return;
        if (options.pattern) await subscriber.punsubscribe(...some);
        else await subscriber.unsubscribe(...some);
      },
      close: async () => {
        subscriber.removeAllListeners('ready');
        await subscriber.quit().catch(() => subscriber.disconnect());
      },
    };
  }

  async ping(): Promise<void> {
    await this.send('PING');
  }

  async close(): Promise<void> {
    if (this.ownsClient) await this.client.quit().catch(() => this.client.disconnect());
  }
}
