import { appendFileSync } from 'node:fs';
import type { Config } from './config.js';

/**
 * Redis-style log lines: `pid:M dd Mon yyyy hh:mm:ss.mmm <c> message`, with the level characters
 * Redis uses ('.' debug, '-' verbose, '*' notice, '#' warning), filtered by `loglevel` and written
 * to `logfile` ('' = standard output), as Redis's serverLog does.
 */
export type LogLevel = 'debug' | 'verbose' | 'notice' | 'warning';

/** Logs one message at a level (a message below the configured level is dropped). */
export type LogFunction = (level: LogLevel, message: string) => void;

const LEVEL_RANK: Record<LogLevel, number> = { debug: 0, verbose: 1, notice: 2, warning: 3 };
const LEVEL_CHAR: Record<LogLevel, string> = { debug: '.', verbose: '-', notice: '*', warning: '#' };
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));
const pad3 = (n: number) => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : String(n));

/** Redis's timestamp: "%d %b %Y %H:%M:%S.mmm" in local time. */
export function formatLogTime(ms: number): string {
  const d = new Date(ms);
  return (
    `${pad2(d.getDate())} ${MONTHS[d.getMonth()]} ${d.getFullYear()} ` +
    `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}.${pad3(d.getMilliseconds())}`
  );
}

/** One complete log line, without the trailing newline. `role` is 'M' (server) or 'C' (a child). */
export function formatLogLine(
  level: LogLevel,
  message: string,
  ms: number = Date.now(),
  pid: number = process.pid,
  role = 'M',
): string {
  return `${pid}:${role} ${formatLogTime(ms)} ${LEVEL_CHAR[level]} ${message}`;
}

/** True when a message at `level` passes the threshold `minimum` (the `loglevel` setting). */
export function logLevelEnabled(level: LogLevel, minimum: LogLevel): boolean {
  return LEVEL_RANK[level] >= LEVEL_RANK[minimum];
}

export interface LoggerOptions {
  /** The threshold, or a function read at each message (to follow CONFIG SET loglevel). Default notice. */
  level?: LogLevel | (() => LogLevel);
  /** A file to append to; '' or undefined = standard output. A function is read at each message. */
  file?: string | (() => string);
  /** Where lines go instead of stdout/file (tests); receives the line with its newline. */
  sink?: (line: string) => void;
  /** 'M' for the server, 'C' for a child process. */
  role?: string;
}

/** A logger with its own settings. Writing is synchronous, as Redis's, so no line is lost on exit. */
export function createLogger(options: LoggerOptions = {}): LogFunction {
  const levelOf = typeof options.level === 'function' ? options.level : () => options.level as LogLevel;
  const fileOf = typeof options.file === 'function' ? options.file : () => options.file as string;
  const role = options.role ?? 'M';
  return (level, message) => {
    if (!logLevelEnabled(level, levelOf() ?? 'notice')) return;
    const line = `${formatLogLine(level, message, Date.now(), process.pid, role)}\n`;
    if (options.sink) return options.sink(line);
    const file = fileOf();
    if (!file) {
      process.stdout.write(line);
      return;
    }
    try {
      appendFileSync(file, line);
    } catch {
      // Redis drops a line it cannot write (fopen fails): logging never stops the server.
    }
  };
}

/** A logger following a configuration's `loglevel` and `logfile`, read at each message. */
export function configLogger(config: Config, sink?: (line: string) => void): LogFunction {
  return createLogger({
    level: () => config.get('loglevel') as LogLevel,
    file: () => config.get('logfile'),
    sink,
  });
}

const loggers = new WeakMap<object, LogFunction>();

/**
 * The logger of an engine (anything with a `config`): by default one that follows its loglevel/logfile;
 * `setEngineLogger` replaces it (tests capture lines, an embedding application routes them elsewhere).
 */
export function engineLogger(engine: { config: Config }): LogFunction {
  let log = loggers.get(engine);
  if (!log) {
    log = configLogger(engine.config);
    loggers.set(engine, log);
  }
  return log;
}

export function setEngineLogger(engine: { config: Config }, log: LogFunction): void {
  loggers.set(engine, log);
}

/** Whether an engine logs at `level` under its current `loglevel` (to skip building costly messages). */
export function engineLogs(engine: { config: Config }, level: LogLevel): boolean {
  return logLevelEnabled(level, engine.config.get('loglevel') as LogLevel);
}
