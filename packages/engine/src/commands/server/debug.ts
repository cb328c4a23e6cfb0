import { snapshotsOf } from '../../persistence/snapshot.js';
import { fail } from '../../resp/errors.js';
import {
  BigNumberReply,
  BooleanReply,
  DoubleReply,
  ErrorReply,
  MapReply,
  OK,
  PushReply,
  type Reply,
  SetReply,
  StatusReply,
  VerbatimReply,
} from '../../resp/reply.js';
import { functionLibraries } from '../../scripting/functions.js';
import type { Session } from '../../session.js';
import { emptyDatabase } from '../keys/databases.js';
import { type CommandSpec, command } from '../registry.js';
import { isLocalSession } from './client.js';
import { datasetDigest, valueDigest } from './digest.js';
import { helpReply, subcommandSyntaxError } from './help.js';

/** Blocks the whole process, as DEBUG SLEEP blocks Redis's event loop. */
function sleepSync(ms: number): void {
  if (ms <= 0) return;
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** C's atoi: an optionally signed run of digits after leading whitespace, 0 when there is none. */
function cAtoi(text: string): number {
  const m = /^\s*([+-]?\d+)/.exec(text);
  return m ? Number.parseInt(m[1]!, 10) : 0;
}

/** C's strtod as Redis's DEBUG SLEEP uses it: the longest numeric prefix, 0 when there is none. */
function leadingNumber(text: string): number {
  const m = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(text);
  return m ? Number(m[0]) : 0;
}

const PROTOCOL_TYPES = 'string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false';

/** DEBUG PROTOCOL: one sample value of each RESP type, for client test suites. */
function protocolSample(c: Session, type: string): Reply {
  switch (type.toLowerCase()) {
    case 'string':
      return 'Hello World';
    case 'integer':
      return 12345;
    case 'double':
      // biome-ignore lint/suspicious/noApproximativeNumericConstant: Redis's own sample value, not pi
      return new DoubleReply(3.141);
    case 'bignum':
      return new BigNumberReply('1234567999999999999999999999999999999');
    case 'null':
      return null;
    case 'array':
      return [0, 1, 2];
    case 'set':
      return new SetReply([0, 1, 2]);
    case 'map':
      return new MapReply([
        0,
        new BooleanReply(false),
        1,
        new BooleanReply(true),
        2,
        new BooleanReply(false),
      ]);
    case 'attrib':
      // Redis sends a RESP3 attribute before this reply; the engine has no attribute type and sends the reply alone.
      return 'Some real reply following the attribute';
    case 'push':
      if (c.protocol < 3) fail('ERR RESP2 is not supported by this command');
      c.transport.push(new PushReply(['server-cpu-usage', 42]));
      return 'Some real reply following the push reply';
    case 'verbatim':
      return new VerbatimReply('This is a verbatim\nstring');
    case 'true':
      return new BooleanReply(true);
    case 'false':
      return new BooleanReply(false);
    default:
      fail(`ERR Wrong protocol type name. Please use one of the following: ${PROTOCOL_TYPES}`);
  }
}

/**
 * DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: saves the dataset to dir/dbfilename, empties it (keys and
 * function libraries) and loads the file back, as Redis does to check that a dataset survives its RDB.
 */
function reload(c: Session, argv: string[]): Reply {
  let merge = false;
  let flush = true;
  let save = true;
  for (const option of argv.slice(2)) {
    const name = option.toLowerCase();
    if (name === 'merge') merge = true;
    else if (name === 'noflush') flush = false;
    else if (name === 'nosave') save = false;
    else fail('ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.');
  }
  const engine = c.engine;
  const snapshots = snapshotsOf(engine);
  if (save && !snapshots.save()) return new ErrorReply('ERR');
  if (flush) {
    for (const db of engine.databases) emptyDatabase(engine, db);
    functionLibraries(engine).flush();
    engine.tracking.flushed();
  }
  if (!snapshots.reload(merge)) fail('ERR Error trying to load the RDB dump');
  return OK;
}

const DEBUG_HELP = [
  'DIGEST',
  '    Output a hex signature representing the current DB content.',
  'DIGEST-VALUE <key> [<key> ...]',
  '    Output a hex signature of the values of all the specified keys.',
  'ERROR <string>',
  '    Return a Redis protocol error with <string> as message.',
  'PROTOCOL <type>',
  `    Reply with a test value of the specified type. <type> can be one of: ${PROTOCOL_TYPES.replaceAll('|', ', ')}.`,
  'RELOAD [option ...]',
  '    Save the RDB on disk and reload it back to memory. Valid <option> values:',
  '    * MERGE: conflicting keys will be loaded from RDB.',
  '    * NOFLUSH: the existing database will not be removed before load, but',
  '      conflicting keys will generate an exception and kill the server.',
  '    * NOSAVE: the database will be loaded from an existing RDB file.',
  '    Examples:',
  '    * DEBUG RELOAD: verify that the server is able to persist, flush and reload',
  '      the database.',
  '    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an',
  '      existing RDB file.',
  '    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB',
  '      file to the database.',
  'SET-ACTIVE-EXPIRE <0|1>',
  '    Setting it to 0 disables expiring keys in background when they are not',
  '    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the',
  '    default.',
  'SLEEP <seconds>',
  '    Stop the server for <seconds>. Decimals allowed.',
];

/**
 * DEBUG with the subcommands an in-process engine can answer honestly. Like Redis 7.0, it is refused
 * unless enable-debug-command allows it (yes, or local for loopback and in-process clients).
 */
function debug(c: Session, argv: string[]): Reply {
  const allowed = c.engine.config.get('enable-debug-command');
  if (allowed !== 'yes' && !(allowed === 'local' && isLocalSession(c))) {
    fail(
      'ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.',
    );
  }
  const sub = argv[1]!.toLowerCase();
  if (sub === 'help' && argv.length === 2) return helpReply('DEBUG', DEBUG_HELP);
  if (sub === 'sleep' && argv.length === 3) {
    sleepSync(leadingNumber(argv[2]!) * 1000);
    return OK;
  }
  if (sub === 'error' && argv.length === 3) return new ErrorReply(argv[2]!.replace(/[\r\n]/g, ' '));
  if (sub === 'protocol' && argv.length === 3) return protocolSample(c, argv[2]!);
  if (sub === 'reload') return reload(c, argv);
  if (sub === 'digest' && argv.length === 2) return new StatusReply(datasetDigest(c.engine.databases));
  if (sub === 'digest-value') return argv.slice(2).map((key) => new StatusReply(valueDigest(c.db, key)));
  if (sub === 'set-active-expire' && argv.length === 3) {
    c.engine.activeExpireEnabled = cAtoi(argv[2]!) !== 0;
    return OK;
  }
  subcommandSyntaxError(argv, 'DEBUG');
}

export const debugCommand: CommandSpec = command(
  'debug',
  -2,
  ['admin', 'noscript', 'loading', 'stale'],
  [0, 0, 0],
  ['admin', 'slow', 'dangerous'],
  debug,
  {
    group: 'server',
    since: '1.0.0',
    summary: 'Runs a debugging subcommand.',
    complexity: 'Depends on subcommand.',
  },
);
