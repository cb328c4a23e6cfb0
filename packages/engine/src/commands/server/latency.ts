import { latencyGraph, latencyMonitor, latencyReport } from '../../latency.js';
import { fail } from '../../resp/errors.js';
import { MapReply, type Reply, VerbatimReply } from '../../resp/reply.js';
import type { Session } from '../../session.js';
import type { CommandStat } from '../../stats.js';
import { type CommandSpec, command } from '../registry.js';
import { helpReply } from './help.js';

const LATENCY_HELP = [
  'DOCTOR',
  '    Return a human readable latency analysis report.',
  'GRAPH <event>',
  '    Return an ASCII latency graph for the <event> class.',
  'HISTORY <event>',
  '    Return time-latency samples for the <event> class.',
  'LATEST',
  '    Return the latest latency samples for all events.',
  'RESET [<event> ...]',
  '    Reset latency data of one or more <event> classes.',
  '    (default: reset all data for all event classes)',
  'HISTOGRAM [COMMAND ...]',
  '    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.',
  '    If no commands are specified then all histograms are replied.',
];

/** LATENCY HISTORY <event>: [time, latency] per sample, oldest first. */
function history(c: Session, argv: string[]): Reply {
  return latencyMonitor(c.engine)
    .history(argv[2]!)
    .map((s) => [s.time, s.latency]);
}

/** LATENCY GRAPH <event>: the event's sparkline; an error for an event without samples. */
function graph(c: Session, argv: string[]): Reply {
  const event = argv[2]!;
  const series = latencyMonitor(c.engine).events.get(event);
  // Redis's formatted errors turn line breaks into spaces.
  if (!series) fail(`ERR No samples available for event '${event.replace(/[\r\n]/g, ' ')}'`);
  return new VerbatimReply(latencyGraph(event, series, Math.floor(c.engine.clock.now() / 1000)));
}

/** LATENCY RESET [event …]: how many events were forgotten. */
function reset(c: Session, argv: string[]): Reply {
  return latencyMonitor(c.engine).reset(argv.length === 2 ? undefined : argv.slice(2));
}

// ---------------------------------------------------------------------------------------------------------
// LATENCY HISTOGRAM: Redis reports each command's hdr histogram (ns, 2 significant digits, values clamped
// to 1 ns .. 1 s) by logarithmic iteration from 1024 ns, doubling: at each level it prints, in µs, the top
// of the level's first hdr bucket and the cumulative count up to it, skipping levels that add nothing.

const FIRST_LEVEL_POWER = 10;
/** Iteration ends past 2^30 ns, the hdr range's end, where it reports the last bucket's top (2^30 - 1). */
const LAST_LEVEL_POWER = 30;

/** The level (power of two) whose report first includes a value of `ns` nanoseconds. */
function levelOf(ns: number): number {
  for (let power = FIRST_LEVEL_POWER; power < LAST_LEVEL_POWER; power++) {
    // A level's report covers everything up to the end of the hdr bucket starting at 2^power.
    if (ns < 2 ** power + 2 ** (power - 7)) return power;
  }
  return LAST_LEVEL_POWER;
}

/** The µs Redis prints for a level. */
function levelMicros(power: number): number {
  const top = power === LAST_LEVEL_POWER ? 2 ** power - 1 : 2 ** power + 2 ** (power - 7) - 1;
  return Math.floor(top / 1000);
}

/**
 * calls and histogram_usec of one command. The engine times a sample of a busy command's calls, so the
 * cumulative counts are scaled to the call count.
 */
function commandHistogram(stat: CommandStat): MapReply {
  const perLevel = new Map<number, number>();
  stat.latency.forEachBucket((lowestNs, count) => {
    // Redis measures whole microseconds and records at least 1 ns.
    const ns = Math.min(Math.max(Math.floor(lowestNs / 1000) * 1000, 1), 1e9);
    const level = levelOf(ns);
    perLevel.set(level, (perLevel.get(level) ?? 0) + count);
  });
  const sampled = stat.latency.total;
  const calls = stat.calls;
  const entries: Reply[] = [];
  let cumulative = 0;
  let previous = 0;
  for (const level of [...perLevel.keys()].sort((a, b) => a - b)) {
    cumulative += perLevel.get(level)!;
    const scaled = cumulative === sampled ? calls : Math.round((cumulative * calls) / sampled);
    if (scaled > previous) entries.push(levelMicros(level), scaled);
    previous = scaled;
  }
  return new MapReply(['calls', calls, 'histogram_usec', new MapReply(entries)]);
}

