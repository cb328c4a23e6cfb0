import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import type { Cache } from '../../cache/cache.js';
import type { Duration } from '../../duration.js';
import { RedkitConfigError } from '../../errors.js';

/** Response caching of GET (and HEAD) routes; `Req` is the framework's request (Hono: its Context). */
export interface ResponseCacheOptions<Req> {
  cache: Cache;
  /**
   * The cache key of a request; undefined: don't cache this one. Default: the path and query, plus the
   * values of the `vary` headers; requests with an Authorization header are not cached by the default key
   * (include the user in your own key to cache personal responses).
   */
  key?: (req: Req) => string | undefined | Promise<string | undefined>;
  /** Time to live of a stored response (default: the Cache's ttl). */
  ttl?: Duration;
  /** Tags to invalidate the stored response by (see invalidateCache / cache.invalidateTags). */
  tags?: (req: Req) => readonly string[];
  /**
   * Cache-Control for cached routes whose handler set none (default 'no-cache': browsers and CDNs may
   * keep a copy but revalidate it, a cheap 304, so invalidation reaches them at once). false: none.
   */
  cacheControl?: string | false;
  /** Request headers the response depends on: part of the default key, and sent as `Vary`. */
  vary?: readonly string[];
  /** Statuses worth storing (default [200]). */
  statuses?: readonly number[];
  /** Larger bodies are not stored (default 1 MB). */
  maxBodyBytes?: number;
  /** RFC 9211 `Cache-Status` header name (default 'Cache-Status'); false: none. */
  cacheStatusHeader?: string | false;
  /** Redis failures: the request is then served by the handler, uncached (default: ignored). */
  onError?: (error: unknown, req: Req) => void;
}

/** Invalidation of cached responses when a request changed what they show. */
export interface CacheInvalidationOptions<Req> {
  cache: Cache;
  /** The tags the request invalidates. */
  tags: (req: Req) => readonly string[] | Promise<readonly string[]>;
  /** Whether a response of this status invalidates (default: 2xx and 3xx). */
  when?: (status: number) => boolean;
}

/** What the cache stores per response: status, headers, body, ETag, storage time. */
export interface CachedResponse {
  s: number;
  h: Array<[string, string]>;
  /** The body, as text when it is valid UTF-8 (no base64 inflation), else base64. */
  b: string;
  e: 'utf8' | 'base64';
  t: string;
  at: number;
}

/** What the adapter hands over: the handler's response, headers lower-cased. */
export interface CapturedResponse {
  status: number;
  headers: ReadonlyArray<readonly [string, string]>;
  body: Buffer;
}

/** A response the adapter sends as is (a cache hit, or a 304). */
export interface ReadyResponse {
  status: number;
  headers: Array<[string, string]>;
  /** undefined for 304s; HEAD responses carry it for the framework to drop (keeping its length). */
  body: Buffer | undefined;
}

/** Headers for the handler's own response, and whether to turn it into a 304. */
export interface FillResult {
  headers: Record<string, string>;
  notModified: boolean;
}

/** The request facts the cache needs. */
export interface CacheRequest {
  method: string;
  /** Path and query. */
  url: string;
  header(name: string): string | undefined;
}

/** Why a response came from the handler (RFC 9211 `fwd`), when it did not fill the cache. */
export type Forward = 'bypass' | 'uri-miss';

/** Per-request headers that must never be replayed from the cache. */
const NOT_STORED = new Set([
  'set-cookie',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
  'date',
  'age',
  'etag',
  'retry-after',
]);
const PER_REQUEST = /^(x-ratelimit-|ratelimit)/;

/** A strong ETag: 160 bits of the body's SHA-256. */
export function strongETag(body: Buffer): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
}

/** If-None-Match matches the ETag (weak comparison, as RFC 9110 prescribes for it). */
export function ifNoneMatchMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  const mine = opaque(etag);
  return header.split(',').some((tag) => opaque(tag) === mine);
}

/** The framework-neutral response cache: lookup (with stampede protection), fill, ETag, 304. */
export class HttpResponseCache<Req> {
  private readonly statuses: ReadonlySet<number>;
  private readonly maxBodyBytes: number;
  private readonly statusHeader: string | false;
  private readonly vary: readonly string[];

  constructor(readonly options: ResponseCacheOptions<Req>) {
    if (!options?.cache || typeof options.cache.getOrSet !== 'function') {
      throw new RedkitConfigError('response caching needs a cache: { cache: new Cache(redis, options) }');
    }
    this.statuses = new Set(options.statuses ?? [200]);
    this.maxBodyBytes = options.maxBodyBytes ?? 1_000_000;
    this.statusHeader = options.cacheStatusHeader ?? 'Cache-Status';
    this.vary = (options.vary ?? []).map((h) => h.toLowerCase());
  }

