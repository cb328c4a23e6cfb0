import { type CommandSpec, command } from '../commands/registry.js';
import { fail } from '../resp/errors.js';
import { StatusReply } from '../resp/reply.js';
import type { Session } from '../session.js';
import { appendOnlyFileOf } from './aof.js';

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

export const persistenceCommands: CommandSpec[] = [
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
