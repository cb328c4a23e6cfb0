import type { Engine } from './engine.js';

/** Samples kept per event: one per second, the last 160 seconds that had a spike (Redis's LATENCY_TS_LEN). */
export const LATENCY_SERIES_LENGTH = 160;

/** One latency event's recent spikes (a ring of per-second maxima) and its all-time maximum. */
export class LatencySeries {
  /** Unix seconds of each slot; 0 marks a slot never written. */
  readonly times = new Float64Array(LATENCY_SERIES_LENGTH);
  /** Milliseconds of each slot. */
  readonly latencies = new Float64Array(LATENCY_SERIES_LENGTH);
  /** The slot the next new second goes to. */
  next = 0;
  max = 0;

  add(second: number, ms: number): void {
    if (ms > this.max) this.max = ms;
    const previous = this.previousSlot();
    // Spikes within one second share a slot, which keeps the worst of them.
    if (this.times[previous] === second) {
      if (ms > this.latencies[previous]!) this.latencies[previous] = ms;
      return;
    }
    this.times[this.next] = second;
    this.latencies[this.next] = ms;
    this.next = (this.next + 1) % LATENCY_SERIES_LENGTH;
  }

  /** The slot written last. */
  previousSlot(): number {
    return (this.next + LATENCY_SERIES_LENGTH - 1) % LATENCY_SERIES_LENGTH;
  }

  /** The written samples, oldest first. */
  samples(): Array<{ time: number; latency: number }> {
    const out: Array<{ time: number; latency: number }> = [];
    for (let j = 0; j < LATENCY_SERIES_LENGTH; j++) {
      const i = (this.next + j) % LATENCY_SERIES_LENGTH;
      if (this.times[i] !== 0) out.push({ time: this.times[i]!, latency: this.latencies[i]! });
    }
    return out;
  }
}

/**
 * Redis's latency monitor: named events (the engine feeds "command" and "fast-command") whose spikes at or
 * above latency-monitor-threshold milliseconds are kept per second, for LATENCY LATEST/HISTORY/GRAPH/DOCTOR.
 */
export class LatencyMonitor {
  /** In creation order (Redis's dict order is unspecified). */
  readonly events = new Map<string, LatencySeries>();
  private configVersion = -1;
  private cachedThreshold = 0;

  constructor(private readonly engine: Engine) {}

  /** latency-monitor-threshold in ms (0: monitoring off), re-read only when the config changed. */
  get threshold(): number {
    const config = this.engine.config;
    if (config.version !== this.configVersion) {
      this.configVersion = config.version;
      this.cachedThreshold = config.number('latency-monitor-threshold');
    }
    return this.cachedThreshold;
  }

  /** Records a spike of `ms` milliseconds (whole ms, as Redis's mstime differences) if it is one. */
  sample(event: string, ms: number): void {
    const threshold = this.threshold;
    if (threshold > 0 && ms >= threshold) this.add(event, Math.floor(ms));
  }

  /** Records unconditionally (Redis's latencyAddSample). */
  add(event: string, ms: number): void {
    let series = this.events.get(event);
    if (!series) this.events.set(event, (series = new LatencySeries()));
    series.add(Math.floor(this.engine.clock.now() / 1000), ms);
  }

  /** Per event: its name, the time and latency of its latest spike, and its all-time maximum. */
  latest(): Array<[event: string, time: number, latency: number, max: number]> {
    const out: Array<[string, number, number, number]> = [];
    for (const [event, series] of this.events) {
      const last = series.previousSlot();
      out.push([event, series.times[last]!, series.latencies[last]!, series.max]);
    }
    return out;
  }

  /** The event's samples, oldest first; empty for an unknown event (names are case-sensitive). */
  history(event: string): Array<{ time: number; latency: number }> {
    return this.events.get(event)?.samples() ?? [];
  }

  /** Forgets the given events (case-insensitive), or all of them; returns how many were dropped. */
  reset(events?: readonly string[]): number {
    if (events === undefined) {
      const n = this.events.size;
      this.events.clear();
      return n;
    }
    let resets = 0;
    for (const wanted of events) {
      const lower = wanted.toLowerCase();
      for (const event of [...this.events.keys()]) {
        if (event.toLowerCase() === lower) {
          this.events.delete(event);
          resets++;
        }
      }
    }
    return resets;
  }
}

const monitors = new WeakMap<Engine, LatencyMonitor>();

/** The engine's latency monitor, created on first use. */
export function latencyMonitor(engine: Engine): LatencyMonitor {
  let monitor = monitors.get(engine);
  if (!monitor) monitors.set(engine, (monitor = new LatencyMonitor(engine)));
  return monitor;
}

