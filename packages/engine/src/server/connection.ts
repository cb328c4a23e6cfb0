import type { Socket } from 'node:net';
import { authRequired, unauthenticatedPartialError, unauthenticatedRequestError } from '../auth/access.js';
import { NO_REPLY } from '../commands/registry.js';
import type { Engine } from '../engine.js';
import { engineLogger, engineLogs } from '../log.js';
import { type DecoderLimits, inlineRequests, RequestDecoder } from '../resp/decoder.js';
import { ErrorReply, type Reply } from '../resp/reply.js';
import { ReplyWriter } from '../resp/writer.js';
import { BLOCKED, type Session, type SessionTransport } from '../session.js';
import { describeClient, reprBytes } from './client-info.js';
import { OutputLimitTracker, outputLimits } from './output-limits.js';
import { flushThisTurn } from './turn-flush.js';

/** The ports of the server a client connected through (0 = that kind of listener is off). */
export interface ListenerPorts {
  tcp: number;
  tls: number;
}

/**
 * One TCP client: decodes requests, runs them in order (pausing while a command blocks), and writes
 * the replies at the end of the event-loop turn, all of them in one write.
 */
export class Connection implements SessionTransport {
  readonly session: Session;
  private readonly decoder: RequestDecoder;
  private queue: string[][] = [];
  private queueHead = 0;
  private readonly output = new ReplyWriter();
  private flushScheduled = false;
  private outputTracker: OutputLimitTracker | undefined;
  private ending = false;
  // proto-max-bulk-len and client-query-buffer-limit, re-read when the configuration changes.
  private readonly limits: DecoderLimits = { maxBulkLength: 0 };
  private queryBufferLimit = 0;
  private configVersion = -1;

  constructor(
    private readonly engine: Engine,
    private readonly socket: Socket,
    /** CONFIG GET port / tls-port and INFO tcp_port answer from these. */
    readonly listener?: ListenerPorts,
  ) {
    this.remoteAddress = `${socket.remoteAddress}:${socket.remotePort}`;
    this.localAddress = `${socket.localAddress}:${socket.localPort}`;
    this.decoder = new RequestDecoder(this.limits);
    this.refreshLimits();
    this.session = engine.createSession(this);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('close', () => {
      if (!this.ending && engineLogs(engine, 'verbose')) {
        const info = describeClient(this.session, this.decoder.pendingBytes);
        engineLogger(engine)('verbose', `Client closed connection ${info}`);
      }
      this.engine.closeSession(this.session);
    });
    socket.on('error', () => socket.destroy());
  }

  // Read once: a closed socket no longer knows them (the close is logged with them).
  readonly remoteAddress: string;
  readonly localAddress: string;

  private onData(chunk: Buffer): void {
    if (this.ending) return;
    this.session.lastInteraction = this.engine.coarseNow();
    if (this.engine.config.version !== this.configVersion) this.refreshLimits();
    const commands = this.decoder.push(chunk);
    // client-query-buffer-limit: unparsed input (a huge argument still arriving, a line without its end).
    if (this.decoder.pendingBytes > this.queryBufferLimit) {
      this.closeForQueryBufferLimit();
      return;
    }
    if (this.queueHead < this.queue.length) for (const c of commands) this.queue.push(c);
    else {
      this.queue = commands;
      this.queueHead = 0;
    }
    this.processQueue();
    // A lone client has nobody to share a batch with: its reply leaves at once, a few µs sooner.
    if (this.engine.sessions.size === 1) this.flush();
    else this.scheduleFlush();
  }

  private refreshLimits(): void {
    const config = this.engine.config;
    this.configVersion = config.version;
    this.limits.maxBulkLength = config.number('proto-max-bulk-len');
    this.queryBufferLimit = config.number('client-query-buffer-limit');
  }

  private processQueue(): void {
    while (this.queueHead < this.queue.length && !this.session.blocked && !this.ending) {
      const argv = this.queue[this.queueHead++]!;
      if (!this.session.authenticated && this.refusedUnauthenticated(argv)) return;
      const reply = this.session.execute(argv);
      if (reply === BLOCKED) return;
      if (reply !== NO_REPLY) this.output.write(reply, this.session.protocol);
      this.session.flushDeferredPushes();
      if (this.session.closeAfterReply) {
        this.end();
        return;
      }
    }
    const error = this.decoder.error;
    if (error && this.queueHead >= this.queue.length && !this.ending) {
      this.output.write(new ErrorReply(`ERR Protocol error: ${error.message}`), 2);
      this.end();
    } else if (!this.session.authenticated && this.queueHead >= this.queue.length && !this.ending) {
      // Redis refuses an over-limit header as soon as it reads it, before the arguments arrive.
      if (authRequired(this.session)) {
        const refusal = unauthenticatedPartialError(
          this.decoder.partialArgCount,
          this.decoder.partialBulkLength,
        );
        if (refusal) this.refuse(refusal);
      }
    }
  }

