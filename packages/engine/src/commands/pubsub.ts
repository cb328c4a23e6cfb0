import { PushReply, type Reply, StatusReply } from '../resp/reply.js';
import type { Session } from '../session.js';
import { globMatch } from '../util/glob.js';
import { type CommandResult, type CommandSpec, command, NO_REPLY } from './registry.js';

const docs = (since: string, summary: string) => ({ group: 'pubsub', since, summary });
const SUBSCRIBE_FLAGS = ['pubsub', 'noscript', 'loading', 'stale'] as const;

/** Each (un)subscription is confirmed by its own push, as Redis does. */
function confirm(c: Session, kind: string, name: string | null): void {
  c.transport.push(new PushReply([kind, name, c.subscriptionCount]));
}

function subscribe(c: Session, argv: string[]): CommandResult {
  for (let i = 1; i < argv.length; i++) {
    c.engine.pubsub.subscribe(c, argv[i]!);
    confirm(c, 'subscribe', argv[i]!);
  }
  return NO_REPLY;
}

function psubscribe(c: Session, argv: string[]): CommandResult {
  for (let i = 1; i < argv.length; i++) {
    c.engine.pubsub.psubscribe(c, argv[i]!);
    confirm(c, 'psubscribe', argv[i]!);
  }
  return NO_REPLY;
}

function unsubscribe(c: Session, argv: string[]): CommandResult {
  const names = argv.length > 1 ? argv.slice(1) : [...c.channels];
  if (names.length === 0) confirm(c, 'unsubscribe', null);
  for (const name of names) {
    c.engine.pubsub.unsubscribe(c, name);
    confirm(c, 'unsubscribe', name);
  }
  return NO_REPLY;
}

function punsubscribe(c: Session, argv: string[]): CommandResult {
  const names = argv.length > 1 ? argv.slice(1) : [...c.patterns];
  if (names.length === 0) confirm(c, 'punsubscribe', null);
  for (const name of names) {
    c.engine.pubsub.punsubscribe(c, name);
    confirm(c, 'punsubscribe', name);
  }
  return NO_REPLY;
}

function publish(c: Session, argv: string[]): Reply {
  return c.engine.pubsub.publish(argv[1]!, argv[2]!);
}

function channels(c: Session, argv: string[]): Reply {
  const pattern = argv[2];
  const out: Reply[] = [];
  for (const channel of c.engine.pubsub.channels.keys()) {
    if (pattern === undefined || globMatch(pattern, channel)) out.push(channel);
  }
  return out;
}

function numsub(c: Session, argv: string[]): Reply {
  const out: Reply[] = [];
  for (let i = 2; i < argv.length; i++) out.push(argv[i]!, c.engine.pubsub.channels.get(argv[i]!)?.size ?? 0);
  return out;
}

function numpat(c: Session): Reply {
  return c.engine.pubsub.patterns.size;
}

const PUBSUB_HELP = [
  'PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CHANNELS [<pattern>]',
  "    Return the currently active channels matching a <pattern> (default: '*').",
  'NUMPAT',
  '    Return number of subscriptions to patterns.',
  'NUMSUB [<channel> ...]',
  '    Return the number of subscribers for the specified channels, excluding',
  '    pattern subscriptions(default: no channels).',
  'SHARDCHANNELS [<pattern>]',
  "    Return the currently active shard level channels matching a <pattern> (default: '*').",
  'SHARDNUMSUB [<shardchannel> ...]',
  '    Return the number of subscribers for the specified shard level channel(s)',
  'HELP',
  '    Prints this help.',
];

const sub = (name: string, arity: number, handler: (c: Session, argv: string[]) => Reply, summary: string) =>
  command(
    name,
    arity,
    ['pubsub', 'loading', 'stale'],
    [0, 0, 0],
    ['pubsub', 'slow'],
    handler,
    docs('2.8.0', summary),
  );

export const pubsubCommands: CommandSpec[] = [
  command(
    'subscribe',
    -2,
    SUBSCRIBE_FLAGS,
    [0, 0, 0],
    ['pubsub', 'slow'],
    subscribe,
    docs('2.0.0', 'Listens for messages published to channels.'),
  ),
  command(
    'psubscribe',
    -2,
    SUBSCRIBE_FLAGS,
    [0, 0, 0],
    ['pubsub', 'slow'],
    psubscribe,
    docs('2.0.0', 'Listens for messages published to channels that match one or more patterns.'),
  ),
  command(
    'unsubscribe',
    -1,
    SUBSCRIBE_FLAGS,
    [0, 0, 0],
    ['pubsub', 'slow'],
    unsubscribe,
    docs('2.0.0', 'Stops listening to messages posted to channels.'),
  ),
  command(
    'punsubscribe',
    -1,
    SUBSCRIBE_FLAGS,
    [0, 0, 0],
    ['pubsub', 'slow'],
    punsubscribe,
    docs('2.0.0', 'Stops listening to messages published to channels that match one or more patterns.'),
  ),
  command(
    'publish',
    3,
    ['pubsub', 'loading', 'stale', 'fast', 'may_replicate'],
    [0, 0, 0],
    ['pubsub', 'fast'],
    publish,
    docs('2.0.0', 'Posts a message to a channel.'),
  ),
  {
    ...command(
      'pubsub',
      -2,
      [],
      [0, 0, 0],
      ['slow'],
      () => null,
      docs('2.8.0', 'A container for Pub/Sub commands.'),
    ),
    subcommands: [
      sub('channels', -2, channels, 'Returns the active channels.'),
      sub('numsub', -2, numsub, 'Returns a count of subscribers to channels.'),
      sub('numpat', 2, numpat, 'Returns a count of unique pattern subscriptions.'),
      sub('shardchannels', -2, () => [], 'Returns the active shard channels.'),
      sub(
        'shardnumsub',
        -2,
        (_c, argv) => argv.slice(2).flatMap((ch) => [ch, 0]),
        'Returns the count of subscribers of shard channels.',
      ),
      command(
        'help',
        2,
        ['loading', 'stale'],
        [0, 0, 0],
        ['slow'],
        () => PUBSUB_HELP.map((line) => new StatusReply(line)),
        docs('6.2.0', 'Returns helpful text about the different subcommands.'),
      ),
    ],
  },
];
