import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, describe, it } from 'node:test';
import { Client } from './http-client.test-support.js';

const MAIN = new URL('./main.js', import.meta.url);

interface Running {
  child: ChildProcess;
  base: string;
  lines: Array<Record<string, unknown>>;
}

/** `node dist/main.js` as `npm start` runs it, on a free port; resolves once it logged 'shop listening'. */
async function startService(env: Record<string, string>): Promise<Running> {
  const child = spawn(process.execPath, [MAIN.pathname], {
    env: { ...process.env, PORT: '0', REDIS_PORT: '0', SUMMARIZE_DELAY_MS: '0', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: Array<Record<string, unknown>> = [];
  const base = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const entry = JSON.parse(line) as Record<string, unknown>;
      lines.push(entry);
      if (entry.msg === 'shop listening') resolve(String(entry.url));
    });
    child.once('exit', (code) => reject(new Error(`the service exited with ${code} before listening`)));
  });
  return { child, base, lines };
}

async function stop(running: Running, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  const exited = once(running.child, 'exit');
  running.child.kill(signal);
  const [code] = await exited;
  return code as number | null;
}

describe('the service (npm start)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'shop-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('logs JSON, shuts down gracefully on SIGTERM, and keeps its data in REDKIT_DATA_DIR across restarts', async () => {
    const first = await startService({ REDKIT_DATA_DIR: dataDir });
    const client = new Client(first.base);
    assert.equal((await client.get('/healthz')).status, 200);
    await client.login('alice@example.com');
    assert.equal((await client.put('/products/3', { stock: 4 })).status, 200);
    const order = await client.post('/orders', { items: [{ productId: 9, quantity: 2 }] });
    assert.equal(order.status, 201);
    assert.equal(await stop(first), 0);
    assert.ok(first.lines.some((l) => l.msg === 'embedded engine ready' && l.appendonly === true));
    assert.ok(first.lines.some((l) => l.msg === 'request completed' && typeof l.responseTime === 'number'));
    assert.equal(first.lines.at(-1)?.msg, 'stopped');

    // Restarted on the same folder: the session (in the engine's AOF) and the catalog (in SQLite) survived.
    const second = await startService({ REDKIT_DATA_DIR: dataDir });
    try {
      const again = new Client(second.base);
      for (const [name, value] of client.jar) again.jar.set(name, value);
      const profile = await again.get('/profile');
      assert.equal(profile.status, 200);
      assert.equal(profile.body.user.email, 'alice@example.com');
      assert.equal((await again.get('/products/3')).body.product.stock, 4);
      const board = (await again.get('/leaderboard')).body.top;
      assert.deepEqual(board[0], { rank: 1, productId: 9, name: 'Cable Organiser', unitsSold: 2 });
      assert.equal((await again.get(`/orders/${order.body.order.id}`)).body.order.status, 'fulfilled');
    } finally {
      assert.equal(await stop(second, 'SIGINT'), 0);
    }
  });
});
