/**
 * `redkit/express-session`: an express-session Store on top of Sessions. express-session is an optional
 * peer dependency, loaded only by this entry point.
 */
import type { Request } from 'express';
import session, { type SessionData } from 'express-session';
import type { SessionData as Fields, Sessions } from './sessions.js';

export interface SessionStoreOptions {
  /**
   * The user a session belongs to, e.g. `(s) => s.userId` or, with Passport, `(s) => s.passport?.user`.
   * Indexes sessions by user, so `sessions.listForUser(id)` and `sessions.destroyAllForUser(id)` (log out
   * everywhere, e.g. after a password change) work for express sessions too.
   */
  userId?: (session: SessionData) => string | undefined;
}

/** What a request loaded: each field's JSON, and the user, to write back only what the request changed. */
interface Loaded {
  fields: Map<string, string>;
  userId: string | undefined;
}

/**
 * An express-session Store over redkit Sessions: one Redis hash per session (a field per top-level
 * property), expiring with the cookie's maxAge (sliding on every request, through touch) and never past the
 * Sessions' absoluteTimeout — so give Sessions an absoluteTimeout at least as long as your cookie's maxAge.
 *
 * express-session saves the whole session object; this store writes only the properties the request
 * changed since it loaded the session, and deletes only the ones it removed. Two concurrent requests of one
 * user that change different properties (a cart and a theme) therefore both keep their change, where a
 * whole-object store keeps the last writer's. When both change the same property, the last write of it
 * wins. A save of a session that was destroyed meanwhile (logout in another tab) does not bring it back.
 */
export class RedkitSessionStore extends session.Store {
  /** Keyed by the objects express-session passes back to set(): what each request loaded. */
  private readonly loaded = new WeakMap<object, Loaded>();

  constructor(
    readonly sessions: Sessions,
    private readonly options: SessionStoreOptions = {},
  ) {
    super();
  }

  override get(sid: string, callback: (err: unknown, session?: SessionData | null) => void): void {
    settle(this.read(sid), callback);
  }

  /** express-session turns what get() returned into its Session object here: carry the snapshot over. */
  override createSession(req: Request, data: SessionData): session.Session & SessionData {
    const loaded = this.loaded.get(data);
    const created = super.createSession(req, data);
    if (loaded) this.loaded.set(created, loaded);
    return created;
  }

  override set(sid: string, data: SessionData, callback?: (err?: unknown) => void): void {
    settle(this.write(sid, data), callback);
  }

  override touch(sid: string, data: SessionData, callback?: () => void): void {
    const ttl = idleMs(data);
    settle(this.sessions.touch(sid, ttl === undefined ? {} : { idleTimeout: Math.max(ttl, 1) }), callback);
  }

  override destroy(sid: string, callback?: (err?: unknown) => void): void {
    settle(this.sessions.destroy(sid), callback);
  }

  override all(callback: (err: unknown, sessions?: { [sid: string]: SessionData } | null) => void): void {
    settle(
      (async () => {
        const all: { [sid: string]: SessionData } = {};
        for await (const sid of this.sessions.ids()) {
          const found = await this.read(sid);
          if (found) all[sid] = found;
        }
        return all;
      })(),
      callback,
    );
  }

  override length(callback: (err: unknown, length?: number) => void): void {
    settle(this.sessions.count(), callback);
  }

  override clear(callback?: (err?: unknown) => void): void {
    settle(this.sessions.clear(), callback);
  }

  private async read(sid: string): Promise<SessionData | null> {
    const record = await this.sessions.get(sid);
    if (!record) return null;
    // A session made through the Sessions API has no cookie yet: express-session needs one.
    const data = { cookie: {}, ...record.data } as unknown as SessionData;
    this.loaded.set(data, { fields: fieldsOf(record.data), userId: record.userId });
    return data;
  }

  private async write(sid: string, data: SessionData): Promise<void> {
    const ttl = idleMs(data);
    if (ttl !== undefined && ttl <= 0) return this.sessions.destroy(sid); // the cookie has expired
    const write = ttl === undefined ? {} : { idleTimeout: ttl };
    const values = valuesOf(data);
    const fields = fieldsOf(values);
    const userId = this.options.userId?.(data);
    const before = this.loaded.get(data);
    if (!before) {
      // A new session (or regenerated: a new id, the old one already destroyed).
      await this.sessions.put(sid, { data: values, userId, ...write });
    } else {
      const changes: Fields = {};
      for (const [name, json] of fields) if (before.fields.get(name) !== json) changes[name] = values[name];
      for (const name of before.fields.keys()) if (!fields.has(name)) changes[name] = undefined;
      const moved = userId !== before.userId ? { userId: userId ?? null } : {};
      // False when the session was destroyed or expired meanwhile: it stays gone.
      await this.sessions.update(sid, changes, { ...write, ...moved });
    }
    this.loaded.set(data, { fields, userId });
  }
}

/** An express-session Store over `sessions` (see RedkitSessionStore). */
export function createSessionStore(
  sessions: Sessions,
  options: SessionStoreOptions = {},
): RedkitSessionStore {
  return new RedkitSessionStore(sessions, options);
}

/** The idle TTL the cookie asks for (ms left of its maxAge), or undefined for a browser-session cookie. */
function idleMs(data: SessionData): number | undefined {
  const cookie = data.cookie as { maxAge?: number | null; expires?: Date | string | null } | undefined;
  if (typeof cookie?.maxAge === 'number') return cookie.maxAge;
  if (cookie?.expires) return new Date(cookie.expires).getTime() - Date.now();
  return undefined;
}

/** The session's own enumerable properties (its cookie included), without methods or undefined values. */
function valuesOf(data: SessionData): Fields {
  const values: Fields = {};
  for (const [name, value] of Object.entries(data)) {
    if (value !== undefined && typeof value !== 'function') values[name] = value;
  }
  return values;
}

function fieldsOf(values: Fields): Map<string, string> {
  const fields = new Map<string, string>();
  for (const [name, value] of Object.entries(values)) {
    if (value !== undefined) fields.set(name, JSON.stringify(value));
  }
  return fields;
}

/** Calls a Node-style callback with a promise's outcome, outside the promise chain. */
function settle<T>(promise: Promise<T>, callback?: (err: unknown, value?: T) => void): void {
  promise.then(
    (value) => process.nextTick(() => callback?.(null, value)),
    (error) => process.nextTick(() => (callback ? callback(error) : undefined)),
  );
}
