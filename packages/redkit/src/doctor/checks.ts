import type { NodeFacts } from './facts.js';
import { commandStats, errorCount, infoNumber } from './info.js';
import { formatBytes, type ResolvedOptions } from './options.js';
import type { KeyStats } from './stats.js';

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'unknown';

/** One finding: what was seen (`message`) and what to do about it (`advice`). */
export interface Check {
  id: string;
  status: CheckStatus;
  title: string;
  message: string;
  advice?: string;
  /** The server it is about (server checks); absent for keyspace checks, which cover every node. */
  node?: string;
  details?: Record<string, unknown>;
}

const n = (value: number) => Math.round(value).toLocaleString('en-US');
const pct = (part: number, whole: number) => (whole > 0 ? `${((part / whole) * 100).toFixed(1)}%` : '0%');

// ---------------------------------------------------------------- keyspace checks (every node's keys)

export function keyspaceChecks(stats: KeyStats, options: ResolvedOptions): Check[] {
  return [noTtl(stats), largeValues(stats, options), bigKeys(stats, options), synchronizedExpiry(stats)];
}

function noTtl(stats: KeyStats): Check {
  const title = 'Keys without TTL';
  const allowed =
    stats.allowedNoTtlKeys > 0 ? ` (${n(stats.allowedNoTtlKeys)} more are allowed by --allow-no-ttl)` : '';
  if (stats.noTtlKeys === 0) {
    return { id: 'keys.no-ttl', status: 'ok', title, message: `every key inspected has a TTL${allowed}` };
  }
  const prefixes = stats
    .prefixList()
    .filter((p) => p.noTtlKeys > 0)
    .sort((a, b) => b.noTtlBytes - a.noTtlBytes || b.noTtlKeys - a.noTtlKeys);
  const listed = prefixes
    .slice(0, 5)
    .map((p) => `${p.prefix} (${n(p.noTtlKeys)} keys, ${formatBytes(p.noTtlBytes)})`)
    .join(', ');
  return {
    id: 'keys.no-ttl',
    status: 'warn',
    title,
    message:
      `${stats.extrapolated ? 'about ' : ''}${n(stats.noTtlKeys)} keys (${pct(stats.noTtlKeys, stats.estimatedKeys)} of keys) have no TTL, under ` +
      `${prefixes.length} prefix${prefixes.length === 1 ? '' : 'es'}: ${listed}${allowed}`,
    advice:
      'Keys without TTL accumulate until memory runs out: give cached and temporary data a TTL (SET … EX, ' +
      'EXPIRE). Allow keys that must persist (leaderboards, queues) with --allow-no-ttl "pattern:*".',
    details: {
      keys: Math.round(stats.noTtlKeys),
      prefixes: prefixes.map((p) => ({ prefix: p.prefix, keys: p.noTtlKeys, bytes: p.noTtlBytes })),
    },
  };
}

function largeValues(stats: KeyStats, options: ResolvedOptions): Check {
  const title = `String values of ${formatBytes(options.bigValueBytes)} or more`;
  if (stats.largeValueCount === 0)
    return { id: 'keys.large-values', status: 'ok', title, message: 'no string value is that large' };
  const keys = stats.largeValues.items;
  return {
    id: 'keys.large-values',
    status: 'warn',
    title,
    message: `${stats.extrapolated ? 'about ' : ''}${n(stats.largeValueCount)} large value${stats.largeValueCount === 1 ? '' : 's'}: ${keys
      .slice(0, 5)
      .map((k) => `${k.key} (${formatBytes(k.length)})`)
      .join(', ')}`,
    advice:
      'Large blobs slow every read and write of the key and block the server while they are copied: keep ' +
      'them in an object store and put a reference in Redis, or split or compress them.',
    details: { count: Math.round(stats.largeValueCount), keys: keys.map(keyDetail) },
  };
}

