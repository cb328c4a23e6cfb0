import { SystemClock } from '../keyspace/clock.js';
import type { Reply } from '../resp/reply.js';
import type { Session } from '../session.js';
import { type CommandSpec, command } from './registry.js';
import { clientCommand } from './server/client.js';
import { commandCommand } from './server/command-introspection.js';
import { configCommand } from './server/config-command.js';
import { debugCommand } from './server/debug.js';
import { info } from './server/info.js';

const docs = (since: string, summary: string, complexity = 'O(1)') => ({
  group: 'server',
  since,
  summary,
  complexity,
});

/**
 * TIME: seconds and microseconds of the engine clock, as two bulk strings. Live even inside a script or
 * EXEC (as in Redis 7.0, where only key expiry sees a frozen instant); microseconds on the system clock.
 */
function time(c: Session): Reply {
  const clock = c.engine.clock;
  const micros =
    clock instanceof SystemClock
      ? Math.floor((performance.timeOrigin + performance.now()) * 1000)
      : Math.floor(clock.now() * 1000);
  const seconds = Math.floor(micros / 1e6);
  return [String(seconds), String(micros - seconds * 1e6)];
}

export const serverCommands: CommandSpec[] = [
  command(
    'info',
    -1,
    ['loading', 'stale'],
    [0, 0, 0],
    ['slow', 'dangerous'],
    info,
    docs('1.0.0', 'Returns information and statistics about the server.'),
  ),
  command(
    'time',
    1,
    ['loading', 'stale', 'fast'],
    [0, 0, 0],
    ['fast'],
    time,
    docs('2.6.0', 'Returns the server time.'),
  ),
  command(
    'lastsave',
    1,
    ['loading', 'stale', 'fast'],
    [0, 0, 0],
    ['admin', 'fast', 'dangerous'],
    (c) => c.engine.lastSave,
    docs('1.0.0', 'Returns the Unix time of the last successful save to disk.'),
  ),
  configCommand,
  clientCommand,
  commandCommand,
  debugCommand,
];
