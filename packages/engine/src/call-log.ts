import type { CommandSpec } from './commands/registry.js';
import type { Engine } from './engine.js';
import { SystemClock } from './keyspace/clock.js';
import { recordCommandLatency } from './latency.js';
import { Monitors } from './monitors.js';
import type { Session } from './session.js';
import { SlowLog } from './slowlog.js';

/** What Redis's shared "(redacted)" argument shows in place of a secret. */
const REDACTED = '(redacted)';

/** A blocked command (or a script that yields) is logged when it ends, as Redis logs it on unblocking. */
interface PendingCall {
  argv: string[];
  micros: number;
  /** Scripts that yield keep running: their whole time counts. A blocked command's wait does not. */
  runningSince: number | undefined;
  fast: boolean;
}

/**
 * What clients can see of the commands that run: SLOWLOG, MONITOR and the latency monitor's command
 * samples, fed after every call as in Redis's call(). Commands that scripts call come from Redis's script client ("lua", peer "?:0", no name);
 * arguments a command redacted (passwords) show as "(redacted)".
 */
export class CallLog {
  readonly slowlog = new SlowLog();
  readonly monitors = new Monitors();
  /** > 0 while redis.call runs a command for a script. */
  scriptDepth = 0;
  private configVersion = -1;
  private threshold = 0;
  private maxLen = 0;
  /** latency-monitor-threshold in ms (0: the latency monitor is off). */
  private latencyMs = 0;
  private readonly pending = new Map<Session, PendingCall>();

  constructor(private readonly engine: Engine) {}

  /** slowlog-log-slower-than in µs (negative: off). */
  get slowerThan(): number {
    const config = this.engine.config;
    if (config.version !== this.configVersion) {
      this.configVersion = config.version;
      this.threshold = config.number('slowlog-log-slower-than');
      this.maxLen = config.number('slowlog-max-len');
      this.latencyMs = config.number('latency-monitor-threshold');
    }
    return this.threshold;
  }

  /**
   * Whether a call must be timed for the slowlog. Reading the clock twice costs about as much as a small
   * command, so O(1) ('fast') commands, and the commands a script calls (the script's own entry covers
   * their time), are only timed with the sampled statistics unless everything is logged (threshold 0);
   * every other command is timed while the slowlog is on. The latency monitor, when on, times every call.
   */
  mustTime(spec: CommandSpec): boolean {
    const threshold = this.slowerThan;
    if (this.latencyMs > 0) return true;
    return threshold === 0 || (threshold > 0 && this.scriptDepth === 0 && !spec.flags.includes('fast'));
  }

  /**
   * After a command ran: logs it (`micros` undefined when it was not timed; a command that blocked, or a
   * script still running, is logged when it ends) and shows it to the monitors.
   */
  called(
    session: Session,
    spec: CommandSpec,
    argv: string[],
    micros: number | undefined,
    state: 'done' | 'blocked' | 'running',
  ): void {
    if (micros !== undefined && state === 'done' && this.latencyMs > 0) {
      recordCommandLatency(this.engine, spec.flags.includes('fast'), micros / 1000);
    }
    const redacted = session.redacted;
    const shown = redacted === undefined ? argv : argv.map((arg, i) => (redacted.has(i) ? REDACTED : arg));
    session.redacted = undefined;
    if (micros !== undefined && !spec.flags.includes('skip_slowlog') && this.slowerThan >= 0) {
      if (state === 'done') this.log(session, shown, micros);
      else {
        const runningSince = state === 'running' ? performance.now() : undefined;
        this.pending.set(session, { argv: shown, micros, runningSince, fast: spec.flags.includes('fast') });
      }
    }
    if (this.monitors.size > 0 && !spec.flags.includes('skip_monitor') && !spec.flags.includes('admin')) {
      this.feed(session, shown);
    }
  }

  /** A blocked command or a yielding script ended: its slowlog entry is made now. */
  ended(session: Session): void {
    const call = this.pending.get(session);
    if (call === undefined) return;
    this.pending.delete(session);
    const micros =
      call.micros + (call.runningSince === undefined ? 0 : (performance.now() - call.runningSince) * 1000);
    this.log(session, call.argv, micros);
    if (this.latencyMs > 0) recordCommandLatency(this.engine, call.fast, micros / 1000);
  }

  /**
   * Shows a command to the monitors. `beforeReply`: the command has not replied yet (scripts show
   * themselves before the commands they run), so a monitor running it sees the line first.
   */
  feed(session: Session, argv: readonly string[], beforeReply = false): void {
    if (this.monitors.size === 0) return;
    const from = this.scriptDepth > 0 ? 'lua' : session;
    this.monitors.feed(from, session.db.index, argv, wallClockMicros(this.engine), beforeReply);
  }

  forget(session: Session): void {
    this.pending.delete(session);
    this.monitors.sessions.delete(session);
  }

  private log(session: Session, argv: readonly string[], micros: number): void {
    const script = this.scriptDepth > 0;
    this.slowlog.consider(
      {
        time: Math.floor(this.engine.clock.now() / 1000),
        duration: Math.floor(micros),
        argv,
        peer: script ? '?:0' : (session.transport.remoteAddress ?? '?:0'),
        name: script ? '' : session.name,
      },
      this.threshold,
      this.maxLen,
    );
  }
}

/** Microseconds since the epoch: the system clock's (to the µs), or a manual clock's time. */
export function wallClockMicros(engine: Engine): number {
  const clock = engine.clock;
  return clock instanceof SystemClock
    ? Math.floor((performance.timeOrigin + performance.now()) * 1000)
    : Math.floor(clock.now() * 1000);
}
