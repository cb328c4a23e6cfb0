import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { RedisArg, RedisCommand, RedisPort } from '../client/port.js';
import { type Duration, toMilliseconds } from '../duration.js';
import { RedisCommandError, RedkitConfigError, RedkitError } from '../errors.js';
import { clusterSlot } from '../keys.js';
import { type Codec, type CodecOption, resolveCodec } from '../pubsub/codec.js';
import { Backoff, type BackoffOption } from './backoff.js';
import { DATA_FIELD, parseAutoClaim, parseRead, type RawEntry } from './entries.js';
import { readMetrics, record, type StreamMetrics } from './metrics.js';
import { CLAIM_FOR_RETRY, HEARTBEAT } from './scripts.js';

export interface StreamEntry<T> {
  id: string;
  data: T;
  /** 1 on the first delivery; each retry and each reclaim from a dead consumer adds one. */
  deliveries: number;
  stream: string;
}

export interface StreamConsumerOptions<T> {
  stream: string;
  group: string;
  /** This consumer's name in the group (default: host, pid and a random suffix). Must be unique. */
  consumer?: string;
  /** Processes one entry; the entry is acknowledged when it resolves, retried when it throws. */
  handler: (entry: StreamEntry<T>) => unknown;
  /** Handlers running at once (default 10). */
  concurrency?: number;
  /** Deliveries after which a failing entry goes to the dead-letter stream (default 5). */
  maxDeliveries?: number;
  /** Where entries go after maxDeliveries (default `<stream>:dead`); `false`: drop them with a warning. */
  deadLetterStream?: string | false;
  /** Approximate cap of the dead-letter stream (default 10,000). */
  deadLetterMaxLen?: number;
  /** The dead-letter stream expires this long after its last entry (default '30d'); null: never. */
  deadLetterTtl?: Duration | null;
  /** Entries pending this long with another consumer (one that died or hangs) are reclaimed (default '30s'). */
  claimIdle?: Duration;
  /** How often to look for such entries (default: claimIdle / 2, at most '10s'). */
  claimInterval?: Duration;
  /** Delay before retrying a failed entry, by its delivery count (default 1s doubling, up to 30s, ±20%). */
  backoff?: BackoffOption;
  /** Where a group created by this consumer starts: '0' (default, the whole stream), '$' (new entries only) or an ID. */
  startId?: string;
  /** How long one XREADGROUP waits for new entries (default '2s'). */
  block?: Duration;
  /** Consumers of the group idle this long with nothing pending are deleted from it (default '1h'); null: never. */
  deleteIdleConsumersAfter?: Duration | null;
  codec?: CodecOption<T>;
  /** Each failed attempt (default: console.warn). */
  onError?: (error: unknown, entry: StreamEntry<T> | { id: string }) => void;
  /** An entry moved to the dead-letter stream (or dropped). */
  onDeadLetter?: (entry: { id: string; deliveries: number }, reason: unknown) => void;
  /** Entries the server acknowledged (for audit or metrics). */
  onAcknowledged?: (ids: string[]) => void;
  /** Warnings: pending entries trimmed before they were processed, connection trouble (default console.warn). */
  onWarning?: (message: string) => void;
}

/** An entry this consumer owns (pending in its name): running, waiting to retry, or being acknowledged. */
interface Held {
  id: string;
  fields: Map<string, Buffer>;
  deliveries: number;
  timer?: NodeJS.Timeout;
  /** Another consumer reclaimed it while this one still had it (this one stalled past claimIdle). */
  lost?: boolean;
}

