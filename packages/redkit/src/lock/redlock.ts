import { performance } from 'node:perf_hooks';
import type { RedisPort, RedisReply } from '../client/port.js';
import { type Duration, toMilliseconds } from '../duration.js';
import { RedkitConfigError } from '../errors.js';
import { type Attempt, acquireWithin, ownerToken } from './acquire-loop.js';
import { type ExtendOutcome, type LeaseBackend, runHolding } from './lease.js';
import {
  type AcquireOptions,
  type AcquisitionTiming,
  acquisitionTiming,
  LockHandle,
  type LockOptions,
  type LockSettings,
  lockKeys,
  lockSettings,
  timeoutError,
} from './lock.js';
import { TIMED_OUT, within } from './retry.js';
import { ACQUIRE, acquireReply, EXTEND, RAISE_FENCE, RELEASE } from './scripts.js';

export interface RedlockOptions extends LockOptions {
  /**
   * How long to wait for one server's answer before counting it as failed, so a dead or paused server
   * cannot eat the lock's validity (default: TTL/50, between 10 and 200 ms).
   */
  nodeTimeout?: Duration;
}

/** What each server answered to one attempt: granted (with its fencing counter), busy, or no answer. */
type NodeAnswer = { granted: number } | { busyMs: number } | { failed: string };

/**
 * The Redlock algorithm over N independent Redis servers (not replicas of each other): a lock is held when
 * a majority granted it, and only for TTL − time spent acquiring − clock drift, measured on this process's
 * monotonic clock. A failed attempt releases everywhere (also on servers that did not answer in time, where
 * the write may still land).
 *
 * Fencing tokens are meaningful across servers: the token is the largest counter among the granting
 * majority, written back to that majority (while still holding the lock there) before acquire() returns.
 * Any later majority overlaps it in at least one server, whose counter is then already at least this
 * token, so the next holder's token is larger. This assumes, as Redlock does, that a server does not lose
 * its data in a restart (use appendfsync always), and that the servers' clocks agree within `fencingTtl`
 * (a counter idle that long restarts from its server's clock).
 */
export class Redlock {
  private readonly settings: LockSettings;
  private readonly quorum: number;
  private readonly nodeTimeoutMs: number | undefined;

  constructor(
    private readonly servers: RedisPort[],
    options: RedlockOptions = {},
  ) {
    if (servers.length === 0) throw new RedkitConfigError('Redlock needs at least one server');
    this.settings = lockSettings(options);
    this.quorum = Math.floor(servers.length / 2) + 1;
    this.nodeTimeoutMs =
      options.nodeTimeout === undefined ? undefined : toMilliseconds(options.nodeTimeout, 'nodeTimeout');
  }

  /** Waits up to the timeout for a majority; throws LockTimeoutError saying what the servers answered. */
  async acquire(resource: string, options: AcquireOptions = {}): Promise<LockHandle> {
    return this.acquireWith(resource, options, false);
  }

  /** One attempt: the lock, or null if no majority granted it. */
  async tryAcquire(
    resource: string,
    options: Omit<AcquireOptions, 'timeout'> = {},
  ): Promise<LockHandle | null> {
    const attempt = await this.attempt(resource, acquisitionTiming(this.settings, options, false));
    return attempt.acquired ?? null;
  }

  /** Runs `fn` holding the lock on a majority, renewing it meanwhile; see Lock.withLock. */
  async withLock<T>(
    resource: string,
    fn: (handle: LockHandle) => Promise<T> | T,
    options: AcquireOptions = {},
  ): Promise<T> {
    return runHolding(await this.acquireWith(resource, options, true), fn);
  }

  private acquireWith(resource: string, options: AcquireOptions, renew: boolean): Promise<LockHandle> {
    const timing = acquisitionTiming(this.settings, options, renew);
    return acquireWithin(
      () => this.attempt(resource, timing),
      timing.timeoutMs,
      this.settings.retry,
      options.signal,
      (attempts, miss) =>
        timeoutError('lock', resource, timing.timeoutMs, attempts, miss.holderRemainingMs, miss.detail),
    );
  }

