import type { Check, CheckStatus } from './checks.js';
import type { DatabaseScan, MemoryMeasure } from './scan.js';
import type { PrefixStats, TypeStats } from './stats.js';

export interface KeyDetail {
  key: string;
  type: string;
  /** MEMORY USAGE (or its estimate), bytes. */
  bytes: number;
  /** STRLEN for strings, elements for collections. */
  length: number;
  ttlMs: number;
  node: string;
  db: number;
}

export interface NodeSummary {
  address: string;
  server: string;
  version: string;
  role: string;
  usedMemory: number | null;
  maxmemory: number | null;
  maxmemoryPolicy: string | null;
  keys: number;
  scanned: number;
  memoryMeasure: MemoryMeasure;
}

export interface ScanSummary {
  /** Keys in the scanned databases (INFO keyspace). */
  keys: number;
  /** Keys inspected (the sample). */
  scanned: number;
  /** The sample limit stopped the scan early: key counts and memory below are extrapolated. */
  partial: boolean;
  /** 'estimated' when a server has no MEMORY USAGE (sizes computed from lengths). */
  memoryMeasure: MemoryMeasure | 'mixed';
  databases: DatabaseScan[];
  byType: Record<string, TypeStats>;
  /** Memory by prefix, largest first (redis-cli --memkeys, grouped). */
  prefixes: PrefixStats[];
  /** Keys using the most memory. */
  topKeys: KeyDetail[];
  /** Per type, the key with the most elements (bytes for strings): redis-cli --bigkeys. */
  biggestByType: Record<string, KeyDetail>;
}

export interface DoctorReport {
  /** The server examined (URL without its password). */
  target: string;
  status: Exclude<CheckStatus, 'unknown'>;
  /** 0 when every check passed; 1 when one failed (or warned, with `strict`). */
  exitCode: 0 | 1;
  strict: boolean;
  startedAt: string;
  durationMs: number;
  cluster: boolean;
  nodes: NodeSummary[];
  scan: ScanSummary;
  checks: Check[];
}

export function overallStatus(checks: Check[]): Exclude<CheckStatus, 'unknown'> {
  if (checks.some((c) => c.status === 'fail')) return 'fail';
  if (checks.some((c) => c.status === 'warn')) return 'warn';
  return 'ok';
}

export function exitCodeOf(status: CheckStatus, strict: boolean): 0 | 1 {
  return status === 'fail' || (strict && status === 'warn') ? 1 : 0;
}