  /**
   * Looks the request up. A hit is answered from the cache (a 304 when If-None-Match matches). A miss
   * holds the key's fill lock: concurrent requests for it, in this process or others, wait for this
   * request's response instead of running the handler too. Call `fill.finish` or `fill.abandon`.
   */
  async lookup(
    req: Req,
    request: CacheRequest,
  ): Promise<
    | { kind: 'hit'; response: ReadyResponse }
    | { kind: 'miss'; fill: Fill<Req> }
    | { kind: 'bypass'; forward: Forward }
  > {
    const method = request.method.toUpperCase();
    if (method !== 'GET' && method !== 'HEAD') return { kind: 'bypass', forward: 'bypass' };
    const key = await this.keyOf(req, request);
    if (key === undefined) return { kind: 'bypass', forward: 'bypass' };
    const cache = this.options.cache;
    const setOptions = { ttl: this.options.ttl, tags: [...(this.options.tags?.(req) ?? [])] };
    try {
      if (method === 'HEAD') {
        // A HEAD response has no body to store: answer from a GET's entry, or let the handler answer.
        const entry = await cache.get<CachedResponse>(key);
        if (entry) return { kind: 'hit', response: this.replay(entry, request, true) };
        return { kind: 'bypass', forward: 'uri-miss' };
      }
      let decided = false;
      let loaderCalled!: () => void;
      const called = new Promise<void>((resolve) => (loaderCalled = resolve));
      let provide!: (entry: CachedResponse | undefined) => void;
      const provided = new Promise<CachedResponse | undefined>((resolve) => (provide = resolve));
      // A loader called after the decision (a background refresh) cannot run a handler: it stores nothing.
      const loader = () => {
        if (decided) return undefined;
        decided = true;
        loaderCalled();
        return provided;
      };
      const stored = cache.getOrSet<CachedResponse | undefined>(key, loader, setOptions);
      const first = await Promise.race([
        stored.then(
          (entry) => ({ entry }),
          (error: unknown) => ({ error }),
        ),
        called.then(() => undefined),
      ]);
      if (first === undefined) return { kind: 'miss', fill: new Fill(this, req, request, provide, stored) };
      decided = true;
      if ('error' in first) {
        this.options.onError?.(first.error, req);
        return { kind: 'bypass', forward: 'bypass' };
      }
      // undefined: the fill this request waited for was not cacheable; it runs its own handler.
      return first.entry
        ? { kind: 'hit', response: this.replay(first.entry, request, false) }
        : { kind: 'bypass', forward: 'uri-miss' };
    } catch (error) {
      this.options.onError?.(error, req);
      return { kind: 'bypass', forward: 'bypass' };
    }
  }

  /**
   * The `Cache-Status` of a response the handler made without filling the cache: not cacheable (bypass),
   * or a miss whose fill, by another request, was not cacheable either (uri-miss).
   */
  bypassHeaders(forward: Forward): Record<string, string> {
    return this.statusHeader ? { [this.statusHeader]: `redkit; fwd=${forward}` } : {};
  }

  private async keyOf(req: Req, request: CacheRequest): Promise<string | undefined> {
    if (this.options.key) return this.options.key(req);
    if (request.header('authorization') !== undefined) return undefined;
    const varied = this.vary.map((h) => `${h}=${request.header(h) ?? ''}`);
    return varied.length > 0 ? `${request.url}\n${varied.join('\n')}` : request.url;
  }

  private replay(entry: CachedResponse, request: CacheRequest, head: boolean): ReadyResponse {
    const headers: Array<[string, string]> = [...entry.h, ['etag', entry.t]];
    headers.push(['age', String(Math.max(0, Math.floor((Date.now() - entry.at) / 1000)))]);
    if (this.statusHeader) headers.push([this.statusHeader, 'redkit; hit']);
    if (entry.s === 200 && ifNoneMatchMatches(request.header('if-none-match'), entry.t)) {
      return {
        status: 304,
        headers: headers.filter(([name]) => !name.startsWith('content-')),
        body: undefined,
      };
    }
    const body = Buffer.from(entry.b, entry.e);
    // HEAD: the frameworks drop the body themselves but keep the length it declares.
    if (head) headers.push(['content-length', String(body.length)]);
    return { status: entry.s, headers, body };
  }