  private async attempt(
    resource: string,
    { ttlMs, timing }: AcquisitionTiming,
  ): Promise<Attempt<LockHandle>> {
    const keys = lockKeys(this.settings.keys, resource);
    const owner = ownerToken();
    const nodeTimeoutMs = this.nodeTimeoutMs ?? Math.min(200, Math.max(10, Math.floor(ttlMs / 50)));
    const startedAt = performance.now();
    const answers = await Promise.all(
      this.servers.map((server) =>
        this.ask(
          server.runScript(ACQUIRE, keys, [owner, ttlMs, this.settings.fencingTtlMs, 1]),
          nodeTimeoutMs,
        ),
      ),
    );
    const granted = answers.flatMap((answer, node) =>
      'granted' in answer ? [{ node, token: answer.granted }] : [],
    );
    if (granted.length >= this.quorum) {
      const token = Math.max(...granted.map((g) => g.token));
      const confirmed = await this.raiseFences(keys, owner, token, granted, nodeTimeoutMs);
      const validMs = ttlMs - (performance.now() - startedAt) - timing.driftMs(ttlMs);
      if (confirmed >= this.quorum && validMs > 0) {
        const backend = this.backend(keys[0], owner, nodeTimeoutMs);
        return { acquired: new LockHandle(resource, owner, token, backend, timing, startedAt) };
      }
    }
    await this.releaseEverywhere(keys[0], owner, nodeTimeoutMs);
    return { holderRemainingMs: this.freeInMs(answers, granted.length), detail: this.describe(answers) };
  }

  /**
   * Writes the chosen token to the granting servers whose counter is below it, each only while the lock
   * there is still ours → how many servers now hold a counter of at least the token under our lock.
   */
  private async raiseFences(
    keys: string[],
    owner: string,
    token: number,
    granted: Array<{ node: number; token: number }>,
    nodeTimeoutMs: number,
  ): Promise<number> {
    const behind = granted.filter((g) => g.token < token);
    const raised = await Promise.all(
      behind.map(async (g) => {
        const reply = await within(
          this.servers[g.node]!.runScript(RAISE_FENCE, keys, [
            owner,
            String(token),
            this.settings.fencingTtlMs,
          ]),
          nodeTimeoutMs,
        ).catch(() => 0);
        return reply === 1;
      }),
    );
    return granted.length - behind.length + raised.filter(Boolean).length;
  }

  private async ask(request: Promise<RedisReply>, nodeTimeoutMs: number): Promise<NodeAnswer> {
    try {
      const reply = await within(request, nodeTimeoutMs);
      if (reply === TIMED_OUT) return { failed: `no answer within ${nodeTimeoutMs} ms` };
      const answer = acquireReply(reply);
      return 'token' in answer ? { granted: answer.token } : { busyMs: answer.holderRemainingMs };
    } catch (error) {
      return { failed: (error as Error).message };
    }
  }

  /** How long until enough busy servers free up for a majority, if they all expire on time. */
  private freeInMs(answers: NodeAnswer[], granted: number): number | undefined {
    const busy = answers
      .flatMap((a) => ('busyMs' in a && a.busyMs >= 0 ? [a.busyMs] : []))
      .sort((a, b) => a - b);
    const needed = this.quorum - granted;
    return needed > 0 && busy.length >= needed ? busy[needed - 1] : undefined;
  }

  private async releaseEverywhere(lockKey: string, owner: string, nodeTimeoutMs: number): Promise<number> {
    const released = await Promise.all(
      this.servers.map((server) =>
        within(server.runScript(RELEASE, [lockKey], [owner]), nodeTimeoutMs).catch(() => 0),
      ),
    );
    return released.filter((r) => r === 1).length;
  }

  private backend(lockKey: string, owner: string, nodeTimeoutMs: number): LeaseBackend {
    return {
      extend: async (ttlMs): Promise<ExtendOutcome> => {
        const replies = await Promise.all(
          this.servers.map((server) =>
            within(server.runScript(EXTEND, [lockKey], [owner, ttlMs]), nodeTimeoutMs).catch(() => TIMED_OUT),
          ),
        );
        const extended = replies.filter((r) => r === 1).length;
        if (extended >= this.quorum) return 'extended';
        const refused = replies.filter((r) => r === 0).length;
        return refused > this.servers.length - this.quorum ? 'lost' : 'unknown';
      },
      release: async () => (await this.releaseEverywhere(lockKey, owner, nodeTimeoutMs)) >= this.quorum,
    };
  }

  private describe(answers: NodeAnswer[]): string {
    const granted = answers.filter((a) => 'granted' in a).length;
    const busy = answers.filter((a) => 'busyMs' in a).length;
    const failed = answers.flatMap((a) => ('failed' in a ? [a.failed] : []));
    const errors = failed.length > 0 ? ` (${[...new Set(failed)].join('; ')})` : '';
    return `; at the last attempt ${granted} of ${answers.length} servers granted it (${this.quorum} needed), ${busy} were held by another owner and ${failed.length} did not answer${errors}`;
  }
}
