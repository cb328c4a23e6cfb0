import type { RedisPort } from '../client/port.js';
import { RedkitConfigError } from '../errors.js';
import { type Codec, type CodecOption, resolveCodec } from './codec.js';
import { Inbox, type InboxStats } from './inbox.js';
import { type Deliver, type RouteKind, Router } from './router.js';

export interface PubSubOptions {
  /** Prefix of every channel and pattern (`<namespace>:<name>`); messages report names without it. */
  namespace?: string;
  /** How messages are encoded: 'json' (default), 'msgpack', 'text', 'buffer' or your own Codec. */
  codec?: CodecOption<unknown>;
  /** Waiting messages past which a subscriber is reported as falling behind (default 1000). */
  highWaterMark?: number;
  /** Waiting messages past which a subscriber's oldest are dropped (default 100,000). */
  maxBuffered?: number;
  /** Receives warnings (a subscriber falls behind, drops messages); default console.warn. */
  onWarning?: (message: string) => void;
  /** Receives handler failures and undecodable messages; default console.error. */
  onError?: (error: unknown, message: { channel: string }) => void;
  /**
   * Called after the subscriber connection dropped and came back, every channel subscribed again.
   * Messages published meanwhile were lost (pub/sub is at-most-once): resynchronise state here.
   */
  onReconnect?: () => void;
}

export interface ChannelOptions<T> {
  codec?: CodecOption<T>;
}

export interface ListenOptions {
  /** Handler calls running at once (default 1: one after another, in publication order). */
  concurrency?: number;
  highWaterMark?: number;
  maxBuffered?: number;
}

export interface PubSubMessage<T> {
  /** The channel it was published to (without the namespace); for patterns, the channel that matched. */
  channel: string;
  data: T;
}

export type MessageHandler<T> = (data: T, message: PubSubMessage<T>) => unknown;

/** A handler's subscription. */
export interface Listener {
  readonly stats: InboxStats;
  /** Stops delivery, then waits for the messages already received to be handled. */
  unsubscribe(): Promise<void>;
}

/** Messages as an async iterator; `ready` resolves once the server confirmed the subscription. */
export interface MessageStream<T> extends AsyncIterableIterator<PubSubMessage<T>> {
  readonly ready: Promise<void>;
  readonly stats: InboxStats;
  /** Unsubscribes and ends the iteration (a `break` out of `for await` does the same). */
  close(): Promise<void>;
}

interface Received {
  channel: string;
  payload: Buffer;
}

const GLOB = /[*?[\]]/;

/**
 * Typed publish/subscribe: `pubsub.channel<Order>('orders')` publishes and subscribes with a codec (JSON by
 * default), `pubsub.pattern<Order>('orders.*')` subscribes by glob. Every subscriber of one PubSub shares
 * a single subscriber connection (one more for patterns), resubscribed automatically after a reconnect.
 * Each handler or iterator has its own queue, so a slow one delays only itself and is reported when it
 * falls behind. Pub/sub is at-most-once: for messages that must not be lost, use StreamProducer and
 * StreamConsumer.
 */
export class PubSub {
  private readonly router: Router;
  private readonly prefix: string;
  private readonly codec: Codec<unknown>;
  private readonly live = new Set<{ close(): Promise<void> }>();
  private reconnects = 0;
  private closed = false;

  constructor(
    private readonly redis: RedisPort,
    private readonly options: PubSubOptions = {},
  ) {
    const namespace = options.namespace;
    if (namespace !== undefined && (namespace === '' || GLOB.test(namespace)))
      throw new RedkitConfigError(
        `namespace '${namespace}' must be non-empty and free of glob characters (* ? [ ]): patterns are matched under it`,
      );
    this.prefix = namespace === undefined ? '' : `${namespace}:`;
    this.codec = resolveCodec(options.codec);
    this.router = new Router(redis, () => {
      this.reconnects++;
      this.options.onReconnect?.();
    });
  }

  /** A typed channel: publish to it, subscribe a handler, or iterate its messages. */
  channel<T = unknown>(name: string, options: ChannelOptions<T> = {}): Channel<T> {
    return new Channel<T>(this, name, this.codecFor(options));
  }

  /** Subscribes by glob pattern (`orders.*`, `user.?.events`): subscribe a handler or iterate. */
  pattern<T = unknown>(glob: string, options: ChannelOptions<T> = {}): PatternChannel<T> {
    return new PatternChannel<T>(this, glob, this.codecFor(options));
  }

  /** Subscriber-connection reconnects seen, and channels plus patterns subscribed on the server. */
  stats(): { reconnects: number; subscriptions: number } {
    return { reconnects: this.reconnects, subscriptions: this.router.subscribedCount };
  }

  /** Unsubscribes every handler and iterator (iterations end) and closes the subscriber connections. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.live].map((l) => l.close()));
    await this.router.close();
  }

  /** @internal */
  async publishRaw(name: string, payload: string | Buffer): Promise<number> {
    return (await this.redis.send('PUBLISH', this.prefix + name, payload)) as number;
  }

