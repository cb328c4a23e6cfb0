import { Cluster, Redis } from 'ioredis';
import { connect } from '../client/connect.js';
import { IoredisPort } from '../client/ioredis.js';
import { NodeRedisPort } from '../client/node-redis.js';
import type { RedisPort } from '../client/port.js';

/** One server the doctor examines: a standalone server, or one master of a Cluster. */
export interface DoctorNode {
  address: string;
  port: RedisPort;
  /** Closes what the doctor opened for this node (never the caller's connections). */
  close(): Promise<void>;
}

export interface ResolvedNodes {
  nodes: DoctorNode[];
  cluster: boolean;
  /** Why some masters could not be reached or examined. */
  problems: string[];
}

const keep = async () => {};

/** A readable address of the server behind a port. */
export function describePort(port: RedisPort): string {
  if (port instanceof IoredisPort && !(port.client instanceof Cluster)) {
    const { host, port: tcp, path } = port.client.options;
    return path ? `unix:${path}` : `${host}:${tcp}`;
  }
  if (port.backend === 'embedded') return 'embedded';
  return port.backend;
}

interface NodeRedisClusterNodes {
  masters: Array<{ host: string; port: number }>;
  nodeClient(node: unknown): Promise<Parameters<typeof connect>[0]>;
}

/**
 * Every master to scan: a Cluster client's masters, the masters CLUSTER NODES lists when a plain connection
 * reaches a Cluster node (new connections with the same options), or the one server.
 */
export async function resolveNodes(port: RedisPort, clusterEnabled: boolean): Promise<ResolvedNodes> {
  if (port instanceof IoredisPort && port.client instanceof Cluster) {
    const masters = port.client.nodes('master');
    const nodes = await Promise.all(
      masters.map(async (client) => ({
        address: `${client.options.host}:${client.options.port}`,
        port: await connect(client),
        close: keep,
      })),
    );
    return { nodes, cluster: true, problems: [] };
  }
  if (port instanceof NodeRedisPort && port.backend === 'node-redis-cluster') {
    const cluster = port.client as unknown as NodeRedisClusterNodes;
    const nodes = await Promise.all(
      cluster.masters.map(async (master) => ({
        address: `${master.host}:${master.port}`,
        port: await connect(await cluster.nodeClient(master)),
        close: keep,
      })),
    );
    return { nodes, cluster: true, problems: [] };
  }
  const entry: DoctorNode = { address: describePort(port), port, close: keep };
  if (!clusterEnabled) return { nodes: [entry], cluster: false, problems: [] };

  const masters = parseClusterMasters(String(await port.send('CLUSTER', 'NODES')));
  if (!(port instanceof IoredisPort)) {
    return {
      nodes: [entry],
      cluster: true,
      problems: [
        `connected to one Cluster node through a client redkit cannot clone: only it was scanned. ` +
          `Pass a redis:// URL or a Cluster client to scan all ${masters.length} masters.`,
      ],
    };
  }
  const nodes: DoctorNode[] = [];
  const problems: string[] = [];
  const base = port.client as Redis;
  for (const master of masters) {
    if (master.myself) {
      nodes.push({ ...entry, address: `${master.host}:${master.port}` });
      continue;
    }
    const client = new Redis({ ...base.options, host: master.host, port: master.port, lazyConnect: true });
    try {
      await client.connect();
      nodes.push({
        address: `${master.host}:${master.port}`,
        port: await connect(client),
        close: async () => void (await client.quit().catch(() => client.disconnect())),
      });
    } catch (error) {
      client.disconnect();
      problems.push(`master ${master.host}:${master.port} is unreachable: ${(error as Error).message}`);
    }
  }
  return { nodes, cluster: true, problems };
}

interface ClusterMaster {
  host: string;
  port: number;
  myself: boolean;
}

/** Masters of `CLUSTER NODES`: `<id> <ip:port@cport[,hostname]> <flags> …`, skipping failed ones. */
export function parseClusterMasters(text: string): ClusterMaster[] {
  const masters: ClusterMaster[] = [];
  for (const line of text.split('\n')) {
    const [, address, flags] = line.trim().split(' ');
    if (!address || !flags) continue;
    const flagList = flags.split(',');
    if (!flagList.includes('master') || flagList.some((f) => f === 'fail' || f === 'noaddr')) continue;
    const m = /^(.*):(\d+)@/.exec(address);
    if (!m) continue;
    masters.push({ host: m[1]!, port: Number(m[2]), myself: flagList.includes('myself') });
  }
  return masters;
}
