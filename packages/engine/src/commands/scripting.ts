import {
  createFunctionsPayload,
  encodeOptions,
  readFunctionsPayload,
  verifyDumpPayload,
} from '../rdb/payload.js';
import { busyError, fail, RedisError } from '../resp/errors.js';
import { OK, type Reply, StatusReply } from '../resp/reply.js';
import { functionLibraries } from '../scripting/functions.js';
import { scriptRunner } from '../scripting/runner.js';
import type { Session } from '../session.js';
import { toInteger } from './args.js';
import {
  type CommandFlag,
  type CommandResult,
  type CommandSpec,
  command,
  type DEFERRED,
} from './registry.js';
import { subcommandSyntaxError } from './server/help.js';

const docs = (since: string, summary: string, getKeys?: CommandSpec['getKeys']) => ({
  group: 'scripting',
  since,
  summary,
  ...(getKeys ? { getKeys } : {}),
});

/** Keys of EVAL-style commands: numkeys at argv[2], the keys right after it. */
function evalKeys(argv: string[]): number[] {
  const count = Number.parseInt(argv[2] ?? '', 10);
  const keys: number[] = [];
  if (!(count > 0)) return keys;
  for (let i = 3; i < 3 + count && i < argv.length; i++) keys.push(i);
  return keys;
}

function runScript(c: Session, argv: string[], bySha: boolean, readOnly: boolean): Reply | typeof DEFERRED {
  // Monitors see a script before the commands it runs (its spec skips the usual feed after the call).
  c.engine.callLog.feed(c, argv, true);
  if (bySha && argv[1]!.length !== 40) fail('NOSCRIPT No matching script. Please use EVAL.');
  const numkeys = toInteger(argv[2]!);
  if (numkeys > argv.length - 3) fail("ERR Number of keys can't be greater than number of args");
  if (numkeys < 0) fail("ERR Number of keys can't be negative");
  const runner = scriptRunner(c.engine);
  let sha: string;
  if (bySha) {
    const cached = runner.cachedSha(argv[1]!);
    if (cached === undefined) fail('NOSCRIPT No matching script. Please use EVAL.');
    sha = cached;
  } else sha = runner.load(argv[1]!);
  return runner.run(c, sha, argv, numkeys, readOnly);
}

/** SCRIPT KILL / FUNCTION KILL: stops the busy script of that kind if it has not written yet. */
function killScript(c: Session, kind: 'eval' | 'function'): CommandResult {
  const busy = c.engine.busyScript;
  if (!busy) fail('NOTBUSY No scripts in execution right now.');
  if (busy.kind !== kind) fail(busyError(busy.kind));
  if (!busy.kill()) {
    fail(
      'UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.',
    );
  }
  return OK;
}

function fcall(c: Session, argv: string[], readOnly: boolean): Reply | typeof DEFERRED {
  c.engine.callLog.feed(c, argv, true);
  const libraries = functionLibraries(c.engine);
  if (!libraries.has(argv[1]!)) fail('ERR Function not found');
  const numkeys = toInteger(argv[2]!, 'ERR Bad number of keys provided');
  if (numkeys > argv.length - 3) fail("ERR Number of keys can't be greater than number of args");
  if (numkeys < 0) fail("ERR Number of keys can't be negative");
  return libraries.call(c, argv[1]!, argv.slice(3, 3 + numkeys), argv.slice(3 + numkeys), readOnly, argv);
}

function functionLoad(c: Session, argv: string[]): Reply {
  let replace = false;
  for (let i = 2; i < argv.length - 1; i++) {
    if (argv[i]!.toLowerCase() === 'replace') replace = true;
    else fail(`ERR Unknown option given: ${argv[i]}`);
  }
  return functionLibraries(c.engine).load(argv[argv.length - 1]!, replace);
}

function functionList(c: Session, argv: string[]): Reply {
  let pattern: string | undefined;
  let withCode = false;
  for (let i = 2; i < argv.length; i++) {
    const option = argv[i]!.toLowerCase();
    if (option === 'withcode' && !withCode) withCode = true;
    else if (option === 'libraryname' && pattern === undefined) {
      if (i + 1 >= argv.length) fail('ERR library name argument was not given');
      pattern = argv[++i]!;
    } else fail(`ERR Unknown argument ${argv[i]}`);
  }
  return functionLibraries(c.engine).list(pattern, withCode);
}

function functionFlush(c: Session, argv: string[]): Reply {
  if (argv.length > 3) {
    subcommandSyntaxError(argv, 'FUNCTION');
  }
  if (argv.length === 3 && !['sync', 'async'].includes(argv[2]!.toLowerCase())) {
    fail('ERR FUNCTION FLUSH only supports SYNC|ASYNC option');
  }
  functionLibraries(c.engine).flush();
  return OK;
}

