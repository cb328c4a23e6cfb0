import { randomBytes } from 'node:crypto';
import { ACL_CATEGORIES, categoryFlag } from '../auth/acl/categories.js';
import { describeCommandRules } from '../auth/acl/describe.js';
import { patternString, type Selector } from '../auth/acl/selector.js';
import { errorArg, fail } from '../resp/errors.js';
import { MapReply, OK, type Reply, SetReply } from '../resp/reply.js';
import type { Session } from '../session.js';
import { toInteger } from './args.js';
import { type CommandFlag, type CommandSpec, command } from './registry.js';
import { helpReply, subcommandSyntaxError } from './server/help.js';

const NO_ACL_FILE =
  'ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration.';

function setuser(c: Session, argv: string[]): Reply {
  // Rules may hold passwords: SLOWLOG and MONITOR show none of the arguments, the name included.
  for (let i = 2; i < argv.length; i++) c.redact(i);
  const name = argv[2]!;
  if (/[ \t\n\v\f\r\0]/.test(name)) fail("ERR Usernames can't contain spaces or null characters");
  const error = c.engine.acl.setUser(name, argv.slice(3), c);
  if (error !== undefined) fail(`ERR ${error}`);
  return OK;
}

function deluser(c: Session, argv: string[]): Reply {
  const names = argv.slice(2);
  if (names.includes('default')) fail("ERR The 'default' user cannot be removed");
  return c.engine.acl.deleteUsers(names, c);
}

/** One selector's commands, keys and channels, as GETUSER shows them. */
function selectorFields(s: Selector): Reply[] {
  const keys = s.allKeys ? '~*' : s.keys.map(patternString).join(' ');
  const channels = s.allChannels ? '&*' : s.channels.map((ch) => `&${ch}`).join(' ');
  return ['commands', describeCommandRules(s), 'keys', keys, 'channels', channels];
}

function getuser(c: Session, argv: string[]): Reply {
  const user = c.engine.acl.user(argv[2]!);
  if (!user) return null;
  return new MapReply([
    'flags',
    new SetReply(user.flags()),
    'passwords',
    [...user.passwords],
    ...selectorFields(user.root),
    'selectors',
    user.selectors.slice(1).map((s) => new MapReply(selectorFields(s))),
  ]);
}

function list(c: Session): Reply {
  const acl = c.engine.acl;
  return acl.names().map((name) => `user ${name} ${acl.user(name)!.describe()}`);
}

function cat(c: Session, argv: string[]): Reply {
  if (argv.length === 2) return [...ACL_CATEGORIES];
  if (argv.length !== 3) subcommandSyntaxError(argv, 'ACL');
  const flag = categoryFlag(argv[2]!);
  if (!flag) fail(`ERR Unknown category '${errorArg(argv[2]!).slice(0, 128)}'`);
  const index = c.engine.acl.index;
  const out: string[] = [];
  for (const id of index.topLevel) {
    if (index.categories[id]! & flag) out.push(index.fullNames[id]!);
    for (const sub of index.children[id]!) if (index.categories[sub]! & flag) out.push(index.fullNames[sub]!);
  }
  return out;
}

const GENPASS_MAX_BITS = 4096;

function genpass(_c: Session, argv: string[]): Reply {
  if (argv.length > 3) subcommandSyntaxError(argv, 'ACL');
  const bits = argv.length === 3 ? toInteger(argv[2]!) : 256;
  if (bits <= 0 || bits > GENPASS_MAX_BITS) {
    fail(
      `ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to ${GENPASS_MAX_BITS}`,
    );
  }
  const chars = Math.floor((bits + 3) / 4);
  return randomBytes(Math.ceil(chars / 2))
    .toString('hex')
    .slice(0, chars);
}

function log(c: Session, argv: string[]): Reply {
  if (argv.length > 3) subcommandSyntaxError(argv, 'ACL');
  let count = 10;
  if (argv.length === 3) {
    if (argv[2]!.toLowerCase() === 'reset') {
      c.engine.acl.log.reset();
      return OK;
    }
    count = Math.max(0, toInteger(argv[2]!));
  }
  return c.engine.acl.log.reply(count, c.engine.clock.now());
}

function dryrun(c: Session, argv: string[]): Reply {
  const acl = c.engine.acl;
  const user = acl.user(argv[2]!);
  if (!user) fail(`ERR User '${errorArg(argv[2]!)}' not found`);
  const commands = c.engine.commands;
  const call = argv.slice(3);
  let spec = commands.lookup(call[0]!);
  if (spec?.subcommands && call.length >= 2) spec = commands.lookupSubcommand(spec, call[1]!);
  if (!spec) fail(`ERR Command '${errorArg(call[0]!)}' not found`);
  if ((spec.arity > 0 && spec.arity !== call.length) || call.length < -spec.arity) {
    fail(`ERR wrong number of arguments for '${commands.fullName(spec)}' command`);
  }
  const denial = acl.verdict(user, spec, call);
  if (!denial) return OK;
  if (denial.reason === 'command') {
    return `This user has no permissions to run the '${commands.fullName(spec)}' command`;
  }
  return `This user has no permissions to access the '${call[denial.pos]}' ${denial.reason === 'key' ? 'key' : 'channel'}`;
}

