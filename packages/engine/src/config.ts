import { RedisError } from './resp/errors.js';
import { parseDouble, parseInt64 } from './util/numbers.js';

/**
 * One configuration parameter, with Redis 7.0's name, default, validation and CONFIG SET behaviour.
 * The table holds every parameter Redis 7.0.15 knows, so CONFIG GET/SET answer as Redis does; most of
 * them have no effect on an in-process engine and are only stored (the engine reads the ones it honours:
 * databases, hz, encodings thresholds, notify-keyspace-events, requirepass, proto-max-bulk-len …).
 */
export interface ConfigParameter {
  name: string;
  aliases?: string[];
  /** The stored form of the default value. */
  default: string;
  /**
   * Turns a CONFIG SET argument into the stored form, or throws an Error whose message is Redis's reason
   * (the text after "CONFIG SET failed (possibly related to argument '…') - "). `current` is the stored
   * value, for parameters that update part of it (client-output-buffer-limit).
   */
  validate?: (value: string, current: string) => string;
  /** How CONFIG GET shows a stored value, when the two differ (notify-keyspace-events). */
  show?: (stored: string) => string;
  /** Only settable at start-up: CONFIG SET answers "can't set immutable config". */
  immutable?: boolean;
  /** Settable only when enable-protected-configs allows it. */
  protected?: boolean;
  /** Left out of CONFIG GET patterns; reachable by exact name only. */
  hidden?: boolean;
  /** How CONFIG REWRITE writes the value: a byte count (as 100mb …) or a quoted string. Default: as stored. */
  rewriteAs?: 'memory' | 'string';
}

interface Options {
  aliases?: string[];
  immutable?: boolean;
  protected?: boolean;
  hidden?: boolean;
}

const INT_MIN = -2147483648n;
const INT_MAX = 2147483647n;
const UINT_MAX = 4294967295n;
const LONG_MAX = 9223372036854775807n;
const ULLONG_MAX = 18446744073709551615n;

/** Redis keeps these in C integers: the 64-bit wrap-around matters for the error it reports. */
const asInt64 = (v: bigint) => BigInt.asIntN(64, v);
const asUint64 = (v: bigint) => BigInt.asUintN(64, v);

const MEMORY_UNITS: Record<string, bigint> = {
  '': 1n,
  b: 1n,
  k: 1000n,
  kb: 1024n,
  m: 1000_000n,
  mb: 1024n * 1024n,
  g: 1000_000_000n,
  gb: 1024n * 1024n * 1024n,
};

/** Redis's memtoull: digits then an optional unit (k, kb, m, mb, g, gb, b); no sign. */
export function parseMemory(value: string): bigint | null {
  const m = /^([0-9]*)(.*)$/s.exec(value)!;
  const digits = m[1]!;
  const unit = MEMORY_UNITS[m[2]!.toLowerCase()];
  if (unit === undefined || digits.length >= 128) return null;
  let v = digits === '' ? 0n : BigInt(digits);
  if (v > ULLONG_MAX) v = ULLONG_MAX; // strtoull saturates
  return asUint64(v * unit);
}

/** C's strtoll with a check that the whole string was consumed (Redis's "eptr[0] == '\0'" tests). */
function strtollWhole(value: string): bigint | null {
  const m = /^[ \t\n\v\f\r]*([+-]?)([0-9]+)$/.exec(value);
  if (!m) return value === '' ? 0n : null;
  let v = BigInt(m[2]!);
  if (m[1] === '-') v = -v;
  if (v > LONG_MAX) return LONG_MAX;
  if (v < -LONG_MAX - 1n) return -LONG_MAX - 1n;
  return v;
}

interface NumericKind {
  min: bigint;
  max: bigint;
  /** Unsigned C types are bounds-checked as unsigned (so -1 is huge). */
  unsigned?: boolean;
  memory?: boolean;
  percent?: boolean;
}