/** The consumer was used wrongly: started twice, or stopped while starting. */
export class StreamConsumerStateError extends RedkitError {
  override name = 'StreamConsumerStateError';
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A consumer-group worker for a Redis Stream. Reads with XREADGROUP on its own connection and runs up to
 * `concurrency` handlers at once; acknowledges each entry after its handler succeeded; retries failures
 * after a backoff chosen by the entry's delivery count and moves an entry to a dead-letter stream after
 * `maxDeliveries`; reclaims (XAUTOCLAIM) entries that another consumer left pending for `claimIdle` — so
 * nothing is lost when a worker dies — while a heartbeat keeps its own slow entries from being reclaimed.
 * Delivery is at-least-once: an entry whose worker died after the handler ran but before the acknowledgement
 * runs again, so make handlers idempotent (the entry ID is a natural idempotency key).
 */
export class StreamConsumer<T = unknown> {
  readonly stream: string;
  readonly group: string;
  readonly consumer: string;
  private readonly codec: Codec<T>;
  private readonly concurrency: number;
  private readonly maxDeliveries: number;
  private readonly deadLetterStream: string | false;
  private readonly claimIdleMs: number;
  private readonly claimIntervalMs: number;
  private readonly blockMs: number;
  private readonly backoff: Backoff;
  private readonly startId: string;
  private readonly deleteIdleAfterMs: number | null;
  private readonly deadLetterTtlMs: number | null;
  private readonly warn: (message: string) => void;

  private reader: RedisPort | undefined;
  private readerId: number | undefined;
  private running = false;
  private readLoop: Promise<void> | undefined;
  private readonly held = new Map<string, Held>();
  private active = 0;
  private readonly due: Held[] = [];
  private slotFreed: (() => void) | undefined;
  private idle: (() => void) | undefined;
  private acks: string[] = [];
  private ackFlush: Promise<void> | undefined;
  private timers: NodeJS.Timeout[] = [];
  private claimCursor = '0-0';
  private claiming = false;
  private readonly counters = {
    processed: 0,
    failed: 0,
    retried: 0,
    deadLettered: 0,
    reclaimed: 0,
    deletedWhilePending: 0,
  };

  constructor(
    private readonly redis: RedisPort,
    private readonly options: StreamConsumerOptions<T>,
  ) {
    const { stream, group } = options;
    if (!stream || !group) throw new RedkitConfigError('StreamConsumer needs a stream and a group name');
    if (typeof options.handler !== 'function') throw new RedkitConfigError('StreamConsumer needs a handler');
    this.stream = stream;
    this.group = group;
    this.consumer = options.consumer ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
    this.codec = resolveCodec(options.codec);
    this.concurrency = positiveInteger(options.concurrency ?? 10, 'concurrency');
    this.maxDeliveries = positiveInteger(options.maxDeliveries ?? 5, 'maxDeliveries');
    this.deadLetterStream = options.deadLetterStream ?? `${stream}:dead`;
    this.claimIdleMs = toMilliseconds(options.claimIdle ?? '30s', 'claimIdle');
    if (this.claimIdleMs < 100) throw new RedkitConfigError('claimIdle must be at least 100ms');
    this.claimIntervalMs = toMilliseconds(
      options.claimInterval ?? Math.min(this.claimIdleMs / 2, 10_000),
      'claimInterval',
    );
    this.blockMs = Math.max(1, toMilliseconds(options.block ?? '2s', 'block'));
    this.backoff = new Backoff(options.backoff);
    this.startId = options.startId ?? '0';
    this.deleteIdleAfterMs =
      options.deleteIdleConsumersAfter === null
        ? null
        : toMilliseconds(options.deleteIdleConsumersAfter ?? '1h', 'deleteIdleConsumersAfter');
    this.deadLetterTtlMs =
      options.deadLetterTtl === null ? null : toMilliseconds(options.deadLetterTtl ?? '30d', 'deadLetterTtl');
    this.warn = options.onWarning ?? ((message) => console.warn(`redkit: ${message}`));
  }

