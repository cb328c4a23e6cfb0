/**
 * redkit for Fastify 5: one typed plugin for rate limiting, sessions and response caching, configured per
 * route through `config`.
 *
 * ```ts
 * const app = Fastify({ trustProxy: 1 }); // only behind one proxy you run: request.ip then comes from X-Forwarded-For
 * await app.register(redkit, { session: { sessions }, rateLimit: { limiter }, cache: { cache } });
 * app.get('/products/:id', { config: { cache: { tags: (req) => [`product:${req.params.id}`] } } }, show);
 * app.post('/login', { config: { rateLimit: { limiter: loginLimiter } } }, login);
 * app.get('/me', { preHandler: requireUser() }, me);
 * ```
 */
import type {
  FastifyPluginAsync,
  FastifyReply,
  FastifyRequest,
  onRequestAsyncHookHandler,
  onResponseAsyncHookHandler,
  onSendAsyncHookHandler,
  preHandlerAsyncHookHandler,
  RouteOptions,
} from 'fastify';
import { RedkitConfigError } from '../errors.js';
import type { RateLimitResult } from '../ratelimit/result.js';
import { HttpRateLimit, type HttpRateLimitOptions } from './core/rate-limit.js';
import {
  type CacheInvalidationOptions,
  type Fill,
  type Forward,
  HttpResponseCache,
  invalidateAfter,
  type ResponseCacheOptions,
} from './core/response-cache.js';
import {
  checkSession,
  HttpSession,
  type HttpSessionOptions,
  HttpSessions,
  type RequestSession,
  sessionCookiePending,
} from './core/session.js';

export type { RateLimitHeaders, StandardRateLimitHeaders } from './core/rate-limit.js';
export type { CachedResponse } from './core/response-cache.js';
export type { RequestSession, SessionCookieOptions } from './core/session.js';

export interface FastifyRateLimitOptions extends HttpRateLimitOptions<FastifyRequest> {
  /**
   * The hook deciding (plugin and route config): 'onRequest' (default: before the body is even parsed) or
   * 'preHandler' (after parsing and validation, for keys read from the body).
   */
  hook?: 'onRequest' | 'preHandler';
}
export type FastifyResponseCacheOptions = ResponseCacheOptions<FastifyRequest>;
export type FastifyCacheInvalidationOptions = CacheInvalidationOptions<FastifyRequest>;

declare module 'fastify' {
  interface FastifyRequest {
    /** The request's session (with the plugin's `session` option). */
    session: RequestSession;
    /** The rate-limit decision made for this request, if any. */
    rateLimit: RateLimitResult | undefined;
  }
  interface FastifyContextConfig {
    /**
     * This route's rate limit: options overriding the plugin's (their `scope` defaults to the route, so it
     * gets budgets of its own), or false to exempt the route.
     */
    rateLimit?: false | Partial<FastifyRateLimitOptions>;
    /** Cache this GET route's responses: true (the plugin's cache options) or options overriding them. */
    cache?: boolean | Partial<FastifyResponseCacheOptions>;
    /** Cache tags this route invalidates after a successful response (before it is sent). */
    invalidates?: FastifyCacheInvalidationOptions['tags'];
  }
}

export interface RedkitFastifyOptions {
  /** Sessions for every route: `request.session`. */
  session?: HttpSessionOptions;
  /**
   * Rate limiting for every route (unless `global: false`: then only routes with `config.rateLimit`),
   * keyed by `request.ip`, which follows Fastify's `trustProxy` setting (the socket's peer without it).
   */
  rateLimit?: FastifyRateLimitOptions & { global?: boolean };
  /** Defaults of the routes that cache (`config.cache`) or invalidate (`config.invalidates`). */
  cache?: FastifyResponseCacheOptions;
}