function numericValidator(kind: NumericKind): (value: string) => string {
  return (value) => {
    let v: bigint | null = null;
    if (kind.memory) {
      const mem = parseMemory(value);
      if (mem !== null) v = asInt64(mem);
    }
    if (v === null && kind.percent && value.length > 1 && value.endsWith('%')) {
      const p = parseInt64(value.slice(0, -1));
      if (p !== null && p >= 0n) v = -p; // stored negative, as Redis does
    }
    if (v === null && !kind.memory) v = parseInt64(value);
    if (v === null) {
      if (kind.memory && kind.percent) throw new Error('argument must be a memory or percent value');
      throw new Error(
        kind.memory ? 'argument must be a memory value' : "argument couldn't be parsed into an integer",
      );
    }
    if (kind.unsigned) {
      const u = asUint64(v);
      if (u > kind.max || u < kind.min)
        throw new Error(`argument must be between ${kind.min} and ${kind.max} inclusive`);
      return String(u);
    }
    if (kind.percent && v < 0n) {
      if (v < kind.min) throw new Error(`percentage argument must be less or equal to ${-kind.min}`);
      return `${-v}%`;
    }
    if (v > kind.max || v < kind.min)
      throw new Error(`argument must be between ${kind.min} and ${kind.max} inclusive`);
    return String(v);
  };
}

const param = (name: string, def: string, validate: ConfigParameter['validate'], options: Options = {}) => ({
  name,
  default: def,
  validate,
  ...options,
});

const bool = (name: string, def: 'yes' | 'no', options?: Options) =>
  param(
    name,
    def,
    (value) => {
      const v = value.toLowerCase();
      if (v !== 'yes' && v !== 'no') throw new Error("argument must be 'yes' or 'no'");
      return v;
    },
    options,
  );

const text = (name: string, def: string, options?: Options, check?: (value: string) => void) => ({
  ...param(
    name,
    def,
    (value) => {
      check?.(value);
      return value;
    },
    options,
  ),
  rewriteAs: 'string' as const,
});

/** An enum; `names` maps each accepted word to the name CONFIG GET shows for it (its first synonym). */
function choice(name: string, def: string, names: string[] | Record<string, string>, options?: Options) {
  const canonical: Record<string, string> = Array.isArray(names)
    ? Object.fromEntries(names.map((n) => [n, n]))
    : names;
  const listed = Object.keys(canonical).join(', ');
  return param(
    name,
    def,
    (value) => {
      const v = canonical[value.toLowerCase()];
      if (v === undefined) throw new Error(`argument(s) must be one of the following: ${listed}`);
      return v;
    },
    options,
  );
}

const integer = (name: string, min: bigint, max: bigint, def: string, options?: Options) =>
  param(name, def, numericValidator({ min, max }), options);
const unsigned = (name: string, min: bigint, max: bigint, def: string, options?: Options) =>
  param(name, def, numericValidator({ min, max, unsigned: true }), options);
const memory = (name: string, min: bigint, max: bigint, def: string, options?: Options) => ({
  ...param(name, def, numericValidator({ min, max, memory: true }), options),
  rewriteAs: 'memory' as const,
});
const unsignedMemory = (name: string, min: bigint, max: bigint, def: string, options?: Options) => ({
  ...param(name, def, numericValidator({ min, max, memory: true, unsigned: true }), options),
  rewriteAs: 'memory' as const,
});

/** Multi-word values are split on single spaces, as Redis does (so "a  b" has an empty word). */
const words = (value: string) => (value === '' ? [] : value.split(' '));

// shutdown-on-sig* flags, in the order Redis lists them when it shows a combination.
const SHUTDOWN_FLAGS: Array<[string, number]> = [
  ['default', 0],
  ['save', 1],
  ['nosave', 2],
  ['now', 4],
  ['force', 8],
];

function shutdownFlags(value: string): string {
  const given = words(value);
  let bits = 0;
  if (given.length === 0) bits = -1;
  for (const word of given) {
    const flag = SHUTDOWN_FLAGS.find(([n]) => n === word.toLowerCase());
    if (!flag) {
      bits = -1;
      break;
    }
    bits |= flag[1];
  }
  if (bits < 0) {
    throw new Error(`argument(s) must be one of the following: ${SHUTDOWN_FLAGS.map(([n]) => n).join(', ')}`);
  }
  if (bits & 1 && bits & 2) throw new Error("shutdown options SAVE and NOSAVE can't be used simultaneously");
  if (bits === 0) return 'default';
  return SHUTDOWN_FLAGS.filter(([, bit]) => bit !== 0 && (bits & bit) === bit)
    .map(([n]) => n)
    .join(' ');
}

