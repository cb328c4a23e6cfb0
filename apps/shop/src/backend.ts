import { type AppendOnlyFile, type Clock, Engine, openPersistence, RespServer } from '@redkit/engine';
import type { Logger } from 'pino';
import { connect, type RedisPort } from 'redkit';

export interface BackendOptions {
  /** A Redis server to use instead of the embedded engine. */
  redisUrl?: string;
  /** Embedded engine: where its append-only file lives (undefined: in memory only). */
  dataDir?: string;
  /** Embedded engine: serve RESP here too so redis-cli can look inside (false: don't). Port 0 picks one. */
  resp?: { port: number; host?: string } | false;
  /** Embedded engine: its clock (tests pass a ManualClock). */
  clock?: Clock;
  log: Logger;
}

/** Where the shop's Redis data lives: the embedded engine (optionally persisted and served) or a server. */
export interface Backend {
  redis: RedisPort;
  kind: 'embedded' | 'redis';
  /** The embedded engine, when it is the backend. */
  engine?: Engine;
  /** The RESP server in front of the embedded engine, when enabled. */
  resp?: RespServer;
  /** Now, on the clock deciding expiries (the engine's, or this machine's for a Redis server). */
  now(): number;
  close(): Promise<void>;
}

export async function openBackend(options: BackendOptions): Promise<Backend> {
  const { log } = options;
  if (options.redisUrl) {
    const redis = await connect(options.redisUrl);
    log.info({ url: redactUrl(options.redisUrl) }, 'using the Redis server in REDIS_URL');
    return { redis, kind: 'redis', now: Date.now, close: () => redis.close() };
  }

  const config: Record<string, string> =
    options.dataDir === undefined ? {} : { appendonly: 'yes', dir: options.dataDir, appendfsync: 'everysec' };
  const engine = new Engine({ clock: options.clock, config });
  let aof: AppendOnlyFile | undefined;
  let resp: RespServer | undefined;
  try {
    // Replays the append-only file before anything reads, then logs every write to it.
    aof = await openPersistence(engine, {
      log: (level, message) => (level === 'warning' ? log.warn(message) : log.info(message)),
    });
    if (options.resp)
      resp = await RespServer.listen({ engine, port: options.resp.port, host: options.resp.host });
  } catch (error) {
    aof?.close();
    engine.close();
    throw error;
  }
  const redis = await connect(engine);
  log.info(
    { dataDir: options.dataDir ?? null, appendonly: aof !== undefined, resp: resp ? resp.port : null },
    'embedded engine ready',
  );
  return {
    redis,
    kind: 'embedded',
    engine,
    resp,
    now: () => engine.clock.now(),
    async close() {
      await redis.close();
      await resp?.close();
      aof?.close(); // writes and fsyncs what is pending
      engine.close();
    },
  };
}

function redactUrl(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, '//***@');
}
