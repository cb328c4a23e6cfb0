import type { ConfigParameter } from '../../config.js';
import { fail, SYNTAX } from '../../resp/errors.js';
import { MapReply, OK, type Reply } from '../../resp/reply.js';
import type { Session } from '../../session.js';
import { globMatch } from '../../util/glob.js';
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
    out.push(name, parameter.name === 'port' ? String(listeningPort(c)) : config.display(parameter));
  }
  return new MapReply(out);
}

/** The port this client connected to, when its transport tells (the engine does not own the listener). */
export function listeningPort(c: Session): number {
  const local = c.transport.localAddress;
  const port = local ? Number(local.slice(local.lastIndexOf(':') + 1)) : Number.NaN;
  return Number.isInteger(port) && port > 0 ? port : c.engine.config.number('port');
}

function set(c: Session, argv: string[]): Reply {
  if (argv.length % 2 === 1) fail(SYNTAX);
  const pairs: Array<[string, string]> = [];
  for (let i = 2; i < argv.length; i += 2) pairs.push([argv[i]!, argv[i + 1]!]);
  const config = c.engine.config;
  config.setMany(pairs, { allowProtected: config.allowsProtected(isLocalSession(c)) });
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
    // The engine is configured by its options, never from a file, so there is nothing to rewrite.
    command(
      'rewrite',
      2,
      ADMIN,
      [0, 0, 0],
      CATEGORIES,
      () => fail('ERR The server is running without a config file'),
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