/** FUNCTION RESTORE payload [FLUSH|APPEND|REPLACE] (APPEND by default). */
function functionRestore(c: Session, argv: string[]): Reply {
  if (argv.length > 4) {
    subcommandSyntaxError(argv, 'FUNCTION');
  }
  const policy = (argv[3] ?? 'append').toLowerCase();
  if (policy !== 'flush' && policy !== 'append' && policy !== 'replace') {
    fail('ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.');
  }
  const payload = Buffer.from(argv[2]!, 'latin1');
  if (!verifyDumpPayload(payload)) fail('ERR DUMP payload version or checksum are wrong');
  functionLibraries(c.engine).restore((load) => {
    try {
      readFunctionsPayload(payload, load);
    } catch (error) {
      if (error instanceof RedisError) throw error;
      fail(`ERR ${(error as Error).message}`);
    }
  }, policy);
  return OK;
}

const FUNCTION_HELP = [
  'FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'LOAD [REPLACE] <FUNCTION CODE>',
  '    Create a new library with the given library name and code.',
  'DELETE <LIBRARY NAME>',
  '    Delete the given library.',
  'LIST [LIBRARYNAME PATTERN] [WITHCODE]',
  '    Return general information on all the libraries:',
  '    * Library name',
  '    * The engine used to run the Library',
  '    * Library description',
  '    * Functions list',
  '    * Library code (if WITHCODE is given)',
  '    It also possible to get only function that matches a pattern using LIBRARYNAME argument.',
  'STATS',
  '    Return information about the current function running:',
  '    * Function name',
  '    * Command used to run the function',
  '    * Duration in MS that the function is running',
  '    If no function is running, return nil',
  '    In addition, returns a list of available engines.',
  'KILL',
  '    Kill the current running function.',
  'FLUSH [ASYNC|SYNC]',
  '    Delete all the libraries.',
  '    When called without the optional mode argument, the behavior is determined by the',
  '    lazyfree-lazy-user-flush configuration directive. Valid modes are:',
  '    * ASYNC: Asynchronously flush the libraries.',
  '    * SYNC: Synchronously flush the libraries.',
  'DUMP',
  '    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command',
  'RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]',
  '    Restore the libraries represented by the given payload, it is possible to give a restore policy to',
  '    control how to handle existing libraries (default APPEND):',
  '    * FLUSH: delete all existing libraries.',
  '    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.',
  '    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old',
  '      libraries with the new libraries (notice that even on this option there is a chance of failure',
  '      in case of functions name collision with another library).',
  'HELP',
  '    Prints this help.',
];

const SCRIPT_HELP = [
  'SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'DEBUG (YES|SYNC|NO)',
  '    Set the debug mode for subsequent scripts executed.',
  'EXISTS <sha1> [<sha1> ...]',
  '    Return information about the existence of the scripts in the script cache.',
  'FLUSH [ASYNC|SYNC]',
  '    Flush the Lua scripts cache. Very dangerous on replicas.',
  '    When called without the optional mode argument, the behavior is determined by the',
  '    lazyfree-lazy-user-flush configuration directive. Valid modes are:',
  '    * ASYNC: Asynchronously flush the scripts cache.',
  '    * SYNC: Synchronously flush the scripts cache.',
  'KILL',
  '    Kill the currently executing Lua script.',
  'LOAD <script>',
  '    Load a script into the scripts cache without executing it.',
  'HELP',
  '    Prints this help.',
];

function scriptFlush(c: Session, argv: string[]): Reply {
  if (argv.length > 3) fail('ERR SCRIPT FLUSH only support SYNC|ASYNC option');
  if (argv.length === 3) {
    const mode = argv[2]!.toLowerCase();
    if (mode !== 'sync' && mode !== 'async') fail('ERR SCRIPT FLUSH only support SYNC|ASYNC option');
  }
  scriptRunner(c.engine).flush();
  return OK;
}

const EVAL_FLAGS: CommandFlag[] = ['noscript', 'stale', 'skip_monitor', 'no_mandatory_keys', 'movablekeys'];
/** EVAL, EVALSHA and FCALL may write (what their script does is unknown until it runs). */
const MAY_WRITE_FLAGS: CommandFlag[] = [...EVAL_FLAGS, 'may_replicate'];
const CATEGORIES = ['slow', 'scripting'];

const scriptSub = (
  name: string,
  arity: number,
  flags: CommandFlag[],
  handler: (c: Session, argv: string[]) => Reply,
  since: string,
  summary: string,
) => command(name, arity, flags, [0, 0, 0], CATEGORIES, handler, docs(since, summary));

