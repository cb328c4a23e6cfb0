import { LuaScript, type RedisPort } from '../client/port.js';
import { type Duration, toMilliseconds } from '../duration.js';
import { RedkitConfigError } from '../errors.js';
import { Keys } from '../keys.js';
import { StaleFencingTokenError } from './errors.js';

/**
 * The rule a protected store applies to every operation of a lock holder: accept a token at least as new
 * as the newest it has seen (the same holder may write many times), reject older ones — they come from a
 * holder that lost the lock and does not know yet. For your own store, keep the newest token next to the
 * data and apply this in the same transaction as the write, e.g. in SQL:
 * `UPDATE t SET value = $1, fence = $2 WHERE id = $3 AND fence <= $2`.
 */
export function acceptsFencingToken(lastSeen: number | null | undefined, token: number): boolean {
  return lastSeen === null || lastSeen === undefined || token >= lastSeen;
}

/** The rule above for an in-process store: remembers the newest token per key. */
export class FencingGuard {
  private readonly newest = new Map<string, number>();

  /** Records the token and returns true if it is current; returns false (recording nothing) if stale. */
  check(key: string, token: number): boolean {
    if (!acceptsFencingToken(this.newest.get(key), token)) return false;
    this.newest.set(key, token);
    return true;
  }

  /** Like check(), but throws StaleFencingTokenError for a stale token. */
  assert(key: string, token: number): void {
    if (!this.check(key, token)) throw staleError(key, token, this.newest.get(key)!);
  }

  latest(key: string): number | undefined {
    return this.newest.get(key);
  }
}

/**
 * KEYS[1] entry hash {v: value, t: newest token}; ARGV token, ttl ms, 'r' or 'w', value.
 * → {1, value} after recording the token (and writing the value), or {0, newest token} when stale.
 */
const FENCED = new LuaScript(`
local last = tonumber(redis.call('HGET', KEYS[1], 't'))
if last and last > tonumber(ARGV[1]) then return {0, string.format('%.0f', last)} end
redis.call('HSET', KEYS[1], 't', ARGV[1])
if ARGV[3] == 'w' then redis.call('HSET', KEYS[1], 'v', ARGV[4]) end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return {1, redis.call('HGET', KEYS[1], 'v')}
`);

export interface FencedStoreOptions {
  /** Key namespace (default 'fenced'). */
  namespace?: string;
  /**
   * How long an entry (and the newest token it has seen) lives after its last read or write (default
   * '30d'). Keep it far longer than any holder can stall: once it expires, old tokens are accepted again.
   */
  ttl?: Duration;
}

/**
 * Values in Redis guarded by fencing tokens: each entry remembers the newest token that read or wrote it,
 * and refuses older ones in the same script as the write. Reading with the token matters for
 * read-modify-write: it stops an older holder from writing after a newer one has read.
 */
export class FencedStore<T = unknown> {
  private readonly keys: Keys;
  private readonly ttlMs: number;

  constructor(
    private readonly redis: RedisPort,
    options: FencedStoreOptions = {},
  ) {
    this.keys = new Keys(options.namespace ?? 'fenced');
    this.ttlMs = toMilliseconds(options.ttl ?? '30d', 'ttl');
  }

  /** Writes `value` if `token` is current; throws StaleFencingTokenError if a newer token was seen. */
  async write(key: string, value: T, token: number): Promise<void> {
    await this.run(key, token, 'w', JSON.stringify(value));
  }

  /** Reads the value as the holder of `token` (recording it); throws StaleFencingTokenError if stale. */
  async read(key: string, token: number): Promise<T | undefined> {
    const raw = await this.run(key, token, 'r', '');
    return raw === null ? undefined : (JSON.parse(raw) as T);
  }

  /** The value and the newest token seen, for anyone (records nothing). */
  async peek(key: string): Promise<{ value: T | undefined; token: number | undefined }> {
    const [value, token] = (await this.redis.send('HMGET', this.keys.of(key), 'v', 't')) as Array<
      string | null
    >;
    return {
      value: value === null || value === undefined ? undefined : (JSON.parse(value) as T),
      token: token === null || token === undefined ? undefined : Number(token),
    };
  }

  async delete(key: string): Promise<void> {
    await this.redis.send('DEL', this.keys.of(key));
  }

  private async run(key: string, token: number, mode: 'r' | 'w', value: string): Promise<string | null> {
    if (!Number.isSafeInteger(token) || token < 0)
      throw new RedkitConfigError(`${token} is not a fencing token: pass the lock handle's fencingToken`);
    const [ok, result] = (await this.redis.runScript(
      FENCED,
      [this.keys.of(key)],
      [String(token), this.ttlMs, mode, value],
    )) as [number, string | null];
    if (ok !== 1) throw staleError(key, token, Number(result));
    return result;
  }
}

function staleError(key: string, token: number, current: number): StaleFencingTokenError {
  return new StaleFencingTokenError(
    `rejected fencing token ${token} for '${key}': token ${current} was already used, so the lock that issued ${token} has been lost and taken by another holder. Abandon this work; do not retry it with the same token.`,
    key,
    token,
    current,
  );
}
