import { readFileSync } from 'node:fs';
import { REDIS_VERSION } from '@redkit/engine';

/** A redis.conf line that cannot be used; the message is laid out as redis-server prints it. */
export class ConfigFileError extends Error {
  override name = 'ConfigFileError';
  constructor(source: string, lineNumber: number, line: string, reason: string) {
    super(
      `\n*** FATAL CONFIG FILE ERROR (Redis ${REDIS_VERSION}) ***\n` +
        `Reading the configuration file ${source}, at line ${lineNumber}\n>>> '${line}'\n${reason}`,
    );
  }
}

/** Directives whose lines add up instead of replacing each other. */
const CUMULATIVE = new Set(['save']);

/**
 * Reads a redis.conf-style file, as `redis-server /path/redis.conf` does: one directive per line, its
 * arguments split (and quoted) as Redis splits them, `#` comments, `include other.conf`. Returns parameter →
 * value with a directive's arguments joined by spaces (`save 900 1` → '900 1'); later lines win, except
 * for `save`, whose lines accumulate.
 */
export function readConfigFile(path: string, including: string[] = []): Record<string, string> {
  if (including.includes(path)) {
    throw new Error(`config file ${path} includes itself (through ${including.join(' → ')})`);
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the config file ${path}: ${(error as Error).message}`);
  }
  return parseConfig(text, path, (included) => readConfigFile(included, [...including, path]));
}

export function parseConfig(
  text: string,
  source: string,
  include: (path: string) => Record<string, string> = () => {
    throw new Error('include is not available here');
  },
): Record<string, string> {
  const config: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const args = splitArgs(line);
    if (args === null)
      throw new ConfigFileError(source, i + 1, line, 'Unbalanced quotes in configuration line');
    if (args.length === 0) continue;
    const name = args[0]!.toLowerCase();
    if (args.length < 2) {
      throw new ConfigFileError(source, i + 1, line, 'Bad directive or wrong number of arguments');
    }
    if (name === 'include') {
      Object.assign(config, include(args[1]!));
      continue;
    }
    const value = args.slice(1).join(' ');
    // `user` lines are ACL users: one per line, kept apart for the engine.
    if (name === 'user') config.user = config.user ? `${config.user}\n${value}` : value;
    else config[name] = CUMULATIVE.has(name) && config[name] ? `${config[name]} ${value}` : value;
  }
  return config;
}

const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', a: '\x07' };

/**
 * Splits a line into arguments as Redis's sdssplitargs does: spaces separate, "double quotes" allow
 * \n \r \t \b \a \xHH \\ \" escapes, 'single quotes' only \'; a closing quote must end the argument.
 * Returns null for unbalanced quotes.
 */
export function splitArgs(line: string): string[] | null {
  const args: string[] = [];
  let i = 0;
  while (true) {
    while (i < line.length && /\s/.test(line[i]!)) i++;
    if (i >= line.length) return args;
    let current = '';
    const quote = line[i] === '"' || line[i] === "'" ? line[i] : undefined;
    if (quote) i++;
    while (true) {
      if (i >= line.length) {
        if (quote) return null;
        break;
      }
      const c = line[i]!;
      if (quote === '"' && c === '\\' && i + 1 < line.length) {
        const next = line[i + 1]!;
        const hex = line.slice(i + 2, i + 4);
        if (next === 'x' && /^[0-9a-fA-F]{2}$/.test(hex)) {
          current += String.fromCharCode(Number.parseInt(hex, 16));
          i += 4;
        } else {
          current += ESCAPES[next] ?? next;
          i += 2;
        }
      } else if (quote === "'" && c === '\\' && line[i + 1] === "'") {
        current += "'";
        i += 2;
      } else if (quote && c === quote) {
        i++;
        // A closing quote must be followed by a space or the end of the line.
        if (i < line.length && !/\s/.test(line[i]!)) return null;
        break;
      } else if (!quote && /\s/.test(c)) {
        break;
      } else {
        current += c;
        i++;
      }
    }
    args.push(current);
  }
}
