/**
 * redkit for Express 5: rate limiting, sessions and response caching as middleware.
 *
 * ```ts
 * app.set('trust proxy', 1); // only behind one proxy you run: req.ip then comes from X-Forwarded-For
 * app.use(session({ sessions }));
 * app.use(rateLimit({ limiter, key: 'user' }));
 * app.get('/products/:id', cacheResponses({ cache, tags: (req) => [`product:${req.params.id}`] }), show);
 * ```
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { RateLimitResult } from '../ratelimit/result.js';
import { HttpRateLimit, type HttpRateLimitOptions } from './core/rate-limit.js';
import {
  type CacheInvalidationOptions,
  type CapturedResponse,
  checkInvalidation,
  type Fill,
  HttpResponseCache,
  invalidateAfter,
  type ReadyResponse,
  type ResponseCacheOptions,
} from './core/response-cache.js';
import {
  checkSession,
  type HttpSession,
  type HttpSessionOptions,
  HttpSessions,
  type RequestSession,
  sessionCookiePending,
} from './core/session.js';

export type { RateLimitHeaders, StandardRateLimitHeaders } from './core/rate-limit.js';
export type { CachedResponse } from './core/response-cache.js';
export type { RequestSession, SessionCookieOptions } from './core/session.js';

declare global {
  namespace Express {
    interface Request {
      /** The request's session (set by redkit's `session()` middleware). */
      session: RequestSession;
      /** The last rate-limit decision made for this request (set by redkit's `rateLimit()`). */
      rateLimit?: RateLimitResult;
    }
  }
}

export type ExpressRateLimitOptions = HttpRateLimitOptions<Request>;
export type ExpressResponseCacheOptions = ResponseCacheOptions<Request>;
export type ExpressCacheInvalidationOptions = CacheInvalidationOptions<Request>;
export interface ExpressSessionOptions extends HttpSessionOptions {}

type EndArgs = unknown[];
type EndTask = (args: EndArgs) => Promise<EndArgs>;
const END_TASKS = Symbol('redkit.endTasks');
type PatchedResponse = Response & { [END_TASKS]?: EndTask[] };

/**
 * Runs `task` when the handler ends the response and before Express sends it, in the order the
 * middleware were registered (so the session is committed before the cache judges the response). A task
 * may replace the arguments of `res.end` (a 304 drops the body).
 */
function beforeEnd(res: Response, next: NextFunction, task: EndTask): void {
  const patched = res as PatchedResponse;
  if (patched[END_TASKS]) {
    patched[END_TASKS].push(task);
    return;
  }
  const tasks: EndTask[] = [task];
  patched[END_TASKS] = tasks;
  const end = res.end;
  let ended = false;
  res.end = function patchedEnd(this: Response, ...args: EndArgs) {
    if (ended) return end.apply(this, args as Parameters<Response['end']>);
    ended = true;
    void (async () => {
      let current = args;
      for (const t of tasks) current = await t(current);
      return current;
    })().then(
      (final) => end.apply(res, final as Parameters<Response['end']>),
      (error: unknown) => (res.headersSent ? res.destroy(error as Error) : next(error)),
    );
    return res;
  } as Response['end'];
}

function setHeaders(res: Response, headers: Record<string, string>): void {
  if (res.headersSent) return;
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
}

/** Rate limiting middleware: 429 with Retry-After when refused. Mount it globally or on a route. */
export function rateLimit(options: ExpressRateLimitOptions): RequestHandler {
  const core = new HttpRateLimit(options);
  return async (req, res, next) => {
    const outcome = await core.check(req, () => ({
      ip: req.ip ?? req.socket.remoteAddress,
      userId: (req as { session?: RequestSession }).session?.userId,
    }));
    if (!outcome) return next();
    if (outcome.result) req.rateLimit = outcome.result;
    setHeaders(res, outcome.headers);
    if (!outcome.refusal) return next();
    res.status(outcome.refusal.status).type(outcome.refusal.contentType).send(outcome.refusal.body);
  };
}

/** Session middleware: `req.session`, committed (changed fields only) before the response is sent. */
export function session(options: ExpressSessionOptions): RequestHandler {
  const core = new HttpSessions(options);
  return async (req, res, next) => {
    const current: HttpSession = await core.open(req.headers.cookie, req.secure);
    req.session = current;
    let cookieSent: string | undefined;
    const sendCookie = (cookie: string | undefined) => {
      if (cookie === undefined || cookie === cookieSent || res.headersSent) return;
      const others = ([] as string[])
        .concat((res.getHeader('set-cookie') as string[] | string | undefined) ?? [])
        .filter((c) => c !== cookieSent);
      res.setHeader('Set-Cookie', [...others, cookie]);
      cookieSent = cookie;
    };
    // A handler streaming its body flushes the headers before end: the id decided so far goes with them.
    const writeHead = res.writeHead;
    res.writeHead = function patchedWriteHead(this: Response, ...args: unknown[]) {
      sendCookie(current.pendingCookie);
      return writeHead.apply(this, args as Parameters<Response['writeHead']>);
    } as Response['writeHead'];
    beforeEnd(res, next, async (args) => {
      sendCookie(await current.commit());
      return args;
    });
    next();
  };
}

