import { randomBytes } from 'node:crypto';
import type { RedisPort, RedisReply } from '../client/port.js';
import { type Duration, toMilliseconds } from '../duration.js';
import { RedkitConfigError, RedkitError } from '../errors.js';
import { Keys } from '../keys.js';
import { CREATE, TOUCH } from './scripts.js';

export type SessionData = Record<string, unknown>;

export interface SessionsOptions {
  /** Key namespace (default 'session'). */
  namespace?: string;
  /** A session unused for this long expires (sliding). Default '30m'. */
  idleTimeout?: Duration;
  /** A session expires this long after creation, however active. Default '8h'. */
  absoluteTimeout?: Duration;
}

export interface SessionRecord {
  id: string;
  userId: string | undefined;
  /** Server time of creation, ms. */
  createdAt: number;
  /** Server time after which the session is dead whatever its activity, ms. */
  absoluteDeadline: number;
  data: SessionData;
}

/** Per-write options, for adapters whose framework decides a session's lifetime (e.g. a cookie's maxAge). */
export interface SessionWriteOptions {
  /** The sliding idle timeout from this write on (default: the idleTimeout option). */
  idleTimeout?: Duration;
}

const DATA = 'd:';

/**
 * Server-side sessions in Redis hashes: 256-bit random ids, sliding idle expiry capped by an absolute
 * deadline (both on the server's clock), field-level updates so concurrent requests changing different
 * fields don't overwrite each other, regeneration on login, and a per-user index to list and revoke.
 */
export class Sessions {
  private readonly keys: Keys;
  readonly idleMs: number;
  readonly absoluteMs: number;

  constructor(
    private readonly redis: RedisPort,
    options: SessionsOptions = {},
  ) {
    this.keys = new Keys(options.namespace ?? 'session');
    this.idleMs = toMilliseconds(options.idleTimeout ?? '30m', 'idleTimeout');
    this.absoluteMs = toMilliseconds(options.absoluteTimeout ?? '8h', 'absoluteTimeout');
    if (this.idleMs <= 0 || this.absoluteMs <= 0)
      throw new RedkitConfigError('session timeouts must be positive');
  }

  /** A new session id: 256 bits from the CSPRNG, URL-safe. */
  static newId(): string {
    return randomBytes(32).toString('base64url');
  }

  async create(options: { userId?: string; data?: SessionData } = {}): Promise<SessionRecord> {
    return this.put(Sessions.newId(), options);
  }

  /**
   * Creates a session under an id the caller chose (a framework that makes its own ids, such as
   * express-session), replacing whatever was stored under it. Prefer `create`, whose ids are 256-bit.
   */
  async put(
    id: string,
    options: { userId?: string; data?: SessionData } & SessionWriteOptions = {},
  ): Promise<SessionRecord> {
    checkId(id);
    const fields = encodeFields(options.data ?? {});
    const [createdAt, absoluteDeadline] = (await this.redis.runScript(
      CREATE,
      [this.sessionKey(id)],
      [this.idle(options), this.absoluteMs, options.userId ?? '', ...fields],
    )) as [number, number];
    if (options.userId !== undefined) await this.index(options.userId, id, absoluteDeadline);
    return { id, userId: options.userId, createdAt, absoluteDeadline, data: { ...(options.data ?? {}) } };
  }

  /** The session, or null when it does not exist or expired. Does not extend it (see touch). */
  async get(id: string): Promise<SessionRecord | null> {
    if (!isWellFormedId(id)) return null;
    const reply = (await this.redis.send('HGETALL', this.sessionKey(id))) as string[];
    return reply.length === 0 ? null : decode(id, reply);
  }

  /** Slides the idle expiry (never past the absolute deadline). False when the session is gone. */
  async touch(id: string, options: SessionWriteOptions = {}): Promise<boolean> {
    if (!isWellFormedId(id)) return false;
    return (await this.redis.runScript(TOUCH, [this.sessionKey(id)], [this.idle(options)])) === 1;
  }

  /**
   * Sets the given fields (undefined deletes one) and slides the idle expiry. Only these fields are
   * written, so concurrent updates of other fields survive. False when the session is gone (it is not
   * recreated).
   */
  async update(
    id: string,
    changes: SessionData,
    options: SessionWriteOptions & {
      /** Moves the session to this user (null: to none), e.g. on login without regenerate. */
      userId?: string | null;
    } = {},
  ): Promise<boolean> {
    if (!isWellFormedId(id)) return false;
    const ops: Array<string | number> = [];
    for (const [name, value] of Object.entries(changes)) {
      if (value === undefined) ops.push('d', DATA + name);
      else ops.push('s', DATA + name, JSON.stringify(value));
    }
    if (options.userId !== undefined) ops.push('s', 'm:user', options.userId ?? '');
    const updated =
      (await this.redis.runScript(TOUCH, [this.sessionKey(id)], [this.idle(options), ...ops])) === 1;
    if (updated && options.userId) {
      // The old user's index keeps the id until its next listing, which drops it (the user changed).
      const session = await this.get(id);
      if (session) await this.index(options.userId, id, session.absoluteDeadline);
    }
    return updated;
  }

  /** Ends a session now. */
  async destroy(id: string): Promise<void> {
    if (!isWellFormedId(id)) return;
    const session = await this.get(id);
    await this.redis.send('DEL', this.sessionKey(id));
    if (session?.userId !== undefined) await this.redis.send('ZREM', this.userKey(session.userId), id);
  }

