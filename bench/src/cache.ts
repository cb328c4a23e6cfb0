import KeyvRedis from '@keyv/redis';
import { createCache } from 'cache-manager';
import { Cacheable } from 'cacheable';
import { Keyv } from 'keyv';
import { createClient } from 'redis';
import { Cache, connect } from 'redkit';
import { startRedisProcess } from './processes.js';
import { printTable, ratio, thousands } from './table.js';

const VALUE = {
  id: 42,
  name: 'Coffee mug',
  price: 12.5,
  tags: ['kitchen', 'gift'],
  description: 'x'.repeat(800),
};

interface Contender {
  name: string;
  get: (key: string) => Promise<unknown>;
  getOrSet: (key: string, load: () => Promise<unknown>) => Promise<unknown>;
  close: () => Promise<void>;
}

async function perSecond(iterations: number, op: (i: number) => Promise<unknown>): Promise<number> {
  for (let i = 0; i < Math.min(500, iterations / 10); i++) await op(i);
  const started = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) await op(i);
  return iterations / (Number(process.hrtime.bigint() - started) / 1e9);
}

/**
 * Cache hits and misses against the same redis-server: redkit's Cache against cache-manager and cacheable
 * (both over @keyv/redis, i.e. node-redis). redkit runs through ioredis and through node-redis, the same
 * client library as its peers. A hit is `get` and `getOrSet` of a present key, a miss `getOrSet` of a new one
 * (lookup, loader, store: redkit also takes and releases the cross-process fill lock and checks versions;
 * its getOrSet answers once the value is loaded and lets the store finish in the background, where
 * cache-manager's wrap and cacheable's getOrSet wait for theirs).
 */
export async function benchCache(rounds: number): Promise<void> {
  const server = await startRedisProcess();
  const url = `redis://127.0.0.1:${server.port}`;
  const contenders: Contender[] = [];
  try {
    const manager = createCache({ stores: [new Keyv({ store: new KeyvRedis(url) })], ttl: 3_600_000 });
    contenders.push({
      name: 'cache-manager + @keyv/redis',
      get: (k) => manager.get(k),
      getOrSet: (k, load) => manager.wrap(k, load),
      close: async () => void (await manager.disconnect()),
    });
    const cacheable = new Cacheable({ secondary: new KeyvRedis(url), ttl: '1h' });
    contenders.push({
      name: 'cacheable (memory + redis)',
      get: (k) => cacheable.get(k),
      getOrSet: (k, load) => cacheable.getOrSet(k, load),
      close: async () => void (await cacheable.disconnect()),
    });
    for (const [name, client, local] of [
      ['redkit Cache (ioredis)', 'ioredis', false],
      ['redkit Cache (node-redis)', 'node-redis', false],
      ['redkit Cache, in-process tier (ioredis)', 'ioredis', true],
    ] as const) {
      const nodeRedis = client === 'node-redis' ? createClient({ url }) : undefined;
      const port = await connect(nodeRedis ?? url);
      const cache = new Cache(port, {
        namespace: `bench-${contenders.length}`,
        ttl: '1h',
        local: local ? { ttl: '10s' } : undefined,
      });
      contenders.push({
        name,
        get: (k) => cache.get(k),
        getOrSet: (k, load) => cache.getOrSet(k, load),
        close: async () => {
          await cache.close();
          await port.close();
          await nodeRedis?.close();
        },
      });
    }
    const results = new Map<string, { hits: number; loadHits: number; misses: number }>();
    for (let round = 0; round < rounds; round++) {
      for (const c of contenders) {
        await c.getOrSet('hot', async () => VALUE);
        const hits = await perSecond(5_000, () => c.get('hot'));
        const loadHits = await perSecond(5_000, () => c.getOrSet('hot', async () => VALUE));
        const misses = await perSecond(2_000, (i) =>
          c.getOrSet(`miss:${round}:${i}:${Math.random()}`, async () => VALUE),
        );
        const best = results.get(c.name) ?? { hits: 0, loadHits: 0, misses: 0 };
        results.set(c.name, {
          hits: Math.max(best.hits, hits),
          loadHits: Math.max(best.loadHits, loadHits),
          misses: Math.max(best.misses, misses),
        });
      }
    }
    const vsManager = results.get('cache-manager + @keyv/redis')!;
    const vsCacheable = results.get('cacheable (memory + redis)')!;
    const versus = (ours: number, a: number, b: number) => `${ratio(ours, a)} / ${ratio(ours, b)}`;
    printTable(
      `Cache on one redis-server, ~1 KB values, best of ${rounds} (ops/s; ratios vs cache-manager / vs cacheable)`,
      ['cache', 'get hits/s', 'ratio', 'getOrSet hits/s', 'ratio', 'getOrSet misses/s', 'ratio'],
      [...results].map(([name, r]) => [
        name,
        thousands(r.hits),
        versus(r.hits, vsManager.hits, vsCacheable.hits),
        thousands(r.loadHits),
        versus(r.loadHits, vsManager.loadHits, vsCacheable.loadHits),
        thousands(r.misses),
        versus(r.misses, vsManager.misses, vsCacheable.misses),
      ]),
    );
  } finally {
    for (const c of contenders) await c.close().catch(() => {});
    await server.stop();
  }
}