  /** Redis's limits on requests from a client that must still authenticate; true when refused. */
  private refusedUnauthenticated(argv: string[]): boolean {
    if (!authRequired(this.session) || inlineRequests.has(argv)) return false;
    const refusal = unauthenticatedRequestError(argv);
    if (refusal) this.refuse(refusal);
    return refusal !== undefined;
  }

  /** A protocol error: the error reply, then the connection closes. */
  private refuse(message: string): void {
    this.output.write(new ErrorReply(message), 2);
    this.end();
  }

  push(reply: Reply): void {
    if (this.ending) return;
    this.output.write(reply, this.session.protocol);
    this.scheduleFlush();
  }

  resume(reply: Reply): void {
    if (this.ending) return;
    this.output.write(reply, this.session.protocol);
    // Run what the client pipelined behind the blocked command, outside the caller's stack.
    queueMicrotask(() => this.processQueue());
    this.scheduleFlush();
  }

  close(): void {
    this.end();
  }

  /** `timeout`: an idle client is closed, logged at verbose as Redis does. */
  closeIdle(): void {
    if (engineLogs(this.engine, 'verbose')) engineLogger(this.engine)('verbose', 'Closing idle client');
    this.end();
  }

  private end(): void {
    if (this.ending) return;
    this.ending = true;
    this.engine.closeSession(this.session);
    // The last replies (QUIT's OK …) still wait for the AOF like any other.
    if (!this.engine.replyBarrier?.hold(this.finishEnd)) this.finishEnd();
  }

  private readonly finishEnd = (): void => {
    const data = this.output.take();
    if (data) this.socket.write(data);
    this.socket.end();
  };

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    flushThisTurn(this.flushNow);
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.ending) return;
    // With an AOF, a reply leaves only once the write it acknowledges is in the file (appendfsync
    // always: on disk); persistence calls back when it is, for every connection of the batch at once.
    if (this.engine.replyBarrier?.hold(this.flushNow)) return;
    const data = this.output.take();
    if (data) {
      this.socket.write(data);
      // Writing a reply counts as interaction for `timeout`, as in Redis's writeToClient.
      this.session.lastInteraction = this.engine.coarseNow();
      const pending = this.socket.writableLength;
      if (pending > 0 && this.overOutputLimit(pending)) this.dropForOutputLimit();
    }
  }

  /** client-output-buffer-limit: the class is pubsub while the client is subscribed, else normal. */
  private overOutputLimit(pending: number): boolean {
    const limits = outputLimits(this.engine.config);
    const limit = this.session.subscriptionCount > 0 ? limits.pubsub : limits.normal;
    if (limit.hard === 0 && limit.soft === 0) return false;
    this.outputTracker ??= new OutputLimitTracker();
    return this.outputTracker.exceeded(pending, limit, this.engine.clock.now());
  }

  /** Redis closes such a client without a reply, and logs it with the start of what it sent. */
  private closeForQueryBufferLimit(): void {
    const info = describeClient(this.session, this.decoder.pendingBytes);
    const start = reprBytes(this.decoder.pendingPreview(64));
    engineLogger(this.engine)(
      'warning',
      `Closing client that reached max query buffer length: ${info} (qbuf initial bytes: ${start})`,
    );
    this.ending = true;
    this.socket.destroy();
    this.engine.closeSession(this.session);
  }

  /** A client that does not read its replies is cut off (its unsent output dropped); writers are not slowed. */
  private dropForOutputLimit(): void {
    const info = describeClient(this.session, this.decoder.pendingBytes);
    engineLogger(this.engine)(
      'warning',
      `Client ${info} scheduled to be closed ASAP for overcoming of output buffer limits.`,
    );
    this.ending = true;
    this.socket.destroy();
    this.engine.closeSession(this.session);
  }

  private readonly flushNow = (): void => this.flush();
}