export const scriptingCommands: CommandSpec[] = [
  command(
    'eval',
    -3,
    MAY_WRITE_FLAGS,
    [0, 0, 0],
    CATEGORIES,
    (c, argv) => runScript(c, argv, false, false),
    docs('2.6.0', 'Runs a server-side Lua script.', evalKeys),
  ),
  command(
    'evalsha',
    -3,
    MAY_WRITE_FLAGS,
    [0, 0, 0],
    CATEGORIES,
    (c, argv) => runScript(c, argv, true, false),
    docs('2.6.0', 'Runs a cached server-side Lua script by its SHA1 digest.', evalKeys),
  ),
  command(
    'eval_ro',
    -3,
    ['readonly', ...EVAL_FLAGS],
    [0, 0, 0],
    CATEGORIES,
    (c, argv) => runScript(c, argv, false, true),
    docs('7.0.0', 'Runs a read-only server-side Lua script.', evalKeys),
  ),
  command(
    'evalsha_ro',
    -3,
    ['readonly', ...EVAL_FLAGS],
    [0, 0, 0],
    CATEGORIES,
    (c, argv) => runScript(c, argv, true, true),
    docs('7.0.0', 'Runs a cached read-only server-side Lua script by its SHA1 digest.', evalKeys),
  ),
  {
    ...command(
      'script',
      -2,
      [],
      [0, 0, 0],
      ['slow'],
      () => fail("ERR wrong number of arguments for 'script' command"),
      docs('2.6.0', 'A container for commands that manage the Lua script cache.'),
    ),
    subcommands: [
      scriptSub(
        'help',
        2,
        ['loading', 'stale'],
        () => SCRIPT_HELP.map((line) => new StatusReply(line)),
        '5.0.0',
        'Returns helpful text about the different subcommands.',
      ),
      scriptSub(
        'load',
        3,
        ['noscript', 'stale'],
        (c, argv) => scriptRunner(c.engine).load(argv[2]!),
        '2.6.0',
        'Compiles a script into the script cache without running it.',
      ),
      scriptSub(
        'exists',
        -3,
        ['noscript'],
        (c, argv) => {
          const runner = scriptRunner(c.engine);
          return argv.slice(2).map((sha) => (runner.has(sha) ? 1 : 0));
        },
        '2.6.0',
        'Tells whether scripts are in the script cache.',
      ),
      scriptSub('flush', -2, ['noscript'], scriptFlush, '2.6.0', 'Empties the script cache.'),
      scriptSub(
        'kill',
        2,
        ['noscript', 'allow_busy'],
        (c) => killScript(c, 'eval'),
        '2.6.0',
        'Stops the script that is running.',
      ),
    ],
  },
  command(
    'fcall',
    -3,
    MAY_WRITE_FLAGS,
    [0, 0, 0],
    CATEGORIES,
    (c, argv) => fcall(c, argv, false),
    docs('7.0.0', 'Invokes a function.', evalKeys),
  ),
  command(
    'fcall_ro',
    -3,
    ['readonly', ...EVAL_FLAGS],
    [0, 0, 0],
    CATEGORIES,
    (c, argv) => fcall(c, argv, true),
    docs('7.0.0', 'Invokes a read-only function.', evalKeys),
  ),
  {
    ...command(
      'function',
      -2,
      [],
      [0, 0, 0],
      ['slow'],
      () => fail("ERR wrong number of arguments for 'function' command"),
      docs('7.0.0', 'A container for function commands.'),
    ),
    subcommands: [
      command(
        'load',
        -3,
        ['write', 'denyoom', 'noscript'],
        [0, 0, 0],
        ['write', 'slow', 'scripting'],
        functionLoad,
        docs('7.0.0', 'Creates a library.'),
      ),
      command(
        'delete',
        3,
        ['write', 'noscript'],
        [0, 0, 0],
        ['write', 'slow', 'scripting'],
        (c, argv) => (functionLibraries(c.engine).delete(argv[2]!) ? OK : fail('ERR Library not found')),
        docs('7.0.0', 'Deletes a library and its functions.'),
      ),
      command(
        'flush',
        -2,
        ['write', 'noscript'],
        [0, 0, 0],
        ['write', 'slow', 'scripting'],
        functionFlush,
        docs('7.0.0', 'Deletes all libraries and functions.'),
      ),
      command(
        'restore',
        -3,
        ['write', 'denyoom', 'noscript'],
        [0, 0, 0],
        ['write', 'slow', 'scripting'],
        functionRestore,
        docs('7.0.0', 'Restores all libraries from a payload.'),
      ),
      scriptSub(
        'dump',
        2,
        ['noscript'],
        (c) =>
          createFunctionsPayload(
            functionLibraries(c.engine).codes(),
            encodeOptions(c.engine.config),
          ).toString('latin1'),
        '7.0.0',
        'Dumps all libraries into a serialized binary payload.',
      ),
      scriptSub('list', -2, ['noscript'], functionList, '7.0.0', 'Returns information about all libraries.'),
      scriptSub(
        'stats',
        2,
        ['noscript', 'allow_busy'],
        (c) => functionLibraries(c.engine).stats(),
        '7.0.0',
        'Returns information about a function during execution.',
      ),
      scriptSub(
        'kill',
        2,
        ['noscript', 'allow_busy'],
        (c) => killScript(c, 'function'),
        '7.0.0',
        'Terminates a function during execution.',
      ),
      scriptSub(
        'help',
        2,
        ['loading', 'stale'],
        () => FUNCTION_HELP.map((line) => new StatusReply(line)),
        '7.0.0',
        'Returns helpful text about the different subcommands.',
      ),
    ],
  },
];