function rateLimitHook(core: HttpRateLimit<FastifyRequest>): onRequestAsyncHookHandler {
  return async function redkitRateLimit(request: FastifyRequest, reply: FastifyReply) {
    const outcome = await core.check(request, () => ({
      ip: request.ip,
      userId: (request.session as RequestSession | null)?.userId,
    }));
    if (!outcome) return;
    request.rateLimit = outcome.result;
    reply.headers(outcome.headers);
    const { refusal } = outcome;
    if (!refusal) return;
    reply.code(refusal.status).type(refusal.contentType).send(refusal.body);
    return reply;
  };
}

/** A rate-limit hook to put on routes yourself (`onRequest: rateLimit({ … })`), outside the plugin. */
export function rateLimit(options: FastifyRateLimitOptions): onRequestAsyncHookHandler {
  return rateLimitHook(new HttpRateLimit(options));
}

function requirement(user: boolean): preHandlerAsyncHookHandler {
  return async function redkitRequireSession(request: FastifyRequest, reply: FastifyReply) {
    const refusal = checkSession((request.session as RequestSession | null) ?? undefined, user);
    if (!refusal) return;
    reply.code(refusal.status).type(refusal.contentType).send(refusal.body);
    return reply;
  };
}

/** 401 unless the request has a live session (body `code`: 'session_expired' or 'session_required'). */
export const requireSession = (): preHandlerAsyncHookHandler => requirement(false);
/** 401 unless the request's session has a user (body `code`: 'session_expired' or 'login_required'). */
export const requireUser = (): preHandlerAsyncHookHandler => requirement(true);

function headerOf(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

function capturedHeaders(reply: FastifyReply): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(reply.getHeaders())) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) out.push([name.toLowerCase(), String(v)]);
  }
  return out;
}

/** A route's response-cache hooks: lookup on request, fill before sending. */
function cacheHooks(core: HttpResponseCache<FastifyRequest>) {
  const states = new WeakMap<FastifyRequest, 'hit' | Forward | Fill<FastifyRequest>>();
  const onRequest: onRequestAsyncHookHandler = async (request, reply) => {
    const looked = await core.lookup(request, {
      method: request.method,
      url: request.url,
      header: (name) => headerOf(request, name),
    });
    if (looked.kind !== 'hit') {
      states.set(request, looked.kind === 'miss' ? looked.fill : looked.forward);
      return;
    }
    states.set(request, 'hit');
    const { status, headers, body } = looked.response;
    reply.code(status);
    for (const [name, value] of headers) reply.header(name, value);
    reply.send(body);
    return reply;
  };
  const onSend: onSendAsyncHookHandler<unknown> = async (request, reply, payload) => {
    const state = states.get(request);
    if (state === undefined || state === 'hit') return payload;
    if (typeof state === 'string') {
      reply.headers(core.bypassHeaders(state));
      return payload;
    }
    if (
      payload !== null &&
      payload !== undefined &&
      typeof payload !== 'string' &&
      !Buffer.isBuffer(payload)
    ) {
      state.abandon(); // a stream: passed through uncached
      return payload;
    }
    const headers = capturedHeaders(reply);
    if (await sessionCookiePending((request.session as RequestSession | null) ?? undefined)) {
      headers.push(['set-cookie', '(session)']);
    }
    const body = payload === null || payload === undefined ? Buffer.alloc(0) : Buffer.from(payload);
    const result = await state.finish({ status: reply.statusCode, headers, body });
    reply.headers(result.headers);
    if (!result.notModified) return payload;
    reply.code(304);
    reply.removeHeader('content-type');
    reply.removeHeader('content-length');
    return '';
  };
  const onResponse: onResponseAsyncHookHandler = async (request) => {
    const state = states.get(request);
    if (typeof state === 'object') state.abandon();
  };
  return { onRequest, onSend, onResponse };
}

/** Appends hooks to a route's own (route hooks run after the plugin's instance-wide ones). */
function addRouteHook<K extends 'onRequest' | 'preHandler' | 'onSend' | 'onResponse'>(
  route: RouteOptions,
  name: K,
  hook: NonNullable<RouteOptions[K]>,
): void {
  const existing = route[name];
  const list = existing === undefined ? [] : Array.isArray(existing) ? [...existing] : [existing];
  (route as Record<K, unknown>)[name] = [...list, hook];
}

