import { type ConnectTarget, connect } from '../client/connect.js';
import type { RedisPort } from '../client/port.js';
import { type Check, keyspaceChecks, serverChecks } from './checks.js';
import { gatherFacts, type NodeFacts } from './facts.js';
import { infoNumber, keyspace, parseInfo } from './info.js';
import { type DoctorNode, resolveNodes } from './nodes.js';
import { type DoctorOptions, type ResolvedOptions, resolveOptions } from './options.js';
import {
  type DoctorReport,
  exitCodeOf,
  type KeyDetail,
  type NodeSummary,
  overallStatus,
  type ScanSummary,
} from './report.js';
import { type DatabaseScan, DatabaseScanner, type MemoryMeasure } from './scan.js';
import { type KeySample, KeyStats } from './stats.js';

/** Where the doctor looks without a target: REDIS_URL, else a local Redis (an empty embedded engine has nothing to scan). */
export const DEFAULT_DOCTOR_URL = 'redis://127.0.0.1:6379';

/**
 * Examines a live server (standalone, every master of a Cluster, or the embedded engine): health checks
 * from INFO and CONFIG, and the keyspace anti-patterns a SCAN sample shows. Never throws for an unhealthy
 * or unreachable server: that is a failing check in the report.
 */
export async function doctor(
  target?: RedisPort | ConnectTarget,
  options: DoctorOptions = {},
): Promise<DoctorReport> {
  const resolved = resolveOptions(options);
  const startedAt = new Date();
  const given = isPort(target) ? target : undefined;
  const url = given ? undefined : (target ?? process.env.REDIS_URL ?? DEFAULT_DOCTOR_URL);
  const label = typeof url === 'string' ? redact(url) : given ? given.backend : 'client';
  let port: RedisPort;
  try {
    port = given ?? (await connect(url as ConnectTarget));
  } catch (error) {
    return unreachable(label, startedAt, resolved, error);
  }
  try {
    return await examine(port, label, startedAt, resolved);
  } catch (error) {
    if (isConnectionError(error)) return unreachable(label, startedAt, resolved, error);
    throw error;
  } finally {
    if (!given) await port.close();
  }
}

async function examine(
  port: RedisPort,
  label: string,
  startedAt: Date,
  options: ResolvedOptions,
): Promise<DoctorReport> {
  const clusterEnabled = await port
    .send('INFO', 'cluster')
    .then((text) => parseInfo(String(text)).get('cluster_enabled') === '1')
    .catch(() => false);
  const { nodes, cluster, problems } = await resolveNodes(port, clusterEnabled);
  try {
    const facts = await Promise.all(nodes.map((node) => gatherFacts(node.port, node.address)));
    const plan = scanPlan(facts, cluster, options);
    const total = plan.reduce((sum, p) => sum + p.budget, 0);
    const stats = new KeyStats(options);
    const perNode = new Map(nodes.map((node) => [node.address, new KeyStats(options)]));
    const databases: DatabaseScan[] = [];
    const measures = new Map<string, MemoryMeasure>();
    let inspected = 0;
    for (const node of nodes) {
      const targets = plan.filter((p) => p.node === node.address);
      if (targets.length === 0) continue;
      const scanner = new DatabaseScanner(options, [stats, perNode.get(node.address)!], (count) => {
        inspected += count;
        options.onProgress?.({ node: node.address, db: current, scanned: inspected, total });
      });
      let current = targets[0]!.db;
      const dedicated = await node.port.duplicate();
      try {
        for (const target of targets) {
          current = target.db;
          databases.push(await scanner.scan({ ...target, port: dedicated }));
        }
      } finally {
        await dedicated.close();
      }
      measures.set(node.address, scanner.measure);
    }

    const checks: Check[] = [...keyspaceChecks(stats, options)];
    if (cluster && problems.length > 0) {
      checks.push({
        id: 'cluster.coverage',
        status: 'fail',
        title: 'Cluster masters scanned',
        message: problems.join('; '),
        advice:
          'Every master must be reachable from here for a complete report: check the network and the nodes.',
      });
    }
    for (const f of facts) checks.push(...serverChecks(f, perNode.get(f.address)!, cluster));
    const status = overallStatus(checks);
    return {
      target: label,
      status,
      exitCode: exitCodeOf(status, options.strict),
      strict: options.strict,
      startedAt: startedAt.toISOString(),
      durationMs: Date.now() - startedAt.getTime(),
      cluster,
      nodes: facts.map((f) => nodeSummary(f, databases, measures.get(f.address) ?? 'memory-usage')),
      scan: scanSummary(stats, databases, [...measures.values()], options),
      checks,
    };
  } finally {
    await Promise.all(nodes.map((node: DoctorNode) => node.close()));
  }
}

