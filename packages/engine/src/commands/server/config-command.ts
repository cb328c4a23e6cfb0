import type { ConfigParameter } from '../../config.js';
import { engineLogger } from '../../log.js';
import { fail, SYNTAX } from '../../resp/errors.js';
import { MapReply, OK, type Reply } from '../../resp/reply.js';
import { rewriteConfigFile } from '../../server/config-rewrite.js';
import type { Session } from '../../session.js';
import { globMatch } from '../../util/glob.js';
import { strerror } from '../../util/strerror.js';
import { type CommandSpec, command } from '../registry.js';
import { isLocalSession } from './client.js';
import { helpReply } from './help.js';

const GLOB_CHARS = /[[*?]/;

/**
 * CONFIG GET name-or-pattern ...: exact names match case-insensitively (answered under the name as
 * given); patterns match every name and alias except hidden parameters. Each name appears once.
 */
function get(c: Session, argv: string[]): Reply {
  const config = c.engine.config;
  const matches = new Map<string, { name: string; parameter: ConfigParameter }>();
  for (let i = 2; i < argv.length; i++) {
    const asked = argv[i]!;
    if (!GLOB_CHARS.test(asked)) {
      const key = asked.toLowerCase();
      const parameter = config.parameter(asked);
      if (parameter && !matches.has(key)) matches.set(key, { name: asked, parameter });
      continue;
    }
    for (const entry of config.allNames()) {
      if (entry.parameter.hidden || matches.has(entry.name)) continue;
      if (globMatch(asked, entry.name, true)) matches.set(entry.name, entry);
    }
  }
  const out: Reply[] = [];
  for (const { name, parameter } of matches.values()) {
    out.push(name, shownValue(c, parameter));
  }
  return new MapReply(out);
}

/** port and tls-port show where the server really listens (a port 0 asked for any free one). */
function shownValue(c: Session, parameter: ConfigParameter): string {
  const listener = listenerOf(c);
  if (parameter.name === 'port') return String(listener ? listener.tcp : listeningPort(c));
  if (parameter.name === 'tls-port' && listener) return String(listener.tls);
  return c.engine.config.display(parameter);
}

/** The ports of the RESP server this client came through, when it came through one. */
function listenerOf(c: Session): { tcp: number; tls: number } | undefined {
  const transport = c.transport as { listener?: { tcp: number; tls: number } };
  return transport.listener;
}

/**
 * The port INFO reports as tcp_port: the server's plain port, else its TLS port (as Redis), else the
 * port this client connected to when its transport tells (the engine does not own the listener).
 */
export function listeningPort(c: Session): number {
  const listener = listenerOf(c);
  if (listener && (listener.tcp || listener.tls)) return listener.tcp || listener.tls;
  const local = c.transport.localAddress;
  const port = local ? Number(local.slice(local.lastIndexOf(':') + 1)) : Number.NaN;
  return Number.isInteger(port) && port > 0 ? port : c.engine.config.number('port');
}

/** Parameters whose values SLOWLOG and MONITOR never show. */
const SENSITIVE = new Set(['masteruser', 'masterauth', 'requirepass']);

function set(c: Session, argv: string[]): Reply {
  if (argv.length % 2 === 1) fail(SYNTAX);
  const config = c.engine.config;
  const pairs: Array<[string, string]> = [];
  for (let i = 2; i < argv.length; i += 2) {
    pairs.push([argv[i]!, argv[i + 1]!]);
    // Redacted even when the command fails, as Redis does.
    if (SENSITIVE.has(config.parameter(argv[i]!)?.name ?? '')) c.redact(i + 1);
  }
  config.setMany(pairs, { allowProtected: config.allowsProtected(isLocalSession(c)) });
  return OK;
}

/** CONFIG REWRITE: only for a server started from a config file (redkit serve redis.conf). */
function rewrite(c: Session): Reply {
  const config = c.engine.config;
  if (config.file === undefined) fail('ERR The server is running without a config file');
  const log = engineLogger(c.engine);
  try {
    rewriteConfigFile(config.file, config);
  } catch (error) {
    const reason = strerror(error);
    log('warning', `CONFIG REWRITE failed: ${reason}`);
    fail(`ERR Rewriting config file: ${reason}`);
  }
  log('warning', 'CONFIG REWRITE executed with success.');
  return OK;
}

function resetStat(c: Session): Reply {
  c.engine.stats.reset(c.now());
  return OK;
}

const CONFIG_HELP = [
  'GET <pattern>',
  '    Return parameters matching the glob-like <pattern> and their values.',
  'SET <directive> <value>',
  '    Set the configuration <directive> to <value>.',
  'RESETSTAT',
  '    Reset statistics reported by the INFO command.',
  'REWRITE',
  '    Rewrite the configuration file.',
];

const ADMIN = ['admin', 'noscript', 'loading', 'stale'] as const;
const CATEGORIES = ['admin', 'slow', 'dangerous'];
const docs = (since: string, summary: string, complexity: string) => ({
  group: 'server',
  since,
  summary,
  complexity,
});

export const configCommand: CommandSpec = {
  ...command(
    'config',
    -2,
    [],
    [0, 0, 0],
    ['slow'],
    () => null,
    docs('2.0.0', 'A container for server configuration commands.', 'Depends on subcommand.'),
  ),
  subcommands: [
    command(
      'get',
      -3,
      ADMIN,
      [0, 0, 0],
      CATEGORIES,
      get,
      docs(
        '2.0.0',
        'Returns configuration parameters and their values.',
        'O(N) where N is the number of parameters',
      ),
    ),
    command(
      'set',
      -4,
      ADMIN,
      [0, 0, 0],
      CATEGORIES,
      set,
      docs(
        '2.0.0',
        'Changes configuration parameters, all or none.',
        'O(N) where N is the number of parameters',
      ),
    ),
    command(
      'resetstat',
      2,
      ADMIN,
      [0, 0, 0],
      CATEGORIES,
      resetStat,
      docs('2.0.0', 'Resets the statistics INFO reports.', 'O(1)'),
    ),
    command(
      'rewrite',
      2,
      ADMIN,
      [0, 0, 0],
      CATEGORIES,
      rewrite,
      docs('2.8.0', 'Writes the configuration back to its file.', 'O(1)'),
    ),
    command(
      'help',
      2,
      ['loading', 'stale'],
      [0, 0, 0],
      ['slow'],
      () => helpReply('CONFIG', CONFIG_HELP),
      docs('5.0.0', 'Shows help about the CONFIG subcommands.', 'O(1)'),
    ),
  ],
};
