import { keyBytes, MAP_SLOT_BYTES, measureValueBytes, tableCapacity } from '../memory/estimate.js';
import { STARTUP_BYTES } from '../memory/manager.js';
import { fail, SYNTAX } from '../resp/errors.js';
import { DoubleReply, MapReply, OK, type Reply, StatusReply, VerbatimReply } from '../resp/reply.js';
import type { Session } from '../session.js';
import { toInteger } from './args.js';
import { type CommandSpec, command } from './registry.js';

const docs = (since: string, summary: string, complexity = 'O(1)') => ({
  group: 'server',
  since,
  summary,
  complexity,
});

/** Below this much memory MEMORY DOCTOR declines to diagnose (as Redis does under 5 MB). */
const DOCTOR_MIN_BYTES = 5 * 1024 * 1024;

const MEMORY_HELP = [
  'MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'DOCTOR',
  '    Return memory problems reports.',
  'MALLOC-STATS',
  '    Return internal statistics report from the memory allocator.',
  'PURGE',
  '    Attempt to purge dirty pages for reclamation by the allocator.',
  'STATS',
  '    Return information about the memory usage of the server.',
  'USAGE <key> [SAMPLES <count>]',
  '    Return memory in bytes used by <key> and its value. Nested values are',
  '    sampled up to <count> times (default: 5, 0 means sample all).',
  'HELP',
  '    Prints this help.',
].map((line) => new StatusReply(line));

/**
 * MEMORY USAGE: the key's estimated bytes (its string, its value and its share of the key table). Like
 * Redis it looks the key up without expiring it, counting a hit or touching its access time.
 */
function usage(c: Session, argv: string[]): Reply {
  for (let i = 3; i < argv.length; i++) {
    if (argv[i]!.toLowerCase() === 'samples' && i + 1 < argv.length) {
      if (toInteger(argv[i + 1]!) < 0) fail(SYNTAX);
      i++;
    } else fail(SYNTAX);
  }
  const key = argv[2]!;
  const value = c.db.data.get(key);
  if (value === undefined) return null;
  const tableShare = Math.round((MAP_SLOT_BYTES * tableCapacity(c.db.data.size)) / c.db.data.size);
  return Math.round(keyBytes(key) + measureValueBytes(value) + tableShare);
}

/** Process-level figures (what the allocator would report in Redis). */
function processMemory(): { allocated: number; active: number; resident: number } {
  const mem = process.memoryUsage();
  return { allocated: mem.heapUsed + mem.external, active: mem.heapTotal + mem.external, resident: mem.rss };
}

/** Redis computes these percentages in single precision. */
const percent = (part: number, whole: number) =>
  new DoubleReply(Math.fround(whole > 0 ? (part * 100) / whole : 0));
const ratio = (a: number, b: number) => new DoubleReply(Math.fround(b > 0 ? a / b : 0));

function stats(c: Session): Reply {
  const engine = c.engine;
  const memory = engine.memory;
  const total = memory.usedMemory();
  if (total > engine.stats.peakMemory) engine.stats.peakMemory = total;
  const peak = engine.stats.peakMemory;
  const entries: Reply[] = [
    'peak.allocated',
    peak,
    'total.allocated',
    total,
    'startup.allocated',
    STARTUP_BYTES,
    'replication.backlog',
    0,
    'clients.slaves',
    0,
    'clients.normal',
    0,
    'cluster.links',
    0,
    'aof.buffer',
    0,
    'lua.caches',
    0,
    'functions.caches',
    0,
  ];
  let overhead = STARTUP_BYTES;
  let keys = 0;
  for (const db of engine.databases) {
    if (db.data.size === 0) continue;
    const m = memory.databaseMemory(db);
    overhead += m.main + m.expires + m.access;
    keys += db.data.size;
    entries.push(
      `db.${db.index}`,
      new MapReply([
        'overhead.hashtable.main',
        m.main + m.access,
        'overhead.hashtable.expires',
        m.expires,
        'overhead.hashtable.slot-to-keys',
        0,
      ]),
    );
  }
  const dataset = total - overhead;
  const net = total - STARTUP_BYTES;
  const proc = processMemory();
  entries.push(
    'overhead.total',
    overhead,
    'keys.count',
    keys,
    'keys.bytes-per-key',
    keys === 0 ? 0 : Math.floor(net / keys),
    'dataset.bytes',
    dataset,
    'dataset.percentage',
    percent(dataset, net),
    'peak.percentage',
    percent(total, peak),
    'allocator.allocated',
    proc.allocated,
    'allocator.active',
    proc.active,
    'allocator.resident',
    proc.resident,
    'allocator-fragmentation.ratio',
    ratio(proc.active, proc.allocated),
    'allocator-fragmentation.bytes',
    proc.active - proc.allocated,
    'allocator-rss.ratio',
    ratio(proc.resident, proc.active),
    'allocator-rss.bytes',
    proc.resident - proc.active,
    'rss-overhead.ratio',
    ratio(proc.resident, proc.resident),
    'rss-overhead.bytes',
    0,
    'fragmentation',
    ratio(proc.resident, total),
    'fragmentation.bytes',
    proc.resident - total,
  );
  return new MapReply(entries);
}

function doctor(c: Session): Reply {
  const used = c.engine.memory.usedMemory();
  const text =
    used < DOCTOR_MIN_BYTES
      ? "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting.\n"
      : "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n";
  return new VerbatimReply(text);
}

const sub = (
  name: string,
  arity: number,
  handler: (c: Session, argv: string[]) => Reply,
  since: string,
  summary: string,
  complexity?: string,
) => command(name, arity, [], [0, 0, 0], ['slow'], handler, docs(since, summary, complexity));

export const memoryCommands: CommandSpec[] = [
  {
    ...command(
      'memory',
      -2,
      [],
      [0, 0, 0],
      ['slow'],
      () => null,
      docs('4.0.0', 'A container for memory diagnostics commands.', 'Depends on subcommand.'),
    ),
    // In the order COMMAND INFO lists them on Redis.
    subcommands: [
      command(
        'usage',
        -3,
        ['readonly'],
        [2, 2, 1],
        ['read', 'slow'],
        usage,
        docs(
          '4.0.0',
          'Estimates the bytes a key and its value take.',
          'O(N) where N is the number of samples.',
        ),
      ),
      sub('doctor', 2, doctor, '4.0.0', 'Reports memory problems, if any.'),
      sub('stats', 2, stats, '4.0.0', 'Answers details about the memory in use.'),
      command(
        'help',
        2,
        ['loading', 'stale'],
        [0, 0, 0],
        ['slow'],
        () => MEMORY_HELP,
        docs('4.0.0', 'Returns helpful text about the different subcommands.'),
      ),
      sub(
        'purge',
        2,
        () => OK,
        '4.0.0',
        'Asks the allocator to release memory.',
        'Depends on how much memory is allocated, could be slow',
      ),
      sub(
        'malloc-stats',
        2,
        () => new VerbatimReply('Stats not supported for the current allocator'),
        '4.0.0',
        "Answers the memory allocator's internal statistics.",
        'Depends on how much memory is allocated, could be slow',
      ),
    ],
  },
];
