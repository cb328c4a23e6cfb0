import { type CommandSpec, command } from '../commands/registry.js';
import { fail, SYNTAX } from '../resp/errors.js';
import { StatusReply } from '../resp/reply.js';
import type { Session } from '../session.js';
import { appendOnlyFileOf } from './aof.js';
import { snapshotsOf } from './snapshot.js';

function bgrewriteaof(c: Session): StatusReply {
  const aof = appendOnlyFileOf(c.engine);
  // Redis writes a file even with appendonly no; an engine without an open AOF has nowhere to write it.
  if (!aof)
    fail(
      'ERR Background append only file rewriting is not possible: no append only file is open (appendonly no)',
    );
  if (aof.rewriteInProgress) fail('ERR Background append only file rewriting already in progress');
  aof.startRewrite();
  return new StatusReply('Background append only file rewriting started');
}

/** SAVE: the snapshot written now, holding the server (as Redis's blocking save). */
function save(c: Session): StatusReply {
  const snapshots = snapshotsOf(c.engine);
  if (snapshots.inProgress) fail('ERR Background save already in progress');
  if (!snapshots.save()) fail('ERR');
  return new StatusReply('OK');
}

/** BGSAVE [SCHEDULE]: see Snapshots for how the server keeps answering without fork. */
function bgsave(c: Session, argv: string[]): StatusReply {
  let schedule = false;
  if (argv.length > 1) {
    if (argv.length === 2 && argv[1]!.toLowerCase() === 'schedule') schedule = true;
    else fail(SYNTAX);
  }
  const snapshots = snapshotsOf(c.engine);
  if (snapshots.inProgress) fail('ERR Background save already in progress');
  const aofBusy = appendOnlyFileOf(c.engine)?.rewriteInProgress ?? false;
  if (aofBusy || c.executingTransaction) {
    if (schedule || c.executingTransaction) {
      snapshots.schedule();
      return new StatusReply('Background saving scheduled');
    }
    fail(
      "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.",
    );
  }
  if (!snapshots.startBackground()) fail('ERR');
  return new StatusReply('Background saving started');
}

export const persistenceCommands: CommandSpec[] = [
  command(
    'save',
    1,
    ['admin', 'noscript', 'no_async_loading', 'no_multi'],
    [0, 0, 0],
    ['admin', 'slow', 'dangerous'],
    save,
    {
      group: 'server',
      since: '1.0.0',
      summary: 'Writes the dataset to the snapshot file, blocking the server meanwhile.',
      complexity: 'O(N) where N is the total number of keys in all databases',
    },
  ),
  command(
    'bgsave',
    -1,
    ['admin', 'noscript', 'no_async_loading'],
    [0, 0, 0],
    ['admin', 'slow', 'dangerous'],
    bgsave,
    {
      group: 'server',
      since: '1.0.0',
      summary: 'Writes the dataset to the snapshot file while the server keeps serving.',
      complexity: 'O(1)',
    },
  ),
  command(
    'bgrewriteaof',
    1,
    ['admin', 'noscript', 'no_async_loading'],
    [0, 0, 0],
    ['admin', 'slow', 'dangerous'],
    bgrewriteaof,
    {
      group: 'server',
      since: '1.0.0',
      summary: 'Rewrites the append-only file in the background.',
      complexity: 'O(1)',
    },
  ),
];