  /** Turns the handler's response into an entry, or undefined when it must not be stored. */
  entryOf(
    captured: CapturedResponse,
    etag: string,
    extra: Record<string, string>,
  ): CachedResponse | undefined {
    if (!this.statuses.has(captured.status) || captured.body.length > this.maxBodyBytes) return undefined;
    const header = (name: string) => captured.headers.find(([n]) => n === name)?.[1];
    if (header('set-cookie') !== undefined) return undefined; // personal: never shared through the cache
    if (/(^|[\s,])(no-store|private)([\s,=]|$)/i.test(header('cache-control') ?? '')) return undefined;
    if ((header('content-type') ?? '').startsWith('text/event-stream')) return undefined;
    const added = new Map(Object.entries(extra).map(([name, value]) => [name.toLowerCase(), value]));
    added.delete('etag');
    if (this.statusHeader) added.delete(this.statusHeader.toLowerCase());
    const headers: Array<[string, string]> = captured.headers
      .filter(([name]) => !NOT_STORED.has(name) && !PER_REQUEST.test(name) && !added.has(name))
      .map(([name, value]) => [name, value]);
    headers.push(...added);
    const utf8 = isUtf8(captured.body);
    return {
      s: captured.status,
      h: headers,
      b: captured.body.toString(utf8 ? 'utf8' : 'base64'),
      e: utf8 ? 'utf8' : 'base64',
      t: etag,
      at: Date.now(),
    };
  }

  /** Headers every response of a cached route gets: Cache-Control (if none) and Vary. */
  routeHeaders(captured: Pick<CapturedResponse, 'headers'>): Record<string, string> {
    const headers: Record<string, string> = {};
    const has = (name: string) => captured.headers.some(([n]) => n === name);
    if (this.options.cacheControl !== false && !has('cache-control')) {
      headers['Cache-Control'] = this.options.cacheControl ?? 'no-cache';
    }
    if (this.vary.length > 0) {
      const existing = captured.headers.find(([n]) => n === 'vary')?.[1];
      headers.Vary = existing ? `${existing}, ${this.vary.join(', ')}` : this.vary.join(', ');
    }
    return headers;
  }

  statusHeaderName(): string | false {
    return this.statusHeader;
  }
}

/** A miss in progress: this request's handler response fills the cache for everyone waiting. */
export class Fill<Req = unknown> {
  private settled = false;

  constructor(
    private readonly owner: HttpResponseCache<Req>,
    private readonly req: Req,
    private readonly request: CacheRequest,
    private readonly provide: (entry: CachedResponse | undefined) => void,
    private readonly stored: Promise<CachedResponse | undefined>,
  ) {
    stored.catch(() => {}); // reported by finish()
  }

  /**
   * The handler's response is ready (not yet sent): stores it if cacheable, and says which headers to add
   * (ETag for 200s, Cache-Control, Vary, Cache-Status) and whether to answer 304 instead.
   */
  async finish(captured: CapturedResponse): Promise<FillResult> {
    const headers = this.owner.routeHeaders(captured);
    const handlerETag = captured.headers.find(([n]) => n === 'etag')?.[1];
    const etag = handlerETag && !handlerETag.startsWith('W/') ? handlerETag : strongETag(captured.body);
    if (captured.status === 200) headers.ETag = etag;
    const entry = this.settled ? undefined : this.owner.entryOf(captured, etag, headers);
    this.settled = true;
    this.provide(entry);
    let stored = false;
    try {
      // Also when nothing is stored: the fill lock is then released before the response leaves.
      stored = (await this.stored) !== undefined;
    } catch (error) {
      this.owner.options.onError?.(error, this.req);
    }
    const statusHeader = this.owner.statusHeaderName();
    if (statusHeader)
      headers[statusHeader] = stored ? 'redkit; fwd=uri-miss; stored' : 'redkit; fwd=uri-miss';
    const notModified =
      captured.status === 200 && ifNoneMatchMatches(this.request.header('if-none-match'), etag);
    return { headers, notModified };
  }

  /** The handler failed or its response cannot be captured: nothing is stored, waiters run their own. */
  abandon(): void {
    if (this.settled) return;
    this.settled = true;
    this.provide(undefined);
  }

  get done(): boolean {
    return this.settled;
  }
}

/** Runs the invalidation of a request after its handler: the tags, when the status says so. */
export async function invalidateAfter<Req>(
  options: CacheInvalidationOptions<Req>,
  req: Req,
  status: number,
): Promise<void> {
  const when = options.when ?? ((s: number) => s >= 200 && s < 400);
  if (!when(status)) return;
  const tags = [...(await options.tags(req))];
  if (tags.length > 0) await options.cache.invalidateTags(tags);
}

export function checkInvalidation<Req>(
  options: CacheInvalidationOptions<Req>,
): CacheInvalidationOptions<Req> {
  if (!options?.cache || typeof options.tags !== 'function') {
    throw new RedkitConfigError('cache invalidation needs { cache, tags: (request) => [tag, …] }');
  }
  return options;
}