function requirement(user: boolean): RequestHandler {
  return (req, res, next) => {
    const refusal = checkSession((req as { session?: RequestSession }).session, user);
    if (!refusal) return next();
    res.status(refusal.status).type(refusal.contentType).send(refusal.body);
  };
}

/** 401 unless the request has a live session (body `code`: 'session_expired' or 'session_required'). */
export const requireSession = (): RequestHandler => requirement(false);
/** 401 unless the request's session has a user (body `code`: 'session_expired' or 'login_required'). */
export const requireUser = (): RequestHandler => requirement(true);

function sendReady(res: Response, ready: ReadyResponse): void {
  res.status(ready.status);
  for (const [name, value] of ready.headers) res.setHeader(name, value);
  if (ready.body) res.end(ready.body);
  else res.end();
}

/** Collects the body the handler writes, as it is written. */
function captureBody(res: Response): () => Buffer {
  const chunks: Buffer[] = [];
  const collect = (chunk: unknown, encoding: unknown) => {
    if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
    if (typeof chunk === 'string') {
      chunks.push(Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8'));
    } else if (chunk instanceof Uint8Array) chunks.push(Buffer.from(chunk));
  };
  const write = res.write;
  res.write = function patchedWrite(this: Response, ...args: unknown[]) {
    collect(args[0], args[1]);
    return write.apply(this, args as Parameters<Response['write']>);
  } as Response['write'];
  return () => Buffer.concat(chunks);
}

function capturedHeaders(res: Response): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(res.getHeaders())) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) out.push([name.toLowerCase(), String(v)]);
  }
  return out;
}

/**
 * Caches the responses of GET routes in Redis: a hit is served without running the handler, with an
 * `ETag` (strong hash of the body) and a 304 when `If-None-Match` matches; concurrent misses of one key
 * run the handler once.
 */
export function cacheResponses(options: ExpressResponseCacheOptions): RequestHandler {
  const core = new HttpResponseCache(options);
  return async (req, res, next) => {
    const request = {
      method: req.method,
      url: req.originalUrl,
      header: (name: string) => req.get(name),
    };
    const looked = await core.lookup(req, request);
    if (looked.kind === 'hit') return sendReady(res, looked.response);
    if (looked.kind === 'bypass') {
      setHeaders(res, core.bypassHeaders(looked.forward));
      return next();
    }
    const fill: Fill<Request> = looked.fill;
    const bodySoFar = captureBody(res);
    res.on('close', () => fill.abandon()); // the handler failed or the client left before the end
    beforeEnd(res, next, async (args) => {
      const streamed = res.headersSent;
      const chunk = typeof args[0] === 'function' ? undefined : args[0];
      const encoding = typeof args[1] === 'string' ? args[1] : undefined;
      const body = Buffer.concat([
        bodySoFar(),
        chunk === undefined || chunk === null
          ? Buffer.alloc(0)
          : typeof chunk === 'string'
            ? Buffer.from(chunk, (encoding as BufferEncoding | undefined) ?? 'utf8')
            : Buffer.from(chunk as Uint8Array),
      ]);
      const headers = capturedHeaders(res);
      // A session this request created or regenerated makes the response personal: commit it now to know.
      if (await sessionCookiePending((req as { session?: RequestSession }).session)) {
        headers.push(['set-cookie', '(session)']);
      }
      const captured: CapturedResponse = { status: res.statusCode, headers, body };
      const result = await fill.finish(captured);
      if (streamed) return args;
      setHeaders(res, result.headers);
      if (!result.notModified) return args;
      res.statusCode = 304;
      for (const name of ['content-type', 'content-length', 'transfer-encoding']) res.removeHeader(name);
      return typeof args[args.length - 1] === 'function' ? [args[args.length - 1]] : [];
    });
    next();
  };
}

/** Invalidates cache tags after a successful response (before it is sent, so the next read is fresh). */
export function invalidateCache(options: ExpressCacheInvalidationOptions): RequestHandler {
  checkInvalidation(options);
  return (req, res, next) => {
    beforeEnd(res, next, async (args) => {
      await invalidateAfter(options, req, res.statusCode);
      return args;
    });
    next();
  };
}