function load(c: Session): Reply {
  if (c.engine.config.get('aclfile') === '') fail(NO_ACL_FILE);
  const errors = c.engine.acl.loadFile(c);
  if (errors !== undefined) fail(`ERR ${errors}`);
  return OK;
}

function save(c: Session): Reply {
  if (c.engine.config.get('aclfile') === '') fail(NO_ACL_FILE);
  if (!c.engine.acl.saveFile()) {
    fail('ERR There was an error trying to save the ACLs. Please check the server logs for more information');
  }
  return OK;
}

const HELP = [
  'CAT [<category>]',
  '    List all commands that belong to <category>, or all command categories',
  '    when no category is specified.',
  'DELUSER <username> [<username> ...]',
  '    Delete a list of users.',
  'DRYRUN <username> <command> [<arg> ...]',
  '    Returns whether the user can execute the given command without executing the command.',
  'GETUSER <username>',
  "    Get the user's details.",
  'GENPASS [<bits>]',
  '    Generate a secure 256-bit user password. The optional `bits` argument can',
  '    be used to specify a different size.',
  'LIST',
  '    Show users details in config file format.',
  'LOAD',
  '    Reload users from the ACL file.',
  'LOG [<count> | RESET]',
  '    Show the ACL log entries.',
  'SAVE',
  '    Save the current config to the ACL file.',
  'SETUSER <username> <attribute> [<attribute> ...]',
  '    Create or modify a user with the specified attributes.',
  'USERS',
  '    List all the registered usernames.',
  'WHOAMI',
  '    Return the current connection username.',
];

const docs = (since: string, summary: string) => ({ group: 'server', since, summary });
const ADMIN: readonly CommandFlag[] = ['admin', 'noscript', 'loading', 'stale'];
const ADMIN_CATEGORIES = ['admin', 'slow', 'dangerous'];
const PLAIN: readonly CommandFlag[] = ['noscript', 'loading', 'stale'];

export const aclCommands: CommandSpec[] = [
  {
    ...command('acl', -2, [], [0, 0, 0], ['slow'], () => null, docs('6.0.0', 'Container for ACL commands.')),
    subcommands: [
      command(
        'cat',
        -2,
        PLAIN,
        [0, 0, 0],
        ['slow'],
        cat,
        docs('6.0.0', 'Lists ACL categories or their commands.'),
      ),
      command(
        'deluser',
        -3,
        ADMIN,
        [0, 0, 0],
        ADMIN_CATEGORIES,
        deluser,
        docs('6.0.0', 'Deletes ACL users.'),
      ),
      command(
        'dryrun',
        -4,
        ADMIN,
        [0, 0, 0],
        ADMIN_CATEGORIES,
        dryrun,
        docs('7.0.0', 'Tells whether a user may run a command, without running it.'),
      ),
      command('genpass', -2, PLAIN, [0, 0, 0], ['slow'], genpass, docs('6.0.0', 'Makes a random password.')),
      command(
        'getuser',
        3,
        ADMIN,
        [0, 0, 0],
        ADMIN_CATEGORIES,
        getuser,
        docs('6.0.0', "Shows a user's rules."),
      ),
      command(
        'help',
        2,
        ['loading', 'stale'],
        [0, 0, 0],
        ['slow'],
        () => helpReply('ACL', HELP),
        docs('6.0.0', 'Returns helpful text about the different subcommands.'),
      ),
      command(
        'list',
        2,
        ADMIN,
        [0, 0, 0],
        ADMIN_CATEGORIES,
        list,
        docs('6.0.0', 'Lists users in ACL file form.'),
      ),
      command(
        'load',
        2,
        ADMIN,
        [0, 0, 0],
        ADMIN_CATEGORIES,
        load,
        docs('6.0.0', 'Reloads users from the ACL file.'),
      ),
      command(
        'log',
        -2,
        ADMIN,
        [0, 0, 0],
        ADMIN_CATEGORIES,
        log,
        docs('6.0.0', 'Shows or clears recent denials.'),
      ),
      command(
        'save',
        2,
        ADMIN,
        [0, 0, 0],
        ADMIN_CATEGORIES,
        save,
        docs('6.0.0', 'Writes users to the ACL file.'),
      ),
      command(
        'setuser',
        -3,
        ADMIN,
        [0, 0, 0],
        ADMIN_CATEGORIES,
        setuser,
        docs('6.0.0', 'Creates or changes a user.'),
      ),
      command(
        'users',
        2,
        ADMIN,
        [0, 0, 0],
        ADMIN_CATEGORIES,
        (c) => c.engine.acl.names(),
        docs('6.0.0', 'Lists user names.'),
      ),
      command(
        'whoami',
        2,
        PLAIN,
        [0, 0, 0],
        ['slow'],
        (c) => c.user,
        docs('6.0.0', "Returns the client's user."),
      ),
    ],
  },
];