  /** Creates the group if needed (idempotent, MKSTREAM) and starts reading. */
  async start(): Promise<void> {
    if (this.running || this.reader)
      throw new StreamConsumerStateError('this StreamConsumer is already started');
    await this.ensureGroup(this.startId);
    const reader = await this.redis.duplicate();
    this.reader = reader;
    // CLIENT UNBLOCK lets stop() end a blocking read at once; on a cluster it could reach another node.
    if (!this.redis.backend.endsWith('cluster'))
      this.readerId = Number(await reader.send('CLIENT', 'ID').catch(() => Number.NaN)) || undefined;
    this.running = true;
    this.timers.push(setInterval(() => void this.reclaim(), this.claimIntervalMs));
    this.timers.push(setInterval(() => void this.heartbeat(), Math.max(50, this.claimIdleMs / 3)));
    this.readLoop = this.ownHistory()
      .catch((error) =>
        this.warn(`reading the earlier pending entries of '${this.consumer}' failed: ${error}`),
      )
      .then(() => this.read());
    void this.reclaim();
  }

  /**
   * Graceful shutdown: stops reading, lets running handlers finish (at most `timeout`, default no limit),
   * flushes acknowledgements and closes the reading connection. Entries waiting to retry stay pending and
   * are reclaimed by the other consumers after claimIdle.
   */
  async stop(options: { timeout?: Duration } = {}): Promise<void> {
    if (!this.reader) return;
    this.running = false;
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    for (const held of this.held.values()) clearTimeout(held.timer);
    this.due.length = 0;
    this.slotFreed?.();
    const unblock = this.readerId === undefined ? undefined : setInterval(() => void this.unblock(), 100);
    void this.unblock();
    await this.readLoop;
    clearInterval(unblock);
    if (this.active > 0) {
      const finished = new Promise<void>((resolve) => (this.idle = resolve));
      const limit = options.timeout === undefined ? undefined : toMilliseconds(options.timeout, 'timeout');
      await (limit === undefined ? finished : Promise.race([finished, sleep(limit)]));
    }
    await this.flushAcks();
    await this.reader.close();
    this.reader = undefined;
    this.held.clear();
  }

  /** Whether start() ran and stop() did not. */
  get isRunning(): boolean {
    return this.running;
  }

  /**
   * Moves the group's read position (XGROUP SETID): entries after `id` are delivered again, to every
   * consumer of the group. '0' replays the whole stream, '$' skips to the end.
   */
  async replayFrom(id: string): Promise<void> {
    await this.ensureGroup(this.startId);
    await this.redis.send('XGROUP', 'SETID', this.stream, this.group, id);
  }

  /** Stream length, group lag and pending entries (per consumer), and this consumer's counters. */
  async metrics(): Promise<StreamMetrics> {
    return readMetrics(this.redis, this.stream, this.group, {
      ...this.counters,
      inFlight: this.active,
      held: this.held.size,
    });
  }

  /** XGROUP CREATE … MKSTREAM, at `startId`; an existing group is left as it is. */
  private async ensureGroup(startId: string): Promise<void> {
    try {
      await this.redis.send('XGROUP', 'CREATE', this.stream, this.group, startId, 'MKSTREAM');
    } catch (error) {
      if (!(error instanceof RedisCommandError && error.code === 'BUSYGROUP')) throw error;
    }
  }

  /** Entries left pending under this consumer's name by an earlier run (a fixed name that restarted). */
  private async ownHistory(): Promise<void> {
    const reply = await this.reader!.sendBuffer(
      'XREADGROUP',
      'GROUP',
      this.group,
      this.consumer,
      'COUNT',
      this.concurrency * 10,
      'STREAMS',
      this.stream,
      '0',
    );
    const entries = parseRead(reply);
    if (entries.length === 0) return;
    await this.receive(entries, await this.deliveryCounts(entries.map((e) => e.id)));
  }

  private async read(): Promise<void> {
    while (this.running) {
      const free = this.concurrency - this.active - this.due.length;
      if (free <= 0) {
        await new Promise<void>((resolve) => (this.slotFreed = resolve));
        continue;
      }
      let reply: unknown;
      try {
        reply = await this.reader!.sendBuffer(
          'XREADGROUP',
          'GROUP',
          this.group,
          this.consumer,
          'COUNT',
          free,
          'BLOCK',
          this.blockMs,
          'STREAMS',
          this.stream,
          '>',
        );
      } catch (error) {
        if (!this.running) break;
        await this.onCommandError(error, 'reading');
        continue;
      }
      const entries = parseRead(reply);
      if (entries.length > 0) await this.receive(entries, new Map());
    }
  }

