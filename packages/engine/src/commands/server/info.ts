import { randomBytes } from 'node:crypto';
import { arch, machine, type as osType, release, totalmem } from 'node:os';
import type { Engine } from '../../engine.js';
import { STARTUP_BYTES } from '../../memory/manager.js';
import { withAofFields } from '../../persistence/info.js';
import { existingSnapshots } from '../../persistence/snapshot.js';
import type { Reply } from '../../resp/reply.js';
import { VerbatimReply } from '../../resp/reply.js';
import type { Session } from '../../session.js';
import { ENGINE_VERSION, REDIS_VERSION } from '../../version.js';
import { listeningPort } from './config-command.js';

type Fields = Array<[name: string, value: string | number]>;

/** Sections in Redis 7.0's order, with the names INFO accepts for them. */
const SECTIONS: Array<{ names: string[]; title: string; fields: (c: Session) => Fields }> = [
  { names: ['server'], title: 'Server', fields: serverFields },
  { names: ['clients'], title: 'Clients', fields: clientsFields },
  { names: ['memory'], title: 'Memory', fields: memoryFields },
  { names: ['persistence'], title: 'Persistence', fields: persistenceFields },
  { names: ['stats'], title: 'Stats', fields: statsFields },
  { names: ['replication'], title: 'Replication', fields: replicationFields },
  { names: ['cpu'], title: 'CPU', fields: cpuFields },
  { names: ['module_list', 'modules'], title: 'Modules', fields: () => [] },
  { names: ['commandstats'], title: 'Commandstats', fields: commandstatsFields },
  { names: ['errorstats'], title: 'Errorstats', fields: errorstatsFields },
  { names: ['latencystats'], title: 'Latencystats', fields: latencystatsFields },
  { names: ['cluster'], title: 'Cluster', fields: () => [['cluster_enabled', 0]] },
  { names: ['keyspace'], title: 'Keyspace', fields: keyspaceFields },
];

const DEFAULT_SECTIONS = [
  'server',
  'clients',
  'memory',
  'persistence',
  'stats',
  'replication',
  'cpu',
  'module_list',
  'errorstats',
  'cluster',
  'keyspace',
];

/** Per-engine identities Redis draws at start-up (run_id, master_replid). */
const identities = new WeakMap<Engine, { runId: string; replId: string }>();
function identity(engine: Engine): { runId: string; replId: string } {
  let id = identities.get(engine);
  if (!id) {
    id = { runId: randomBytes(20).toString('hex'), replId: randomBytes(20).toString('hex') };
    identities.set(engine, id);
  }
  return id;
}

/** Redis's bytesToHuman: 1023B, 1.00K, 2.50M … */
export function bytesToHuman(n: number): string {
  const units = ['K', 'M', 'G', 'T', 'P'];
  if (n < 1024) return `${n}B`;
  for (let i = 0; i < units.length; i++) {
    const scale = 1024 ** (i + 2);
    if (n < scale) return `${(n / 1024 ** (i + 1)).toFixed(2)}${units[i]}`;
  }
  return `${n}B`;
}

/** "%ld.%06ld" of a duration in microseconds, as Redis prints CPU times. */
const seconds6 = (usec: number) =>
  `${Math.floor(usec / 1e6)}.${String(Math.floor(usec % 1e6)).padStart(6, '0')}`;

