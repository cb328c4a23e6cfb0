import { fail, syntaxError } from '../../resp/errors.js';
import { NULL_ARRAY, type Reply } from '../../resp/reply.js';
import type { Session } from '../../session.js';
import { toInteger } from '../args.js';
import { type CommandSpec, command } from '../registry.js';
import { correctDirty, docs, type End, moveElement, parseEnd, popWithKey, writableList } from './shared.js';

/** LMOVE/RPOPLPUSH: the element moved, or null when the source is missing. */
export function lmoveNow(c: Session, source: string, dest: string, from: End, to: End): Reply {
  const list = writableList(c, source);
  if (!list) return null;
  const value = moveElement(c, source, list, dest, from, to);
  correctDirty(c, 1, 2);
  return value;
}

function lmove(c: Session, argv: string[]): Reply {
  const from = parseEnd(argv[3]!);
  const to = parseEnd(argv[4]!);
  return lmoveNow(c, argv[1]!, argv[2]!, from, to);
}

function rpoplpush(c: Session, argv: string[]): Reply {
  return lmoveNow(c, argv[1]!, argv[2]!, 'right', 'left');
}

/** The parsed arguments of LMPOP/BLMPOP: numkeys keys… LEFT|RIGHT [COUNT count]. */
export interface MpopArgs {
  keys: string[];
  end: End;
  count: number;
}

/** Parses from `numkeysIndex` on, with Redis's checks in Redis's order. */
export function parseMpop(argv: string[], numkeysIndex: number): MpopArgs {
  const numkeys = toInteger(argv[numkeysIndex]!, 'ERR numkeys should be greater than 0');
  if (numkeys < 1) fail('ERR numkeys should be greater than 0');
  const whereIndex = numkeysIndex + numkeys + 1;
  if (whereIndex >= argv.length) syntaxError();
  const end = parseEnd(argv[whereIndex]!);
  let count = -1;
  for (let i = whereIndex + 1; i < argv.length; i++) {
    if (count === -1 && argv[i]!.toUpperCase() === 'COUNT' && i + 1 < argv.length) {
      count = toInteger(argv[++i]!, 'ERR count should be greater than 0');
      if (count < 1) fail('ERR count should be greater than 0');
    } else syntaxError();
  }
  return { keys: argv.slice(numkeysIndex + 1, whereIndex), end, count: count === -1 ? 1 : count };
}

/** Pops from the first non-empty list among `keys`: [key, elements], or undefined when all are empty. */
export function mpopNow(c: Session, { keys, end, count }: MpopArgs): Reply | undefined {
  for (const key of keys) {
    const list = writableList(c, key);
    if (list) return popWithKey(c, key, list, end, count);
  }
  return undefined;
}

function lmpop(c: Session, argv: string[]): Reply {
  return mpopNow(c, parseMpop(argv, 1)) ?? NULL_ARRAY;
}

/** Key positions of LMPOP (numkeys at 1) and BLMPOP (numkeys at 2), for WATCH, ACL and COMMAND GETKEYS. */
export function mpopKeys(numkeysIndex: number) {
  return (argv: string[]): number[] => {
    const numkeys = Number(argv[numkeysIndex]);
    if (!Number.isInteger(numkeys) || numkeys < 1) return [];
    const keys: number[] = [];
    for (let i = numkeysIndex + 1; i <= numkeysIndex + numkeys && i < argv.length; i++) keys.push(i);
    return keys;
  };
}

export const moveListCommands: CommandSpec[] = [
  command(
    'lmove',
    5,
    ['write', 'denyoom'],
    [1, 2, 1],
    ['write', 'list', 'slow'],
    lmove,
    docs('6.2.0', 'Moves an element from one end of a list to an end of another', 'O(1)'),
  ),
  command(
    'rpoplpush',
    3,
    ['write', 'denyoom'],
    [1, 2, 1],
    ['write', 'list', 'slow'],
    rpoplpush,
    docs('1.2.0', 'Moves the tail element of a list to the head of another', 'O(1)'),
  ),
  command('lmpop', -4, ['write', 'movablekeys'], [0, 0, 0], ['write', 'list', 'slow'], lmpop, {
    ...docs(
      '7.0.0',
      'Pops elements from the first non-empty list among several keys',
      'O(N+M): N the keys given, M the elements popped',
    ),
    getKeys: mpopKeys(1),
  }),
];
