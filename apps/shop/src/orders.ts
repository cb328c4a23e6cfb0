import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import {
  type Channel,
  type Duration,
  type Leaderboard,
  Lock,
  LockLostError,
  LockTimeoutError,
  PubSub,
  type RedisPort,
  StreamConsumer,
  type StreamEntry,
  StreamProducer,
} from 'redkit';
import type { Order, ShopDatabase } from './db/database.js';
import { ShopError } from './errors.js';

/** What `order.created` carries, on pub/sub and in the orders stream. */
export interface OrderCreated {
  orderId: string;
  userId: number;
  totalCents: number;
  items: Array<{ productId: number; quantity: number }>;
  paidAt: string;
}

export interface OrdersOptions {
  db: ShopDatabase;
  redis: RedisPort;
  namespace: string;
  log: Logger;
  bestsellers: Leaderboard;
  /** How long the (simulated) payment provider takes to charge a card. */
  paymentDelayMs: number;
  /** Runs once an order is paid (the shop invalidates the cached stock of what was bought). */
  afterPayment: (order: Order) => Promise<void>;
}

/**
 * Placing orders: the payment runs under a per-account lock whose fencing token the database checks, so a
 * holder that lost its lock (paused past its TTL) cannot debit the account after the next holder did. A paid
 * order is announced on pub/sub (`order.created`, at most once, for live listeners) and appended to the
 * orders stream (durable: the fulfilment consumer group processes it).
 */
export class Orders {
  readonly stream: string;
  readonly pubsub: PubSub;
  readonly created: Channel<OrderCreated>;
  private readonly producer: StreamProducer<OrderCreated>;
  private readonly lock: Lock;

  constructor(private readonly options: OrdersOptions) {
    this.stream = `${options.namespace}:orders`;
    this.pubsub = new PubSub(options.redis, { namespace: options.namespace });
    this.created = this.pubsub.channel<OrderCreated>('order.created');
    this.producer = new StreamProducer<OrderCreated>(options.redis, this.stream, { maxLen: 100_000 });
    this.lock = new Lock(options.redis, {
      namespace: `${options.namespace}:lock`,
      ttl: '10s',
      timeout: '5s',
    });
  }

  async place(userId: number, items: Array<{ productId: number; quantity: number }>): Promise<Order> {
    const { db, log } = this.options;
    const pending = db.createOrder(userId, items);
    let order: Order;
    try {
      order = await this.lock.withLock(`account:${userId}`, async ({ fencingToken, signal }) => {
        await this.charge(pending, signal);
        return db.completePayment(pending.id, fencingToken);
      });
    } catch (error) {
      // The lock can be lost after the payment was written (withLock then rejects anyway): the database says.
      const now = db.order(pending.id);
      if (now?.status !== 'paid') {
        db.failOrder(pending.id, error instanceof ShopError ? error.code : String(error));
        throw paymentError(error);
      }
      log.warn({ orderId: pending.id, err: error }, 'payment lock lost after the payment was recorded');
      order = now;
    }
    await this.options.afterPayment(order);
    const event: OrderCreated = {
      orderId: order.id,
      userId,
      totalCents: order.totalCents,
      items: order.items.map(({ productId, quantity }) => ({ productId, quantity })),
      paidAt: order.paidAt ?? new Date().toISOString(),
    };
    const [entryId, listeners] = await Promise.all([
      this.producer.add(event),
      this.created.publish(event),
      ...order.items.map((line) => this.options.bestsellers.increment(String(line.productId), line.quantity)),
    ]);
    log.info({ orderId: order.id, totalCents: order.totalCents, entryId, listeners }, 'order.created');
    return order;
  }

  /** The payment provider (simulated): slow, and abandoned when the lock is lost. */
  private async charge(order: Order, signal: AbortSignal): Promise<void> {
    this.options.log.debug({ orderId: order.id, totalCents: order.totalCents }, 'charging');
    if (this.options.paymentDelayMs > 0) await sleep(this.options.paymentDelayMs, undefined, { signal });
    signal.throwIfAborted();
  }

  async close(): Promise<void> {
    await this.pubsub.close();
  }
}

function paymentError(error: unknown): unknown {
  if (error instanceof LockTimeoutError) {
    return new ShopError(
      409,
      'payment_in_progress',
      'another payment of this account is running: retry in a moment',
    );
  }
  if (error instanceof LockLostError) {
    return new ShopError(
      503,
      'payment_interrupted',
      'the payment lock was lost before the payment was recorded: retry the order',
    );
  }
  return error;
}

export interface FulfilmentOptions {
  db: ShopDatabase;
  redis: RedisPort;
  stream: string;
  log: Logger;
  /** This consumer's name in the group (default: host, pid and a random suffix). */
  consumer?: string;
  /** Entries pending this long with a dead consumer are taken over (default '30s'). */
  claimIdle?: Duration;
  block?: Duration;
}

/**
 * The `fulfilment` consumer group on the orders stream. Delivery is at-least-once (an entry comes again when
 * a consumer died before acknowledging it); processing is exactly once because fulfilling is idempotent by
 * order id: the paid → fulfilled transition and the shipment row are one database transaction.
 */
export class Fulfilment {
  static readonly GROUP = 'fulfilment';
  readonly consumer: StreamConsumer<OrderCreated>;
  readonly counts = { fulfilled: 0, duplicates: 0, unknown: 0 };

  constructor(private readonly options: FulfilmentOptions) {
    this.consumer = new StreamConsumer<OrderCreated>(options.redis, {
      stream: options.stream,
      group: Fulfilment.GROUP,
      consumer: options.consumer,
      claimIdle: options.claimIdle ?? '30s',
      block: options.block,
      concurrency: 4,
      handler: (entry) => this.handle(entry),
      onError: (err, entry) => options.log.warn({ err, entryId: entry.id }, 'fulfilment failed, will retry'),
      onDeadLetter: (entry, reason) =>
        options.log.error({ entryId: entry.id, deliveries: entry.deliveries, reason }, 'order dead-lettered'),
      onWarning: (message) => options.log.warn(message),
    });
  }

  private handle({ id, data, deliveries }: StreamEntry<OrderCreated>): void {
    const outcome = this.options.db.fulfil(data.orderId, id);
    if (outcome === 'fulfilled') this.counts.fulfilled++;
    else if (outcome === 'duplicate') this.counts.duplicates++;
    else this.counts.unknown++;
    const log = outcome === 'unknown' ? this.options.log.warn : this.options.log.info;
    log.call(this.options.log, { orderId: data.orderId, entryId: id, deliveries, outcome }, 'fulfilment');
  }

  start(): Promise<void> {
    return this.consumer.start();
  }

  stop(): Promise<void> {
    return this.consumer.stop({ timeout: '5s' });
  }
}
