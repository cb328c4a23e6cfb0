import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { RawClient } from './raw-client.js';
import { type RedisServerHandle, startRedisServer } from './redis-server.js';

const run = promisify(execFile);

export interface RedisClusterHandle {
  /** The masters' ports; any of them is an entry point. */
  ports: number[];
  stop(): Promise<void>;
}

/**
 * Starts a local Redis Cluster of `masters` redis-server processes (no replicas) on free loopback ports and
 * joins them with `redis-cli --cluster create`. Returns null when redis-server is not installed and real
 * Redis is not required.
 */
export async function startRedisCluster(masters = 3): Promise<RedisClusterHandle | null> {
  const dir = mkdtempSync(join(tmpdir(), 'redkit-cluster-'));
  const nodes: RedisServerHandle[] = [];
  try {
    for (let i = 0; i < masters; i++) {
      const node = await startRedisServer([
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        join(dir, `nodes-${i}.conf`),
        '--cluster-node-timeout',
        '2000',
        '--dir',
        dir,
      ]);
      if (!node) return null;
      nodes.push(node);
    }
    await run('redis-cli', [
      '--cluster',
      'create',
      ...nodes.map((n) => `127.0.0.1:${n.port}`),
      '--cluster-yes',
    ]);
    await waitForClusterOk(nodes.map((n) => n.port));
  } catch (error) {
    for (const node of nodes) await node.stop();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    ports: nodes.map((n) => n.port),
    stop: async () => {
      for (const node of nodes) await node.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitForClusterOk(ports: number[]): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    let ok = 0;
    for (const port of ports) {
      const client = await RawClient.connect(port);
      const info = (await client.command(['CLUSTER', 'INFO'])).toString();
      client.close();
      if (info.includes('cluster_state:ok')) ok++;
    }
    if (ok === ports.length) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the local Redis Cluster did not reach cluster_state:ok');
}
