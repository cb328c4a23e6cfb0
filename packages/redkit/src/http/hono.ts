/**
 * redkit for Hono 4: rate limiting, sessions and response caching as middleware.
 *
 * ```ts
 * const app = new Hono<RedkitEnv>();
 * app.use(session({ sessions }));
 * app.use(rateLimit({ limiter, key: 'user', trustProxy: 1 }));
 * app.get('/products/:id', cacheResponses({ cache, tags: (c) => [`product:${c.req.param('id')}`] }), show);
 * ```
 */
import type { Context, MiddlewareHandler } from 'hono';
import { RedkitConfigError } from '../errors.js';
import type { RateLimitResult } from '../ratelimit/result.js';
import { compileTrust, forwardedClientAddress, type TrustProxy } from './core/ip.js';
import { HttpRateLimit, type HttpRateLimitOptions } from './core/rate-limit.js';
import {
  type CacheInvalidationOptions,
  checkInvalidation,
  HttpResponseCache,
  invalidateAfter,
  type ReadyResponse,
  type ResponseCacheOptions,
} from './core/response-cache.js';
import {
  checkSession,
  type HttpSessionOptions,
  HttpSessions,
  type RequestSession,
  sessionCookiePending,
} from './core/session.js';

export type { TrustProxy } from './core/ip.js';
export type { RateLimitHeaders, StandardRateLimitHeaders } from './core/rate-limit.js';
export type { CachedResponse } from './core/response-cache.js';
export type { RequestSession, SessionCookieOptions } from './core/session.js';

/** The context variables redkit's middleware set: `c.get('session')`, `c.get('rateLimit')`. */
export interface RedkitVariables {
  session: RequestSession;
  rateLimit: RateLimitResult | undefined;
}
/** `new Hono<RedkitEnv>()` types `c.get('session')` and `c.get('rateLimit')`. */
export type RedkitEnv = { Variables: RedkitVariables };

export interface HonoRateLimitOptions extends HttpRateLimitOptions<Context> {
  /**
   * Which proxies to believe about the client address (X-Forwarded-For), as Express's 'trust proxy':
   * a hop count, addresses/CIDRs/presets, or a function. Default: none, the socket's peer address.
   */
  trustProxy?: TrustProxy;
  /**
   * The client address on runtimes other than Node (where it is the socket's peer, read from
   * `@hono/node-server`'s bindings): e.g. Bun's `(c) => getConnInfo(c).remote.address`.
   */
  clientIp?: (c: Context) => string | undefined;
}
export type HonoResponseCacheOptions = ResponseCacheOptions<Context>;
export type HonoCacheInvalidationOptions = CacheInvalidationOptions<Context>;
export interface HonoSessionOptions extends HttpSessionOptions {}

interface NodeBindings {
  incoming?: { socket?: { remoteAddress?: string } };
  server?: NodeBindings;
}

/** The socket's peer address under @hono/node-server. */
function nodeSocketAddress(c: Context): string | undefined {
  const env = c.env as NodeBindings | undefined;
  return (env?.server ?? env)?.incoming?.socket?.remoteAddress;
}

/** The response headers, made writable (a Response from fetch() has immutable headers). */
function mutableHeaders(c: Context): Headers {
  try {
    c.res.headers.set('x-redkit-probe', '1');
    c.res.headers.delete('x-redkit-probe');
  } catch {
    const res = c.res;
    c.res = undefined;
    c.res = new Response(res.body, res);
  }
  return c.res.headers;
}

function respond(
  status: number,
  contentType: string,
  body: string,
  headers: Record<string, string>,
): Response {
  return new Response(body, { status, headers: { ...headers, 'Content-Type': contentType } });
}

/** Rate limiting middleware: 429 with Retry-After when refused. Mount it globally or on a route. */
export function rateLimit(options: HonoRateLimitOptions): MiddlewareHandler<RedkitEnv> {
  const core = new HttpRateLimit<Context>(options);
  if (options.clientIp && options.trustProxy !== undefined) {
    throw new RedkitConfigError(
      'give either clientIp or trustProxy: clientIp decides the address on its own',
    );
  }
  const trusted = compileTrust(options.trustProxy ?? false);
  const clientIp =
    options.clientIp ??
    ((c: Context) => {
      const socket = nodeSocketAddress(c);
      if (socket === undefined) return undefined;
      return options.trustProxy === undefined
        ? socket
        : forwardedClientAddress(socket, c.req.header('x-forwarded-for'), trusted);
    });
  return async (c, next) => {
    const outcome = await core.check(c, () => ({ ip: clientIp(c), userId: c.get('session')?.userId }));
    if (!outcome) return next();
    c.set('rateLimit', outcome.result);
    const { refusal } = outcome;
    if (refusal) return respond(refusal.status, refusal.contentType, refusal.body, outcome.headers);
    await next();
    const headers = mutableHeaders(c);
    for (const [name, value] of Object.entries(outcome.headers)) headers.set(name, value);
  };
}