/** INFO field values may not contain the characters that structure the text. */
const safe = (name: string) => name.replace(/[#:\r\n]/g, '_');

function serverFields(c: Session): Fields {
  const engine = c.engine;
  const now = c.now();
  const uptime = Math.floor((now - engine.startedAt) / 1000);
  const hz = engine.config.number('hz');
  const platform = process.platform;
  return [
    ['redis_version', REDIS_VERSION],
    ['redis_git_sha1', '00000000'],
    ['redis_git_dirty', 0],
    ['redis_build_id', '0'],
    ['redis_mode', 'standalone'],
    ['os', `${osType()} ${release()} ${machine()}`],
    ['arch_bits', arch().includes('64') ? 64 : 32],
    ['monotonic_clock', platform === 'win32' ? 'QueryPerformanceCounter' : 'POSIX clock_gettime'],
    ['multiplexing_api', platform === 'linux' ? 'epoll' : platform === 'win32' ? 'iocp' : 'kqueue'],
    ['atomicvar_api', 'none'],
    ['gcc_version', '0.0.0'],
    ['process_id', process.pid],
    ['process_supervised', 'no'],
    ['run_id', identity(engine).runId],
    ['tcp_port', listeningPort(c)],
    ['server_time_usec', now * 1000],
    ['uptime_in_seconds', uptime],
    ['uptime_in_days', Math.floor(uptime / 86400)],
    ['hz', hz],
    ['configured_hz', hz],
    ['lru_clock', Math.floor(now / 1000) & 0xffffff],
    ['executable', process.execPath],
    ['config_file', c.engine.config.file ?? ''],
    ['io_threads_active', 0],
    ['redkit_version', ENGINE_VERSION],
  ];
}

function clientsFields(c: Session): Fields {
  const engine = c.engine;
  return [
    ['connected_clients', engine.sessions.size],
    ['cluster_connections', 0],
    ['maxclients', engine.config.get('maxclients')],
    ['client_recent_max_input_buffer', 0],
    ['client_recent_max_output_buffer', 0],
    ['blocked_clients', engine.blocking.blockedCount],
    ['tracking_clients', engine.tracking.clientCount],
    ['clients_in_timeout_table', 0],
  ];
}

/**
 * used_memory is the engine's estimate of what its data costs (memory/estimate.ts), the figure
 * maxmemory is enforced against; rss and the allocator_* fields are the process's own (V8 heap plus
 * memory held outside it, e.g. Buffers). There is no replication backlog or AOF buffer.
 */
function memoryFields(c: Session): Fields {
  const engine = c.engine;
  const mem = process.memoryUsage();
  const used = engine.memory.usedMemory();
  const overhead = memoryOverhead(engine);
  const startup = STARTUP_BYTES;
  const datasetPercent = used > startup ? ((used - overhead) * 100) / (used - startup) : 0;
  const active = mem.heapTotal + mem.external;
  const rss = mem.rss;
  const stats = engine.stats;
  if (used > stats.peakMemory) stats.peakMemory = used;
  const peak = stats.peakMemory;
  const maxmemory = engine.config.get('maxmemory');
  const total = totalmem();
  const ratio = (a: number, b: number) => (b > 0 ? a / b : 0).toFixed(2);
  return [
    ['used_memory', used],
    ['used_memory_human', bytesToHuman(used)],
    ['used_memory_rss', rss],
    ['used_memory_rss_human', bytesToHuman(rss)],
    ['used_memory_peak', peak],
    ['used_memory_peak_human', bytesToHuman(peak)],
    ['used_memory_peak_perc', `${((used / peak) * 100).toFixed(2)}%`],
    ['used_memory_overhead', overhead],
    ['used_memory_startup', startup],
    ['used_memory_dataset', used - overhead],
    ['used_memory_dataset_perc', `${datasetPercent.toFixed(2)}%`],
    ['allocator_allocated', mem.heapUsed + mem.external],
    ['allocator_active', active],
    ['allocator_resident', rss],
    ['total_system_memory', total],
    ['total_system_memory_human', bytesToHuman(total)],
    ['used_memory_lua', 0],
    ['used_memory_vm_eval', 0],
    ['used_memory_lua_human', '0B'],
    ['used_memory_scripts_eval', 0],
    ['number_of_cached_scripts', 0],
    ['number_of_functions', 0],
    ['number_of_libraries', 0],
    ['used_memory_vm_functions', 0],
    ['used_memory_vm_total', 0],
    ['used_memory_vm_total_human', '0B'],
    ['used_memory_functions', 0],
    ['used_memory_scripts', 0],
    ['used_memory_scripts_human', '0B'],
    ['maxmemory', maxmemory],
    ['maxmemory_human', bytesToHuman(Number(maxmemory))],
    ['maxmemory_policy', engine.config.get('maxmemory-policy')],
    ['allocator_frag_ratio', ratio(active, mem.heapUsed + mem.external)],
    ['allocator_frag_bytes', active - mem.heapUsed - mem.external],
    ['allocator_rss_ratio', ratio(rss, active)],
    ['allocator_rss_bytes', rss - active],
    ['rss_overhead_ratio', '1.00'],
    ['rss_overhead_bytes', 0],
    ['mem_fragmentation_ratio', ratio(rss, used)],
    ['mem_fragmentation_bytes', rss - used],
    ['mem_not_counted_for_evict', 0],
    ['mem_replication_backlog', 0],
    ['mem_total_replication_buffers', 0],
    ['mem_clients_slaves', 0],
    ['mem_clients_normal', 0],
    ['mem_cluster_links', 0],
    ['mem_aof_buffer', 0],
    ['mem_allocator', `v8-${process.versions.v8}`],
    ['active_defrag_running', 0],
    ['lazyfree_pending_objects', 0],
    ['lazyfreed_objects', 0],
  ];
}

/** The engine's fixed part plus the key tables (Redis's used_memory_overhead, without client buffers). */
function memoryOverhead(engine: Engine): number {
  let overhead = STARTUP_BYTES;
  for (const db of engine.databases) {
    if (db.data.size === 0) continue;
    const m = engine.memory.databaseMemory(db);
    overhead += m.main + m.expires + m.access;
  }
  return overhead;
}

/** rdb_* from the snapshot state; aof_* from the append-only file when one is open. */
function persistenceFields(c: Session): Fields {
  const engine = c.engine;
  const rdb = existingSnapshots(engine);
  const started = rdb?.bgsaveStartedAt;
  return withAofFields(engine, [
    ['loading', 0],
    ['async_loading', 0],
    ['current_cow_peak', 0],
    ['current_cow_size', 0],
    ['current_cow_size_age', 0],
    ['current_fork_perc', '0.00'],
    ['current_save_keys_processed', rdb?.keysProcessed ?? 0],
    ['current_save_keys_total', rdb?.keysTotal ?? 0],
    ['rdb_changes_since_last_save', engine.dirty],
    ['rdb_bgsave_in_progress', rdb?.inProgress ? 1 : 0],
    ['rdb_last_save_time', engine.lastSave],
    ['rdb_last_bgsave_status', rdb?.lastBgsaveStatus ?? 'ok'],
    ['rdb_last_bgsave_time_sec', rdb?.lastBgsaveSeconds ?? -1],
    ['rdb_current_bgsave_time_sec', started === undefined ? -1 : Math.floor((Date.now() - started) / 1000)],
    ['rdb_saves', rdb?.saves ?? 0],
    ['rdb_last_cow_size', 0],
    ['rdb_last_load_keys_expired', rdb?.lastLoadKeysExpired ?? 0],
    ['rdb_last_load_keys_loaded', rdb?.lastLoadKeysLoaded ?? 0],
    ['aof_enabled', 0],
    ['aof_rewrite_in_progress', 0],
    ['aof_rewrite_scheduled', 0],
    ['aof_last_rewrite_time_sec', -1],
    ['aof_current_rewrite_time_sec', -1],
    ['aof_last_bgrewrite_status', 'ok'],
    ['aof_rewrites', 0],
    ['aof_rewrites_consecutive_failures', 0],
    ['aof_last_write_status', 'ok'],
    ['aof_last_cow_size', 0],
    ['module_fork_in_progress', 0],
    ['module_fork_last_cow_size', 0],
  ]);
}

/** Network byte counts are not seen by the engine (the transport owns the sockets), so they read 0. */
function statsFields(c: Session): Fields {
  const engine = c.engine;
  const stats = engine.stats;
  return [
    ['total_connections_received', stats.totalConnections],
    ['total_commands_processed', stats.totalCommands],
    ['instantaneous_ops_per_sec', stats.opsPerSecond(c.now(), engine.startedAt)],
    ['total_net_input_bytes', 0],
    ['total_net_output_bytes', 0],
    ['total_net_repl_input_bytes', 0],
    ['total_net_repl_output_bytes', 0],
    ['instantaneous_input_kbps', '0.00'],
    ['instantaneous_output_kbps', '0.00'],
    ['instantaneous_input_repl_kbps', '0.00'],
    ['instantaneous_output_repl_kbps', '0.00'],
    ['rejected_connections', stats.rejectedConnections],
    ['sync_full', 0],
    ['sync_partial_ok', 0],
    ['sync_partial_err', 0],
    ['expired_keys', stats.expiredKeys],
    ['expired_stale_perc', '0.00'],
    ['expired_time_cap_reached_count', 0],
    ['expire_cycle_cpu_milliseconds', 0],
    ['evicted_keys', stats.evictedKeys],
    ['evicted_clients', 0],
    ['total_eviction_exceeded_time', 0],
    ['current_eviction_exceeded_time', 0],
    ['keyspace_hits', stats.keyspaceHits],
    ['keyspace_misses', stats.keyspaceMisses],
    ['pubsub_channels', engine.pubsub.channels.size],
    ['pubsub_patterns', engine.pubsub.patterns.size],
    ['pubsubshard_channels', engine.pubsub.shardChannels.size],
    ['latest_fork_usec', 0],
    ['total_forks', 0],
    ['migrate_cached_sockets', 0],
    ['slave_expires_tracked_keys', 0],
    ['active_defrag_hits', 0],
    ['active_defrag_misses', 0],
    ['active_defrag_key_hits', 0],
    ['active_defrag_key_misses', 0],
    ['total_active_defrag_time', 0],
    ['current_active_defrag_time', 0],
    ['tracking_total_keys', engine.tracking.totalKeys],
    ['tracking_total_items', engine.tracking.totalItems],
    ['tracking_total_prefixes', engine.tracking.totalPrefixes],
    ['unexpected_error_replies', 0],
    ['total_error_replies', stats.totalErrorReplies],
    ['dump_payload_sanitizations', 0],
    ['total_reads_processed', 0],
    ['total_writes_processed', 0],
    ['io_threaded_reads_processed', 0],
    ['io_threaded_writes_processed', 0],
    ['reply_buffer_shrinks', 0],
    ['reply_buffer_expands', 0],
  ];
}

function replicationFields(c: Session): Fields {
  const config = c.engine.config;
  const fields: Fields = [
    ['role', 'master'],
    ['connected_slaves', 0],
  ];
  if (config.number('min-replicas-to-write') && config.number('min-replicas-max-lag'))
    fields.push(['min_slaves_good_slaves', 0]);
  fields.push(
    ['master_failover_state', 'no-failover'],
    ['master_replid', identity(c.engine).replId],
    ['master_replid2', '0'.repeat(40)],
    ['master_repl_offset', 0],
    ['second_repl_offset', -1],
    ['repl_backlog_active', 0],
    ['repl_backlog_size', config.get('repl-backlog-size')],
    ['repl_backlog_first_byte_offset', 0],
    ['repl_backlog_histlen', 0],
  );
  return fields;
}

/** CPU time of the whole process; Node does not report the main thread apart, so it is the same. */
function cpuFields(): Fields {
  const { user, system } = process.cpuUsage();
  return [
    ['used_cpu_sys', seconds6(system)],
    ['used_cpu_user', seconds6(user)],
    ['used_cpu_sys_children', '0.000000'],
    ['used_cpu_user_children', '0.000000'],
    ['used_cpu_sys_main_thread', seconds6(system)],
    ['used_cpu_user_main_thread', seconds6(user)],
  ];
}

function commandstatsFields(c: Session): Fields {
  const fields: Fields = [];
  for (const [name, stat] of c.engine.stats.commands) {
    if (!stat.calls && !stat.failed && !stat.rejected) continue;
    const usec = Math.floor(stat.usec);
    // Redis divides in single precision before printing with two decimals.
    const perCall = stat.calls === 0 ? 0 : Math.fround(Math.fround(usec) / stat.calls);
    fields.push([
      `cmdstat_${safe(name)}`,
      `calls=${stat.calls},usec=${usec},usec_per_call=${perCall.toFixed(2)},rejected_calls=${stat.rejected},failed_calls=${stat.failed}`,
    ]);
  }
  return fields;
}

function errorstatsFields(c: Session): Fields {
  const prefixes = [...c.engine.stats.errors.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return prefixes.map((p) => [`errorstat_${safe(p)}`, `count=${c.engine.stats.errors.get(p)}`]);
}

/** "%f" with trailing zeros trimmed, as Redis labels percentiles (p50, p99.9). */
const percentileLabel = (p: number) => p.toFixed(6).replace(/\.?0+$/, '');

function latencystatsFields(c: Session): Fields {
  const config = c.engine.config;
  if (config.get('latency-tracking') !== 'yes') return [];
  const percentiles = config.get('latency-tracking-info-percentiles').split(' ').filter(Boolean).map(Number);
  const fields: Fields = [];
  for (const [name, stat] of c.engine.stats.commands) {
    if (stat.latency.total === 0) continue;
    const values = percentiles.map(
      (p) => `p${percentileLabel(p)}=${(stat.latency.valueAtPercentile(p) / 1000).toFixed(3)}`,
    );
    fields.push([`latency_percentiles_usec_${safe(name)}`, values.join(',')]);
  }
  return fields;
}

/** Redis estimates avg_ttl by sampling during active expiry; the engine samples up to this many keys. */
const AVG_TTL_SAMPLE = 1000;

function keyspaceFields(c: Session): Fields {
  const fields: Fields = [];
  const now = c.now();
  for (const db of c.engine.databases) {
    if (db.data.size === 0 && db.expires.size === 0) continue;
    let sum = 0;
    let counted = 0;
    for (const at of db.expires.values()) {
      if (counted === AVG_TTL_SAMPLE) break;
      if (at <= now) continue;
      sum += at - now;
      counted++;
    }
    const avgTtl = counted === 0 ? 0 : Math.floor(sum / counted);
    fields.push([`db${db.index}`, `keys=${db.data.size},expires=${db.expires.size},avg_ttl=${avgTtl}`]);
  }
  return fields;
}

/** The INFO text for the given arguments, exactly laid out as Redis does (sections, CRLF, blank lines). */
export function infoText(c: Session, args: readonly string[]): string {
  // "everything" is "all" plus module sections, and the engine has no modules.
  let all = false;
  const wanted = new Set<string>();
  if (args.length === 0) for (const s of DEFAULT_SECTIONS) wanted.add(s);
  for (const arg of args) {
    const name = arg.toLowerCase();
    if (name === 'default') for (const s of DEFAULT_SECTIONS) wanted.add(s);
    else if (name === 'all') all = true;
    else if (name === 'everything') all = true;
    else wanted.add(name);
  }
  const parts: string[] = [];
  for (const section of SECTIONS) {
    if (!all && !section.names.some((n) => wanted.has(n))) continue;
    let text = `# ${section.title}\r\n`;
    for (const [name, value] of section.fields(c)) text += `${name}:${value}\r\n`;
    parts.push(text);
  }
  return parts.join('\r\n');
}

export function info(c: Session, argv: string[]): Reply {
  return new VerbatimReply(infoText(c, argv.slice(1)));
}