const TRIM_ADVICE: Record<string, string> = {
  hash: 'split big hashes into buckets (key:{n}) and read them with HSCAN, not HGETALL',
  set: 'split big sets into buckets and read them with SSCAN, not SMEMBERS',
  zset: 'bound sorted sets with ZREMRANGEBYRANK/ZREMRANGEBYSCORE',
  list: 'cap lists with LTRIM after each push',
  stream: 'cap streams with XADD … MAXLEN ~ n (or XTRIM)',
  string: 'move large values to an object store',
};

function bigKeys(stats: KeyStats, options: ResolvedOptions): Check {
  const title = `Big keys (${n(options.bigCollectionElements)}+ elements or ${formatBytes(options.bigKeyBytes)}+)`;
  if (stats.bigCollectionCount === 0)
    return { id: 'keys.big-keys', status: 'ok', title, message: 'no key is that big' };
  const keys = stats.bigCollections.items;
  const types = [...new Set(keys.map((k) => k.type))];
  return {
    id: 'keys.big-keys',
    status: 'warn',
    title,
    message: `${stats.extrapolated ? 'about ' : ''}${n(stats.bigCollectionCount)} big key${stats.bigCollectionCount === 1 ? '' : 's'}: ${keys
      .slice(0, 5)
      .map(
        (k) =>
          `${k.key} (${k.type}, ${n(k.length)} ${k.type === 'string' ? 'bytes' : 'elements'}, ${formatBytes(k.bytes)})`,
      )
      .join(', ')}`,
    advice:
      `Commands over a whole big key (and DEL, expiry, migration) block the server: ` +
      `${types.map((t) => TRIM_ADVICE[t] ?? `keep ${t} keys small`).join('; ')}; delete big keys with UNLINK.`,
    details: { count: Math.round(stats.bigCollectionCount), keys: keys.map(keyDetail) },
  };
}

function synchronizedExpiry(stats: KeyStats): Check {
  const title = 'Keys expiring together';
  const found = stats.synchronizedExpiries(100, 0.25);
  if (found.length === 0)
    return {
      id: 'keys.expiry-stampede',
      status: 'ok',
      title,
      message: 'no prefix has its keys expire at once',
    };
  return {
    id: 'keys.expiry-stampede',
    status: 'warn',
    title,
    message: `keys that expire in the same second: ${found
      .slice(0, 5)
      .map((f) => `${f.prefix} (${n(f.sameSecond)} of ${n(f.keys)} inspected)`)
      .join(', ')}`,
    advice:
      'Keys written together with one fixed TTL all miss together and send a stampede to the database: add ' +
      'random jitter to TTLs (e.g. 3600 + random 0–300 s) and recompute under a lock.',
    details: { prefixes: found },
  };
}

function keyDetail(k: {
  key: string;
  type: string;
  bytes: number;
  length: number;
  node: string;
  db: number;
}) {
  return { key: k.key, type: k.type, bytes: k.bytes, length: k.length, node: k.node, db: k.db };
}

// ---------------------------------------------------------------- server checks (one node each)

export function serverChecks(facts: NodeFacts, stats: KeyStats, cluster: boolean): Check[] {
  const checks = [
    ping(facts),
    dangerousCommands(facts),
    maxmemory(facts),
    memoryUsage(facts),
    evictionPolicy(facts, stats),
    evictions(facts),
    fragmentation(facts),
    clients(facts),
    persistence(facts, stats),
    cachedScripts(facts),
  ];
  if (facts.role === 'slave') checks.push(replication(facts));
  if (cluster) checks.push(clusterState(facts));
  return checks.map((check) => ({ ...check, node: facts.address }));
}

function ping(f: NodeFacts): Check {
  const ms = f.pingMs.toFixed(1);
  if (f.pingMs > 100)
    return {
      id: 'server.ping',
      status: 'warn',
      title: 'PING',
      message: `PONG in ${ms} ms (median of 3)`,
      advice: 'A slow PING means a slow network or a busy server: look at SLOWLOG GET and LATENCY DOCTOR.',
    };
  return {
    id: 'server.ping',
    status: 'ok',
    title: 'PING',
    message: `PONG in ${ms} ms (${f.server} ${f.version})`,
  };
}