  /** NOGROUP (the stream was deleted): recreate the group from the start; anything else: wait a little. */
  private async onCommandError(error: unknown, what: string): Promise<void> {
    if (error instanceof RedisCommandError && error.code === 'NOGROUP') {
      this.warn(
        `stream '${this.stream}' or its group '${this.group}' disappeared while ${what}: recreating the group from the start of the stream`,
      );
      await this.ensureGroup('0').catch(() => {});
      return;
    }
    this.warn(`${what} stream '${this.stream}' failed (${(error as Error).message}); retrying in 1s`);
    await sleep(1000);
  }

  /** Starts the entries just delivered to this consumer. `deliveries` defaults to 1 (a first delivery). */
  private async receive(entries: RawEntry[], deliveries: Map<string, number>): Promise<void> {
    const gone: string[] = [];
    for (const { id, fields } of entries) {
      if (!fields) {
        gone.push(id);
        continue;
      }
      if (this.held.has(id)) continue;
      const held: Held = { id, fields, deliveries: deliveries.get(id) ?? 1 };
      this.held.set(id, held);
      this.begin(held);
    }
    if (gone.length > 0) await this.forgetDeleted(gone);
  }

  /** Runs an entry now if a slot is free, else queues it for the next free slot. */
  private begin(held: Held): void {
    if (this.active < this.concurrency) void this.run(held);
    else this.due.push(held);
  }

  private async run(held: Held): Promise<void> {
    this.active++;
    try {
      if (held.deliveries > this.maxDeliveries) {
        await this.deadLetter(
          held,
          `delivered ${held.deliveries} times (maxDeliveries ${this.maxDeliveries})`,
        );
        return;
      }
      let data: T;
      try {
        data = this.decode(held.fields);
      } catch (error) {
        await this.deadLetter(held, error);
        return;
      }
      const entry: StreamEntry<T> = { id: held.id, data, deliveries: held.deliveries, stream: this.stream };
      try {
        await this.options.handler(entry);
      } catch (error) {
        this.counters.failed++;
        this.report(error, entry);
        if (held.deliveries >= this.maxDeliveries) await this.deadLetter(held, error);
        else this.scheduleRetry(held);
        return;
      }
      this.acknowledge(held.id);
    } catch (error) {
      // Dead-lettering failed (connection trouble): the entry stays pending and will be reclaimed.
      this.warn(`could not dead-letter entry ${held.id}: ${(error as Error).message}`);
      this.held.delete(held.id);
    } finally {
      this.active--;
      const next = this.running ? this.due.shift() : undefined;
      if (next) void this.run(next);
      this.slotFreed?.();
      this.slotFreed = undefined;
      if (this.active === 0) this.idle?.();
    }
  }

  private decode(fields: Map<string, Buffer>): T {
    const payload = fields.get(DATA_FIELD);
    if (payload) return this.codec.decode(payload);
    // Written by another tool: hand over the field map as it is.
    return Object.fromEntries([...fields].map(([k, v]) => [k, v.toString('utf8')])) as T;
  }

  private scheduleRetry(held: Held): void {
    if (!this.running) return;
    held.timer = setTimeout(async () => {
      held.timer = undefined;
      if (!this.running || held.lost) return;
      try {
        const result = (await this.redis.runScript(
          CLAIM_FOR_RETRY,
          [this.stream],
          [this.group, this.consumer, held.id],
        )) as number;
        if (result <= 0) {
          this.held.delete(held.id);
          if (result < 0) this.counters.deletedWhilePending++;
          return;
        }
        held.deliveries = result;
        this.counters.retried++;
        if (this.running) this.begin(held);
      } catch (error) {
        // Left pending: another consumer (or this one) reclaims it after claimIdle.
        this.held.delete(held.id);
        this.warn(`could not retry entry ${held.id}: ${(error as Error).message}`);
      }
    }, this.backoff.delay(held.deliveries));
  }

