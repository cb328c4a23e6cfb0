import { Engine } from '@redkit/engine';
import { Cluster, Redis } from 'ioredis';
import { RedkitConfigError } from '../errors.js';
import { EmbeddedPort } from './embedded.js';
import { IoredisPort } from './ioredis.js';
import { type NodeRedisClient, type NodeRedisCluster, NodeRedisPort } from './node-redis.js';
import type { RedisPort } from './port.js';

/** What connect() accepts: nothing (embedded, or REDIS_URL), a URL, an engine, or a client instance. */
export type ConnectTarget =
  | string
  | Engine
  | Redis
  | Cluster
  | NodeRedisClient
  | NodeRedisCluster
  | undefined;

/**
 * Connects the toolkit:
 * - `connect()` — the embedded engine in this process (or the server in REDIS_URL when it is set);
 * - `connect('redis://…' | 'rediss://…' | 'unix:///path' | 'redis+sentinel://h1:26379,h2:26379/mymaster')`;
 * - `connect(engine)` — an engine you created; `connect(ioredisClientOrCluster)`, `connect(nodeRedisClientOrCluster)`
 *   — a client you own (redkit never closes it).
 */
export async function connect(target: ConnectTarget = process.env.REDIS_URL): Promise<RedisPort> {
  if (target === undefined || target === '' || target === 'embedded://')
    return new EmbeddedPort(new Engine(), true);
  if (target instanceof Engine) return new EmbeddedPort(target, false);
  if (typeof target === 'string') return connectUrl(target);
  if (target instanceof Redis || target instanceof Cluster) return new IoredisPort(target, false);
  if (isNodeRedis(target)) {
    if (!target.isOpen) await target.connect();
    return new NodeRedisPort(target, false);
  }
  throw new RedkitConfigError(
    'connect() takes a URL, an Engine, an ioredis client or cluster, or a node-redis client; got something else',
  );
}

function isNodeRedis(value: unknown): value is NodeRedisClient | NodeRedisCluster {
  const v = value as Partial<NodeRedisClient> | null;
  return !!v && typeof v.sendCommand === 'function' && typeof v.duplicate === 'function' && 'isOpen' in v;
}

async function connectUrl(url: string): Promise<RedisPort> {
  let client: Redis;
  if (url.startsWith('redis+sentinel://')) {
    const m = /^redis\+sentinel:\/\/([^/]+)\/([^/?]+)/.exec(url);
    if (!m)
      throw new RedkitConfigError(
        `'${url}' is not a sentinel URL: use redis+sentinel://host:port[,host:port]/masterName`,
      );
    const sentinels = m[1]!.split(',').map((hostPort) => {
      const [host, port] = hostPort.split(':');
      return { host: host!, port: Number(port ?? 26379) };
    });
    client = new Redis({ sentinels, name: decodeURIComponent(m[2]!), lazyConnect: true });
  } else if (url.startsWith('unix://') || url.startsWith('/')) {
    client = new Redis({ path: url.replace(/^unix:\/\//, ''), lazyConnect: true });
  } else if (/^rediss?:\/\//.test(url)) {
    client = new Redis(url, { lazyConnect: true });
  } else {
    throw new RedkitConfigError(
      `'${url}' is not a Redis URL: use redis://host:port/db, rediss:// for TLS, unix:///path or redis+sentinel://…`,
    );
  }
  // Connection errors reach callers as rejected commands (and ioredis reconnects by itself); without a
  // listener ioredis would also print each one as an "Unhandled error event".
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    throw new RedkitConfigError(`cannot connect to ${url}: ${(error as Error).message}`);
  }
  return new IoredisPort(client, true);
}