const DANGEROUS: Record<string, string> = {
  keys: 'KEYS walks the whole keyspace in one blocking call: use SCAN with a cursor',
  flushall: 'FLUSHALL wipes every database: scope deletes to a key pattern (SCAN + UNLINK) and rename it off',
  flushdb: 'FLUSHDB wipes the database: scope deletes to a key pattern (SCAN + UNLINK)',
  save: 'SAVE blocks the server while it writes the snapshot: use BGSAVE',
};

function dangerousCommands(f: NodeFacts): Check {
  const title = 'Dangerous commands in command statistics';
  const stats = commandStats(f.info);
  if (stats.length === 0)
    return {
      id: 'commands.dangerous',
      status: 'unknown',
      title,
      message: 'INFO commandstats is not available on this server',
    };
  const seen = stats.filter((s) => s.calls > 0 && DANGEROUS[s.command]);
  if (seen.length === 0)
    return {
      id: 'commands.dangerous',
      status: 'ok',
      title,
      message: 'no KEYS, FLUSHALL, FLUSHDB or SAVE since the statistics were reset',
    };
  // A KEYS call that took 10 ms or more held every other client for as long: a real outage, not a smell.
  const blocking = seen.some((s) => s.command === 'keys' && s.usecPerCall >= 10_000);
  return {
    id: 'commands.dangerous',
    status: blocking ? 'fail' : 'warn',
    title,
    message: seen
      .map(
        (s) =>
          `${s.command.toUpperCase()} ran ${n(s.calls)} time${s.calls === 1 ? '' : 's'} (${(s.usecPerCall / 1000).toFixed(2)} ms per call)`,
      )
      .join(', '),
    advice: `${seen.map((s) => DANGEROUS[s.command]).join('; ')}. Find the caller with CLIENT LIST / MONITOR; rename-command or ACLs (-@dangerous) keep them out; CONFIG RESETSTAT once fixed.`,
    details: { commands: seen },
  };
}

function maxmemory(f: NodeFacts): Check {
  const title = 'maxmemory';
  const raw = f.config.maxmemory;
  if (raw === undefined)
    return { id: 'memory.maxmemory', status: 'unknown', title, message: unknownConfig(f, 'maxmemory') };
  const limit = Number(raw);
  if (limit > 0)
    return { id: 'memory.maxmemory', status: 'ok', title, message: `maxmemory is ${formatBytes(limit)}` };
  const used = infoNumber(f.info, 'used_memory') ?? 0;
  const system = infoNumber(f.info, 'total_system_memory') ?? 0;
  const nearSystem = system > 0 && used >= 0.9 * system;
  return {
    id: 'memory.maxmemory',
    status: nearSystem ? 'fail' : 'warn',
    title,
    message:
      `no maxmemory: memory grows without limit and no eviction policy applies (${formatBytes(used)} used` +
      `${system > 0 ? `, ${pct(used, system)} of the machine's ${formatBytes(system)}` : ''})`,
    advice:
      'Set maxmemory below the machine or container limit (e.g. 75% of it) and a maxmemory-policy that fits ' +
      'the data: allkeys-lru for a cache, volatile-lru for mixed data, noeviction for queues.',
  };
}

