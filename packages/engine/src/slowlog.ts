/** One SLOWLOG entry, as SLOWLOG GET shows it. */
export interface SlowLogEntry {
  id: number;
  /** Unix time in seconds when the command was logged. */
  time: number;
  /** Execution time in microseconds. */
  duration: number;
  argv: string[];
  /** ip:port of the client ("?:0" for a script's commands). */
  peer: string;
  name: string;
}

/** Redis keeps at most this many arguments of a logged command, the last one saying how many were left out. */
const MAX_ARGS = 32;
/** … and at most this many bytes of each argument. */
const MAX_ARG_BYTES = 128;

/** The arguments as Redis logs them: long commands and long arguments cut short, saying by how much. */
export function loggedArguments(argv: readonly string[]): string[] {
  const count = Math.min(argv.length, MAX_ARGS);
  const out = new Array<string>(count);
  for (let i = 0; i < count; i++) {
    const arg = argv[i]!;
    if (count !== argv.length && i === count - 1) out[i] = `... (${argv.length - count + 1} more arguments)`;
    else if (arg.length > MAX_ARG_BYTES) {
      out[i] = `${arg.slice(0, MAX_ARG_BYTES)}... (${arg.length - MAX_ARG_BYTES} more bytes)`;
    } else out[i] = arg;
  }
  return out;
}

/** SLOWLOG: the commands that ran for at least slowlog-log-slower-than µs, the newest slowlog-max-len. */
export class SlowLog {
  /** Oldest first. */
  private entries: SlowLogEntry[] = [];
  private nextId = 0;

  get length(): number {
    return this.entries.length;
  }

  /**
   * Redis's slowlogPushEntryIfNeeded: logs the call when it took at least `threshold` µs (a negative
   * threshold disables the log), then drops the oldest entries beyond `maxLen`.
   */
  consider(
    call: Omit<SlowLogEntry, 'id' | 'argv'> & { argv: readonly string[] },
    threshold: number,
    maxLen: number,
  ): void {
    if (threshold < 0) return;
    if (call.duration >= threshold) {
      this.entries.push({ ...call, id: this.nextId++, argv: loggedArguments(call.argv) });
    }
    if (this.entries.length > maxLen) this.entries.splice(0, this.entries.length - maxLen);
  }

  /** Up to `count` entries, newest first. */
  newest(count: number): SlowLogEntry[] {
    const out: SlowLogEntry[] = [];
    for (let i = this.entries.length - 1; i >= 0 && out.length < count; i--) out.push(this.entries[i]!);
    return out;
  }

  reset(): void {
    this.entries = [];
  }
}