function saveParams(value: string): string {
  const args = words(value);
  if (args.length % 2 === 1) throw new Error('Invalid save parameters');
  const out: string[] = [];
  for (let j = 0; j < args.length; j++) {
    const v = strtollWhole(args[j]!);
    if (v === null || (j % 2 === 0 && v < 1n) || (j % 2 === 1 && v < 0n))
      throw new Error('Invalid save parameters');
    out.push(j % 2 === 1 ? String(BigInt.asIntN(32, v)) : String(v));
  }
  return out.join(' ');
}

const OUTPUT_BUFFER_CLASSES: Record<string, number> = { normal: 0, slave: 1, replica: 1, pubsub: 2 };
const OUTPUT_BUFFER_NAMES = ['normal', 'slave', 'pubsub'];

function outputBufferLimits(value: string, current: string): string {
  const args = words(value);
  if (args.length % 4 !== 0) throw new Error('Wrong number of arguments in buffer limit configuration.');
  const now = current.split(' ');
  const limits = OUTPUT_BUFFER_NAMES.map((_, i) => now.slice(i * 4 + 1, i * 4 + 4));
  const updates: Array<[number, string[]]> = [];
  for (let j = 0; j < args.length; j += 4) {
    const cls = OUTPUT_BUFFER_CLASSES[args[j]!.toLowerCase()];
    if (cls === undefined) throw new Error('Invalid client class specified in buffer limit configuration.');
    const hard = parseMemory(args[j + 1]!);
    const soft = parseMemory(args[j + 2]!);
    const seconds = strtollWhole(args[j + 3]!);
    if (hard === null || soft === null || seconds === null || BigInt.asIntN(32, seconds) < 0n) {
      throw new Error('Error in hard, soft or soft_seconds setting in buffer limit configuration.');
    }
    updates.push([cls, [String(hard), String(soft), String(BigInt.asIntN(32, seconds))]]);
  }
  for (const [cls, values] of updates) limits[cls] = values;
  return OUTPUT_BUFFER_NAMES.map((n, i) => `${n} ${limits[i]!.join(' ')}`).join(' ');
}

function oomScoreAdjValues(value: string): string {
  const args = words(value);
  if (args.length !== 3) throw new Error('wrong number of arguments');
  return args
    .map((a) => {
      const v = strtollWhole(a);
      if (v === null || v < -2000n || v > 2000n) {
        throw new Error('Invalid oom-score-adj-values, elements must be between -2000 and 2000.');
      }
      return String(v);
    })
    .join(' ');
}

// notify-keyspace-events: the class letters that 'A' stands for, then the letters shown after them.
const NOTIFY_ALL = 'g$lshzxetd';
const NOTIFY_LETTERS = 'Ag$lshzxetdnKEm';

/**
 * Stored form: 'A' (when every class of NOTIFY_ALL is on) or the single class letters, then 'n', 'K',
 * 'E', 'm' as set. CONFIG GET shows it as Redis does, which hides 'n' next to 'A'.
 */
