import { MapReply, type Reply, SetReply, StatusReply } from '../../resp/reply.js';
import { parseInt64 } from '../../util/numbers.js';
import { type CommandSpec, commandKeys } from '../registry.js';
import { KEY_SPECS, TIPS } from './command-metadata.js';

type BeginSearch =
  | { type: 'index'; pos: number }
  | { type: 'keyword'; keyword: string; startFrom: number }
  | { type: 'unknown' };

type FindKeys =
  | { type: 'range'; lastKey: number; keyStep: number; limit: number }
  | { type: 'keynum'; keyNumIdx: number; firstKey: number; keyStep: number }
  | { type: 'unknown' };

export interface KeySpec {
  /** In Redis's order: RO RW OW RM access update insert delete not_key incomplete variable_flags. */
  flags: readonly string[];
  begin: BeginSearch;
  find: FindKeys;
  /** Free text Redis shows first in some specs (EVAL's, for one). */
  notes?: string;
}

export interface KeyReference {
  pos: number;
  flags: readonly string[];
}

const parsed = new Map<string, KeySpec[]>();

function parse(text: string): KeySpec {
  const [flags, begin, find, notes] = text.split('|') as [string, string, string, string | undefined];
  const b = begin.split(' ');
  const f = find.split(' ');
  return {
    flags: flags.split(' '),
    begin:
      b[0] === 'index'
        ? { type: 'index', pos: Number(b[1]) }
        : b[0] === 'keyword'
          ? { type: 'keyword', keyword: b[1]!, startFrom: Number(b[2]) }
          : { type: 'unknown' },
    find:
      f[0] === 'range'
        ? { type: 'range', lastKey: Number(f[1]), keyStep: Number(f[2]), limit: Number(f[3]) }
        : f[0] === 'keynum'
          ? { type: 'keynum', keyNumIdx: Number(f[1]), firstKey: Number(f[2]), keyStep: Number(f[3]) }
          : { type: 'unknown' },
    ...(notes ? { notes } : {}),
  };
}

/** The key specs of a command by full name ("get", "object|encoding"); empty when it has none. */
export function keySpecsOf(fullName: string): KeySpec[] {
  let specs = parsed.get(fullName);
  if (!specs) {
    specs = (KEY_SPECS[fullName] ?? []).map(parse);
    parsed.set(fullName, specs);
  }
  return specs;
}

export function tipsOf(fullName: string): readonly string[] {
  return TIPS[fullName] ?? [];
}

/** Key flags as Redis replies with them: a set of simple strings. */
export const flagsReply = (flags: readonly string[]) => new SetReply(flags.map((f) => new StatusReply(f)));

/** One key spec in COMMAND INFO's shape. */
export function keySpecReply(spec: KeySpec): Reply {
  const begin = spec.begin;
  const find = spec.find;
  const beginReply =
    begin.type === 'index'
      ? new MapReply(['type', 'index', 'spec', new MapReply(['index', begin.pos])])
      : begin.type === 'keyword'
        ? new MapReply([
            'type',
            'keyword',
            'spec',
            new MapReply(['keyword', begin.keyword, 'startfrom', begin.startFrom]),
          ])
        : new MapReply(['type', 'unknown', 'spec', new MapReply([])]);
  const findReply =
    find.type === 'range'
      ? new MapReply([
          'type',
          'range',
          'spec',
          new MapReply(['lastkey', find.lastKey, 'keystep', find.keyStep, 'limit', find.limit]),
        ])
      : find.type === 'keynum'
        ? new MapReply([
            'type',
            'keynum',
            'spec',
            new MapReply(['keynumidx', find.keyNumIdx, 'firstkey', find.firstKey, 'keystep', find.keyStep]),
          ])
        : new MapReply(['type', 'unknown', 'spec', new MapReply([])]);
  const fields = ['flags', flagsReply(spec.flags), 'begin_search', beginReply, 'find_keys', findReply];
  return new MapReply(spec.notes ? ['notes', spec.notes, ...fields] : fields);
}

/**
 * Redis's key-spec walk over a concrete call (argv[0] is the command name). Returns null when a spec
 * does not fit the arguments (or is incomplete), unless `partial`, which keeps what could be found.
 */
