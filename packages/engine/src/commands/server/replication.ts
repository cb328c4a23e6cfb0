import type { Session } from '../../session.js';
import { toInt64 } from '../args.js';
import { parseTimeoutMillis } from '../lists/timeout.js';
import { BlockRequest, type CommandResult, type CommandSpec, command } from '../registry.js';

/*
 * What a replication master with no replicas answers: the engine is a single node (its durability comes
 * from persistence, its scale-out from Redis Cluster), so it is always a master that nobody follows.
 */

/**
 * WAIT numreplicas timeout: no replica ever acknowledges, so asking for none answers 0 at once and asking
 * for more waits out the timeout (0: until the client is unblocked or leaves), then answers 0, as Redis
 * does without replicas. Inside a transaction it cannot wait and answers at once.
 */
function wait(c: Session, argv: string[]): CommandResult {
  const wanted = toInt64(argv[1]!);
  const timeoutMs = parseTimeoutMillis(argv[2]!);
  if (wanted <= 0n || c.executingTransaction || !c.deferrable) return 0;
  return new BlockRequest([], timeoutMs, () => undefined, 0);
}

export const replicationCommands: CommandSpec[] = [
  command('wait', 3, ['noscript'], [0, 0, 0], ['slow', 'connection'], wait, {
    group: 'generic',
    since: '3.0.0',
    summary: 'Waits until the writes of the connection reach the given number of replicas.',
    complexity: 'O(1)',
  }),
  command(
    'role',
    1,
    ['noscript', 'loading', 'stale', 'fast'],
    [0, 0, 0],
    ['admin', 'fast', 'dangerous'],
    () => ['master', 0, []],
    { group: 'server', since: '2.8.12', summary: 'Returns the replication role.', complexity: 'O(1)' },
  ),
];
