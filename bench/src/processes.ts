import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freePort, RawClient, startRedisServer } from '@redkit/test-utils';

export interface ServerUnderTest {
  name: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
}

const CLI = fileURLToPath(new URL('../../packages/redkit/dist/cli.js', import.meta.url));

/** The engine's RESP server in its own process, as users run it (`redkit serve`). */
export async function startEngineProcess(): Promise<ServerUnderTest> {
  const port = await freePort();
  const child = spawn(process.execPath, [CLI, 'serve', '--port', String(port)], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await waitForPing(port, child);
  return { name: 'redkit engine', port, pid: child.pid!, stop: () => kill(child) };
}

export async function startRedisProcess(): Promise<ServerUnderTest> {
  const handle = await startRedisServer();
  if (!handle) throw new Error('redis-server is not installed (apt-get install redis-server)');
  const pid = await serverPid(handle.port);
  return { name: 'redis-server', port: handle.port, pid, stop: handle.stop };
}

async function serverPid(port: number): Promise<number> {
  const client = await RawClient.connect(port);
  const info = (await client.command(['INFO', 'server'])).toString();
  client.close();
  return Number(/process_id:(\d+)/.exec(info)![1]);
}

/** Resolves once the server answers PING (a slow start, e.g. loading an AOF, gets 10 s). */
export async function waitForPing(port: number, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (child.exitCode !== null) throw new Error('server exited');
    try {
      const c = await RawClient.connect(port);
      await c.command(['PING']);
      c.close();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  throw new Error('server did not start');
}

function kill(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

/** Resident set size of a process, in bytes (Linux). */
export function residentBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
}
