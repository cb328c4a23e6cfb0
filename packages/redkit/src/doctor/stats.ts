import { globToRegExp, keyPrefix } from './prefix.js';

/** One inspected key. `bytes` is MEMORY USAGE's figure (or an estimate), `length` STRLEN/HLEN/LLEN/…. */
export interface KeySample {
  key: string;
  type: string;
  bytes: number;
  length: number;
  /** Milliseconds to live, or -1 for none. */
  ttlMs: number;
  node: string;
  db: number;
}

export interface PrefixStats {
  prefix: string;
  /** Keys (estimated for the whole keyspace when only a sample was read). */
  keys: number;
  bytes: number;
  noTtlKeys: number;
  noTtlBytes: number;
  /** Keys inspected under this prefix. */
  sampled: number;
  types: Record<string, number>;
}

export interface TypeStats {
  keys: number;
  bytes: number;
  elements: number;
}

interface PrefixAccumulator extends PrefixStats {
  /** Keys with a TTL by the second they expire (to find keys that all expire together). */
  expirySeconds: Map<number, number>;
  ttlSampled: number;
}

/** A bounded list of the largest items by a measure, for the report's top-N tables. */
class TopList {
  readonly items: KeySample[] = [];
  constructor(
    private readonly size: number,
    private readonly measure: (k: KeySample) => number,
  ) {}
  offer(sample: KeySample): void {
    if (this.items.length === this.size && this.measure(sample) <= this.measure(this.items.at(-1)!)) return;
    this.items.push(sample);
    this.items.sort((a, b) => this.measure(b) - this.measure(a));
    if (this.items.length > this.size) this.items.pop();
  }
}

export interface StatsSettings {
  separator: string;
  depth: number;
  top: number;
  bigValueBytes: number;
  bigCollectionElements: number;
  bigKeyBytes: number;
  allowNoTtl: string[];
}

/** What the scan saw, grouped as the checks and the report need it. */
export class KeyStats {
  sampled = 0;
  /** Some keys stand for others (a sample of a bigger keyspace): counts are extrapolated. */
  extrapolated = false;
  /** Sum of weights: the estimated number of keys the sample stands for. */
  estimatedKeys = 0;
  readonly byType = new Map<string, TypeStats>();
  private readonly prefixes = new Map<string, PrefixAccumulator>();
  readonly topByMemory: TopList;
  /** Per type, the key with the most elements (bytes for strings): redis-cli --bigkeys. */
  readonly biggestByType = new Map<string, KeySample>();
  readonly largeValues: TopList;
  largeValueCount = 0;
  readonly bigCollections: TopList;
  bigCollectionCount = 0;
  /** Sampled bytes of keys with and without TTL, and of lists/streams without TTL (queues, logs). */
  ttlBytes = 0;
  noTtlBytes = 0;
  noTtlKeys = 0;
  allowedNoTtlKeys = 0;
  queueLikeNoTtlKeys = 0;
  private readonly allow: RegExp[];

  constructor(private readonly settings: StatsSettings) {
    this.topByMemory = new TopList(settings.top, (k) => k.bytes);
    this.largeValues = new TopList(settings.top, (k) => k.length);
    this.bigCollections = new TopList(settings.top, (k) => k.bytes);
    this.allow = settings.allowNoTtl.map(globToRegExp);
  }

  /** Adds one key; `weight` is how many keys of its database it stands for (1 when all are read). */
  add(sample: KeySample, weight: number): void {
    this.sampled++;
    this.estimatedKeys += weight;
    if (weight !== 1) this.extrapolated = true;
    const type = this.byType.get(sample.type) ?? { keys: 0, bytes: 0, elements: 0 };
    type.keys += weight;
    type.bytes += sample.bytes * weight;
    type.elements += sample.length * weight;
    this.byType.set(sample.type, type);

    const name = keyPrefix(sample.key, this.settings.separator, this.settings.depth);
    let prefix = this.prefixes.get(name);
    if (!prefix) {
      prefix = {
        prefix: name,
        keys: 0,
        bytes: 0,
        noTtlKeys: 0,
        noTtlBytes: 0,
        sampled: 0,
        types: {},
        expirySeconds: new Map(),
        ttlSampled: 0,
      };
      this.prefixes.set(name, prefix);
    }
    prefix.keys += weight;
    prefix.bytes += sample.bytes * weight;
    prefix.sampled++;
    prefix.types[sample.type] = (prefix.types[sample.type] ?? 0) + 1;

    if (sample.ttlMs < 0) {
      if (this.allow.some((re) => re.test(sample.key))) this.allowedNoTtlKeys += weight;
      else {
        prefix.noTtlKeys += weight;
        prefix.noTtlBytes += sample.bytes * weight;
        this.noTtlKeys += weight;
      }
      this.noTtlBytes += sample.bytes * weight;
      if (sample.type === 'list' || sample.type === 'stream') this.queueLikeNoTtlKeys += weight;
    } else {
      this.ttlBytes += sample.bytes * weight;
      prefix.ttlSampled++;
      const second = Math.floor((Date.now() + sample.ttlMs) / 1000);
      prefix.expirySeconds.set(second, (prefix.expirySeconds.get(second) ?? 0) + 1);
    }

    this.topByMemory.offer(sample);
    const biggest = this.biggestByType.get(sample.type);
    if (!biggest || sample.length > biggest.length) this.biggestByType.set(sample.type, sample);
    if (sample.type === 'string' && sample.length >= this.settings.bigValueBytes) {
      this.largeValueCount += weight;
      this.largeValues.offer(sample);
    }
    if (
      (sample.type !== 'string' && sample.length >= this.settings.bigCollectionElements) ||
      sample.bytes >= this.settings.bigKeyBytes
    ) {
      this.bigCollectionCount += weight;
      this.bigCollections.offer(sample);
    }
  }

  /** Prefix groups, largest memory first. */
  prefixList(): PrefixStats[] {
    return [...this.prefixes.values()]
      .map(({ expirySeconds: _e, ttlSampled: _t, ...stats }) => ({
        ...stats,
        keys: Math.round(stats.keys),
        bytes: Math.round(stats.bytes),
        noTtlKeys: Math.round(stats.noTtlKeys),
        noTtlBytes: Math.round(stats.noTtlBytes),
      }))
      .sort((a, b) => b.bytes - a.bytes || b.keys - a.keys);
  }

  /**
   * Prefixes where at least `minKeys` sampled keys have a TTL and at least `share` of them expire in the
   * same second: they were written together with one fixed TTL and will all miss together (a stampede).
   */
  synchronizedExpiries(
    minKeys: number,
    share: number,
  ): Array<{ prefix: string; keys: number; sameSecond: number }> {
    const found: Array<{ prefix: string; keys: number; sameSecond: number }> = [];
    for (const prefix of this.prefixes.values()) {
      if (prefix.ttlSampled < minKeys) continue;
      let peak = 0;
      for (const count of prefix.expirySeconds.values()) peak = Math.max(peak, count);
      if (peak >= share * prefix.ttlSampled)
        found.push({ prefix: prefix.prefix, keys: prefix.ttlSampled, sameSecond: peak });
    }
    return found.sort((a, b) => b.sameSecond - a.sameSecond);
  }
}