  /** Batches acknowledgements: one XACK per turn of the event loop, however many handlers finished. */
  private acknowledge(id: string): void {
    this.acks.push(id);
    if (!this.ackFlush)
      this.ackFlush = new Promise((resolve) => setImmediate(resolve)).then(() => this.sendAcks());
  }

  private async sendAcks(): Promise<void> {
    const ids = this.acks;
    this.acks = [];
    this.ackFlush = undefined;
    if (ids.length === 0) return;
    try {
      await this.redis.send('XACK', this.stream, this.group, ...ids);
    } catch (error) {
      // Unacknowledged entries stay pending in this consumer's name; the heartbeat keeps them ours.
      this.warn(`acknowledging ${ids.length} entries failed (${(error as Error).message}); retrying`);
      await sleep(500);
      this.acks.push(...ids);
      if (!this.ackFlush) this.ackFlush = this.sendAcks();
      return;
    }
    for (const id of ids) this.held.delete(id);
    this.counters.processed += ids.length;
    this.options.onAcknowledged?.(ids);
  }

  private async flushAcks(): Promise<void> {
    while (this.ackFlush || this.acks.length > 0) await (this.ackFlush ?? this.sendAcks());
  }

  /** Copies the entry to the dead-letter stream and acknowledges it, in one transaction when one slot allows. */
  private async deadLetter(held: Held, reason: unknown): Promise<void> {
    const message = reason instanceof Error ? reason.message : String(reason);
    const ack: RedisCommand = ['XACK', this.stream, this.group, held.id];
    if (this.deadLetterStream === false) {
      this.warn(
        `dropping entry ${held.id} of '${this.stream}' after ${held.deliveries} deliveries: ${message}`,
      );
      await this.redis.send(...ack);
    } else {
      const fields: RedisArg[] = [
        'source',
        this.stream,
        'id',
        held.id,
        'group',
        this.group,
        'consumer',
        this.consumer,
        'deliveries',
        held.deliveries,
        'error',
        message,
      ];
      for (const [name, value] of held.fields) fields.push(name === 'source' ? 'field:source' : name, value);
      const dead = this.deadLetterStream;
      const commands: RedisCommand[] = [
        ['XADD', dead, 'MAXLEN', '~', this.options.deadLetterMaxLen ?? 10_000, '*', ...fields],
      ];
      if (this.deadLetterTtlMs !== null) commands.push(['PEXPIRE', dead, this.deadLetterTtlMs]);
      if (this.redis.backend.endsWith('cluster') && clusterSlot(dead) !== clusterSlot(this.stream)) {
        // Different slots: copy first, then acknowledge. A crash in between copies it twice, never loses it.
        await this.expectOk(this.redis.pipeline(commands));
        await this.redis.send(...ack);
      } else {
        await this.expectOk(this.redis.transaction([...commands, ack]));
      }
    }
    this.held.delete(held.id);
    this.counters.deadLettered++;
    this.options.onDeadLetter?.({ id: held.id, deliveries: held.deliveries }, reason);
  }

  private async expectOk(replies: Promise<unknown[]>): Promise<void> {
    const failed = (await replies).find((r) => r instanceof RedisCommandError);
    if (failed) throw failed;
  }

