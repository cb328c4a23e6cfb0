import { parse, serialize } from 'cookie';
import { RedkitConfigError } from '../../errors.js';
import type { SessionData, SessionRecord, Sessions } from '../../session/sessions.js';

export interface SessionCookieOptions {
  /** Cookie name (default 'sid'). */
  name?: string;
  /**
   * Prefix the name with `__Host-`: browsers then only accept the cookie from this exact host, over HTTPS,
   * for Path=/ and without Domain, so a sibling subdomain cannot plant or overwrite it.
   */
  hostPrefix?: boolean;
  /**
   * Send it over HTTPS only (default true). 'auto': only when the request came over HTTPS as the framework
   * sees it (behind a TLS-terminating proxy that needs its trust-proxy setting).
   */
  secure?: boolean | 'auto';
  /** Default 'lax': sent on top-level navigations from other sites, not on their sub-requests or forms' POSTs. */
  sameSite?: 'lax' | 'strict' | 'none';
  /** Default true: no access from page scripts. */
  httpOnly?: boolean;
  domain?: string;
  /** Default '/'. */
  path?: string;
  /**
   * Default false: a browser-session cookie, the server's idle and absolute timeouts deciding. True: the
   * cookie lasts until the session's absolute deadline (Max-Age), surviving browser restarts.
   */
  persistent?: boolean;
  /** CHIPS `Partitioned` attribute (for cookies of third-party embeds). */
  partitioned?: boolean;
}

export interface HttpSessionOptions {
  sessions: Sessions;
  cookie?: SessionCookieOptions;
}

/** The session of one request: `request.session` (Fastify, Express) or `c.get('session')` (Hono). */
export interface RequestSession {
  /** The session id; undefined while the request has no live session. */
  readonly id: string | undefined;
  readonly userId: string | undefined;
  /** Whether a live session exists (loaded from the cookie, or created during this request). */
  readonly exists: boolean;
  /** The request presented a session cookie whose session is gone (expired, destroyed or regenerated). */
  readonly expired: boolean;
  /** Server time of the session's creation (ms), when it exists. */
  readonly createdAt: number | undefined;
  /**
   * The session's data: a plain object to read and change (nested changes included). The fields that
   * changed are written when the response is sent; a request without a session gets one created then if
   * it stored anything.
   */
  data: SessionData;
  get<T = unknown>(name: string): T | undefined;
  set(name: string, value: unknown): void;
  unset(name: string): void;
  /**
   * Login (and any privilege change): a new session id carrying the data and the given user, the old id dead
   * when this resolves (so a fixated or stolen pre-login id is worthless). Creates the session if needed.
   */
  regenerate(userId?: string): Promise<void>;
  /** Logout: the session is deleted now and the cookie cleared. */
  destroy(): Promise<void>;
  /** Writes the changed fields now (they are written anyway when the response is sent). */
  save(): Promise<void>;
}

/** Reads and writes the session cookie. */
export class SessionCookie {
  readonly name: string;
  private readonly options: Required<Pick<SessionCookieOptions, 'sameSite' | 'httpOnly' | 'path'>> &
    SessionCookieOptions;

