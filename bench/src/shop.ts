import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@redkit/test-utils';
import autocannon from 'autocannon';
import { startRedisProcess } from './processes.js';
import { printTable, thousands } from './table.js';

const SHOP = fileURLToPath(new URL('../../apps/shop/dist/main.js', import.meta.url));
const PRODUCTS = 12;
const CATEGORIES = ['books', 'hardware', 'desk', 'pantry'];

interface ShopRun {
  backend: string;
  requestsPerSecond: number;
  p99Ms: number;
  p50Ms: number;
  fromCache: number;
  errors: number;
}

/**
 * The reference service under load (autocannon, 50 connections): product reads and category listings, the
 * reads a shop serves most. Run on the embedded engine and on a real redis-server; prints throughput, latency
 * and the share of product reads answered from the cache.
 */
export async function benchShop(seconds = Number(process.env.BENCH_SHOP_SECONDS ?? 10)): Promise<void> {
  const runs: ShopRun[] = [];
  runs.push(await runShop('embedded engine', {}, seconds));
  const redis = await startRedisProcess();
  try {
    runs.push(await runShop('redis-server', { REDIS_URL: `redis://127.0.0.1:${redis.port}` }, seconds));
  } finally {
    await redis.stop();
  }
  printTable(
    `apps/shop under load (autocannon, 50 connections, ${seconds} s per backend)`,
    ['backend', 'requests/s', 'p50 ms', 'p99 ms', 'product reads from cache', 'errors'],
    runs.map((r) => [
      r.backend,
      thousands(r.requestsPerSecond),
      r.p50Ms.toFixed(1),
      r.p99Ms.toFixed(1),
      `${(r.fromCache * 100).toFixed(1)} %`,
      String(r.errors),
    ]),
  );
}

async function runShop(backend: string, env: Record<string, string>, seconds: number): Promise<ShopRun> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'redkit-shop-bench-'));
  const child = spawn(process.execPath, [SHOP], {
    env: {
      ...process.env,
      ...env,
      PORT: String(port),
      REDIS_PORT: '0',
      REDKIT_DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      // Every request comes from one address: a per-IP limit would measure 429s, not the service.
      RATE_LIMIT: '1000000000',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    await waitForHealth(port, child);
    let productReads = 0;
    let fromCache = 0;
    const onProductResponse = (_status: number, body: string) => {
      productReads++;
      if (body.includes('"source":"cache"')) fromCache++;
    };
    let n = 0;
    const result = await autocannon({
      url: `http://127.0.0.1:${port}`,
      connections: 50,
      duration: seconds,
      requests: [
        {
          setupRequest: (request) => {
            n++;
            // Four product reads for every category listing.
            const path =
              n % 5 === 0
                ? `/products?category=${CATEGORIES[n % CATEGORIES.length]}`
                : `/products/${(n % PRODUCTS) + 1}`;
            return { ...request, path };
          },
          onResponse: (status, body, context) => {
            void context;
            if (String(body).includes('"product"')) onProductResponse(status, String(body));
          },
        },
      ],
    });
    return {
      backend,
      requestsPerSecond: result.requests.average,
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      fromCache: productReads > 0 ? fromCache / productReads : 0,
      errors: result.errors + result.non2xx,
    };
  } finally {
    await stop(child);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function waitForHealth(port: number, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (child.exitCode !== null) throw new Error('the shop exited at start-up');
    try {
      const response = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (response.ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the shop did not become healthy');
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
