import type { Engine } from '../../engine.js';
import type { Database } from '../../keyspace/database.js';
import { saveRulesConfigured, snapshotsOf } from '../../persistence/snapshot.js';
import { fail, SYNTAX } from '../../resp/errors.js';
import { OK, type Reply } from '../../resp/reply.js';
import type { Session } from '../../session.js';
import { isOption } from '../args.js';
import { type CommandSpec, command } from '../registry.js';
import { databaseAt, docs, toInt32 } from './shared.js';

/** FLUSHDB / FLUSHALL take at most one argument, ASYNC or SYNC (both free at once here). */
function checkFlushMode(argv: string[]): void {
  if (argv.length > 2) fail(SYNTAX);
  if (argv.length === 2 && !isOption(argv[1], 'ASYNC') && !isOption(argv[1], 'SYNC')) fail(SYNTAX);
}

/**
 * Empties a database: WATCHers of keys that existed in it see their transactions fail, and clients blocked
 * on its keys are re-examined (a stream reader in a group learns that its stream is gone).
 */
function flush(c: Session, db: Database): void {
  c.engine.dirty += db.size;
  emptyDatabase(c.engine, db);
}

/** Removes every key of a database as a flush does (also DEBUG RELOAD's emptying). */
export function emptyDatabase(engine: Engine, db: Database): void {
  engine.touchAllWatched(db);
  db.clear();
  engine.blocking.databaseEmptied(db);
}

function flushdb(c: Session, argv: string[]): Reply {
  checkFlushMode(argv);
  flush(c, c.db);
  c.engine.tracking.flushed();
  return OK;
}

function flushall(c: Session, argv: string[]): Reply {
  checkFlushMode(argv);
  for (const db of c.engine.databases) flush(c, db);
  c.engine.tracking.flushed();
  c.engine.dirty++;
  if (saveRulesConfigured(c.engine)) snapshotsOf(c.engine).afterFlushAll();
  return OK;
}

function swapdb(c: Session, argv: string[]): Reply {
  const first = toInt32(argv[1]!, 'ERR invalid first DB index');
  const second = toInt32(argv[2]!, 'ERR invalid second DB index');
  const a = databaseAt(c, first);
  const b = databaseAt(c, second);
  if (a === b) return OK;
  const engine = c.engine;
  // A WATCHed key is touched if it exists on either side: check before the swap and after it.
  engine.touchAllWatched(a);
  engine.touchAllWatched(b);
  a.swapContents(b);
  engine.touchAllWatched(a);
  engine.touchAllWatched(b);
  engine.blocking.swapDatabases(a, b);
  engine.dirty++;
  return OK;
}

function dbsize(c: Session): Reply {
  return c.db.size;
}

const DANGEROUS_WRITE = ['keyspace', 'write', 'slow', 'dangerous'];

export const databaseCommands: CommandSpec[] = [
  command('flushdb', -1, ['write'], [0, 0, 0], DANGEROUS_WRITE, flushdb, {
    ...docs(
      '1.0.0',
      'Removes every key of the selected database.',
      'O(N) where N is the number of keys in the selected database',
    ),
    group: 'server',
  }),
  command('flushall', -1, ['write'], [0, 0, 0], DANGEROUS_WRITE, flushall, {
    ...docs(
      '1.0.0',
      'Removes every key of every database.',
      'O(N) where N is the total number of keys in all databases',
    ),
    group: 'server',
  }),
  command('swapdb', 3, ['write', 'fast'], [0, 0, 0], ['keyspace', 'write', 'fast', 'dangerous'], swapdb, {
    ...docs(
      '4.0.0',
      'Exchanges the contents of two databases.',
      'O(N) where N is the count of clients watching or blocking on keys from both databases.',
    ),
    group: 'server',
  }),
  command('dbsize', 1, ['readonly', 'fast'], [0, 0, 0], ['keyspace', 'read', 'fast'], dbsize, {
    ...docs('1.0.0', 'Counts the keys of the selected database.', 'O(1)'),
    group: 'server',
  }),
];
