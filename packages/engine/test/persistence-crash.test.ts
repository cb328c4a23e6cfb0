import assert from 'node:assert/strict';
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseFrame, RawClient } from '@redkit/test-utils';

/** The full counts with REDKIT_FULL=1; scaled down for CI otherwise. */
const FULL = process.env.REDKIT_FULL === '1';
const WORKER = fileURLToPath(new URL('./persistence-worker.js', import.meta.url));

interface Worker {
  child: ChildProcess;
  port: number;
  logs: string[];
}

function startWorker(dir: string, appendfsync: string, extra: string[] = []): Promise<Worker> {
  return new Promise((resolve, reject) => {
    const child = fork(WORKER, [dir, appendfsync, ...extra], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    workers.add(child);
    child.once('exit', () => workers.delete(child));
    child.once('message', (m: { port?: number; error?: string; logs: string[] }) => {
      if (m.error !== undefined) reject(new Error(`worker failed: ${m.error}\n${m.logs.join('\n')}`));
      else resolve({ child, port: m.port!, logs: m.logs });
    });
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
  });
}

function kill(worker: Worker): Promise<void> {
  return new Promise((resolve) => {
    worker.child.removeAllListeners('exit');
    worker.child.once('exit', () => resolve());
    worker.child.kill('SIGKILL');
  });
}

const dirs: string[] = [];
const workers = new Set<ChildProcess>();
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'redkit-aof-crash-'));
  dirs.push(dir);
  return dir;
}
after(() => {
  for (const child of workers) child.kill('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function integer(client: RawClient, argv: string[]): Promise<number> {
  return Number(parseFrame(await client.command(argv)));
}

describe('append-only file: crashes', () => {
  it(`kill -9 at random moments while 16 clients write (appendfsync always): no acknowledged write lost (${FULL ? 50 : 10} runs)`, async () => {
    const dir = tempDir();
    const runs = FULL ? 50 : 10;
    let counter = 0; // increments known to be in the file (acknowledged, or found after a restart)
    let inFlight = 0; // increments sent but not acknowledged when the process died
    const ackedKeys: string[] = [];
    for (let run = 0; run < runs; run++) {
      const worker = await startWorker(dir, 'always');
      const check = await RawClient.connect(worker.port);
      const loaded = await integer(check, ['GET', 'counter']);
      assert.ok(
        loaded >= counter && loaded <= counter + inFlight,
        `run ${run}: counter ${loaded} after restart, acknowledged ${counter} (+${inFlight} unacknowledged)`,
      );
      counter = loaded;
      for (let i = 0; i < ackedKeys.length; i += 5000) {
        const batch = ackedKeys.slice(i, i + 5000);
        assert.equal(
          await integer(check, ['EXISTS', ...batch]),
          batch.length,
          `run ${run}: acknowledged SETs lost`,
        );
      }
      check.close();
      inFlight = 0;
      const clients = await Promise.all(Array.from({ length: 16 }, () => RawClient.connect(worker.port)));
      let stop = false;
      const loops = clients.map(async (client, c) => {
        for (let j = 0; !stop; j++) {
          const key = `k:${run}:${c}:${j}`;
          inFlight++;
          try {
            await client.command(['INCR', 'counter']);
          } catch {
            return; // killed: this increment may or may not have reached the file
          }
          inFlight--;
          counter++;
          try {
            await client.command(['SET', key, String(j)]);
          } catch {
            return;
          }
          ackedKeys.push(key);
        }
      });
      await new Promise((r) => setTimeout(r, 30 + Math.random() * 200));
      await kill(worker);
      stop = true;
      await Promise.all(loops);
      for (const client of clients) client.close();
    }
    const worker = await startWorker(dir, 'always');
    const check = await RawClient.connect(worker.port);
    const final = await integer(check, ['GET', 'counter']);
    assert.ok(final >= counter && final <= counter + inFlight);
    assert.ok(counter > runs, 'the clients got writes acknowledged');
    check.close();
    await kill(worker);
  });

  it(`a rewrite under 20 clients × ${FULL ? 20_000 : 2_000} INCR: the count is exact after restart`, async () => {
    const dir = tempDir();
    const perClient = FULL ? 20_000 : 2_000;
    const worker = await startWorker(dir, 'everysec');
    const clients = await Promise.all(Array.from({ length: 20 }, () => RawClient.connect(worker.port)));
    const admin = await RawClient.connect(worker.port);
    // Some data for the rewrite to walk through while the increments arrive.
    for (let i = 0; i < 50; i++) {
      const args = ['MSET'];
      for (let j = 0; j < 200; j++) args.push(`filler:${i}:${j}`, 'x'.repeat(50));
      await admin.command(args);
    }
    let rewrites = 0;
    const writers = clients.map(async (client, c) => {
      for (let j = 0; j < perClient; j++) {
        await client.command(['INCR', 'total']);
        if (j % 50 === 0) await client.command(['RPUSH', `list:${c}`, String(j)]);
      }
    });
    const rewriter = (async () => {
      for (let i = 0; i < 3; i++) {
        await new Promise((r) => setTimeout(r, 40));
        const reply = (await admin.command(['BGREWRITEAOF'])).toString();
        if (reply.startsWith('+Background')) rewrites++;
      }
    })();
    await Promise.all([...writers, rewriter]);
    // Wait for the last rewrite to finish, then crash.
    for (let i = 0; i < 200; i++) {
      const info = String(parseFrame(await admin.command(['INFO', 'persistence'])));
      if (info.includes('aof_rewrite_in_progress:0')) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const info = String(parseFrame(await admin.command(['INFO', 'persistence'])));
    assert.match(info, /aof_rewrites:[1-9]/);
    assert.ok(rewrites >= 1);
    for (const client of [...clients, admin]) client.close();
    await kill(worker);
    const restarted = await startWorker(dir, 'everysec');
    const check = await RawClient.connect(restarted.port);
    assert.equal(await integer(check, ['GET', 'total']), 20 * perClient);
    assert.equal(await integer(check, ['LLEN', 'list:7']), perClient / 50);
    assert.equal(await integer(check, ['DBSIZE']), 50 * 200 + 1 + 20);
    check.close();
    await kill(restarted);
  });
});
