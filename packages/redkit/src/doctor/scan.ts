import type { RedisArg, RedisCommand, RedisPort, RedisReply } from '../client/port.js';
import { RedisCommandError } from '../errors.js';
import type { ResolvedOptions } from './options.js';
import type { KeySample, KeyStats } from './stats.js';

/** How key sizes were measured on a node: MEMORY USAGE, or an estimate when the server lacks it. */
export type MemoryMeasure = 'memory-usage' | 'estimated';

const LENGTH_COMMAND: Record<string, string> = {
  string: 'STRLEN',
  hash: 'HLEN',
  list: 'LLEN',
  set: 'SCARD',
  zset: 'ZCARD',
  stream: 'XLEN',
};

/** A few elements of a collection, to estimate its size when MEMORY USAGE is missing. */
const ELEMENT_SAMPLE: Record<string, (key: Buffer) => RedisCommand> = {
  hash: (key) => ['HRANDFIELD', key, 3, 'WITHVALUES'],
  set: (key) => ['SRANDMEMBER', key, 3],
  zset: (key) => ['ZRANDMEMBER', key, 3, 'WITHSCORES'],
  list: (key) => ['LRANGE', key, 0, 2],
  stream: (key) => ['XRANGE', key, '-', '+', 'COUNT', 1],
};

/** Redis's per-key and per-element overheads, roughly (dictEntry, robj, SDS headers). */
const KEY_OVERHEAD = 56;
const ELEMENT_OVERHEAD = 16;

export interface DatabaseScan {
  node: string;
  db: number;
  /** Keys in the database when the scan began (INFO keyspace). */
  keys: number;
  scanned: number;
  /** The scan stopped at its share of the sample limit. */
  partial: boolean;
}

export interface ScanTarget {
  /** A dedicated connection: the scan SELECTs databases on it. */
  port: RedisPort;
  node: string;
  db: number;
  keys: number;
  /** Keys to inspect at most in this database. */
  budget: number;
}

/**
 * Walks one database with SCAN (never KEYS) and inspects each key with TYPE, PTTL and MEMORY USAGE
 * pipelined per batch, then its length (STRLEN, HLEN …) in a second pipelined round trip.
 */
export class DatabaseScanner {
  measure: MemoryMeasure = 'memory-usage';

  constructor(
    private readonly options: ResolvedOptions,
    private readonly sinks: KeyStats[],
    private readonly onBatch: (inspected: number) => void,
  ) {}

  async scan(target: ScanTarget): Promise<DatabaseScan> {
    const { port, db, budget } = target;
    await port.send('SELECT', db);
    const weight = budget < target.keys ? target.keys / budget : 1;
    let cursor = '0';
    let scanned = 0;
    let truncated = false;
    do {
      const reply = (await port.sendBuffer('SCAN', cursor, 'COUNT', this.options.scanCount)) as [
        Buffer,
        Buffer[],
      ];
      cursor = reply[0].toString();
      const keys = reply[1].slice(0, budget - scanned);
      truncated ||= keys.length < reply[1].length;
      if (keys.length > 0) {
        const samples = await this.inspect(port, keys, target);
        for (const sample of samples) for (const sink of this.sinks) sink.add(sample, weight);
        scanned += keys.length;
        this.onBatch(keys.length);
      }
      if (this.options.pauseMs > 0 && cursor !== '0') await sleep(this.options.pauseMs);
    } while (cursor !== '0' && scanned < budget);
    return { node: target.node, db, keys: target.keys, scanned, partial: truncated || cursor !== '0' };
  }

  private async inspect(port: RedisPort, keys: Buffer[], target: ScanTarget): Promise<KeySample[]> {
    const withMemory = this.measure === 'memory-usage';
    const perKey = withMemory ? 3 : 2;
    const first: RedisCommand[] = [];
    for (const key of keys) {
      first.push(['TYPE', key], ['PTTL', key]);
      if (withMemory) first.push(memoryUsage(key, this.options.memorySamples));
    }
    const replies = await port.pipeline(first);
    if (withMemory && keys.length > 0 && lacksMemoryUsage(replies[2])) {
      // The server has no MEMORY USAGE (or the user may not run it): estimate from lengths from now on.
      this.measure = 'estimated';
      return this.inspect(port, keys, target);
    }
    const types = keys.map((_, i) => String(replies[i * perKey]));
    const second: RedisCommand[] = [];
    const lengthAt: number[] = [];
    const elementsAt: number[] = [];
    keys.forEach((key, i) => {
      const type = types[i]!;
      const length = LENGTH_COMMAND[type];
      lengthAt.push(length ? second.push([length, key]) - 1 : -1);
      const elements = ELEMENT_SAMPLE[type];
      elementsAt.push(!withMemory && elements ? second.push(elements(key)) - 1 : -1);
    });
    const more = second.length > 0 ? await port.pipeline(second) : [];
    const samples: KeySample[] = [];
    keys.forEach((key, i) => {
      const type = types[i]!;
      if (type === 'none') return; // expired or deleted since SCAN saw it
      const pttl = replies[i * perKey + 1];
      const length = lengthAt[i]! >= 0 ? numberOr(more[lengthAt[i]!], 0) : 0;
      const bytes = withMemory
        ? numberOr(replies[i * perKey + 2], 0)
        : estimateBytes(key, type, length, elementsAt[i]! >= 0 ? more[elementsAt[i]!] : undefined);
      samples.push({
        key: key.toString(),
        type,
        bytes,
        length,
        ttlMs: typeof pttl === 'number' && pttl >= 0 ? pttl : -1,
        node: target.node,
        db: target.db,
      });
    });
    return samples;
  }
}

function memoryUsage(key: Buffer, samples: number): RedisCommand {
  return ['MEMORY', 'USAGE', key, 'SAMPLES', samples] as [string, ...RedisArg[]];
}

function lacksMemoryUsage(reply: RedisReply | RedisCommandError | undefined): boolean {
  return (
    reply instanceof RedisCommandError && /unknown command|NOPERM|unknown subcommand/i.test(reply.message)
  );
}

function numberOr(reply: RedisReply | RedisCommandError | undefined, fallback: number): number {
  return typeof reply === 'number' ? reply : fallback;
}

/** A rough MEMORY USAGE: key and value bytes plus Redis's usual overheads, elements from a small sample. */
function estimateBytes(
  key: Buffer,
  type: string,
  length: number,
  sample: RedisReply | RedisCommandError | undefined,
): number {
  if (type === 'string') return KEY_OVERHEAD + key.length + length;
  const elementBytes = averageElementBytes(type, sample);
  return KEY_OVERHEAD + key.length + length * (elementBytes + ELEMENT_OVERHEAD);
}

function averageElementBytes(type: string, sample: RedisReply | RedisCommandError | undefined): number {
  if (!Array.isArray(sample) || sample.length === 0) return 16;
  const flat = sample.flat(3).filter((x): x is string => typeof x === 'string');
  const total = flat.reduce((sum, s) => sum + Buffer.byteLength(s), 0);
  // HRANDFIELD/ZRANDMEMBER … WITHVALUES/WITHSCORES give two strings per element; a stream entry is one.
  const perElement = type === 'hash' || type === 'zset' ? 2 : 1;
  const elements = type === 'stream' ? sample.length : flat.length / perElement;
  return elements > 0 ? total / elements : 16;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