  /**
   * A new id for the session's data (call it on login and privilege changes, against session fixation).
   * The old id is dead when this resolves. Timeouts start afresh. Null when the session is gone.
   */
  async regenerate(id: string, options: { userId?: string } = {}): Promise<SessionRecord | null> {
    const old = await this.get(id);
    if (!old) return null;
    const fresh = await this.create({ userId: options.userId ?? old.userId, data: old.data });
    await this.destroy(id);
    return fresh;
  }

  /** The live sessions of a user, oldest first. */
  async listForUser(userId: string): Promise<SessionRecord[]> {
    const ids = (await this.redis.send('ZRANGE', this.userKey(userId), 0, -1)) as string[];
    const sessions: SessionRecord[] = [];
    const stale: string[] = [];
    for (const id of ids) {
      const session = await this.get(id);
      if (session && session.userId === userId) sessions.push(session);
      else stale.push(id);
    }
    if (stale.length > 0) await this.redis.send('ZREM', this.userKey(userId), ...stale);
    return sessions.sort((a, b) => a.createdAt - b.createdAt);
  }

  /** Ends every session of a user (e.g. after a password change), optionally keeping one. */
  async destroyAllForUser(userId: string, options: { except?: string } = {}): Promise<number> {
    let ended = 0;
    for (const session of await this.listForUser(userId)) {
      if (session.id === options.except) continue;
      await this.destroy(session.id);
      ended++;
    }
    return ended;
  }

  /**
   * Every session id of this namespace (SCAN). Needs every key in one place: a single server or the
   * embedded engine, not Redis Cluster (whose SCAN sees one node); there, list sessions per user.
   */
  async *ids(): AsyncGenerator<string> {
    if (this.redis.backend.endsWith('cluster')) {
      throw new RedkitError(
        'Sessions.ids() (and count, clear) SCAN the keyspace, which on Redis Cluster sees one node only: use listForUser / destroyAllForUser there',
      );
    }
    const prefix = this.keys.of('s', '');
    let cursor = '0';
    do {
      const [next, keys] = (await this.redis.send(
        'SCAN',
        cursor,
        'MATCH',
        `${escapeGlob(prefix)}*`,
        'COUNT',
        1000,
      )) as [string, string[]];
      cursor = next;
      for (const key of keys) yield key.slice(prefix.length);
    } while (cursor !== '0');
  }

  /** How many sessions exist (a SCAN: see ids()). */
  async count(): Promise<number> {
    let count = 0;
    for await (const _ of this.ids()) count++;
    return count;
  }

  /** Ends every session of this namespace (a SCAN: see ids()). User indexes empty on their next listing. */
  async clear(): Promise<number> {
    let batch: string[] = [];
    let ended = 0;
    for await (const id of this.ids()) {
      batch.push(this.sessionKey(id));
      if (batch.length === 500) {
        ended += (await this.redis.send('UNLINK', ...batch)) as number;
        batch = [];
      }
    }
    if (batch.length > 0) ended += (await this.redis.send('UNLINK', ...batch)) as number;
    return ended;
  }

  private idle(options: SessionWriteOptions): number {
    if (options.idleTimeout === undefined) return this.idleMs;
    return Math.max(1, toMilliseconds(options.idleTimeout, 'idleTimeout'));
  }

  private async index(userId: string, id: string, deadline: number): Promise<void> {
    // A separate key (another Cluster slot): an index entry whose session is gone is dropped on listing.
    const key = this.userKey(userId);
    await this.redis.pipeline([
      ['ZADD', key, deadline, id],
      ['PEXPIRE', key, this.absoluteMs, 'GT'],
      ['PEXPIRE', key, this.absoluteMs, 'NX'],
    ]);
  }

  private sessionKey(id: string): string {
    return this.keys.of('s', id);
  }

  private userKey(userId: string): string {
    return this.keys.of('user', userId);
  }
}

/** Ids are URL-safe: Sessions.newId()'s 43 characters, or a framework's own (express-session's are 32). */
function isWellFormedId(id: string): boolean {
  return typeof id === 'string' && /^[A-Za-z0-9_-]{16,128}$/.test(id);
}

function checkId(id: string): void {
  if (!isWellFormedId(id)) {
    throw new RedkitConfigError(
      `session id '${String(id).slice(0, 40)}' is not 16–128 URL-safe characters (A–Z a–z 0–9 _ -): generate ids with Sessions.newId()`,
    );
  }
}

/** A key prefix as a SCAN MATCH pattern that matches it literally. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

function encodeFields(data: SessionData): string[] {
  const out: string[] = [];
  for (const [name, value] of Object.entries(data)) {
    if (value !== undefined) out.push(DATA + name, JSON.stringify(value));
  }
  return out;
}

function decode(id: string, reply: RedisReply[]): SessionRecord {
  const data: SessionData = {};
  let userId: string | undefined;
  let createdAt = 0;
  let absoluteDeadline = 0;
  for (let i = 0; i < reply.length; i += 2) {
    const field = String(reply[i]);
    const value = String(reply[i + 1]);
    if (field.startsWith(DATA)) data[field.slice(DATA.length)] = JSON.parse(value);
    else if (field === 'm:user') userId = value === '' ? undefined : value;
    else if (field === 'm:created') createdAt = Number(value);
    else if (field === 'm:absolute') absoluteDeadline = Number(value);
  }
  return { id, userId, createdAt, absoluteDeadline, data };
}