function notifyKeyspaceEvents(value: string): string {
  const on = new Set<string>();
  for (const ch of value) {
    if (!NOTIFY_LETTERS.includes(ch))
      throw new Error("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
    if (ch === 'A') for (const c of NOTIFY_ALL) on.add(c);
    else on.add(ch);
  }
  let out = '';
  if ([...NOTIFY_ALL].every((c) => on.has(c))) out = 'A';
  else for (const c of NOTIFY_ALL) if (on.has(c)) out += c;
  for (const c of 'nKEm') if (on.has(c)) out += c;
  return out;
}

const showNotifyKeyspaceEvents = (stored: string) =>
  stored.startsWith('A') ? stored.replace('n', '') : stored;

function bindAddresses(value: string): string {
  const args = words(value);
  if (args.length > 16) throw new Error('Too many bind addresses specified.');
  return args.join(' ');
}

/** C's "%f" with trailing zeros (and a trailing dot) removed, as Redis prints percentiles. */
const trimmedFixed = (v: number) => v.toFixed(6).replace(/\.?0+$/, '');

function latencyPercentiles(value: string): string {
  const args = value === '' ? [] : value.split(' ');
  return args
    .map((a) => {
      const v = parseDouble(a);
      if (v === null) throw new Error('Invalid latency-tracking-info-percentiles parameters');
      if (v > 100 || v < 0) {
        throw new Error('latency-tracking-info-percentiles parameters should sit between [0.0,100.0]');
      }
      return trimmedFixed(v);
    })
    .join(' ');
}

const PROC_TITLE_VARIABLES = new Set([
  'title',
  'listen-addr',
  'server-mode',
  'config-file',
  'port',
  'tls-port',
  'unixsocket',
]);

/** Redis expands the template with an empty title: it must parse, know every variable, and not be empty. */
function checkProcTitleTemplate(template: string): void {
  let expanded = '';
  let i = 0;
  const invalid = () => new Error('template format is invalid or contains unknown variables');
  while (i < template.length) {
    const open = template.indexOf('{', i);
    if (open < 0) {
      expanded += template.slice(i);
      break;
    }
    expanded += template.slice(i, open);
    if (open + 1 >= template.length) throw invalid();
    if (template[open + 1] === '{') {
      expanded += '{';
      i = open + 2;
      continue;
    }
    const close = template.indexOf('}', open + 1);
    if (close < 0) throw invalid();
    const variable = template.slice(open + 1, close);
    if (!PROC_TITLE_VARIABLES.has(variable)) throw invalid();
    // Variables other than these expand to something non-empty on a standalone server.
    if (variable !== 'title' && variable !== 'server-mode' && variable !== 'unixsocket') expanded += variable;
    i = close + 1;
  }
  if (expanded.trim() === '') throw invalid();
}

function checkHostname(value: string): void {
  if (value.length >= 256) throw new Error('Hostnames must be less than 256 characters');
  if (!/^[A-Za-z0-9.-]*$/.test(value)) {
    throw new Error('Hostnames may only contain alphanumeric characters, hyphens or dots');
  }
}

const isBaseName = (value: string) => !value.includes('/');

const PROTECTED_ACTION = ['no', 'yes', 'local'];

/** Every parameter of Redis 7.0.15 (TLS build), with its default as `redis-server` starts without a file. */
export const CONFIG_PARAMETERS: ConfigParameter[] = [
  bool('rdbchecksum', 'yes', { immutable: true }),
  bool('daemonize', 'no', { immutable: true }),
  bool('io-threads-do-reads', 'no', { immutable: true }),
  bool('always-show-logo', 'no', { immutable: true }),
  bool('protected-mode', 'yes'),
  bool('rdbcompression', 'yes'),
  bool('rdb-del-sync-files', 'no'),
  bool('activerehashing', 'yes'),
  bool('stop-writes-on-bgsave-error', 'yes'),
  bool('set-proc-title', 'yes', { immutable: true }),
  bool('dynamic-hz', 'yes'),
  bool('lazyfree-lazy-eviction', 'no'),
  bool('lazyfree-lazy-expire', 'no'),
  bool('lazyfree-lazy-server-del', 'no'),
  bool('lazyfree-lazy-user-del', 'no'),
  bool('lazyfree-lazy-user-flush', 'no'),
  bool('repl-disable-tcp-nodelay', 'no'),
  bool('repl-diskless-sync', 'yes'),
  bool('aof-rewrite-incremental-fsync', 'yes'),
  bool('no-appendfsync-on-rewrite', 'no'),
  bool('cluster-require-full-coverage', 'yes'),
  bool('rdb-save-incremental-fsync', 'yes'),
  bool('aof-load-truncated', 'yes'),
  bool('aof-use-rdb-preamble', 'yes'),
  bool('aof-timestamp-enabled', 'no'),
  bool('cluster-replica-no-failover', 'no', { aliases: ['cluster-slave-no-failover'] }),
  bool('replica-lazy-flush', 'no', { aliases: ['slave-lazy-flush'] }),
  bool('replica-serve-stale-data', 'yes', { aliases: ['slave-serve-stale-data'] }),
  bool('replica-read-only', 'yes', { aliases: ['slave-read-only'] }),
  bool('replica-ignore-maxmemory', 'yes', { aliases: ['slave-ignore-maxmemory'] }),
  bool('jemalloc-bg-thread', 'yes'),
  bool('activedefrag', 'no'),
  bool('syslog-enabled', 'no', { immutable: true }),
  bool('cluster-enabled', 'no', { immutable: true }),
  bool('appendonly', 'no'),
  bool('cluster-allow-reads-when-down', 'no'),
  bool('cluster-allow-pubsubshard-when-down', 'yes'),
  bool('crash-log-enabled', 'yes'),
  bool('crash-memcheck-enabled', 'yes'),
  bool('use-exit-on-panic', 'no', { hidden: true }),
  bool('disable-thp', 'yes', { immutable: true }),
  bool('cluster-allow-replica-migration', 'yes'),
  bool('replica-announced', 'yes'),
  bool('latency-tracking', 'yes'),
  bool('aof-disable-auto-gc', 'no'),
  bool('replica-ignore-disk-write-errors', 'no'),
  text('aclfile', '', { immutable: true }),
  text('unixsocket', '', { immutable: true }),
  text('pidfile', '', { immutable: true }),
  text('replica-announce-ip', '', { aliases: ['slave-announce-ip'] }),
  text('masteruser', ''),
  text('cluster-announce-ip', ''),
  text('cluster-config-file', 'nodes.conf', { immutable: true }),
  text('cluster-announce-hostname', '', {}, checkHostname),
  text('syslog-ident', 'redis', { immutable: true }),
  text('dbfilename', 'dump.rdb', { protected: true }, (v) => {
    if (!isBaseName(v)) throw new Error("dbfilename can't be a path, just a filename");
  }),
  text('appendfilename', 'appendonly.aof', { immutable: true }),
  text('appenddirname', 'appendonlydir', { immutable: true }),
  text('server_cpulist', '', { immutable: true }),
  text('bio_cpulist', '', { immutable: true }),
  text('aof_rewrite_cpulist', '', { immutable: true }),
  text('bgsave_cpulist', '', { immutable: true }),
  text('ignore-warnings', ''),
  text('proc-title-template', '{title} {listen-addr} {server-mode}', {}, checkProcTitleTemplate),
  text('bind-source-addr', ''),
  text('logfile', '', { immutable: true }),
  text('masterauth', ''),
  text('requirepass', ''),
  choice('supervised', 'no', ['upstart', 'systemd', 'auto', 'no'], { immutable: true }),
  choice(
    'syslog-facility',
    'local0',
    ['user', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7'],
    {
      immutable: true,
    },
  ),
  choice('repl-diskless-load', 'disabled', ['disabled', 'on-empty-db', 'swapdb']),
  choice('loglevel', 'notice', ['debug', 'verbose', 'notice', 'warning']),
  choice('maxmemory-policy', 'noeviction', [
    'volatile-lru',
    'volatile-lfu',
    'volatile-random',
    'volatile-ttl',
    'allkeys-lru',
    'allkeys-lfu',
    'allkeys-random',
    'noeviction',
  ]),
  choice('appendfsync', 'everysec', ['everysec', 'always', 'no']),
  choice('oom-score-adj', 'no', { no: 'no', yes: 'yes', relative: 'yes', absolute: 'absolute' }),
  choice('acl-pubsub-default', 'resetchannels', ['allchannels', 'resetchannels']),
  choice('sanitize-dump-payload', 'no', ['no', 'yes', 'clients']),
  choice('enable-protected-configs', 'no', PROTECTED_ACTION, { immutable: true }),
  choice('enable-debug-command', 'no', PROTECTED_ACTION, { immutable: true }),
  choice('enable-module-command', 'no', PROTECTED_ACTION, { immutable: true }),
  choice('cluster-preferred-endpoint-type', 'ip', ['ip', 'hostname', 'unknown-endpoint']),
  choice('propagation-error-behavior', 'ignore', ['ignore', 'panic', 'panic-on-replicas']),
  param('shutdown-on-sigint', 'default', shutdownFlags),
  param('shutdown-on-sigterm', 'default', shutdownFlags),
  integer('databases', 1n, INT_MAX, '16', { immutable: true }),
  // Redis rebinds its listener on CONFIG SET port/bind; the engine does not own its listener, so these
  // two are start-up only here.
  integer('port', 0n, 65535n, '6379', { immutable: true }),
  integer('io-threads', 1n, 128n, '1', { immutable: true }),
  integer('auto-aof-rewrite-percentage', 0n, INT_MAX, '100'),
  integer('cluster-replica-validity-factor', 0n, INT_MAX, '10', {
    aliases: ['cluster-slave-validity-factor'],
  }),
  integer('list-max-listpack-size', INT_MIN, INT_MAX, '-2', { aliases: ['list-max-ziplist-size'] }),
  integer('tcp-keepalive', 0n, INT_MAX, '300'),
  integer('cluster-migration-barrier', 0n, INT_MAX, '1'),
  integer('active-defrag-cycle-min', 1n, 99n, '1'),
  integer('active-defrag-cycle-max', 1n, 99n, '25'),
  integer('active-defrag-threshold-lower', 0n, 1000n, '10'),
  integer('active-defrag-threshold-upper', 0n, 1000n, '100'),
  integer('lfu-log-factor', 0n, INT_MAX, '10'),
  integer('lfu-decay-time', 0n, INT_MAX, '1'),
  integer('replica-priority', 0n, INT_MAX, '100', { aliases: ['slave-priority'] }),
  integer('repl-diskless-sync-delay', 0n, INT_MAX, '5'),
  integer('maxmemory-samples', 1n, INT_MAX, '5'),
  integer('maxmemory-eviction-tenacity', 0n, 100n, '10'),
  integer('timeout', 0n, INT_MAX, '0'),
  integer('replica-announce-port', 0n, 65535n, '0', { aliases: ['slave-announce-port'] }),
  integer('tcp-backlog', 0n, INT_MAX, '511', { immutable: true }),
  integer('cluster-port', 0n, 65535n, '0', { immutable: true }),
  integer('cluster-announce-bus-port', 0n, 65535n, '0'),
  integer('cluster-announce-port', 0n, 65535n, '0'),
  integer('cluster-announce-tls-port', 0n, 65535n, '0'),
  integer('repl-timeout', 1n, INT_MAX, '60'),
  integer('repl-ping-replica-period', 1n, INT_MAX, '10', { aliases: ['repl-ping-slave-period'] }),
  integer('list-compress-depth', 0n, INT_MAX, '0'),
  integer('rdb-key-save-delay', INT_MIN, INT_MAX, '0', { hidden: true }),
  integer('key-load-delay', INT_MIN, INT_MAX, '0', { hidden: true }),
  integer('active-expire-effort', 1n, 10n, '1'),
  // Redis accepts any hz but caps it to 1..500.
  param('hz', '10', (value) => {
    const v = BigInt(numericValidator({ min: 0n, max: INT_MAX })(value));
    return String(v < 1n ? 1n : v > 500n ? 500n : v);
  }),
  integer('min-replicas-to-write', 0n, INT_MAX, '0', { aliases: ['min-slaves-to-write'] }),
  integer('min-replicas-max-lag', 0n, INT_MAX, '10', { aliases: ['min-slaves-max-lag'] }),
  integer('watchdog-period', 0n, INT_MAX, '0', { hidden: true }),
  integer('shutdown-timeout', 0n, INT_MAX, '10'),
  integer('repl-diskless-sync-max-replicas', 0n, INT_MAX, '0'),
  unsigned('maxclients', 1n, UINT_MAX, '10000'),
  text('unixsocketperm', '0', { immutable: true }),
  unsigned('socket-mark-id', 0n, UINT_MAX, '0', { immutable: true }),
  integer('active-defrag-max-scan-fields', 1n, LONG_MAX, '1000'),
  integer('slowlog-max-len', 0n, LONG_MAX, '128'),
  integer('acllog-max-len', 0n, LONG_MAX, '128'),
  integer('busy-reply-threshold', 0n, LONG_MAX, '5000', { aliases: ['lua-time-limit'] }),
  integer('cluster-node-timeout', 0n, LONG_MAX, '15000'),
  integer('slowlog-log-slower-than', -1n, LONG_MAX, '10000'),
  integer('latency-monitor-threshold', 0n, LONG_MAX, '0'),
  memory('proto-max-bulk-len', 1024n * 1024n, LONG_MAX, '536870912'),
  integer('stream-node-max-entries', 0n, LONG_MAX, '100'),
  memory('repl-backlog-size', 1n, LONG_MAX, '1048576'),
  unsignedMemory('maxmemory', 0n, ULLONG_MAX, '0'),
  unsignedMemory('cluster-link-sendbuf-limit', 0n, ULLONG_MAX, '0'),
  unsigned('hash-max-listpack-entries', 0n, LONG_MAX, '512', { aliases: ['hash-max-ziplist-entries'] }),
  unsigned('set-max-intset-entries', 0n, LONG_MAX, '512'),
  unsigned('zset-max-listpack-entries', 0n, LONG_MAX, '128', { aliases: ['zset-max-ziplist-entries'] }),
  unsignedMemory('active-defrag-ignore-bytes', 1n, LONG_MAX, '104857600'),
  unsignedMemory('hash-max-listpack-value', 0n, LONG_MAX, '64', { aliases: ['hash-max-ziplist-value'] }),
  unsignedMemory('stream-node-max-bytes', 0n, LONG_MAX, '4096'),
  unsignedMemory('zset-max-listpack-value', 0n, LONG_MAX, '64', { aliases: ['zset-max-ziplist-value'] }),
  unsignedMemory('hll-sparse-max-bytes', 0n, LONG_MAX, '3000'),
  unsigned('tracking-table-max-keys', 0n, LONG_MAX, '1000000'),
  unsignedMemory('client-query-buffer-limit', 1024n * 1024n, LONG_MAX, '1073741824'),
  {
    ...param(
      'maxmemory-clients',
      '0',
      numericValidator({ min: -100n, max: LONG_MAX, memory: true, percent: true }),
    ),
    rewriteAs: 'memory',
  },
  integer('repl-backlog-ttl', 0n, LONG_MAX, '3600'),
  memory('auto-aof-rewrite-min-size', 0n, LONG_MAX, '67108864'),
  integer('loading-process-events-interval-bytes', 1024n, INT_MAX, '2097152', { hidden: true }),
  integer('tls-port', 0n, 65535n, '0'),
  integer('tls-session-cache-size', 0n, INT_MAX, '20480'),
  integer('tls-session-cache-timeout', 0n, INT_MAX, '300'),
  bool('tls-cluster', 'no'),
  bool('tls-replication', 'no'),
  choice('tls-auth-clients', 'yes', ['no', 'yes', 'optional']),
  bool('tls-prefer-server-ciphers', 'no'),
  bool('tls-session-caching', 'yes'),
  text('tls-cert-file', ''),
  text('tls-key-file', ''),
  text('tls-key-file-pass', ''),
  text('tls-client-cert-file', ''),
  text('tls-client-key-file', ''),
  text('tls-client-key-file-pass', ''),
  text('tls-dh-params-file', ''),
  text('tls-ca-cert-file', ''),
  text('tls-ca-cert-dir', ''),
  text('tls-protocols', ''),
  text('tls-ciphers', ''),
  text('tls-ciphersuites', ''),
  text('dir', process.cwd(), { protected: true }),
  param('save', '', saveParams),
  param(
    'client-output-buffer-limit',
    'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60',
    outputBufferLimits,
  ),
  param('oom-score-adj-values', '0 200 800', oomScoreAdjValues),
  { ...param('notify-keyspace-events', '', notifyKeyspaceEvents), show: showNotifyKeyspaceEvents },
  param('bind', '127.0.0.1', bindAddresses, { immutable: true }),
  param('replicaof', '', undefined, { immutable: true, aliases: ['slaveof'] }),
  param('latency-tracking-info-percentiles', '50 99 99.9', latencyPercentiles),
];

/** A name CONFIG GET answers with (a parameter's name or one of its aliases). */
export interface ConfigEntry {
  name: string;
  parameter: ConfigParameter;
}

/** The live configuration: CONFIG GET/SET read and write it; the engine reads typed values from it. */
export class Config {
  private readonly values = new Map<string, string>();
  private readonly numbers = new Map<string, number>();
  private readonly byName = new Map<string, ConfigParameter>();
  /** Names and aliases in table order, for CONFIG GET patterns. */
  private readonly names: ConfigEntry[] = [];

  constructor(initial: Record<string, string> = {}) {
    for (const p of CONFIG_PARAMETERS) {
      this.byName.set(p.name, p);
      this.names.push({ name: p.name, parameter: p });
      for (const alias of p.aliases ?? []) {
        this.byName.set(alias, p);
        this.names.push({ name: alias, parameter: p });
      }
      this.store(p, p.default);
    }
    for (const [name, value] of Object.entries(initial)) this.set(name, value, true);
  }

  parameter(name: string): ConfigParameter | undefined {
    return this.byName.get(name) ?? this.byName.get(name.toLowerCase());
  }

  /** The stored value (the engine's form; CONFIG GET shows `display`). */
  get(name: string): string {
    const value = this.values.get(name);
    if (value !== undefined) return value;
    const p = this.parameter(name);
    if (!p) throw new Error(`unknown config parameter ${name}`);
    return this.values.get(p.name)!;
  }

  /** A numeric parameter's value (cached: encodings read these on every write). */
  number(name: string): number {
    const n = this.numbers.get(name);
    if (n !== undefined) return n;
    return Number(this.get(name));
  }

  /** The value as CONFIG GET shows it. */
  display(p: ConfigParameter): string {
    const stored = this.values.get(p.name)!;
    return p.show ? p.show(stored) : stored;
  }

  /** Sets one value; `startup` allows immutable parameters. Throws RedisError with Redis's message. */
  set(name: string, value: string, startup = false): void {
    this.setMany([[name, value]], { startup, allowProtected: startup });
  }

  /**
   * CONFIG SET: checks every name first (unknown, immutable, protected, duplicate), then validates every
   * value, and only then stores them all, so a failing pair leaves the configuration unchanged.
   */
  setMany(
    pairs: Array<[name: string, value: string]>,
    options: { startup?: boolean; allowProtected?: boolean } = {},
  ): void {
    const chosen: ConfigParameter[] = [];
    // Redis tells a parameter from its alias here: setting both in one call is not a duplicate.
    const names = new Set<string>();
    for (const [name] of pairs) {
      const p = this.parameter(name);
      if (!p) throw new RedisError(`ERR Unknown option or number of arguments for CONFIG SET - '${name}'`);
      let reason: string | undefined;
      if (p.immutable && !options.startup) reason = "can't set immutable config";
      else if (p.protected && !options.allowProtected) reason = "can't set protected config";
      else if (names.has(name.toLowerCase())) reason = 'duplicate parameter';
      if (reason)
        throw new RedisError(`ERR CONFIG SET failed (possibly related to argument '${name}') - ${reason}`);
      names.add(name.toLowerCase());
      chosen.push(p);
    }
    const normalised = chosen.map((p, i) => {
      const value = pairs[i]![1];
      if (!p.validate) return value;
      try {
        return p.validate(value, this.values.get(p.name)!);
      } catch (e) {
        throw new RedisError(
          `ERR CONFIG SET failed (possibly related to argument '${p.name}') - ${(e as Error).message}`,
        );
      }
    });
    const previous = chosen.map((p) => this.values.get(p.name)!);
    for (let i = 0; i < chosen.length; i++) this.store(chosen[i]!, normalised[i]!);
    if (!options.startup) this.runAppliers(chosen, previous);
  }

  /**
   * Registers what must happen when one of `names` changes by CONFIG SET (Redis's apply functions, e.g.
   * rebuilding the TLS context). If `apply` throws, every value of that CONFIG SET is restored and the
   * command fails with the thrown message. Returns a function that unregisters it.
   */
  onApply(names: string[], apply: () => void): () => void {
    const entry = { names: new Set(names), apply };
    this.appliers.push(entry);
    return () => {
      const i = this.appliers.indexOf(entry);
      if (i >= 0) this.appliers.splice(i, 1);
    };
  }

  private readonly appliers: Array<{ names: Set<string>; apply: () => void }> = [];

  private runAppliers(chosen: ConfigParameter[], previous: string[]): void {
    for (const applier of this.appliers) {
      const changed = chosen.find((p) => applier.names.has(p.name));
      if (!changed) continue;
      try {
        applier.apply();
      } catch (e) {
        for (let i = 0; i < chosen.length; i++) this.store(chosen[i]!, previous[i]!);
        throw new RedisError(
          `ERR CONFIG SET failed (possibly related to argument '${changed.name}') - ${(e as Error).message}`,
        );
      }
    }
  }

  /** True when protected parameters may be set by this client (enable-protected-configs). */
  allowsProtected(local: boolean): boolean {
    const mode = this.values.get('enable-protected-configs');
    return mode === 'yes' || (mode === 'local' && local);
  }

  /** All canonical parameters with their stored values (aliases excluded). */
  entries(): Array<[ConfigParameter, string]> {
    return CONFIG_PARAMETERS.map((p) => [p, this.values.get(p.name)!]);
  }

  /** Every name CONFIG GET knows, aliases included, in table order. */
  allNames(): readonly ConfigEntry[] {
    return this.names;
  }

  /** The config file the server was started from (absolute path), for CONFIG REWRITE and INFO. */
  file: string | undefined;

  /** Bumped on every change, so hot paths can cache parsed values and notice updates cheaply. */
  version = 0;

  private store(p: ConfigParameter, value: string): void {
    this.version++;
    this.values.set(p.name, value);
    const n = /^-?[0-9]+$/.test(value) ? Number(value) : Number.NaN;
    for (const name of [p.name, ...(p.aliases ?? [])]) {
      if (Number.isNaN(n)) this.numbers.delete(name);
      else this.numbers.set(name, n);
    }
  }
}