  /** Claims entries other consumers left pending for claimIdle (they died or hang), as slots allow. */
  private async reclaim(): Promise<void> {
    if (!this.running || this.claiming) return;
    this.claiming = true;
    try {
      const free = this.concurrency - this.active - this.due.length;
      if (free > 0) {
        const reply = await this.redis.sendBuffer(
          'XAUTOCLAIM',
          this.stream,
          this.group,
          this.consumer,
          this.claimIdleMs,
          this.claimCursor,
          'COUNT',
          free,
        );
        const { cursor, entries, deleted } = parseAutoClaim(reply);
        this.claimCursor = cursor;
        if (deleted.length > 0) this.trimmedWhilePending(deleted.length);
        const live = entries.filter((e) => e.fields && !this.held.has(e.id));
        if (entries.length > 0 && this.running) {
          this.counters.reclaimed += live.length;
          await this.receive(entries, await this.deliveryCounts(live.map((e) => e.id)));
        }
      }
      await this.deleteIdleConsumers();
    } catch (error) {
      if (error instanceof RedisCommandError && error.code === 'NOGROUP')
        await this.onCommandError(error, 'reclaiming');
      else if (this.running)
        this.warn(`reclaiming entries of '${this.stream}' failed: ${(error as Error).message}`);
    } finally {
      this.claiming = false;
    }
  }

  /** Delivery counts of entries just claimed (XAUTOCLAIM and history reads do not return them). */
  private async deliveryCounts(ids: string[]): Promise<Map<string, number>> {
    const replies = await this.redis.pipeline(
      ids.map((id) => ['XPENDING', this.stream, this.group, id, id, 1] as RedisCommand),
    );
    const counts = new Map<string, number>();
    for (const reply of replies) {
      const row = Array.isArray(reply) ? reply[0] : undefined;
      if (Array.isArray(row)) counts.set(String(row[0]), Number(row[3]));
    }
    return counts;
  }

  /** Redis 6.2 leaves deleted entries in the PEL and returns them with nil fields: acknowledge them. */
  private async forgetDeleted(ids: string[]): Promise<void> {
    this.trimmedWhilePending(ids.length);
    await this.redis.send('XACK', this.stream, this.group, ...ids);
  }

  private trimmedWhilePending(count: number): void {
    this.counters.deletedWhilePending += count;
    this.warn(
      `${count} pending entries of '${this.stream}' were deleted (trimmed by MAXLEN/MINID or XDEL) before being processed: raise the producer's maxLen above the consumers' backlog`,
    );
  }

  /** Keeps this consumer's entries (running or waiting to retry) from looking idle to other consumers. */
  private async heartbeat(): Promise<void> {
    if (!this.running || this.held.size === 0) return;
    try {
      const lost = (await this.redis.runScript(
        HEARTBEAT,
        [this.stream],
        [this.group, this.consumer, ...this.held.keys()],
      )) as string[];
      for (const id of lost) {
        const held = this.held.get(id);
        if (!held) continue;
        held.lost = true;
        if (held.timer) {
          clearTimeout(held.timer);
          this.held.delete(id);
        }
      }
    } catch (error) {
      if (this.running) this.warn(`heartbeat on '${this.stream}' failed: ${(error as Error).message}`);
    }
  }

  /** Consumers long gone (nothing pending, idle past the limit) are removed from the group's list. */
  private async deleteIdleConsumers(): Promise<void> {
    if (this.deleteIdleAfterMs === null) return;
    const consumers = (await this.redis.send('XINFO', 'CONSUMERS', this.stream, this.group)) as unknown[];
    for (const info of consumers) {
      const fields = record(info);
      if (fields.name === this.consumer || Number(fields.pending) > 0) continue;
      if (Number(fields.idle) > this.deleteIdleAfterMs)
        await this.redis.send('XGROUP', 'DELCONSUMER', this.stream, this.group, String(fields.name));
    }
  }

  private async unblock(): Promise<void> {
    if (this.readerId !== undefined)
      await this.redis.send('CLIENT', 'UNBLOCK', this.readerId).catch(() => {});
  }

  private report(error: unknown, entry: StreamEntry<T>): void {
    if (this.options.onError) return void this.options.onError(error, entry);
    this.warn(
      `handler failed on entry ${entry.id} of '${this.stream}' (delivery ${entry.deliveries} of ${this.maxDeliveries}): ${(error as Error)?.message ?? error}`,
    );
  }
}

function positiveInteger(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 1)
    throw new RedkitConfigError(`${what} must be a positive integer, got ${value}`);
  return value;
}
