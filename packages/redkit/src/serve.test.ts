import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { freePort, RawClient } from '@redkit/test-utils';

const CLI = new URL('./cli.js', import.meta.url).pathname;

async function serveUntilReady(port: number, dir: string) {
  const child = spawn(
    process.execPath,
    [CLI, 'serve', '--port', String(port), '--appendonly', 'yes', '--dir', dir],
    {
      stdio: 'ignore',
    },
  );
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  for (let i = 0; i < 200; i++) {
    const client = await RawClient.connect(port).catch(() => undefined);
    if (client) return { child, exited, client };
    await new Promise((r) => setTimeout(r, 25));
  }
  child.kill('SIGKILL');
  throw new Error('redkit serve did not start');
}

it('SHUTDOWN stops redkit serve cleanly, keeping what the append-only file holds', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'redkit-shutdown-'));
  const port = await freePort();
  const first = await serveUntilReady(port, dir);
  assert.equal((await first.client.command(['SET', 'kept', 'yes'])).toString(), '+OK\r\n');
  first.client.write('*2\r\n$8\r\nSHUTDOWN\r\n$6\r\nNOSAVE\r\n');
  assert.equal(await first.exited, 0, 'the process exits with status 0');
  first.client.close();
  const second = await serveUntilReady(port, dir);
  try {
    assert.equal((await second.client.command(['GET', 'kept'])).toString(), '$3\r\nyes\r\n');
  } finally {
    second.client.close();
    second.child.kill('SIGKILL');
  }
});
