import { ACL_CATEGORIES } from '../../auth/acl/categories.js';
import { fail, SYNTAX } from '../../resp/errors.js';
import { MapReply, type Reply, SetReply, StatusReply } from '../../resp/reply.js';
import type { Session } from '../../session.js';
import { globMatch } from '../../util/glob.js';
import { type CommandFlag, type CommandSpec, command } from '../registry.js';
import { helpReply } from './help.js';
import { commandHasKeys, flagsReply, keySpecReply, keySpecsOf, keysOfCall, tipsOf } from './key-specs.js';

/** Command flags in the order COMMAND INFO lists them (may_replicate is hidden, as in Redis). */
const FLAG_ORDER: readonly CommandFlag[] = [
  'write',
  'readonly',
  'denyoom',
  'module',
  'admin',
  'pubsub',
  'noscript',
  'blocking',
  'loading',
  'stale',
  'skip_monitor',
  'skip_slowlog',
  'asking',
  'fast',
  'no_auth',
  'no_mandatory_keys',
  'no_async_loading',
  'no_multi',
  'movablekeys',
  'allow_busy',
];

function sortedBy<T>(items: readonly T[], order: readonly T[]): T[] {
  return order.filter((item) => items.includes(item));
}

/** Finds "get", "config|get" or "CONFIG|GET" as Redis's lookupCommandBySds does. */
function lookupByFullName(c: Session, name: string): CommandSpec | undefined {
  const table = c.engine.commands;
  const bar = name.indexOf('|');
  if (bar < 0) return table.lookup(name);
  const parent = table.lookup(name.slice(0, bar));
  const rest = name.slice(bar + 1);
  if (!parent?.subcommands || rest.includes('|')) return undefined;
  return table.lookupSubcommand(parent, rest);
}

/** Finds the command of a call (argv[0] plus, for a container, argv[1]) as Redis's lookupCommand. */
function lookupCall(c: Session, argv: string[]): CommandSpec | undefined {
  const table = c.engine.commands;
  const base = table.lookup(argv[0]!);
  if (!base?.subcommands || argv.length === 1) return base;
  return table.lookupSubcommand(base, argv[1]!);
}

function commandInfo(c: Session, spec: CommandSpec): Reply {
  const fullName = c.engine.commands.fullName(spec);
  return [
    fullName,
    spec.arity,
    new SetReply(sortedBy(spec.flags, FLAG_ORDER).map((f) => new StatusReply(f))),
    spec.firstKey,
    spec.lastKey,
    spec.step,
    new SetReply(sortedBy(spec.categories, ACL_CATEGORIES).map((cat) => new StatusReply(`@${cat}`))),
    new SetReply([...tipsOf(fullName)]),
    new SetReply(keySpecsOf(fullName).map(keySpecReply)),
    spec.subcommands ? spec.subcommands.map((sub) => commandInfo(c, sub)) : new SetReply([]),
  ];
}

/** COMMAND DOCS for one command: the docs the engine keeps (no argument or history tables). */
function commandDocs(c: Session, spec: CommandSpec): Reply {
  const entries: Reply[] = ['summary', spec.summary, 'since', spec.since, 'group', spec.group];
  if (spec.complexity) entries.push('complexity', spec.complexity);
  if (spec.subcommands) {
    const subs: Reply[] = [];
    for (const sub of spec.subcommands) subs.push(c.engine.commands.fullName(sub), commandDocs(c, sub));
    entries.push('subcommands', new MapReply(subs));
  }
  return new MapReply(entries);
}

function allCommands(c: Session): Reply {
  return [...c.engine.commands.all()].map((spec) => commandInfo(c, spec));
}

function info(c: Session, argv: string[]): Reply {
  if (argv.length === 2) return allCommands(c);
  return argv.slice(2).map((name) => {
    const spec = lookupByFullName(c, name);
    return spec ? commandInfo(c, spec) : null;
  });
}

function docs(c: Session, argv: string[]): Reply {
  const out: Reply[] = [];
  const specs =
    argv.length === 2 ? [...c.engine.commands.all()] : argv.slice(2).map((n) => lookupByFullName(c, n));
  for (const spec of specs) if (spec) out.push(c.engine.commands.fullName(spec), commandDocs(c, spec));
  return new MapReply(out);
}

