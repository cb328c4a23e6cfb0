import { RedisError } from './resp/errors.js';

/** One configuration parameter the engine honours, with Redis's name, default and validation. */
export interface ConfigParameter {
  name: string;
  aliases?: string[];
  default: string;
  /** Normalises a new value or throws a message for CONFIG SET's error. */
  validate?: (value: string) => string;
  /** Only settable at start-up (CONFIG SET answers an error). */
  immutable?: boolean;
}

const integer = (min: number, max = Number.MAX_SAFE_INTEGER) => (value: string) => {
  if (!/^-?[0-9]+$/.test(value)) throw new Error('argument couldn\'t be parsed into an integer');
  const n = Number(value);
  if (n < min || n > max) throw new Error(`argument must be between ${min} and ${max} inclusive`);
  return String(n);
};

const yesNo = (value: string) => {
  const v = value.toLowerCase();
  if (v !== 'yes' && v !== 'no') throw new Error("argument must be 'yes' or 'no'");
  return v;
};

const MEMORY_UNITS: Record<string, number> = { '': 1, b: 1, k: 1000, kb: 1024, m: 1e6, mb: 1024 ** 2, g: 1e9, gb: 1024 ** 3 };
const memory = (value: string) => {
  const m = /^(-?[0-9]+)([a-z]*)$/i.exec(value);
  const unit = m ? MEMORY_UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) throw new Error("argument must be a memory value");
  return String(Number(m[1]) * unit);
};

const oneOf = (...options: string[]) => (value: string) => {
  const v = value.toLowerCase();
  if (!options.includes(v)) throw new Error('argument(s) must be one of the following: ' + options.join(', '));
  return v;
};

export const CONFIG_PARAMETERS: ConfigParameter[] = [
  { name: 'port', default: '6379', validate: integer(0, 65535), immutable: true },
  { name: 'bind', default: '127.0.0.1', immutable: true },
  { name: 'databases', default: '16', validate: integer(1), immutable: true },
  { name: 'maxclients', default: '10000', validate: integer(1) },
  { name: 'timeout', default: '0', validate: integer(0) },
  { name: 'hz', default: '10', validate: integer(1, 500) },
  { name: 'proto-max-bulk-len', default: '536870912', validate: memory },
  { name: 'client-query-buffer-limit', default: '1073741824', validate: memory },
  { name: 'hash-max-listpack-entries', aliases: ['hash-max-ziplist-entries'], default: '128', validate: integer(0) },
  { name: 'hash-max-listpack-value', aliases: ['hash-max-ziplist-value'], default: '64', validate: integer(0) },
  { name: 'list-max-listpack-size', aliases: ['list-max-ziplist-size'], default: '-2', validate: integer(-5) },
  { name: 'list-compress-depth', default: '0', validate: integer(0) },
  { name: 'set-max-intset-entries', default: '512', validate: integer(0) },
  { name: 'zset-max-listpack-entries', aliases: ['zset-max-ziplist-entries'], default: '128', validate: integer(0) },
  { name: 'zset-max-listpack-value', aliases: ['zset-max-ziplist-value'], default: '64', validate: integer(0) },
  { name: 'notify-keyspace-events', default: '' },
  { name: 'maxmemory', default: '0', validate: memory },
  {
    name: 'maxmemory-policy',
    default: 'noeviction',
    validate: oneOf(
      'volatile-lru',
      'volatile-lfu',
      'volatile-random',
      'volatile-ttl',
      'allkeys-lru',
      'allkeys-lfu',
      'allkeys-random',
      'noeviction',
    ),
  },
  { name: 'maxmemory-samples', default: '5', validate: integer(1) },
  { name: 'lua-time-limit', aliases: ['busy-reply-threshold'], default: '5000', validate: integer(0) },
  { name: 'appendonly', default: 'no', validate: yesNo },
  { name: 'save', default: '' },
  { name: 'dir', default: '.' },
  { name: 'dbfilename', default: 'dump.rdb' },
  { name: 'requirepass', default: '' },
  { name: 'protected-mode', default: 'yes', validate: yesNo },
  { name: 'loglevel', default: 'notice', validate: oneOf('debug', 'verbose', 'notice', 'warning', 'nothing') },
  { name: 'slowlog-log-slower-than', default: '10000', validate: integer(-1) },
  { name: 'slowlog-max-len', default: '128', validate: integer(0) },
  { name: 'lazyfree-lazy-user-flush', default: 'no', validate: yesNo },
  { name: 'active-expire-effort', default: '1', validate: integer(1, 10) },
];

/** The live configuration: CONFIG GET/SET read and write it; the engine reads typed values from it. */
export class Config {
  private readonly values = new Map<string, string>();
  private readonly byName = new Map<string, ConfigParameter>();

  constructor(initial: Record<string, string> = {}) {
    for (const p of CONFIG_PARAMETERS) {
      this.byName.set(p.name, p);
      for (const alias of p.aliases ?? []) this.byName.set(alias, p);
      this.values.set(p.name, p.default);
    }
    for (const [name, value] of Object.entries(initial)) this.set(name, value, true);
  }

  parameter(name: string): ConfigParameter | undefined {
    return this.byName.get(name.toLowerCase());
  }

  get(name: string): string {
    const p = this.parameter(name);
    if (!p) throw new Error(`unknown config parameter ${name}`);
    return this.values.get(p.name)!;
  }

  number(name: string): number {
    return Number(this.get(name));
  }

  /** Sets a value; `startup` allows immutable parameters. Throws RedisError-ready messages. */
  set(name: string, value: string, startup = false): void {
    const p = this.parameter(name);
    if (!p) throw new RedisError(`ERR Unknown option or number of arguments for CONFIG SET - '${name}'`);
    if (p.immutable && !startup) {
      throw new RedisError(`ERR CONFIG SET failed (possibly related to argument '${name}') - can't set immutable config`);
    }
    let normalised = value;
    if (p.validate) {
      try {
        normalised = p.validate(value);
      } catch (e) {
        throw new RedisError(
          `ERR CONFIG SET failed (possibly related to argument '${name}') - ${(e as Error).message}`,
        );
      }
    }
    this.values.set(p.name, normalised);
  }

  /** All canonical parameters with their values (aliases excluded). */
  entries(): Array<[ConfigParameter, string]> {
    return CONFIG_PARAMETERS.map((p) => [p, this.values.get(p.name)!]);
  }
}
