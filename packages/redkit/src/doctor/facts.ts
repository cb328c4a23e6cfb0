import type { RedisPort } from '../client/port.js';
import { RedisCommandError } from '../errors.js';
import { type InfoFields, infoNumber, parseInfo } from './info.js';

export const CONFIG_PARAMETERS = [
  'maxmemory',
  'maxmemory-policy',
  'maxclients',
  'appendonly',
  'save',
] as const;
export type ConfigName = (typeof CONFIG_PARAMETERS)[number];

/** What INFO and CONFIG GET said about one server. */
export interface NodeFacts {
  address: string;
  /** 'redis', 'valkey', 'redkit' (the embedded engine) … */
  server: string;
  version: string;
  role: string;
  pingMs: number;
  info: InfoFields;
  /** CONFIG GET values; a parameter is missing when CONFIG is renamed, denied or does not know it. */
  config: Partial<Record<ConfigName, string>>;
  /** Why CONFIG GET could not be used, when it could not. */
  configProblem?: string;
  /** CLUSTER INFO's fields, on a Cluster node. */
  clusterInfo?: InfoFields;
}

export async function gatherFacts(port: RedisPort, address: string): Promise<NodeFacts> {
  const pingMs = await medianPing(port);
  const info = parseInfo(await infoText(port));
  const { config, problem } = await readConfig(port, info);
  const clusterInfo =
    info.get('cluster_enabled') === '1' ? parseInfo(String(await port.send('CLUSTER', 'INFO'))) : undefined;
  return {
    clusterInfo,
    address,
    server: info.get('server_name') ?? (info.has('redkit_version') ? 'redkit' : 'redis'),
    version: info.get('redis_version') ?? 'unknown',
    role: info.get('role') ?? 'master',
    pingMs,
    info,
    config,
    configProblem: problem,
  };
}

async function medianPing(port: RedisPort): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const start = performance.now();
    await port.ping();
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[1]!;
}

/** `INFO all` has commandstats; servers that refuse it get plain INFO plus the sections asked one by one. */
async function infoText(port: RedisPort): Promise<string> {
  try {
    return String(await port.send('INFO', 'all'));
  } catch {
    let text = String(await port.send('INFO'));
    for (const section of ['commandstats', 'errorstats']) {
      text += `\n${await port.send('INFO', section).catch(() => '')}`;
    }
    return text;
  }
}

/**
 * CONFIG GET, one parameter per command (older servers take one). Managed services rename or deny CONFIG:
 * then INFO's copies (maxmemory, maxmemory_policy, maxclients, aof_enabled) stand in where they exist.
 */
async function readConfig(
  port: RedisPort,
  info: InfoFields,
): Promise<{ config: Partial<Record<ConfigName, string>>; problem?: string }> {
  const config: Partial<Record<ConfigName, string>> = {};
  let problem: string | undefined;
  const replies = await port.pipeline(CONFIG_PARAMETERS.map((name) => ['CONFIG', 'GET', name]));
  CONFIG_PARAMETERS.forEach((name, i) => {
    const reply = replies[i];
    if (reply instanceof RedisCommandError) problem ??= reply.message;
    else if (Array.isArray(reply) && reply.length >= 2) config[name] = String(reply[1]);
  });
  const fallback: Array<[ConfigName, string | undefined]> = [
    ['maxmemory', info.get('maxmemory')],
    ['maxmemory-policy', info.get('maxmemory_policy')],
    ['maxclients', info.get('maxclients')],
    [
      'appendonly',
      infoNumber(info, 'aof_enabled') === undefined
        ? undefined
        : info.get('aof_enabled') === '1'
          ? 'yes'
          : 'no',
    ],
  ];
  for (const [name, value] of fallback)
    if (config[name] === undefined && value !== undefined) config[name] = value;
  return { config, problem };
}
