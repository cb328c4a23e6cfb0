import { RedkitConfigError } from '../errors.js';

export interface DoctorOptions {
  /** Keys to inspect at most, over all nodes and databases (0: every key). Default 100,000. */
  sample?: number;
  /** SCAN's COUNT hint: keys per round trip. Default 1,000. */
  scanCount?: number;
  /** Pause between SCAN batches in ms, to lighten the load on a busy server (as redis-cli -i). Default 0. */
  pauseMs?: number;
  /** Databases to scan; default every database INFO keyspace lists (only 0 on Cluster). */
  databases?: number[];
  /** Key separator for prefix groups. Default ':'. */
  separator?: string;
  /** Segments kept in a prefix group at most. Default 2. */
  depth?: number;
  /** MEMORY USAGE … SAMPLES (0 reads every element of a collection). Default 5, as Redis. */
  memorySamples?: number;
  /** A string value at least this big (bytes) is a large value. Default 100 KB (the seeds' threshold). */
  bigValueBytes?: number;
  /** A collection with at least this many elements is a big key. Default 10,000. */
  bigCollectionElements?: number;
  /** Any key using at least this much memory (bytes) is a big key. Default 10 MB. */
  bigKeyBytes?: number;
  /** Glob patterns of keys meant to live without TTL (leaderboards, queues …): not flagged. */
  allowNoTtl?: string[];
  /** Rows in the report's top lists. Default 10. */
  top?: number;
  /** Warnings fail too (exit code 1). */
  strict?: boolean;
  /** Called as keys are inspected (the CLI's progress bar). */
  onProgress?: (progress: ScanProgress) => void;
}

export interface ScanProgress {
  node: string;
  db: number;
  scanned: number;
  /** Keys that will be inspected in all (sample limit or key count). */
  total: number;
}

export type ResolvedOptions = Required<Omit<DoctorOptions, 'onProgress' | 'databases'>> &
  Pick<DoctorOptions, 'onProgress' | 'databases'>;

export function resolveOptions(options: DoctorOptions): ResolvedOptions {
  const resolved: ResolvedOptions = {
    sample: options.sample ?? 100_000,
    scanCount: options.scanCount ?? 1000,
    pauseMs: options.pauseMs ?? 0,
    databases: options.databases,
    separator: options.separator ?? ':',
    depth: options.depth ?? 2,
    memorySamples: options.memorySamples ?? 5,
    bigValueBytes: options.bigValueBytes ?? 100 * 1024,
    bigCollectionElements: options.bigCollectionElements ?? 10_000,
    bigKeyBytes: options.bigKeyBytes ?? 10 * 1024 * 1024,
    allowNoTtl: options.allowNoTtl ?? [],
    top: options.top ?? 10,
    strict: options.strict ?? false,
    onProgress: options.onProgress,
  };
  const counts: Array<[keyof ResolvedOptions, number]> = [
    ['sample', resolved.sample],
    ['pauseMs', resolved.pauseMs],
    ['memorySamples', resolved.memorySamples],
  ];
  for (const [name, value] of counts) {
    if (!Number.isInteger(value) || value < 0)
      throw new RedkitConfigError(`doctor option ${name} must be a whole number ≥ 0, got ${value}`);
  }
  const positive: Array<[keyof ResolvedOptions, number]> = [
    ['scanCount', resolved.scanCount],
    ['depth', resolved.depth],
    ['bigValueBytes', resolved.bigValueBytes],
    ['bigCollectionElements', resolved.bigCollectionElements],
    ['bigKeyBytes', resolved.bigKeyBytes],
    ['top', resolved.top],
  ];
  for (const [name, value] of positive) {
    if (!Number.isInteger(value) || value < 1)
      throw new RedkitConfigError(`doctor option ${name} must be a whole number ≥ 1, got ${value}`);
  }
  return resolved;
}

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1000,
  kb: 1024,
  m: 1e6,
  mb: 1024 ** 2,
  g: 1e9,
  gb: 1024 ** 3,
};

/** A size as redis.conf writes them: `100kb`, `1mb`, `5gb`, `1k` (1000), or plain bytes. */
export function parseSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = m ? UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined)
    throw new RedkitConfigError(`'${text}' is not a size: write bytes or 100kb, 1mb, 2gb (as redis.conf)`);
  return Math.round(Number(m[1]) * unit);
}

/** Bytes for people: 1023 B, 1.5 KB, 12.0 MB. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${Math.round(bytes)} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}