  /** @internal */
  async listen<T>(
    kind: RouteKind,
    name: string,
    codec: Codec<T>,
    handler: MessageHandler<T>,
    options: ListenOptions,
  ): Promise<Listener> {
    const concurrency = options.concurrency ?? 1;
    if (!Number.isInteger(concurrency) || concurrency < 1)
      throw new RedkitConfigError(`concurrency must be a positive integer, got ${concurrency}`);
    const inbox = this.inbox<Received>(kind, name, 'handler', options);
    let active = 0;
    let drained: (() => void) | undefined;
    const pump = () => {
      while (active < concurrency && inbox.size > 0) {
        const { channel, payload } = inbox.shift()!;
        active++;
        this.handle(codec, channel, payload, handler, inbox).finally(() => {
          active--;
          pump();
        });
      }
      if (active === 0 && inbox.size === 0) drained?.();
    };
    const deliver: Deliver = (channel, payload) => {
      inbox.push({ channel, payload });
      pump();
    };
    const full = this.prefix + name;
    const listener = {
      stats: inbox.stats,
      unsubscribe: async () => {
        this.live.delete(listener);
        await this.router.remove(kind, full, deliver);
        if (active > 0 || inbox.size > 0) await new Promise<void>((resolve) => (drained = resolve));
      },
      close: () => listener.unsubscribe(),
    };
    this.live.add(listener);
    return this.router.add(kind, full, deliver).then(
      () => listener,
      (error) => {
        this.live.delete(listener);
        throw error;
      },
    );
  }

  /** @internal */
  iterate<T>(kind: RouteKind, name: string, codec: Codec<T>, options: ListenOptions): MessageStream<T> {
    const inbox = this.inbox<Received>(kind, name, 'iterator', options);
    let wake: (() => void) | undefined;
    let ended = false;
    const deliver: Deliver = (channel, payload) => {
      inbox.push({ channel, payload });
      wake?.();
    };
    const full = this.prefix + name;
    const done = { done: true, value: undefined } as const;
    const stream: MessageStream<T> = {
      ready: this.router.add(kind, full, deliver),
      stats: inbox.stats,
      next: async () => {
        await stream.ready;
        for (;;) {
          const item = inbox.shift();
          if (item) {
            const message = this.decode(codec, item, inbox);
            if (!message) continue;
            inbox.stats.handled++;
            return { done: false, value: message };
          }
          if (ended) return done;
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
        }
      },
      return: async () => {
        await stream.close();
        return done;
      },
      close: async () => {
        if (ended) return;
        ended = true;
        this.live.delete(stream);
        inbox.clear();
        wake?.();
        await this.router.remove(kind, full, deliver);
      },
      [Symbol.asyncIterator]: () => stream,
    };
    stream.ready.catch(() => this.live.delete(stream));
    this.live.add(stream);
    return stream;
  }

  private inbox<M>(kind: RouteKind, name: string, what: string, options: ListenOptions): Inbox<M> {
    if (this.closed) throw new RedkitConfigError('this PubSub is closed: create a new one to subscribe');
    return new Inbox<M>({
      highWaterMark: options.highWaterMark ?? this.options.highWaterMark ?? 1000,
      maxBuffered: options.maxBuffered ?? this.options.maxBuffered ?? 100_000,
      label: `redkit: pub/sub ${what} of ${kind} '${this.prefix}${name}'`,
      warn: this.options.onWarning ?? console.warn,
    });
  }

  private async handle<T>(
    codec: Codec<T>,
    channel: string,
    payload: Buffer,
    handler: MessageHandler<T>,
    inbox: Inbox<unknown>,
  ): Promise<void> {
    const message = this.decode(codec, { channel, payload }, inbox);
    if (!message) return;
    try {
      await handler(message.data, message);
      inbox.stats.handled++;
    } catch (error) {
      inbox.stats.failed++;
      this.reportError(error, message.channel, 'handler failed');
    }
  }

  private decode<T>(codec: Codec<T>, item: Received, inbox: Inbox<unknown>): PubSubMessage<T> | undefined {
    const channel = item.channel.startsWith(this.prefix)
      ? item.channel.slice(this.prefix.length)
      : item.channel;
    try {
      return { channel, data: codec.decode(item.payload) };
    } catch (error) {
      inbox.stats.failed++;
      this.reportError(error, channel, `message could not be decoded with the '${codec.name}' codec`);
      return undefined;
    }
  }

  private reportError(error: unknown, channel: string, what: string): void {
    if (this.options.onError) this.options.onError(error, { channel });
    else console.error(`redkit: pub/sub ${what} on channel '${this.prefix}${channel}':`, error);
  }

  private codecFor<T>(options: ChannelOptions<T>): Codec<T> {
    return options.codec === undefined ? (this.codec as Codec<T>) : resolveCodec(options.codec);
  }
}

/** Subscribing side shared by channels and patterns. */
abstract class Topic<T> {
  protected abstract readonly kind: RouteKind;

  constructor(
    protected readonly pubsub: PubSub,
    readonly name: string,
    protected readonly codec: Codec<T>,
  ) {}

  /** Calls `handler` for each message; resolves once the server confirmed the subscription. */
  subscribe(handler: MessageHandler<T>, options: ListenOptions = {}): Promise<Listener> {
    return this.pubsub.listen(this.kind, this.name, this.codec, handler, options);
  }

  /** The messages as an async iterator, subscribed from now on (await `.ready` before relying on it). */
  messages(options: ListenOptions = {}): MessageStream<T> {
    return this.pubsub.iterate(this.kind, this.name, this.codec, options);
  }

  /** `for await (const message of channel)`: subscribes for as long as the loop runs. */
  [Symbol.asyncIterator](): AsyncIterator<PubSubMessage<T>> {
    return this.messages();
  }
}

/** A named channel with a typed payload. */
export class Channel<T> extends Topic<T> {
  protected readonly kind = 'channel';

  /** Publishes a message; resolves with how many subscribers (connections) received it. */
  publish(value: T): Promise<number> {
    return this.pubsub.publishRaw(this.name, this.codec.encode(value));
  }
}

/** A glob-pattern subscription; each message carries the channel that matched. */
export class PatternChannel<T> extends Topic<T> {
  protected readonly kind = 'pattern';
}
