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

/** TIME: seconds and microseconds of the engine clock, as two bulk strings. */
function time(c: Session): Reply {
  const ms = c.now();
  const seconds = Math.floor(ms / 1000);
  return [String(seconds), String(Math.floor((ms - seconds * 1000) * 1000))];
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
