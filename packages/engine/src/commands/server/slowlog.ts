import { fail } from '../../resp/errors.js';
import { OK, type Reply } from '../../resp/reply.js';
import type { Session } from '../../session.js';
import { parseInt64 } from '../../util/numbers.js';
import { type CommandResult, type CommandSpec, command, NO_REPLY } from '../registry.js';
import { helpReply, subcommandSyntaxError } from './help.js';

const SLOWLOG_HELP = [
  'GET [<count>]',
  '    Return top <count> entries from the slowlog (default: 10, -1 mean all).',
  '    Entries are made of:',
  '    id, timestamp, time in microseconds, arguments array, client IP and port,',
  '    client name',
  'LEN',
  '    Return the length of the slowlog.',
  'RESET',
  '    Reset the slowlog.',
];

const COUNT_ERROR = 'ERR count should be greater than or equal to -1';

/** SLOWLOG GET [count]: the newest entries first; -1 for all of them. */
function slowlogGet(c: Session, argv: string[]): Reply {
  if (argv.length > 3) subcommandSyntaxError(argv, 'SLOWLOG');
  const slowlog = c.engine.callLog.slowlog;
  let count = 10;
  if (argv.length === 3) {
    const parsed = parseInt64(argv[2]!);
    if (parsed === null || parsed < -1n) fail(COUNT_ERROR);
    count =
      parsed === -1n ? slowlog.length : Number(parsed > BigInt(slowlog.length) ? slowlog.length : parsed);
  }
  return slowlog
    .newest(count)
    .map((entry) => [entry.id, entry.time, entry.duration, entry.argv, entry.peer, entry.name]);
}

/**
 * MONITOR: from now on the client is sent every command the server runs. Not inside a transaction or a
 * synchronous in-process call, which expect one reply per command; a second MONITOR gets no reply.
 */
function monitor(c: Session): CommandResult {
  if (c.executingTransaction || !c.deferrable) fail("ERR MONITOR isn't allowed for DENY BLOCKING client");
  if (c.monitor) return NO_REPLY;
  c.monitor = true;
  c.engine.callLog.monitors.sessions.add(c);
  return OK;
}

const ADMIN = ['admin', 'loading', 'stale'] as const;
const CATEGORIES = ['admin', 'slow', 'dangerous'];
const docs = (since: string, summary: string, complexity: string) => ({
  group: 'server',
  since,
  summary,
  complexity,
});

export const monitorCommand: CommandSpec = command(
  'monitor',
  1,
  ['admin', 'noscript', 'loading', 'stale'],
  [0, 0, 0],
  CATEGORIES,
  monitor,
  docs('1.0.0', 'Listens for all requests received by the server in real-time.', 'O(1)'),
);

export const slowlogCommand: CommandSpec = {
  ...command(
    'slowlog',
    -2,
    [],
    [0, 0, 0],
    ['slow'],
    () => null,
    docs('2.2.12', 'A container for slow log commands.', 'Depends on subcommand.'),
  ),
  subcommands: [
    command(
      'get',
      -2,
      ADMIN,
      [0, 0, 0],
      CATEGORIES,
      slowlogGet,
      docs('2.2.12', 'Returns the slow log entries.', 'O(N) where N is the number of entries returned'),
    ),
    command(
      'len',
      2,
      ADMIN,
      [0, 0, 0],
      CATEGORIES,
      (c) => c.engine.callLog.slowlog.length,
      docs('2.2.12', 'Returns the number of entries in the slow log.', 'O(1)'),
    ),
    command(
      'reset',
      2,
      ADMIN,
      [0, 0, 0],
      CATEGORIES,
      (c) => {
        c.engine.callLog.slowlog.reset();
        return OK;
      },
      docs(
        '2.2.12',
        'Clears all entries from the slow log.',
        'O(N) where N is the number of entries in the slowlog',
      ),
    ),
    command(
      'help',
      2,
      ['loading', 'stale'],
      [0, 0, 0],
      ['slow'],
      () => helpReply('SLOWLOG', SLOWLOG_HELP),
      docs('6.2.0', 'Show helpful text about the different subcommands', 'O(1)'),
    ),
  ],
};