function list(c: Session, argv: string[]): Reply {
  let filter: ((spec: CommandSpec, fullName: string) => boolean) | undefined;
  for (let i = 2; i < argv.length; i++) {
    const more = argv.length - 1 - i;
    if (argv[i]!.toLowerCase() !== 'filterby' || more !== 2) fail(SYNTAX);
    const type = argv[i + 1]!.toLowerCase();
    const arg = argv[i + 2]!;
    if (type === 'module')
      filter = () => false; // the engine loads no modules
    else if (type === 'aclcat') {
      const category = arg.toLowerCase();
      filter = (spec) => spec.categories.includes(category);
    } else if (type === 'pattern') filter = (_spec, fullName) => globMatch(arg, fullName, true);
    else fail(SYNTAX);
    i += 2;
  }
  const out: Reply[] = [];
  const visit = (spec: CommandSpec) => {
    const fullName = c.engine.commands.fullName(spec);
    if (!filter || filter(spec, fullName)) out.push(fullName);
    for (const sub of spec.subcommands ?? []) visit(sub);
  };
  for (const spec of c.engine.commands.all()) visit(spec);
  return out;
}

function getKeys(c: Session, argv: string[], withFlags: boolean): Reply {
  const call = argv.slice(2);
  const spec = lookupCall(c, call);
  if (!spec) fail('ERR Invalid command specified');
  const fullName = c.engine.commands.fullName(spec);
  if (!commandHasKeys(spec, fullName)) fail('ERR The command has no key arguments');
  if ((spec.arity > 0 && spec.arity !== call.length) || call.length < -spec.arity) {
    fail('ERR Invalid number of arguments specified for command');
  }
  const keys = keysOfCall(spec, fullName, call);
  if (keys.length === 0) {
    if (spec.flags.includes('no_mandatory_keys')) return [];
    fail('ERR Invalid arguments specified for command');
  }
  return keys.map((k) => (withFlags ? [call[k.pos]!, flagsReply(k.flags)] : call[k.pos]!));
}

const COMMAND_HELP = [
  '(no subcommand)',
  '    Return details about all Redis commands.',
  'COUNT',
  '    Return the total number of commands in this Redis server.',
  'LIST',
  '    Return a list of all commands in this Redis server.',
  'INFO [<command-name> ...]',
  '    Return details about multiple Redis commands.',
  '    If no command names are given, documentation details for all',
  '    commands are returned.',
  'DOCS [<command-name> ...]',
  '    Return documentation details about multiple Redis commands.',
  '    If no command names are given, documentation details for all',
  '    commands are returned.',
  'GETKEYS <full-command>',
  '    Return the keys from a full Redis command.',
  'GETKEYSANDFLAGS <full-command>',
  '    Return the keys and the access flags from a full Redis command.',
];

const FLAGS = ['loading', 'stale'] as const;
const CATEGORIES = ['slow', 'connection'];
const docsOf = (since: string, summary: string, complexity: string) => ({
  group: 'server',
  since,
  summary,
  complexity,
});
const sub = (
  name: string,
  arity: number,
  handler: (c: Session, argv: string[]) => Reply,
  since: string,
  summary: string,
  complexity: string,
) => command(name, arity, FLAGS, [0, 0, 0], CATEGORIES, handler, docsOf(since, summary, complexity));

export const commandCommand: CommandSpec = {
  ...command(
    'command',
    -1,
    FLAGS,
    [0, 0, 0],
    CATEGORIES,
    allCommands,
    docsOf(
      '2.8.13',
      'Describes every command the server knows.',
      'O(N) where N is the total number of Redis commands',
    ),
  ),
  subcommands: [
    sub('count', 2, (c) => c.engine.commands.size, '2.8.13', 'Counts the commands the server knows.', 'O(1)'),
    sub(
      'list',
      -2,
      list,
      '7.0.0',
      'Lists command names, optionally filtered.',
      'O(N) where N is the total number of Redis commands',
    ),
    sub(
      'info',
      -2,
      info,
      '2.8.13',
      'Describes one or more commands.',
      'O(N) where N is the number of commands to look up',
    ),
    sub(
      'docs',
      -2,
      docs,
      '7.0.0',
      'Returns the documentation of one or more commands.',
      'O(N) where N is the number of commands to look up',
    ),
    sub(
      'getkeys',
      -4,
      (c, argv) => getKeys(c, argv, false),
      '2.8.13',
      'Extracts the key names of a full command line.',
      'O(N) where N is the number of arguments to the command',
    ),
    sub(
      'getkeysandflags',
      -4,
      (c, argv) => getKeys(c, argv, true),
      '7.0.0',
      'Extracts the key names and their access flags of a full command line.',
      'O(N) where N is the number of arguments to the command',
    ),
    sub(
      'help',
      2,
      () => helpReply('COMMAND', COMMAND_HELP),
      '5.0.0',
      'Shows help about the COMMAND subcommands.',
      'O(1)',
    ),
  ],
};
