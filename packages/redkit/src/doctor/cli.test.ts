import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Engine, RespServer } from '@redkit/engine';
import { type RedisServerHandle, startRedisServer } from '@redkit/test-utils';
import { connect } from '../client/connect.js';
import type { RedisPort } from '../client/port.js';
import type { DoctorReport } from './report.js';

const CLI = fileURLToPath(new URL('../cli.js', import.meta.url));

/** Runs the CLI without blocking this process (the engine's RESP server lives here). */
function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('redkit doctor (CLI, end to end)', () => {
  let server: RedisServerHandle | null = null;
  let engine: Engine | undefined;
  let resp: RespServer | undefined;
  let url: string;
  let redis: RedisPort;
  before(async () => {
    // A real redis-server when there is one, else the engine's RESP server.
    server = await startRedisServer();
    if (server) url = `redis://127.0.0.1:${server.port}`;
    else {
      engine = new Engine();
      resp = await RespServer.listen({ engine, port: 0, host: '127.0.0.1' });
      url = `redis://127.0.0.1:${resp.port}`;
    }
    redis = await connect(url);
    await redis.send('SET', 'legacy:user:1', 'x');
    await redis.send('SET', 'blob:1', 'b'.repeat(120 * 1024), 'EX', 60);
    await redis.send('KEYS', '*');
  });
  after(async () => {
    await redis.close();
    await server?.stop();
    await resp?.close();
    engine?.close();
  });

  it('prints JSON and exits 0 with warnings only, 1 once a check fails', async () => {
    const warned = await run(['doctor', url, '--json']);
    assert.equal(warned.code, 0, warned.stderr);
    const report = JSON.parse(warned.stdout) as DoctorReport;
    assert.equal(report.status, 'warn');
    const flagged = report.checks.filter((c) => c.status === 'warn').map((c) => c.id);
    for (const id of ['keys.no-ttl', 'keys.large-values', 'commands.dangerous', 'memory.maxmemory'])
      assert.ok(flagged.includes(id), `${id} in ${flagged}`);
    assert.equal(warned.stderr, '', 'no progress bar when stderr is not a terminal');

    await redis.send('CONFIG', 'SET', 'maxmemory', '1mb');
    try {
      const failed = await run(['doctor', url, '--json']);
      assert.equal(failed.code, 1);
      assert.equal((JSON.parse(failed.stdout) as DoctorReport).status, 'fail');
    } finally {
      await redis.send('CONFIG', 'SET', 'maxmemory', '0');
    }
  });

  it('prints text for people; --strict fails on warnings; bad options are refused', async () => {
    const text = await run(['doctor', url, '--strict', '--big-value', '100kb']);
    assert.equal(text.code, 1);
    assert.match(text.stdout, /redkit doctor: redis:\/\/127\.0\.0\.1:\d+/);
    assert.match(text.stdout, /▲ warn {2}String values of 100 KB or more: 1 large value: blob:1 \(120 KB\)/);
    assert.match(text.stdout, /WARN: .* exit code 1 \(--strict: warnings fail\)/);

    const bad = await run(['doctor', url, '--sample', 'lots']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /--sample.*must be a whole number/);
  });
});
