import type { Reply } from '../resp/reply.js';
import type { Session } from '../session.js';

/** Redis's command flags, as COMMAND INFO lists them. */
export type CommandFlag =
  | 'write'
  | 'readonly'
  | 'denyoom'
  | 'module'
  | 'admin'
  | 'pubsub'
  | 'noscript'
  | 'blocking'
  | 'loading'
  | 'stale'
  | 'skip_monitor'
  | 'skip_slowlog'
  | 'asking'
  | 'fast'
  | 'no_auth'
  | 'may_replicate'
  | 'no_mandatory_keys'
  | 'no_async_loading'
  | 'no_multi'
  | 'movablekeys'
  | 'allow_busy';

/**
 * A blocking command that cannot be served now returns this instead of a reply. The engine parks the
 * client on `keys`, calls `serve` (in blocking order) whenever one of them changes, and replies with
 * `timeoutReply` when `timeoutMs` (0 = forever) passes first.
 */
export class BlockRequest {
  constructor(
    readonly keys: string[],
    readonly timeoutMs: number,
    readonly serve: (readyKey: string) => Reply | undefined,
    readonly timeoutReply: Reply,
  ) {}
}

/** A handler that already sent its replies as pushes (SUBSCRIBE …) or must not reply returns this. */
export const NO_REPLY: unique symbol = Symbol('no-reply');

/**
 * A handler whose reply comes later returns this (a script past busy-reply-threshold, which yields to the
 * event loop so other clients get BUSY); the engine parks the client until `Engine.finishDeferred`.
 */
export const DEFERRED: unique symbol = Symbol('deferred');

export type CommandResult = Reply | BlockRequest | typeof NO_REPLY | typeof DEFERRED;

export type CommandHandler = (client: Session, argv: string[]) => CommandResult;

export interface CommandSpec {
  /** Lower-case name; for a subcommand, the subcommand alone (e.g. "get" under "config"). */
  name: string;
  /** Redis's arity: N means exactly N arguments (name included), -N at least N. */
  arity: number;
  flags: readonly CommandFlag[];
  /** Legacy key positions for COMMAND INFO and key extraction: first, last (-1 = last arg), step. */
  firstKey: number;
  lastKey: number;
  step: number;
  /** ACL categories without '@', e.g. ['write', 'string', 'slow']. */
  categories: readonly string[];
  /** Docs group as COMMAND DOCS names it: string, list, generic, server … */
  group: string;
  since: string;
  summary: string;
  complexity?: string;
  /** For commands whose keys are not at fixed positions (movablekeys). */
  getKeys?: (argv: string[]) => number[];
  subcommands?: CommandSpec[];
  handler: CommandHandler;
}

/** Builds a spec with the common defaults, so command tables stay short. */
export function command(
  name: string,
  arity: number,
  flags: readonly CommandFlag[],
  keys: [first: number, last: number, step: number],
  categories: readonly string[],
  handler: CommandHandler,
  docs: {
    group: string;
    since: string;
    summary: string;
    complexity?: string;
    getKeys?: CommandSpec['getKeys'];
  },
): CommandSpec {
  return {
    name,
    arity,
    flags,
    firstKey: keys[0],
    lastKey: keys[1],
    step: keys[2],
    categories,
    handler,
    ...docs,
  };
}

/** The key positions of a concrete call, for WATCH, ACL and cluster checks. */
export function commandKeys(spec: CommandSpec, argv: string[]): number[] {
  if (spec.getKeys) return spec.getKeys(argv);
  if (spec.firstKey <= 0) return [];
  const last = spec.lastKey < 0 ? argv.length + spec.lastKey : spec.lastKey;
  const keys: number[] = [];
  for (let i = spec.firstKey; i <= last && i < argv.length; i += spec.step) keys.push(i);
  return keys;
}
