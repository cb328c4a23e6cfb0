import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RawClient } from './raw-client.js';

export interface RedisServerHandle {
  port: number;
  stop(): Promise<void>;
}

/** True when the real-Redis suites must run (CI, or REDKIT_REQUIRE_REDIS=1): a missing server fails. */
export function realRedisRequired(): boolean {
  return process.env.CI === 'true' || process.env.CI === '1' || process.env.REDKIT_REQUIRE_REDIS === '1';
}

export function findRedisServer(): string | null {
  const explicit = process.env.REDIS_SERVER_BIN;
  if (explicit) return explicit;
  try {
    return execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts a throwaway redis-server on a free loopback port (no persistence). Returns null when none is
 * installed and real Redis is not required; throws when it is required.
 */
export async function startRedisServer(extraArgs: string[] = []): Promise<RedisServerHandle | null> {
  const bin = findRedisServer();
  if (!bin) {
    if (realRedisRequired())
      throw new Error('redis-server is required (CI) but not installed: apt-get install redis-server');
    return null;
  }
  // A directory of its own: a dump.rdb left in the working directory must not load into it (extraArgs may
  // still name another --dir).
  const dir = mkdtempSync(join(tmpdir(), 'redkit-redis-'));
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const child = spawn(
      bin,
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--daemonize',
        'no',
        '--dir',
        dir,
        ...extraArgs,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    if (await waitForPing(port, child)) {
      return {
        port,
        stop: () =>
          new Promise<void>((resolve) => {
            const done = () => {
              removeDir();
              resolve();
            };
            if (child.exitCode !== null) return done();
            child.once('exit', done);
            child.kill('SIGKILL');
          }),
      };
    }
    child.kill('SIGKILL');
  }
  removeDir();
  throw new Error('could not start redis-server');
}

async function waitForPing(port: number, child: ChildProcess): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) return false;
    try {
      const client = await RawClient.connect(port);
      const reply = await client.command(['PING'], 1000);
      client.close();
      if (reply.toString() === '+PONG\r\n') return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
}