/** Appends a command's entry if it has been called (Redis has no histogram for it otherwise). */
function addHistogram(c: Session, spec: CommandSpec, entries: Reply[]): void {
  const name = c.engine.commands.fullName(spec);
  const stat = c.engine.stats.commands.get(name);
  if (stat && stat.calls > 0 && stat.latency.total > 0) entries.push(name, commandHistogram(stat));
}

/** The command and, for a container, its subcommands. */
function addCommandHistograms(c: Session, spec: CommandSpec, entries: Reply[]): void {
  addHistogram(c, spec, entries);
  for (const sub of spec.subcommands ?? []) addHistogram(c, sub, entries);
}

/** "get", "config" or "config|get", case-insensitive; undefined for anything else. */
function lookupFullName(c: Session, name: string): CommandSpec | undefined {
  const table = c.engine.commands;
  const parts = name.split('|');
  if (parts.length === 1) return table.lookup(name);
  const parent = parts.length === 2 ? table.lookup(parts[0]!) : undefined;
  return parent?.subcommands ? table.lookupSubcommand(parent, parts[1]!) : undefined;
}

/** LATENCY HISTOGRAM [command …]: every called command's histogram, or those of the named ones. */
function histogram(c: Session, argv: string[]): Reply {
  const entries: Reply[] = [];
  if (argv.length === 2) {
    for (const spec of c.engine.commands.all()) addCommandHistograms(c, spec, entries);
  } else {
    for (let i = 2; i < argv.length; i++) {
      const spec = lookupFullName(c, argv[i]!);
      // A subcommand named directly is reported alone; unknown names are skipped.
      if (spec) addCommandHistograms(c, spec, entries);
    }
  }
  return new MapReply(entries);
}

const ADMIN = ['admin', 'noscript', 'loading', 'stale'] as const;
const CATEGORIES = ['admin', 'slow', 'dangerous'];
const docs = (since: string, summary: string, complexity = 'O(1)') => ({
  group: 'server',
  since,
  summary,
  complexity,
});

export const latencyCommand: CommandSpec = {
  ...command(
    'latency',
    -2,
    [],
    [0, 0, 0],
    ['slow'],
    () => null,
    docs('2.8.13', 'A container for latency diagnostics commands.', 'Depends on subcommand.'),
  ),
  subcommands: [
    command(
      'doctor',
      2,
      ADMIN,
      [0, 0, 0],
      CATEGORIES,
      (c) => new VerbatimReply(latencyReport(c.engine)),
      docs('2.8.13', 'Returns a human-readable report of the latency events seen.'),
    ),
    command(
      'graph',
      3,
      ADMIN,
      [0, 0, 0],
      CATEGORIES,
      graph,
      docs('2.8.13', 'Returns an ASCII graph of the latency samples of one event.'),
    ),
    command(
      'histogram',
      -2,
      ADMIN,
      [0, 0, 0],
      CATEGORIES,
      histogram,
      docs(
        '7.0.0',
        'Returns the cumulative latency distribution of some or all commands.',
        'O(N) where N is the number of commands with latency information being retrieved.',
      ),
    ),
    command(
      'history',
      3,
      ADMIN,
      [0, 0, 0],
      CATEGORIES,
      history,
      docs('2.8.13', 'Returns the timestamped latency samples of one event.'),
    ),
    command(
      'latest',
      2,
      ADMIN,
      [0, 0, 0],
      CATEGORIES,
      (c) => latencyMonitor(c.engine).latest(),
      docs('2.8.13', 'Returns the latest latency sample of every event.'),
    ),
    command(
      'reset',
      -2,
      ADMIN,
      [0, 0, 0],
      CATEGORIES,
      reset,
      docs('2.8.13', 'Clears the latency samples of some or all events.'),
    ),
    command(
      'help',
      2,
      ['loading', 'stale'],
      [0, 0, 0],
      ['slow'],
      () => helpReply('LATENCY', LATENCY_HELP),
      docs('2.8.13', 'Shows help about the LATENCY subcommands.'),
    ),
  ],
};