/** latency-monitor-threshold in ms (0 = off), cached by config version: cheap enough for every call. */
export function latencyThreshold(engine: Engine): number {
  return latencyMonitor(engine).threshold;
}

/**
 * Feeds a command's duration to the monitor, as Redis's call() does: "fast-command" for commands flagged
 * fast, "command" otherwise; `ms` is truncated to whole milliseconds before comparing to the threshold.
 */
export function recordCommandLatency(engine: Engine, fast: boolean, ms: number): void {
  latencyMonitor(engine).sample(fast ? 'fast-command' : 'command', Math.floor(ms));
}

// ---------------------------------------------------------------------------------------------------------
// LATENCY GRAPH: an ASCII sparkline of an event's samples, as Redis's sparkline.c draws it.

const GRAPH_COLUMNS = 80;
const GRAPH_ROWS = 4;
/** Characters from low to high within one row; a column fully below the row it reaches shows '|'. */
const FILL_CHARS = '_o#';

/** How long ago a sample was, as the label under its column: "12s", "3m", "2h" or "1d". */
function ageLabel(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.trunc(seconds / 60)}m`;
  if (seconds < 86400) return `${Math.trunc(seconds / 3600)}h`;
  return `${Math.trunc(seconds / 86400)}d`;
}

/** Draws one band of at most GRAPH_COLUMNS samples: the curve's rows, a blank line, then vertical labels. */
function renderBand(
  values: readonly number[],
  labels: readonly string[],
  min: number,
  max: number,
  from: number,
  to: number,
): string {
  const levels = FILL_CHARS.length * GRAPH_ROWS;
  const range = max - min === 0 ? 1 : max - min;
  const steps: number[] = [];
  for (let j = from; j < to; j++) {
    const step = Math.trunc(Math.trunc((values[j]! - min) * levels) / range);
    steps.push(Math.min(Math.max(step, 0), levels - 1));
  }
  let out = '';
  for (let row = 0; row < GRAPH_ROWS; row++) {
    let line = '';
    for (const step of steps) {
      const index = step - (GRAPH_ROWS - row - 1) * FILL_CHARS.length;
      line += index < 0 ? ' ' : index < FILL_CHARS.length ? FILL_CHARS[index] : '|';
    }
    out += `${line}\n`;
  }
  if (to > from) out += `${' '.repeat(to - from)}\n`;
  for (let position = 0; ; position++) {
    let line = '';
    let any = false;
    for (let j = from; j < to; j++) {
      const label = labels[j]!;
      if (position < label.length) {
        line += label[position];
        any = true;
      } else line += ' ';
    }
    if (!any) break;
    out += `${line}\n`;
  }
  return out;
}

/** LATENCY GRAPH's text: a header with the extremes, a rule, then the sparkline (oldest sample first). */
export function latencyGraph(event: string, series: LatencySeries, nowSeconds: number): string {
  const samples = series.samples();
  const values = samples.map((s) => s.latency);
  const labels = samples.map((s) => ageLabel(nowSeconds - s.time));
  const min = values.length ? Math.min(...values) : 0;
  const max = values.length ? Math.max(...values) : 0;
  let out = `${event} - high ${max} ms, low ${min} ms (all time high ${series.max} ms)\n${'-'.repeat(GRAPH_COLUMNS)}\n`;
  for (let from = 0; from < values.length; from += GRAPH_COLUMNS) {
    if (from !== 0) out += '\n';
    out += renderBand(values, labels, min, max, from, Math.min(from + GRAPH_COLUMNS, values.length));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// LATENCY DOCTOR: Redis's report, worded as Redis words it (its output is part of the interface).

const DISABLED_REPORT =
  "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. You may use " +
  '"CONFIG SET latency-monitor-threshold <milliseconds>." in order to enable it. If we weren\'t in a deep ' +
  "space mission I'd suggest to take a look at https://redis.io/topics/latency-monitor.\n";
const QUIET_REPORT =
  'Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest ' +
  'bit. I honestly think you ought to sit down calmly, take a stress pill, and think things over.\n';
const REPORT_OPENING =
  "Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you " +
  'Dave?\n\n';
const NO_ADVICE =
  "\nWhile there are latency events logged, I'm not able to suggest any easy fix. Please use the Redis " +
  'community to get some help, providing this report in your help request.\n';
const ADVICE_OPENING = '\nI have a few advices for you:\n\n';

const enableSlowlogAdvice = (micros: number) =>
  '- There are latency issues with potentially slow commands you are using. Try to enable the Slow Log ' +
  `Redis feature using the command 'CONFIG SET slowlog-log-slower-than ${micros}'. If the Slow log is ` +
  'disabled Redis is not able to log slow commands execution for you.\n';
const tuneSlowlogAdvice = (micros: number) =>
  '- Your current Slow Log configuration only logs events that are slower than your configured latency ' +
  `monitor threshold. Please use 'CONFIG SET slowlog-log-slower-than ${micros}'.\n`;
const INSPECT_SLOWLOG_ADVICE =
  '- Check your Slow Log to understand what are the commands you are running which are too slow to ' +
  'execute. Please check https://redis.io/commands/slowlog for more information.\n';
const SCHEDULER_ADVICE =
  '- The system is slow to execute Redis code paths not containing system calls. This usually means the ' +
  'system does not provide Redis CPU time to run for long periods. You should try to:\n' +
  '  1) Lower the system load.\n' +
  '  2) Use a computer / VM just for Redis if you are running other software in the same system.\n' +
  '  3) Check if you have a "noisy neighbour" problem.\n' +
  "  4) Check with 'redis-cli --intrinsic-latency 100' what is the intrinsic latency in your system.\n" +
  '  5) Check if the problem is allocator-related by recompiling Redis with MALLOC=libc, if you are using ' +
  'Jemalloc. However this may create fragmentation problems.\n';
const LARGE_OBJECTS_ADVICE =
  '- Deleting, expiring or evicting (because of maxmemory policy) large objects is a blocking operation. ' +
  'If you have very large objects that are often deleted, expired, or evicted, try to fragment those ' +
  'objects into multiple smaller objects.\n';

/** printf's %.2f: like toFixed(2), but an exact binary tie rounds to even as C's printf does. */
function fixed2(x: number): string {
  const hundredths = x * 100;
  if (Number.isInteger(x * 8) && Number.isInteger(hundredths * 2) && !Number.isInteger(hundredths)) {
    const down = Math.floor(hundredths);
    return ((down % 2 === 0 ? down : down + 1) / 100).toFixed(2);
  }
  return x.toFixed(2);
}

/** One event's line: spikes, their average and mean deviation, how often, and the worst ever. */
function eventLine(number: number, event: string, series: LatencySeries, nowSeconds: number): string {
  const samples = series.samples();
  let sum = 0;
  let oldest = 0;
  for (const s of samples) {
    sum += s.latency;
    if (oldest === 0 || s.time < oldest) oldest = s.time;
  }
  const count = samples.length;
  const average = count ? Math.floor(sum / count) : 0;
  let deviation = 0;
  for (const s of samples) deviation += Math.abs(average - s.latency);
  const meanDeviation = count ? Math.floor(deviation / count) : 0;
  const period = count ? nowSeconds - oldest || 1 : 0;
  return (
    `${number}. ${event}: ${count} latency spikes (average ${average}ms, mean deviation ${meanDeviation}ms, ` +
    `period ${fixed2(period / count)} sec). Worst all time event ${series.max}ms.`
  );
}

/**
 * LATENCY DOCTOR's text. The engine only has the "command" and "fast-command" events, so only their
 * advice is written (Redis's fork, AOF, expire and eviction events never occur here).
 */
export function latencyReport(engine: Engine): string {
  const monitor = latencyMonitor(engine);
  const threshold = monitor.threshold;
  if (monitor.events.size === 0 && threshold === 0) return DISABLED_REPORT;
  const nowSeconds = Math.floor(engine.clock.now() / 1000);
  const slowerThan = engine.config.number('slowlog-log-slower-than');
  let report = '';
  let advices = 0;
  let enableSlowlog = false;
  let tuneSlowlog = false;
  let inspectSlowlog = false;
  let largeObjects = false;
  let scheduler = false;
  let number = 0;
  for (const [event, series] of monitor.events) {
    number++;
    if (number === 1) report += REPORT_OPENING;
    report += eventLine(number, event, series, nowSeconds);
    const lower = event.toLowerCase();
    if (lower === 'command') {
      if (slowerThan < 0) {
        enableSlowlog = true;
        advices++;
      } else if (Math.trunc(slowerThan / 1000) > threshold) {
        tuneSlowlog = true;
        advices++;
      }
      inspectSlowlog = true;
      largeObjects = true;
      advices += 2;
    } else if (lower === 'fast-command') {
      scheduler = true;
      advices++;
    }
    report += '\n';
  }
  if (number === 0 && advices === 0) return report + QUIET_REPORT;
  if (advices === 0) return report + NO_ADVICE;
  report += ADVICE_OPENING;
  if (enableSlowlog) report += enableSlowlogAdvice(threshold * 1000);
  if (tuneSlowlog) report += tuneSlowlogAdvice(threshold * 1000);
  if (inspectSlowlog) report += INSPECT_SLOWLOG_ADVICE;
  if (scheduler) report += SCHEDULER_ADVICE;
  if (largeObjects) report += LARGE_OBJECTS_ADVICE;
  return report;
}
