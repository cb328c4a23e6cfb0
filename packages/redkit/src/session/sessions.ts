import { randomBytes } from 'node:crypto';
import type { RedisPort, RedisReply } from '../client/port.js';
import { type Duration, toMilliseconds } from '../duration.js';
import { RedkitConfigError } from '../errors.js';
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
    const id = Sessions.newId();
    const fields = encodeFields(options.data ?? {});
    const [createdAt, absoluteDeadline] = (await this.redis.runScript(
      CREATE,
      [this.sessionKey(id)],
      [this.idleMs, this.absoluteMs, options.userId ?? '', ...fields],
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
  async touch(id: string): Promise<boolean> {
    if (!isWellFormedId(id)) return false;
    return (await this.redis.runScript(TOUCH, [this.sessionKey(id)], [this.idleMs])) === 1;
  }

  /**
   * Sets the given fields (undefined deletes one) and slides the idle expiry. Only these fields are
   * written, so concurrent updates of other fields survive. False when the session is gone (it is not
   * recreated).
   */
  async update(id: string, changes: SessionData): Promise<boolean> {
    if (!isWellFormedId(id)) return false;
    const ops: string[] = [];
    for (const [name, value] of Object.entries(changes)) {
      if (value === undefined) ops.push('d', DATA + name);
      else ops.push('s', DATA + name, JSON.stringify(value));
    }
    return (await this.redis.runScript(TOUCH, [this.sessionKey(id)], [this.idleMs, ...ops])) === 1;
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

function isWellFormedId(id: string): boolean {
  return typeof id === 'string' && /^[A-Za-z0-9_-]{43}$/.test(id);
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