function memoryUsage(f: NodeFacts): Check {
  const title = 'Memory used';
  const used = infoNumber(f.info, 'used_memory');
  const limit = Number(f.config.maxmemory ?? 0);
  const policy = f.config['maxmemory-policy'];
  if (used === undefined)
    return { id: 'memory.usage', status: 'unknown', title, message: 'INFO memory has no used_memory' };
  if (!(limit > 0))
    return { id: 'memory.usage', status: 'ok', title, message: `${formatBytes(used)} used, no limit set` };
  const share = used / limit;
  const message = `${formatBytes(used)} used of ${formatBytes(limit)} (${pct(used, limit)}), policy ${policy ?? 'unknown'}`;
  if (policy?.startsWith('allkeys-'))
    return { id: 'memory.usage', status: 'ok', title, message: `${message}: keys are evicted at the limit` };
  // noeviction refuses writes at the limit; volatile-* only evicts keys with a TTL, so it only warns here.
  const failAt = policy === 'noeviction' ? 0.9 : Number.POSITIVE_INFINITY;
  const warnAt = policy === 'noeviction' ? 0.8 : 0.9;
  if (share >= warnAt) {
    return {
      id: 'memory.usage',
      status: share >= failAt ? 'fail' : 'warn',
      title,
      message,
      advice:
        policy === 'noeviction'
          ? 'At maxmemory, noeviction refuses every write with OOM: raise maxmemory, delete or expire data, or ' +
            'choose an evicting policy if the data can be recomputed.'
          : `${policy ?? 'this policy'} can only evict keys with a TTL: raise maxmemory or give more keys a TTL.`,
    };
  }
  return { id: 'memory.usage', status: 'ok', title, message };
}

function evictionPolicy(f: NodeFacts, stats: KeyStats): Check {
  const title = 'Eviction policy for the data held';
  const policy = f.config['maxmemory-policy'];
  if (policy === undefined)
    return { id: 'memory.policy', status: 'unknown', title, message: unknownConfig(f, 'maxmemory-policy') };
  const total = stats.ttlBytes + stats.noTtlBytes;
  const mix =
    total > 0
      ? `${pct(stats.ttlBytes, total)} of the memory inspected is in keys with a TTL`
      : 'no keys were inspected';
  const ok = (message: string): Check => ({ id: 'memory.policy', status: 'ok', title, message });
  const warn = (message: string, advice: string): Check => ({
    id: 'memory.policy',
    status: 'warn',
    title,
    message,
    advice,
  });
  if (total === 0) return ok(`maxmemory-policy ${policy}; ${mix}`);
  const unlimited = f.config.maxmemory === '0' ? ' (it applies once maxmemory is set)' : '';
  if (policy === 'noeviction' && stats.ttlBytes / total >= 0.9)
    return warn(
      `maxmemory-policy noeviction${unlimited} but the data looks like a cache (${mix})`,
      'A cache at maxmemory under noeviction refuses writes with OOM: use allkeys-lru (or allkeys-lfu).',
    );
  if (policy.startsWith('allkeys-') && stats.queueLikeNoTtlKeys > 0)
    return warn(
      `maxmemory-policy ${policy} may evict ${n(stats.queueLikeNoTtlKeys)} lists/streams without TTL (queues?)`,
      'allkeys-* evicts any key, a queue or stream included: use volatile-lru so only keys with a TTL are ' +
        'evicted, or keep queues on their own instance with noeviction.',
    );
  if (policy.startsWith('volatile-') && stats.noTtlBytes / total >= 0.5)
    return warn(
      `maxmemory-policy ${policy} but ${pct(stats.noTtlBytes, total)} of the memory is in keys without TTL`,
      `${policy} never evicts keys without TTL: once they fill maxmemory, writes fail with OOM. Give them a ` +
        'TTL or use allkeys-lru if they can be recomputed.',
    );
  return ok(`maxmemory-policy ${policy} fits${unlimited}: ${mix}`);
}

function evictions(f: NodeFacts): Check {
  const title = 'Evictions and OOM errors';
  const evicted = infoNumber(f.info, 'evicted_keys');
  const oom = errorCount(f.info, 'OOM');
  if (evicted === undefined)
    return { id: 'memory.evictions', status: 'unknown', title, message: 'INFO stats has no evicted_keys' };
  const hits = infoNumber(f.info, 'keyspace_hits') ?? 0;
  const misses = infoNumber(f.info, 'keyspace_misses') ?? 0;
  const hitRate = hits + misses > 0 ? `; hit rate ${pct(hits, hits + misses)}` : '';
  if (oom > 0)
    return {
      id: 'memory.evictions',
      status: 'fail',
      title,
      message: `${n(oom)} commands were refused with OOM (maxmemory reached)${hitRate}`,
      advice:
        'Writes are failing: raise maxmemory, expire or delete data, or pick an evicting maxmemory-policy.',
    };
  if (evicted > 0)
    return {
      id: 'memory.evictions',
      status: 'warn',
      title,
      message: `${n(evicted)} keys were evicted since the statistics were reset${hitRate}`,
      advice:
        'Evictions mean the data does not fit in maxmemory: fine for a cache with a good hit rate, data loss ' +
        'for anything else. Raise maxmemory or shorten TTLs.',
    };
  return { id: 'memory.evictions', status: 'ok', title, message: `no key was evicted${hitRate}` };
}

