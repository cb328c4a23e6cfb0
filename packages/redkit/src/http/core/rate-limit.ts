import { RedkitConfigError } from '../../errors.js';
import type { RateLimitAlgorithm } from '../../ratelimit/algorithms.js';
import type { RateLimiter } from '../../ratelimit/limiter.js';
import type { RateLimitResult } from '../../ratelimit/result.js';
import { addressKey, checkIpv6Subnet } from './ip.js';

/** The IETF draft whose fields to send; 'draft-8' is also the format of drafts 9 to 11. */
export type StandardRateLimitHeaders = 'draft-6' | 'draft-7' | 'draft-8';

/**
 * Which rate-limit headers responses carry (429s always carry `Retry-After`):
 * - 'legacy': `X-RateLimit-Limit`, `X-RateLimit-Remaining`, `X-RateLimit-Reset` (Unix time, seconds);
 * - 'standard': the IETF fields (`RateLimit-Policy` and `RateLimit`, draft-8 format);
 * - 'both' (default), 'none', or `{ legacy, standard }` to pick a draft.
 */
export type RateLimitHeaders =
  | 'legacy'
  | 'standard'
  | 'both'
  | 'none'
  | { legacy?: boolean; standard?: StandardRateLimitHeaders | false };

/** What the framework adapter knows about a request that the key needs. */
export interface RequestIdentity {
  /** The client address as the framework's trust-proxy setting resolves it (the socket's peer by default). */
  ip: string | undefined;
  /** The logged-in user of the request's session, if any. */
  userId: string | undefined;
}

/** Rate limiting of HTTP requests; `Req` is the framework's request (Hono: its Context). */
export interface HttpRateLimitOptions<Req> {
  limiter: RateLimiter;
  /**
   * Whom to count: 'ip' (default; IPv6 by /`ipv6Subnet`), 'user' (the session's user, and the IP for
   * anonymous requests; register the session middleware first), or a function of the request.
   */
  key?: 'ip' | 'user' | ((req: Req) => string | Promise<string>);
  /**
   * Prefixes every key, so routes sharing a limiter get separate budgets (e.g. 'login'). Without it, every
   * route using this middleware shares one budget per key.
   */
  scope?: string;
  /** What one request spends (default 1). */
  cost?: number | ((req: Req) => number | Promise<number>);
  /** Requests to let through uncounted (health checks, allow-listed clients …). */
  skip?: (req: Req) => boolean | Promise<boolean>;
  headers?: RateLimitHeaders;
  /** Names of the limits in the IETF fields, in the limiter's order (default `<limit>-in-<window>s`). */
  policyNames?: readonly string[];
  /** Status of refusals (default 429). */
  statusCode?: number;
  /** Body of refusals: a string (text/plain), an object (JSON), or a function of the request and result. */
  message?: string | object | ((req: Req, result: RateLimitResult) => string | object);
  /** Called on each refusal (logging, metrics). */
  onLimited?: (req: Req, result: RateLimitResult, key: string) => void;
  /**
   * Let requests through when Redis cannot be asked (default false: the error goes to the framework's
   * error handler). `onError` hears about it either way.
   */
  failOpen?: boolean;
  onError?: (error: unknown, req: Req) => void;
  /** IPv6 clients are counted by this prefix length (default 56, as express-rate-limit); false: full address. */
  ipv6Subnet?: number | false;
}

/** The adapter's instructions for one request. */
export interface RateLimitOutcome {
  result: RateLimitResult | undefined;
  /** Headers to set on the response, whatever it is. */
  headers: Record<string, string>;
  /** Set when the request is refused: answer with this and skip the handler. */
  refusal?: { status: number; contentType: string; body: string };
}

const HEADER_STYLES: Record<string, { legacy: boolean; standard: StandardRateLimitHeaders | false }> = {
  legacy: { legacy: true, standard: false },
  standard: { legacy: false, standard: 'draft-8' },
  both: { legacy: true, standard: 'draft-8' },
  none: { legacy: false, standard: false },
};

/** The time to recover a limit's full capacity, in whole seconds: the `w` of its policy. */
function windowSeconds(a: RateLimitAlgorithm): number {
  switch (a.kind) {
    case 'tokenBucket':
      return Math.max(1, Math.ceil((a.capacity * a.intervalMs) / a.refill / 1000));
    case 'gcra':
      return Math.max(1, Math.ceil((a.burst * a.periodMs) / a.rate / 1000));
    default:
      return Math.max(1, Math.ceil(a.windowMs / 1000));
  }
}

const seconds = (ms: number) => Math.max(0, Math.ceil(ms / 1000));
const quoted = (name: string) => `"${name.replace(/["\\]/g, '\\$&')}"`;

/** The framework-neutral rate-limit decision: key, limiter call, headers and refusal. */
export class HttpRateLimit<Req> {
  private readonly legacy: boolean;
  private readonly standard: StandardRateLimitHeaders | false;
  private readonly policyNames: string[];
  private readonly statusCode: number;
  private readonly ipv6Subnet: number | false;

