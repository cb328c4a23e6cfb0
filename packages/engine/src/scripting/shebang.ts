import { RedisError } from '../resp/errors.js';

/** What a script declares in its `#!lua flags=…` first line (Redis 7). */
export interface ScriptFlags {
  /** The script had a shebang: its flags, not the command's, decide whether it may write. */
  declared: boolean;
  noWrites: boolean;
}

const NO_SHEBANG: ScriptFlags = { declared: false, noWrites: false };
const KNOWN_FLAGS = new Set(['no-writes', 'allow-oom', 'allow-stale', 'no-cluster', 'allow-cross-slot-keys']);

/**
 * Reads a script's shebang. Returns the flags and the source to compile: the shebang line becomes a
 * comment, so line numbers in errors stay those of the script.
 */
export function readShebang(body: string): { flags: ScriptFlags; source: string } {
  if (!body.startsWith('#!')) return { flags: NO_SHEBANG, source: body };
  const end = body.indexOf('\n');
  if (end < 0) throw new RedisError('ERR Invalid script shebang');
  const [engine, ...options] = body
    .slice(0, end)
    .split(/[ \t]+/)
    .filter((part) => part !== '');
  if (engine !== '#!lua') throw new RedisError(`ERR Unexpected engine in script shebang: ${engine}`);
  let noWrites = false;
  for (const option of options) {
    if (!option.startsWith('flags=')) throw new RedisError(`ERR Unknown lua shebang option: ${option}`);
    for (const flag of option.slice(6).split(',')) {
      if (flag === '') continue;
      if (!KNOWN_FLAGS.has(flag)) throw new RedisError(`ERR Unexpected flag in script shebang: ${flag}`);
      if (flag === 'no-writes') noWrites = true;
    }
  }
  return { flags: { declared: true, noWrites }, source: `--${body}` };
}