function fragmentation(f: NodeFacts): Check {
  const title = 'Memory fragmentation';
  if (f.server === 'redkit')
    return {
      id: 'memory.fragmentation',
      status: 'unknown',
      title,
      message: "the redkit engine lives in V8's garbage-collected heap: fragmentation does not apply",
    };
  const ratio = infoNumber(f.info, 'mem_fragmentation_ratio');
  const used = infoNumber(f.info, 'used_memory') ?? 0;
  const rss = infoNumber(f.info, 'used_memory_rss') ?? 0;
  if (ratio === undefined)
    return {
      id: 'memory.fragmentation',
      status: 'unknown',
      title,
      message: 'INFO memory has no fragmentation ratio',
    };
  const message = `mem_fragmentation_ratio ${ratio.toFixed(2)} (RSS ${formatBytes(rss)}, used ${formatBytes(used)})`;
  // Small datasets have meaningless ratios (the allocator's fixed overhead dominates): judge bytes too.
  if (ratio < 1 && used >= 64 * 1024 * 1024)
    return {
      id: 'memory.fragmentation',
      status: 'fail',
      title,
      message: `${message}: part of Redis's memory is swapped out`,
      advice:
        'Swapping makes every command slow: give the machine more RAM or lower maxmemory; disable swap.',
    };
  if (ratio > 1.5 && rss - used > 100 * 1024 * 1024)
    return {
      id: 'memory.fragmentation',
      status: 'warn',
      title,
      message: `${message}: ${formatBytes(rss - used)} wasted`,
      advice:
        'Enable active defragmentation (CONFIG SET activedefrag yes) or restart the server at a quiet time.',
    };
  return { id: 'memory.fragmentation', status: 'ok', title, message };
}

function clients(f: NodeFacts): Check {
  const title = 'Client connections';
  const connected = infoNumber(f.info, 'connected_clients');
  const max = Number(f.config.maxclients ?? Number.NaN);
  const rejected = infoNumber(f.info, 'rejected_connections') ?? 0;
  if (connected === undefined)
    return {
      id: 'clients.connections',
      status: 'unknown',
      title,
      message: 'INFO clients has no connected_clients',
    };
  const of = Number.isFinite(max) && max > 0 ? ` of maxclients ${n(max)} (${pct(connected, max)})` : '';
  const message = `${n(connected)} client${connected === 1 ? '' : 's'} connected${of}, ${n(infoNumber(f.info, 'blocked_clients') ?? 0)} blocked, ${n(rejected)} connections rejected`;
  const advice =
    'Size client connection pools to the workload and reuse them (one pool per process, not a connection ' +
    'per request); raise maxclients (and the file descriptor limit) if the load is real.';
  const share = Number.isFinite(max) && max > 0 ? connected / max : 0;
  if (share >= 0.95) return { id: 'clients.connections', status: 'fail', title, message, advice };
  if (share >= 0.8 || rejected > 0)
    return { id: 'clients.connections', status: 'warn', title, message, advice };
  return { id: 'clients.connections', status: 'ok', title, message };
}