  constructor(readonly options: HttpRateLimitOptions<Req>) {
    if (!options?.limiter || typeof options.limiter.limit !== 'function') {
      throw new RedkitConfigError(
        'rate limiting needs a limiter: { limiter: new RateLimiter(redis, limits) }',
      );
    }
    const style =
      typeof options.headers === 'object' ? options.headers : HEADER_STYLES[options.headers ?? 'both'];
    if (!style) {
      throw new RedkitConfigError(
        `headers must be 'legacy', 'standard', 'both', 'none' or { legacy, standard }, got '${String(options.headers)}'`,
      );
    }
    this.legacy = style.legacy ?? false;
    this.standard = style.standard ?? false;
    const algorithms = options.limiter.algorithms;
    const names = algorithms.map((a, i) => options.policyNames?.[i] ?? `${a.limit}-in-${windowSeconds(a)}s`);
    // Two limits of the same size and window (different algorithms) still need distinct policy names.
    this.policyNames = names.map((n, i) => (names.indexOf(n) === i ? n : `${n}-${i + 1}`));
    this.statusCode = options.statusCode ?? 429;
    this.ipv6Subnet = checkIpv6Subnet(options.ipv6Subnet ?? 56);
  }

  /** Decides the request: undefined when it is skipped (no headers, nothing counted). */
  async check(req: Req, identity: () => RequestIdentity): Promise<RateLimitOutcome | undefined> {
    const o = this.options;
    if (o.skip && (await o.skip(req))) return undefined;
    let key: string;
    let result: RateLimitResult;
    try {
      key = await this.keyOf(req, identity);
      const cost = typeof o.cost === 'function' ? await o.cost(req) : (o.cost ?? 1);
      result = await o.limiter.limit(key, { cost });
    } catch (error) {
      o.onError?.(error, req);
      if (o.failOpen && !(error instanceof RedkitConfigError)) return { result: undefined, headers: {} };
      throw error;
    }
    const headers = this.headersFor(result);
    if (result.allowed) return { result, headers };
    o.onLimited?.(req, result, key);
    const message = typeof o.message === 'function' ? o.message(req, result) : o.message;
    const retryIn = seconds(result.retryAfterMs);
    const body =
      message ??
      ({
        statusCode: this.statusCode,
        error: 'Too Many Requests',
        message: `Rate limit exceeded, retry in ${retryIn} s`,
      } as object);
    return {
      result,
      headers,
      refusal:
        typeof body === 'string'
          ? { status: this.statusCode, contentType: 'text/plain; charset=utf-8', body }
          : {
              status: this.statusCode,
              contentType: 'application/json; charset=utf-8',
              body: JSON.stringify(body),
            },
    };
  }

  private async keyOf(req: Req, identity: () => RequestIdentity): Promise<string> {
    const key = this.options.key ?? 'ip';
    let id: string;
    if (typeof key === 'function') {
      id = await key(req);
      if (typeof id !== 'string' || id === '') {
        throw new RedkitConfigError(`the rate-limit key function must return a non-empty string, got ${id}`);
      }
    } else {
      const who = identity();
      if (key === 'user' && who.userId !== undefined) id = `user:${who.userId}`;
      else if (who.ip) id = `ip:${addressKey(who.ip, this.ipv6Subnet)}`;
      else {
        throw new RedkitConfigError(
          'the client address of this request is unknown (no socket address): pass a key function, or on Hono a clientIp option for your runtime',
        );
      }
    }
    return this.options.scope ? `${this.options.scope}|${id}` : id;
  }

  /** The configured headers, and `Retry-After` on refusals. */
  headersFor(result: RateLimitResult): Record<string, string> {
    const headers: Record<string, string> = {};
    const reset = seconds(result.resetMs);
    if (this.legacy) {
      headers['X-RateLimit-Limit'] = String(result.limit);
      headers['X-RateLimit-Remaining'] = String(result.remaining);
      headers['X-RateLimit-Reset'] = String(Math.ceil((Date.now() + result.resetMs) / 1000));
    }
    const limits = result.limits;
    switch (this.standard) {
      case 'draft-6':
        headers['RateLimit-Limit'] = String(result.limit);
        headers['RateLimit-Remaining'] = String(result.remaining);
        headers['RateLimit-Reset'] = String(reset);
        headers['RateLimit-Policy'] = limits
          .map((l) => `${l.limit};w=${windowSeconds(l.algorithm)}`)
          .join(', ');
        break;
      case 'draft-7':
        headers['RateLimit-Policy'] = limits
          .map((l) => `${l.limit};w=${windowSeconds(l.algorithm)}`)
          .join(', ');
        headers.RateLimit = `limit=${result.limit}, remaining=${result.remaining}, reset=${reset}`;
        break;
      case 'draft-8':
        headers['RateLimit-Policy'] = limits
          .map((l, i) => `${quoted(this.policyNames[i]!)};q=${l.limit};w=${windowSeconds(l.algorithm)}`)
          .join(', ');
        headers.RateLimit = limits
          .map(
            (l, i) =>
              `${quoted(this.policyNames[i]!)};r=${result.blocked ? 0 : l.remaining};t=${seconds(l.resetMs)}`,
          )
          .join(', ');
        break;
    }
    if (!result.allowed) headers['Retry-After'] = String(Math.max(1, seconds(result.retryAfterMs)));
    return headers;
  }
}
