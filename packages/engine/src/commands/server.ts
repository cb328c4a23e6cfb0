import { wallClockMicros } from '../call-log.js';
import type { ShutdownOptions } from '../engine.js';
import { fail, SYNTAX } from '../resp/errors.js';
import type { Reply } from '../resp/reply.js';
import type { Session } from '../session.js';
import { type CommandResult, type CommandSpec, command, NO_REPLY } from './registry.js';
import { clientCommand } from './server/client.js';
import { commandCommand } from './server/command-introspection.js';
import { configCommand } from './server/config-command.js';
import { debugCommand } from './server/debug.js';
import { info } from './server/info.js';
import { latencyCommand } from './server/latency.js';
import { replicationCommands } from './server/replication.js';
import { monitorCommand, slowlogCommand } from './server/slowlog.js';

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
  const micros = wallClockMicros(c.engine);
  const seconds = Math.floor(micros / 1e6);
  return [String(seconds), String(micros - seconds * 1e6)];
}

/** SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]: hands over to the process's owner (Engine.onShutdown). */
function shutdown(c: Session, argv: string[]): CommandResult {
  const options: ShutdownOptions = { save: undefined, now: false, force: false };
  let abort = false;
  for (let i = 1; i < argv.length; i++) {
    const option = argv[i]!.toLowerCase();
    if ((option === 'save' || option === 'nosave') && options.save === undefined)
      options.save = option === 'save';
    else if (option === 'now') options.now = true;
    else if (option === 'force') options.force = true;
    else if (option === 'abort') abort = true;
    else fail(SYNTAX);
  }
  if (abort && (argv.length > 2 || options.save !== undefined)) fail(SYNTAX);
  // No shutdown ever waits here (no replicas to catch up), so there is never one to abort.
  if (abort) fail('ERR No shutdown in progress.');
  const owner = c.engine.onShutdown;
  // The owner saves first if it must (synchronously, as Redis); a failed save keeps the server up.
  if (!owner?.(options)) fail('ERR Errors trying to SHUTDOWN. Check logs.');
  return NO_REPLY;
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
    'shutdown',
    -1,
    ['admin', 'noscript', 'loading', 'stale', 'no_multi', 'allow_busy'],
    [0, 0, 0],
    ['admin', 'slow', 'dangerous'],
    shutdown,
    docs('1.0.0', 'Stops the server, writing what persistence needs first.'),
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
  latencyCommand,
  monitorCommand,
  slowlogCommand,
  ...replicationCommands,
];