function persistence(f: NodeFacts, stats: KeyStats): Check {
  const title = 'Persistence';
  const id = 'persistence';
  const failures = [
    f.info.get('rdb_last_bgsave_status') === 'err' && 'the last RDB background save failed',
    f.info.get('aof_last_write_status') === 'err' && 'the last AOF write failed',
    f.info.get('aof_last_bgrewrite_status') === 'err' && 'the last AOF rewrite failed',
  ].filter((x): x is string => typeof x === 'string');
  if (failures.length > 0)
    return {
      id,
      status: 'fail',
      title,
      message: failures.join('; '),
      advice:
        'Look at the server log: a full disk, permissions or a failed fork (memory overcommit) are usual causes.',
    };
  const save = f.config.save;
  const aof = f.config.appendonly;
  const rdb = save !== undefined && save.trim() !== '';
  const described = [aof === 'yes' && 'AOF on', rdb && `RDB snapshots (save ${save})`]
    .filter(Boolean)
    .join(' and ');
  if (aof === 'yes' || rdb) return { id, status: 'ok', title, message: described };
  // Without CONFIG, INFO tells whether AOF is on but not whether RDB snapshots are configured.
  if (save === undefined || aof === undefined)
    return {
      id,
      status: 'unknown',
      title,
      message: unknownConfig(f, save === undefined ? 'save' : 'appendonly'),
    };
  const durable = stats.noTtlKeys + stats.allowedNoTtlKeys;
  if (durable > 0)
    return {
      id,
      status: 'warn',
      title,
      message: `no persistence (save "" and appendonly no) while ${n(durable)} keys have no TTL`,
      advice:
        'A restart loses every key: if keys without TTL are data (queues, sessions, counters), turn on ' +
        'appendonly yes (or RDB snapshots); if everything can be recomputed, give it TTLs.',
    };
  return {
    id,
    status: 'ok',
    title,
    message: 'no persistence; every key has a TTL, so a restart only empties caches',
  };
}

function cachedScripts(f: NodeFacts): Check {
  const scripts = infoNumber(f.info, 'number_of_cached_scripts');
  const title = 'Cached Lua scripts';
  if (scripts === undefined)
    return { id: 'server.scripts', status: 'unknown', title, message: 'INFO memory has no script count' };
  if (scripts >= 1000)
    return {
      id: 'server.scripts',
      status: 'warn',
      title,
      message: `${n(scripts)} scripts cached (${formatBytes(infoNumber(f.info, 'used_memory_scripts_eval') ?? 0)})`,
      advice:
        'Scripts built with values inside their source are cached forever, one per value: pass values as ' +
        'KEYS/ARGV so one script (EVALSHA) serves every call; SCRIPT FLUSH frees them.',
    };
  return { id: 'server.scripts', status: 'ok', title, message: `${n(scripts)} scripts cached` };
}

function replication(f: NodeFacts): Check {
  const link = f.info.get('master_link_status');
  const title = 'Replication link';
  if (link === 'up')
    return { id: 'replication.link', status: 'ok', title, message: 'replica, link to the master is up' };
  return {
    id: 'replication.link',
    status: 'fail',
    title,
    message: `replica of ${f.info.get('master_host')}:${f.info.get('master_port')}, link ${link ?? 'unknown'}`,
    advice:
      'The replica serves stale data: check the master is reachable and the replica log for sync errors.',
  };
}

function clusterState(f: NodeFacts): Check {
  const title = 'Cluster state';
  const state = f.clusterInfo?.get('cluster_state');
  const assigned = infoNumber(f.clusterInfo ?? new Map(), 'cluster_slots_assigned');
  if (state === 'ok' && assigned === 16384)
    return {
      id: 'cluster.state',
      status: 'ok',
      title,
      message: 'cluster_state ok, all 16384 slots assigned',
    };
  return {
    id: 'cluster.state',
    status: 'fail',
    title,
    message: `cluster_state ${state ?? 'unknown'}, ${assigned ?? '?'} of 16384 slots assigned`,
    advice: 'Some slots are not served: run redis-cli --cluster check and fix the failed or missing masters.',
  };
}

function unknownConfig(f: NodeFacts, name: string): string {
  return `${name} is unknown: CONFIG GET ${f.configProblem ? `failed (${f.configProblem})` : 'did not answer'} and INFO does not say`;
}