interface PlannedScan {
  node: string;
  db: number;
  keys: number;
  budget: number;
}

/** Databases to scan and each one's share of the sample limit, in proportion to its keys. */
function scanPlan(facts: NodeFacts[], cluster: boolean, options: ResolvedOptions): PlannedScan[] {
  const plan: PlannedScan[] = [];
  for (const f of facts) {
    for (const db of keyspace(f.info)) {
      if (db.keys === 0 || (cluster && db.db !== 0)) continue;
      if (options.databases && !options.databases.includes(db.db)) continue;
      plan.push({ node: f.address, db: db.db, keys: db.keys, budget: db.keys });
    }
  }
  const all = plan.reduce((sum, p) => sum + p.keys, 0);
  if (options.sample > 0 && all > options.sample) {
    for (const p of plan) p.budget = Math.max(1, Math.floor((options.sample * p.keys) / all));
  }
  return plan;
}

function nodeSummary(f: NodeFacts, databases: DatabaseScan[], measure: MemoryMeasure): NodeSummary {
  const mine = databases.filter((d) => d.node === f.address);
  const maxmemory = f.config.maxmemory === undefined ? null : Number(f.config.maxmemory);
  return {
    address: f.address,
    server: f.server,
    version: f.version,
    role: f.role,
    usedMemory: infoNumber(f.info, 'used_memory') ?? null,
    maxmemory,
    maxmemoryPolicy: f.config['maxmemory-policy'] ?? null,
    keys: keyspace(f.info).reduce((sum, db) => sum + db.keys, 0),
    scanned: mine.reduce((sum, d) => sum + d.scanned, 0),
    memoryMeasure: measure,
  };
}

function scanSummary(
  stats: KeyStats,
  databases: DatabaseScan[],
  measures: MemoryMeasure[],
  options: ResolvedOptions,
): ScanSummary {
  const unique = [...new Set(measures)];
  const round = (t: { keys: number; bytes: number; elements: number }) => ({
    keys: Math.round(t.keys),
    bytes: Math.round(t.bytes),
    elements: Math.round(t.elements),
  });
  return {
    keys: databases.reduce((sum, d) => sum + d.keys, 0),
    scanned: databases.reduce((sum, d) => sum + d.scanned, 0),
    partial: databases.some((d) => d.partial),
    memoryMeasure: unique.length === 0 ? 'memory-usage' : unique.length === 1 ? unique[0]! : 'mixed',
    databases,
    byType: Object.fromEntries([...stats.byType].map(([type, t]) => [type, round(t)])),
    prefixes: stats.prefixList().slice(0, options.top),
    topKeys: stats.topByMemory.items.map(detail),
    biggestByType: Object.fromEntries([...stats.biggestByType].map(([type, k]) => [type, detail(k)])),
  };
}

const detail = (k: KeySample): KeyDetail => ({ ...k });

function unreachable(label: string, startedAt: Date, options: ResolvedOptions, error: unknown): DoctorReport {
  const checks: Check[] = [
    {
      id: 'server.ping',
      status: 'fail',
      title: 'PING',
      message: (error as Error).message.startsWith('cannot connect')
        ? (error as Error).message
        : `no answer from ${label}: ${(error as Error).message}`,
      advice:
        'Check the URL (redkit doctor redis://host:port, or REDIS_URL), that the server runs and that this ' +
        'machine may reach it (bind, protected-mode, firewall, password in the URL).',
    },
  ];
  return {
    target: label,
    status: 'fail',
    exitCode: 1,
    strict: options.strict,
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
    cluster: false,
    nodes: [],
    scan: {
      keys: 0,
      scanned: 0,
      partial: false,
      memoryMeasure: 'memory-usage',
      databases: [],
      byType: {},
      prefixes: [],
      topKeys: [],
      biggestByType: {},
    },
    checks,
  };
}

function isPort(target: unknown): target is RedisPort {
  const t = target as Partial<RedisPort> | null | undefined;
  return (
    !!t && typeof t.send === 'function' && typeof t.pipeline === 'function' && typeof t.backend === 'string'
  );
}

function isConnectionError(error: unknown): boolean {
  const message = error instanceof Error ? error.message : '';
  return /ECONNREFUSED|ECONNRESET|Connection is closed|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|NOAUTH|WRONGPASS/.test(
    message,
  );
}

/** The URL without its password, for the report. */
export function redact(url: string): string {
  return url.replace(/^([a-z+]+:\/\/[^:/@]*:)[^@]*@/i, '$1***@');
}