  constructor(options: SessionCookieOptions = {}) {
    const secure = options.secure ?? true;
    const sameSite = options.sameSite ?? 'lax';
    if (!['lax', 'strict', 'none'].includes(sameSite)) {
      throw new RedkitConfigError(`cookie.sameSite must be 'lax', 'strict' or 'none', got '${sameSite}'`);
    }
    if (options.hostPrefix) {
      if (secure !== true) {
        throw new RedkitConfigError(
          'a __Host- cookie must be Secure: drop cookie.secure, or drop hostPrefix',
        );
      }
      if (options.domain !== undefined || (options.path ?? '/') !== '/') {
        throw new RedkitConfigError(
          'a __Host- cookie has Path=/ and no Domain: drop cookie.domain and cookie.path',
        );
      }
    }
    if (sameSite === 'none' && secure === false) {
      throw new RedkitConfigError(
        'browsers reject SameSite=None cookies that are not Secure: set cookie.secure',
      );
    }
    const base = options.name ?? 'sid';
    this.name = options.hostPrefix ? `__Host-${base}` : base;
    if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(this.name)) {
      throw new RedkitConfigError(`cookie name '${this.name}' is not a valid cookie name (an HTTP token)`);
    }
    this.options = { ...options, sameSite, httpOnly: options.httpOnly ?? true, path: options.path ?? '/' };
  }

  /** The session id the request presents, if any. */
  read(cookieHeader: string | undefined): string | undefined {
    if (!cookieHeader) return undefined;
    const value = parse(cookieHeader)[this.name];
    return value ? value : undefined;
  }

  issue(record: SessionRecord, secureRequest: boolean): string {
    const maxAge = this.options.persistent
      ? Math.max(0, Math.floor((record.absoluteDeadline - record.createdAt) / 1000))
      : undefined;
    return serialize(this.name, record.id, { ...this.attributes(secureRequest), maxAge });
  }

  clear(secureRequest: boolean): string {
    return serialize(this.name, '', { ...this.attributes(secureRequest), maxAge: 0, expires: new Date(0) });
  }

  private attributes(secureRequest: boolean) {
    const o = this.options;
    return {
      httpOnly: o.httpOnly,
      secure: o.secure === 'auto' ? secureRequest : (o.secure ?? true),
      sameSite: o.sameSite,
      path: o.path,
      domain: o.domain,
      partitioned: o.partitioned,
    };
  }
}

const jsonOf = (value: unknown) => (value === undefined ? undefined : JSON.stringify(value));

/** One request's session: loaded from the cookie, changed by the handler, committed before the response. */
export class HttpSession implements RequestSession {
  data: SessionData = {};
  expired = false;
  private record: SessionRecord | undefined;
  /** JSON of each field as last read or written, to find what the handler changed. */
  private snapshot = new Map<string, string>();
  /** The Set-Cookie value to send, when the id changed (latest wins). */
  private cookie: string | undefined;
  private presented = false;

  constructor(
    private readonly sessions: Sessions,
    private readonly cookies: SessionCookie,
    private readonly secureRequest: boolean,
  ) {}

  get id(): string | undefined {
    return this.record?.id;
  }
  get userId(): string | undefined {
    return this.record?.userId;
  }
  get exists(): boolean {
    return this.record !== undefined;
  }
  get createdAt(): number | undefined {
    return this.record?.createdAt;
  }

  /** Loads the cookie's session and slides its idle expiry (both in one round trip). */
  async load(cookieHeader: string | undefined): Promise<void> {
    const id = this.cookies.read(cookieHeader);
    if (id === undefined) return;
    this.presented = true;
    const [record, alive] = await Promise.all([this.sessions.get(id), this.sessions.touch(id)]);
    if (record && alive) this.adopt(record);
    else this.expired = true;
  }

  get<T = unknown>(name: string): T | undefined {
    return this.data[name] as T | undefined;
  }
  set(name: string, value: unknown): void {
    this.data[name] = value;
  }
  unset(name: string): void {
    delete this.data[name];
  }

  async regenerate(userId?: string): Promise<void> {
    let fresh: SessionRecord | null = null;
    if (this.record) {
      await this.writeChanges(this.record.id);
      fresh = await this.sessions.regenerate(this.record.id, userId === undefined ? {} : { userId });
    }
    fresh ??= await this.sessions.create({ userId, data: this.data });
    this.adopt(fresh);
    this.cookie = this.cookies.issue(fresh, this.secureRequest);
  }

  async destroy(): Promise<void> {
    const id = this.record?.id;
    this.record = undefined;
    this.data = {};
    this.snapshot = new Map();
    if (id !== undefined) await this.sessions.destroy(id);
    if (this.presented || this.cookie !== undefined) this.cookie = this.cookies.clear(this.secureRequest);
  }

