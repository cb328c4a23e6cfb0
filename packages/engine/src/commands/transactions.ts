import { fail } from '../resp/errors.js';
import { NULL_ARRAY, OK, type Reply } from '../resp/reply.js';
import type { Session } from '../session.js';
import { type CommandSpec, command } from './registry.js';

const docs = (since: string, summary: string) => ({ group: 'transactions', since, summary });
const FLAGS = ['noscript', 'loading', 'stale', 'fast', 'allow_busy'] as const;

function multi(c: Session): Reply {
  if (c.multi) fail('ERR MULTI calls can not be nested');
  c.multi = [];
  c.multiFailed = false;
  return OK;
}

function exec(c: Session): Reply {
  const queued = c.multi;
  if (!queued) fail('ERR EXEC without MULTI');
  const engine = c.engine;
  c.multi = null;
  if (c.multiFailed) {
    c.multiFailed = false;
    engine.unwatchAll(c);
    fail('EXECABORT Transaction discarded because of previous errors.');
  }
  if (c.watchDirty || watchedKeyExpired(c)) {
    engine.unwatchAll(c);
    return NULL_ARRAY;
  }
  engine.unwatchAll(c);
  return engine.runTransaction(c, queued);
}

/** A watched key that expired since WATCH makes EXEC fail, as in Redis 7. */
function watchedKeyExpired(c: Session): boolean {
  for (const [index, keys] of c.watching) {
    const db = c.engine.databases[index]!;
    for (const key of keys) if (db.isExpired(key)) return true;
  }
  return false;
}

function discard(c: Session): Reply {
  if (!c.multi) fail('ERR DISCARD without MULTI');
  c.multi = null;
  c.multiFailed = false;
  c.engine.unwatchAll(c);
  return OK;
}

function watch(c: Session, argv: string[]): Reply {
  if (c.multi) fail('ERR WATCH inside MULTI is not allowed');
  for (let i = 1; i < argv.length; i++) c.engine.watch(c, argv[i]!);
  return OK;
}

function unwatch(c: Session): Reply {
  c.engine.unwatchAll(c);
  return OK;
}

export const transactionsCommands: CommandSpec[] = [
  command(
    'multi',
    1,
    FLAGS,
    [0, 0, 0],
    ['fast', 'transaction'],
    multi,
    docs('1.2.0', 'Starts a transaction.'),
  ),
  command(
    'exec',
    1,
    ['noscript', 'loading', 'stale', 'skip_slowlog'],
    [0, 0, 0],
    ['slow', 'transaction'],
    exec,
    docs('1.2.0', 'Executes all commands in a transaction.'),
  ),
  command(
    'discard',
    1,
    FLAGS,
    [0, 0, 0],
    ['fast', 'transaction'],
    discard,
    docs('2.0.0', 'Discards a transaction.'),
  ),
  command(
    'watch',
    -2,
    FLAGS,
    [1, -1, 1],
    ['fast', 'transaction'],
    watch,
    docs('2.2.0', 'Monitors changes to keys to determine the execution of a transaction.'),
  ),
  command(
    'unwatch',
    1,
    FLAGS,
    [0, 0, 0],
    ['fast', 'transaction'],
    unwatch,
    docs('2.2.0', 'Forgets about watched keys of a transaction.'),
  ),
];