function routeScope(route: RouteOptions): string {
  const methods = Array.isArray(route.method) ? route.method.join(',') : route.method;
  return `${methods} ${route.url}`;
}

const plugin: FastifyPluginAsync<RedkitFastifyOptions> = async (app, options) => {
  // Decorated empty so every request has the same shape; set by the session hook.
  app.decorateRequest('session', null as unknown as RequestSession);
  app.decorateRequest('rateLimit', undefined);

  if (options.session) {
    const sessions = new HttpSessions(options.session);
    app.addHook('onRequest', async (request) => {
      request.session = await sessions.open(request.headers.cookie, request.protocol === 'https');
    });
    app.addHook('onSend', async (request, reply, payload) => {
      const current = request.session as RequestSession | null;
      if (!(current instanceof HttpSession)) return payload;
      const cookie = await current.commit();
      if (cookie !== undefined && !reply.sent) reply.header('set-cookie', cookie);
      return payload;
    });
  }

  const { global = true, ...limitDefaults }: Partial<RedkitFastifyOptions['rateLimit'] & object> =
    options.rateLimit ?? {};
  const globalLimit =
    options.rateLimit && global ? new HttpRateLimit(limitDefaults as FastifyRateLimitOptions) : undefined;

  app.addHook('onRoute', (route) => {
    const config = route.config ?? {};
    if (config.rateLimit) {
      const merged = { ...limitDefaults, scope: routeScope(route), ...config.rateLimit };
      if (!merged.limiter) {
        throw new RedkitConfigError(
          `route ${routeScope(route)}: config.rateLimit needs a limiter (or give the plugin's rateLimit one)`,
        );
      }
      addRouteHook(
        route,
        merged.hook ?? 'onRequest',
        rateLimitHook(new HttpRateLimit(merged as FastifyRateLimitOptions)),
      );
    } else if (config.rateLimit !== false && globalLimit) {
      addRouteHook(route, limitDefaults.hook ?? 'onRequest', rateLimitHook(globalLimit));
    }
    if (config.cache) {
      const merged = { ...options.cache, ...(config.cache === true ? {} : config.cache) };
      if (!merged.cache) {
        throw new RedkitConfigError(
          `route ${routeScope(route)}: config.cache needs a cache (give the plugin's cache one)`,
        );
      }
      const hooks = cacheHooks(new HttpResponseCache(merged as FastifyResponseCacheOptions));
      addRouteHook(route, 'onRequest', hooks.onRequest);
      addRouteHook(route, 'onSend', hooks.onSend);
      addRouteHook(route, 'onResponse', hooks.onResponse);
    }
    if (config.invalidates) {
      const cache = options.cache?.cache;
      if (!cache) {
        throw new RedkitConfigError(
          `route ${routeScope(route)}: config.invalidates needs the plugin's cache option`,
        );
      }
      const invalidation = { cache, tags: config.invalidates };
      const onSend: onSendAsyncHookHandler<unknown> = async (request, reply, payload) => {
        await invalidateAfter(invalidation, request, reply.statusCode);
        return payload;
      };
      addRouteHook(route, 'onSend', onSend);
    }
  });
};

/**
 * The redkit plugin: `await app.register(redkit, { session, rateLimit, cache })`. Not encapsulated (its
 * hooks and decorators apply to the whole app), as fastify-plugin would mark it; Fastify itself reads these
 * symbols and checks the version, so redkit needs no fastify-plugin dependency.
 */
export const redkit: FastifyPluginAsync<RedkitFastifyOptions> = Object.assign(plugin, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: 'redkit',
  [Symbol.for('plugin-meta')]: { fastify: '5.x', name: 'redkit' },
});
export default redkit;