  async save(): Promise<void> {
    if (this.record) {
      if (!(await this.writeChanges(this.record.id))) {
        // It expired during the request: its changes are dropped rather than resurrecting a dead session.
        this.record = undefined;
        this.expired = true;
        this.cookie = this.cookies.clear(this.secureRequest);
      }
    } else if (Object.values(this.data).some((v) => v !== undefined)) {
      const created = await this.sessions.create({ data: this.data });
      this.adopt(created);
      this.cookie = this.cookies.issue(created, this.secureRequest);
    } else if (this.expired && this.cookie === undefined) {
      this.cookie = this.cookies.clear(this.secureRequest); // tell the browser to drop a dead id
    }
  }

  /** Commits the changes; the Set-Cookie value to send, if any. */
  async commit(): Promise<string | undefined> {
    await this.save();
    return this.cookie;
  }

  /** The Set-Cookie value decided so far (regenerate, destroy). */
  get pendingCookie(): string | undefined {
    return this.cookie;
  }

  /** Writes the changed fields; false when the session is gone. */
  private async writeChanges(id: string): Promise<boolean> {
    const changes: SessionData = {};
    let changed = false;
    const names = new Set([...this.snapshot.keys(), ...Object.keys(this.data)]);
    const next = new Map<string, string>();
    for (const name of names) {
      const json = jsonOf(this.data[name]);
      if (json !== undefined) next.set(name, json);
      if (json !== this.snapshot.get(name)) {
        changes[name] = this.data[name];
        changed = true;
      }
    }
    if (!changed) return true;
    const ok = await this.sessions.update(id, changes);
    if (ok) this.snapshot = next;
    return ok;
  }

  private adopt(record: SessionRecord): void {
    this.record = record;
    this.data = { ...record.data };
    this.snapshot = new Map(Object.entries(record.data).map(([k, v]) => [k, JSON.stringify(v)]));
  }
}

/** Opens the session of each request. */
export class HttpSessions {
  readonly cookie: SessionCookie;

  constructor(readonly options: HttpSessionOptions) {
    if (!options?.sessions || typeof options.sessions.create !== 'function') {
      throw new RedkitConfigError('the session middleware needs { sessions: new Sessions(redis, options) }');
    }
    this.cookie = new SessionCookie(options.cookie);
  }

  async open(cookieHeader: string | undefined, secureRequest: boolean): Promise<HttpSession> {
    const session = new HttpSession(this.options.sessions, this.cookie, secureRequest);
    await session.load(cookieHeader);
    return session;
  }
}

/** A 401 answer. */
export interface Unauthorized {
  status: 401;
  contentType: string;
  body: string;
}

/**
 * The 401 for a request lacking a live session (or, with `user`, a logged-in one); undefined when it may
 * pass. The body's `code` tells clients why: 'session_expired', 'session_required' or 'login_required'.
 */
export function checkSession(session: RequestSession | undefined, user: boolean): Unauthorized | undefined {
  if (!session) {
    throw new RedkitConfigError(
      'requireSession/requireUser found no session on the request: register the session middleware before them',
    );
  }
  if (session.exists && (!user || session.userId !== undefined)) return undefined;
  const code =
    !session.exists && session.expired ? 'session_expired' : user ? 'login_required' : 'session_required';
  const message =
    code === 'session_expired'
      ? 'Your session has expired: sign in again'
      : code === 'login_required'
        ? 'Sign in to access this resource'
        : 'This resource needs a session';
  return {
    status: 401,
    contentType: 'application/json; charset=utf-8',
    body: JSON.stringify({ statusCode: 401, error: 'Unauthorized', code, message }),
  };
}

/**
 * Commits the request's session now and says whether its response sets the session cookie (a session
 * created, regenerated or destroyed): such a response is personal and must not be cached.
 */
export async function sessionCookiePending(session: RequestSession | undefined): Promise<boolean> {
  return session instanceof HttpSession && (await session.commit()) !== undefined;
}
