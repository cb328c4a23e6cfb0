import { fail } from '../resp/errors.js';
import { PushReply, type Reply, StatusReply } from '../resp/reply.js';
import type { Session } from '../session.js';
import { globMatch } from '../util/glob.js';
import { type CommandResult, type CommandSpec, command, NO_REPLY } from './registry.js';
import { subcommandSyntaxError } from './server/help.js';

const docs = (since: string, summary: string) => ({ group: 'pubsub', since, summary });
const SUBSCRIBE_FLAGS = ['pubsub', 'noscript', 'loading', 'stale'] as const;

type Kind = 'subscribe' | 'psubscribe' | 'unsubscribe' | 'punsubscribe' | 'ssubscribe' | 'sunsubscribe';

/** A confirmation's count: the client's channels and patterns together, or its shard channels alone. */
function countFor(c: Session, kind: Kind): number {
  return kind === 'ssubscribe' || kind === 'sunsubscribe'
    ? c.shardChannels.size
    : c.channels.size + c.patterns.size;
}

/**
 * Applies `act` to each name and confirms each with its own push, as Redis does (a null name confirms an
 * unsubscription from nothing). Inside EXEC, Redis writes a lone confirmation into EXEC's array: it is
 * then this command's reply instead of a push.
 */
function confirmEach(
  c: Session,
  kind: Kind,
  names: readonly (string | null)[],
  act: (name: string) => void,
): CommandResult {
  const asReply = c.executingTransaction && names.length === 1;
  for (const name of names) {
    if (name !== null) act(name);
    const confirmation = new PushReply([kind, name, countFor(c, kind)]);
    if (asReply) return confirmation;
    c.transport.push(confirmation);
  }
  return NO_REPLY;
}

/** The names an unsubscribe confirms: those given, else all the client has (else a single null). */
function unsubscribing(argv: string[], current: Set<string>): (string | null)[] {
  if (argv.length > 1) return argv.slice(1);
  return current.size > 0 ? [...current] : [null];
}

function subscribe(c: Session, argv: string[]): CommandResult {
  return confirmEach(c, 'subscribe', argv.slice(1), (name) => c.engine.pubsub.subscribe(c, name));
}

function psubscribe(c: Session, argv: string[]): CommandResult {
  return confirmEach(c, 'psubscribe', argv.slice(1), (name) => c.engine.pubsub.psubscribe(c, name));
}

function unsubscribe(c: Session, argv: string[]): CommandResult {
  const names = unsubscribing(argv, c.channels);
  return confirmEach(c, 'unsubscribe', names, (name) => c.engine.pubsub.unsubscribe(c, name));
}

function punsubscribe(c: Session, argv: string[]): CommandResult {
  const names = unsubscribing(argv, c.patterns);
  return confirmEach(c, 'punsubscribe', names, (name) => c.engine.pubsub.punsubscribe(c, name));
}

function ssubscribe(c: Session, argv: string[]): CommandResult {
  // Redis refuses it to clients that need one reply per command (inside EXEC), unlike SUBSCRIBE.
  if (c.executingTransaction) fail("ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client");
  return confirmEach(c, 'ssubscribe', argv.slice(1), (name) => c.engine.pubsub.ssubscribe(c, name));
}

function sunsubscribe(c: Session, argv: string[]): CommandResult {
  const names = unsubscribing(argv, c.shardChannels);
  return confirmEach(c, 'sunsubscribe', names, (name) => c.engine.pubsub.sunsubscribe(c, name));
}

function publish(c: Session, argv: string[]): Reply {
  return c.engine.pubsub.publish(argv[1]!, argv[2]!);
}

function spublish(c: Session, argv: string[]): Reply {
  return c.engine.pubsub.spublish(argv[1]!, argv[2]!);
}

/** PUBSUB CHANNELS / SHARDCHANNELS [pattern]: the active names of one namespace. */
function listChannels(argv: string[], subscribed: Map<string, unknown>): Reply {
  if (argv.length > 3) subcommandSyntaxError(argv, 'PUBSUB');
  const pattern = argv[2];
  const out: Reply[] = [];
  for (const channel of subscribed.keys()) {
    if (pattern === undefined || globMatch(pattern, channel)) out.push(channel);
  }
  return out;
}

/** PUBSUB NUMSUB / SHARDNUMSUB [channel …]: each name and its number of subscribers. */
function countSubscribers(argv: string[], subscribed: Map<string, Set<Session>>): Reply {
  const out: Reply[] = [];
  for (let i = 2; i < argv.length; i++) out.push(argv[i]!, subscribed.get(argv[i]!)?.size ?? 0);
  return out;
}

const channels = (c: Session, argv: string[]) => listChannels(argv, c.engine.pubsub.channels);
const numsub = (c: Session, argv: string[]) => countSubscribers(argv, c.engine.pubsub.channels);
const shardChannels = (c: Session, argv: string[]) => listChannels(argv, c.engine.pubsub.shardChannels);
const shardNumsub = (c: Session, argv: string[]) => countSubscribers(argv, c.engine.pubsub.shardChannels);

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

const sub = (
  name: string,
  arity: number,
  handler: (c: Session, argv: string[]) => Reply,
  summary: string,
  since = '2.8.0',
) =>
  command(
    name,
    arity,
    ['pubsub', 'loading', 'stale'],
    [0, 0, 0],
    ['pubsub', 'slow'],
    handler,
    docs(since, summary),
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
    'ssubscribe',
    -2,
    SUBSCRIBE_FLAGS,
    [1, -1, 1],
    ['pubsub', 'slow'],
    ssubscribe,
    docs('7.0.0', 'Listens for messages published to shard channels.'),
  ),
  command(
    'sunsubscribe',
    -1,
    SUBSCRIBE_FLAGS,
    [1, -1, 1],
    ['pubsub', 'slow'],
    sunsubscribe,
    docs('7.0.0', 'Stops listening to messages posted to shard channels.'),
  ),
  command(
    'spublish',
    3,
    ['pubsub', 'loading', 'stale', 'fast'],
    [1, 1, 1],
    ['pubsub', 'fast'],
    spublish,
    docs('7.0.0', 'Posts a message to a shard channel.'),
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
      sub('shardchannels', -2, shardChannels, 'Returns the active shard channels.', '7.0.0'),
      sub('shardnumsub', -2, shardNumsub, 'Returns the count of subscribers of shard channels.', '7.0.0'),
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