/** Session middleware: `c.get('session')`, committed (changed fields only) before the response leaves. */
export function session(options: HonoSessionOptions): MiddlewareHandler<RedkitEnv> {
  const core = new HttpSessions(options);
  return async (c, next) => {
    const current = await core.open(c.req.header('cookie'), new URL(c.req.url).protocol === 'https:');
    c.set('session', current);
    await next();
    const cookie = await current.commit();
    if (cookie !== undefined) mutableHeaders(c).append('Set-Cookie', cookie);
  };
}

function requirement(user: boolean): MiddlewareHandler<RedkitEnv> {
  return async (c, next) => {
    const refusal = checkSession(c.get('session'), user);
    if (refusal) return respond(refusal.status, refusal.contentType, refusal.body, {});
    await next();
  };
}

/** 401 unless the request has a live session (body `code`: 'session_expired' or 'session_required'). */
export const requireSession = (): MiddlewareHandler<RedkitEnv> => requirement(false);
/** 401 unless the request's session has a user (body `code`: 'session_expired' or 'login_required'). */
export const requireUser = (): MiddlewareHandler<RedkitEnv> => requirement(true);

function toResponse(ready: ReadyResponse): Response {
  return new Response(ready.body ?? null, { status: ready.status, headers: ready.headers });
}

/** Replaces the context's response without Hono merging the old one's headers into it. */
function replaceResponse(c: Context, response: Response): void {
  c.res = undefined;
  c.res = response;
}

/**
 * Caches the responses of GET routes in Redis: a hit is served without running the handler, with an
 * `ETag` (strong hash of the body) and a 304 when `If-None-Match` matches; concurrent misses of one key
 * run the handler once. Cached routes' responses are buffered (event streams are passed through).
 */
export function cacheResponses(options: HonoResponseCacheOptions): MiddlewareHandler<RedkitEnv> {
  const core = new HttpResponseCache<Context>(options);
  return async (c, next) => {
    const url = new URL(c.req.url);
    const looked = await core.lookup(c, {
      method: c.req.method,
      url: url.pathname + url.search,
      header: (name) => c.req.header(name),
    });
    if (looked.kind === 'hit') return toResponse(looked.response);
    if (looked.kind === 'bypass') {
      await next();
      const headers = mutableHeaders(c);
      for (const [name, value] of Object.entries(core.bypassHeaders(looked.forward)))
        headers.set(name, value);
      return;
    }
    const { fill } = looked;
    try {
      await next();
      const res = c.res;
      if ((res.headers.get('content-type') ?? '').startsWith('text/event-stream')) return fill.abandon();
      const body = Buffer.from(await res.arrayBuffer());
      const captured: Array<[string, string]> = [...res.headers.entries()];
      if (await sessionCookiePending(c.get('session'))) captured.push(['set-cookie', '(session)']);
      const result = await fill.finish({ status: res.status, headers: captured, body });
      const headers = new Headers(res.headers);
      for (const [name, value] of Object.entries(result.headers)) headers.set(name, value);
      if (result.notModified) {
        for (const name of ['content-type', 'content-length', 'transfer-encoding']) headers.delete(name);
        replaceResponse(c, new Response(null, { status: 304, headers }));
      } else {
        replaceResponse(c, new Response(body, { status: res.status, statusText: res.statusText, headers }));
      }
    } finally {
      fill.abandon();
    }
  };
}

/** Invalidates cache tags after a successful response (before it is sent, so the next read is fresh). */
export function invalidateCache(options: HonoCacheInvalidationOptions): MiddlewareHandler<RedkitEnv> {
  checkInvalidation(options);
  return async (c, next) => {
    await next();
    await invalidateAfter(options, c, c.res.status);
  };
}