function keysFromSpecs(
  specs: KeySpec[],
  argv: string[],
  arity: number,
  partial: boolean,
): KeyReference[] | null {
  const argc = argv.length;
  const keys: KeyReference[] = [];
  for (const spec of specs) {
    if (spec.flags.includes('not_key')) continue;
    let first = 0;
    let ok = true;
    if (spec.begin.type === 'index') first = spec.begin.pos;
    else if (spec.begin.type === 'keyword') {
      const { keyword, startFrom } = spec.begin;
      const start = startFrom > 0 ? startFrom : argc + startFrom;
      const end = startFrom > 0 ? argc - 1 : 1;
      for (let i = start; i !== end; i = start <= end ? i + 1 : i - 1) {
        if (i >= argc || i < 1) break;
        if (argv[i]!.toLowerCase() === keyword.toLowerCase()) {
          first = i + 1;
          break;
        }
      }
      if (!first) continue;
    } else ok = false;

    let last = 0;
    let step = 1;
    if (ok && spec.find.type === 'range') {
      const { lastKey, keyStep, limit } = spec.find;
      step = keyStep;
      if (lastKey >= 0) last = first + lastKey;
      else if (!limit) last = argc + lastKey;
      else last = first + (Math.trunc((argc - first) / limit) + lastKey);
    } else if (ok && spec.find.type === 'keynum') {
      const { keyNumIdx, firstKey, keyStep } = spec.find;
      step = keyStep;
      const count = keyNumIdx >= argc ? null : parseInt64(argv[first + keyNumIdx] ?? '');
      if (count === null || count < 0n) ok = false;
      else {
        first += firstKey;
        last = first + Number(BigInt.asIntN(32, count)) - 1;
      }
    } else ok = false;

    if (ok && (last >= argc || last < first || first >= argc)) ok = false;
    if (ok) {
      for (let i = first; i <= last; i += step) {
        if (i >= argc || i < first) {
          if (arity < 0) continue;
          break;
        }
        keys.push({ pos: i, flags: spec.flags });
      }
      if (spec.flags.includes('incomplete')) ok = false;
    }
    if (!ok && !partial) return null;
  }
  return keys;
}

/** Commands whose key flags depend on their arguments (Redis computes them with a getkeys function). */
const VARIABLE_FLAGS: Record<string, (argv: string[]) => readonly string[]> = {
  set: (argv) =>
    argv.slice(3).some((a) => a.toLowerCase() === 'get') ? ['RW', 'access', 'update'] : ['OW', 'update'],
  bitfield: (argv) => {
    for (let i = 2; i < argv.length; i++) {
      const more = argv.length - i - 1;
      const arg = argv[i]!.toLowerCase();
      if (arg === 'get' && more >= 2) i += 2;
      else if (arg === 'overflow' && more >= 1) i += 1;
      else return ['RW', 'access', 'update'];
    }
    return ['RO', 'access'];
  },
};

/** Whether COMMAND GETKEYS may find keys in calls of this command. */
export function commandHasKeys(spec: CommandSpec, fullName: string): boolean {
  if (spec.getKeys) return true;
  const specs = keySpecsOf(fullName);
  if (specs.length > 0) return specs.some((s) => !s.flags.includes('not_key'));
  return spec.firstKey > 0;
}

/**
 * The keys of a call with their access flags, as COMMAND GETKEYSANDFLAGS finds them: key specs when
 * they describe the call fully, else the command's own key finder (flags then come from the spec that
 * covers each position).
 */
export function keysOfCall(spec: CommandSpec, fullName: string, argv: string[]): KeyReference[] {
  const specs = keySpecsOf(fullName);
  const variable = VARIABLE_FLAGS[fullName];
  if (variable) return [{ pos: 1, flags: variable(argv) }];
  if (specs.length > 0) {
    const keys = keysFromSpecs(specs, argv, spec.arity, false);
    if (keys) return keys;
  }
  if (!spec.getKeys && specs.length > 0) return [];
  const known = specs.length > 0 ? keysFromSpecs(specs, argv, spec.arity, true)! : [];
  const fallback = specs.find((s) => !s.flags.includes('not_key'))?.flags ?? [];
  return commandKeys(spec, argv)
    .filter((pos) => pos > 0 && pos < argv.length)
    .map((pos) => ({ pos, flags: known.find((k) => k.pos === pos)?.flags ?? fallback }));
}
