import {
  authenticate,
  HELLO_NOAUTH_MESSAGE,
  initiallyAuthenticated,
  passwordRequired,
  WRONGPASS_MESSAGE,
} from '../auth/access.js';
import { errorArg, fail, RedisError, wrongArity } from '../resp/errors.js';
import { MapReply, OK, PONG, type Reply, StatusReply } from '../resp/reply.js';
import type { Session } from '../session.js';
import { REDIS_VERSION } from '../version.js';
import { toInteger } from './args.js';
import { type CommandSpec, command } from './registry.js';

const docs = (since: string, summary: string) => ({ group: 'connection', since, summary });

function ping(c: Session, argv: string[]): Reply {
  if (argv.length > 2) throw wrongArity('ping');
  if (c.protocol === 2 && c.subscriptionCount > 0) return ['pong', argv[1] ?? ''];
  return argv.length > 1 ? argv[1]! : PONG;
}

function select(c: Session, argv: string[]): Reply {
  const index = toInteger(argv[1]!);
  const db = c.engine.databases[index];
  if (index < 0 || !db) fail('ERR DB index is out of range');
  c.db = db;
  return OK;
}

function auth(c: Session, argv: string[]): Reply {
  if (argv.length > 3) fail('ERR syntax error');
  for (let i = 1; i < argv.length; i++) c.redact(i);
  if (argv.length === 2 && !passwordRequired(c.engine)) {
    fail(
      'ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?',
    );
  }
  const user = argv.length === 3 ? argv[1]! : 'default';
  if (!authenticate(c, user, argv[argv.length - 1]!, argv[0]!)) fail(WRONGPASS_MESSAGE);
  return OK;
}

function hello(c: Session, argv: string[]): Reply {
  let protocol = c.protocol;
  let i = 1;
  if (argv.length >= 2) {
    let version: number;
    try {
      version = toInteger(argv[1]!);
    } catch {
      throw new RedisError('ERR Protocol version is not an integer or out of range');
    }
    if (version < 2 || version > 3) fail('NOPROTO unsupported protocol version');
    protocol = version as 2 | 3;
    i = 2;
  }
  for (; i < argv.length; i++) {
    const option = argv[i]!.toUpperCase();
    const more = argv.length - i - 1;
    if (option === 'AUTH' && more >= 2) {
      c.redact(i + 1);
      c.redact(i + 2);
      if (!authenticate(c, argv[i + 1]!, argv[i + 2]!, argv[0]!)) fail(WRONGPASS_MESSAGE);
      i += 2;
    } else if (option === 'SETNAME' && more >= 1) {
      const name = argv[i + 1]!;
      if (/[\s]/.test(name) || /[^\x21-\x7e]/.test(name)) {
        fail('ERR Client names cannot contain spaces, newlines or special characters.');
      }
      c.name = name; // set at once, as Redis does, even if a later option fails
      i += 1;
    } else {
      fail(`ERR Syntax error in HELLO option '${errorArg(argv[i]!)}'`);
    }
  }
  if (!c.authenticated) fail(HELLO_NOAUTH_MESSAGE);
  c.protocol = protocol;
  return new MapReply([
    'server',
    'redis',
    'version',
    REDIS_VERSION,
    'proto',
    protocol,
    'id',
    c.id,
    'mode',
    'standalone',
    'role',
    'master',
    'modules',
    [],
  ]);
}

function quit(c: Session): Reply {
  c.closeAfterReply = true;
  return OK;
}

function reset(c: Session): Reply {
  const engine = c.engine;
  if (c.monitor) {
    c.monitor = false;
    engine.callLog.monitors.sessions.delete(c);
  }
  engine.tracking.disable(c);
  c.multi = null;
  c.multiFailed = false;
  engine.unwatchAll(c);
  engine.pubsub.removeSession(c);
  c.db = engine.databases[0]!;
  c.protocol = 2;
  c.name = '';
  c.replyMode = 'on';
  c.noEvict = false;
  c.user = 'default';
  c.authenticated = initiallyAuthenticated(engine);
  return new StatusReply('RESET');
}

export const connectionCommands: CommandSpec[] = [
  command(
    'ping',
    -1,
    ['fast'],
    [0, 0, 0],
    ['fast', 'connection'],
    ping,
    docs('1.0.0', "Returns the server's liveliness response."),
  ),
  command(
    'echo',
    2,
    ['loading', 'stale', 'fast'],
    [0, 0, 0],
    ['fast', 'connection'],
    (_c, argv) => argv[1]!,
    docs('1.0.0', 'Returns the given string.'),
  ),
  command(
    'select',
    2,
    ['loading', 'stale', 'fast'],
    [0, 0, 0],
    ['fast', 'connection'],
    select,
    docs('1.0.0', 'Changes the selected database.'),
  ),
  command(
    'auth',
    -2,
    ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'],
    [0, 0, 0],
    ['fast', 'connection'],
    auth,
    docs('1.0.0', 'Authenticates the connection.'),
  ),
  command(
    'hello',
    -1,
    ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'],
    [0, 0, 0],
    ['fast', 'connection'],
    hello,
    docs('6.0.0', 'Handshakes with the Redis server.'),
  ),
  command(
    'quit',
    -1,
    ['allow_busy', 'noscript', 'loading', 'stale', 'fast', 'no_auth'],
    [0, 0, 0],
    ['fast', 'connection'],
    quit,
    docs('1.0.0', 'Closes the connection.'),
  ),
  command(
    'reset',
    1,
    ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'],
    [0, 0, 0],
    ['fast', 'connection'],
    reset,
    docs('6.2.0', 'Resets the connection.'),
  ),
];
