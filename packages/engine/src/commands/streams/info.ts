import { errorArg, fail, NO_SUCH_KEY } from '../../resp/errors.js';
import { MapReply, type Reply, StatusReply } from '../../resp/reply.js';
import type { Session } from '../../session.js';
import {
  type ConsumerGroup,
  formatId,
  INVALID_ENTRIES_READ,
  MAX_ID,
  type RedisStream,
} from '../../types/stream.js';
import { isOption, toInt64 } from '../args.js';
import { type CommandSpec, command } from '../registry.js';
import { subcommandSyntaxError } from '../server/help.js';
import { groupLag } from './groups-core.js';
import { docs, entryReply, rangeReply, readStream } from './shared.js';

const XINFO_HELP = [
  'XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CONSUMERS <key> <groupname>',
  '    Show consumers of <groupname>.',
  'GROUPS <key>',
  '    Show the stream consumer groups.',
  'STREAM <key> [FULL [COUNT <count>]',
  '    Show information about the stream.',
  'HELP',
  '    Prints this help.',
];

function existingStream(c: Session, key: string): RedisStream {
  const stream = readStream(c, key);
  if (!stream) fail(NO_SUCH_KEY);
  return stream;
}

function sortedGroups(stream: RedisStream): [string, ConsumerGroup][] {
  return [...stream.groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function entriesRead(group: ConsumerGroup): Reply {
  return group.entriesRead === INVALID_ENTRIES_READ ? null : group.entriesRead;
}

function edgeEntry(stream: RedisStream, last: boolean): Reply {
  const id = last ? stream.lastEntryId() : stream.firstEntryId();
  return id === undefined ? null : entryReply(id, stream.get(id)!);
}

function streamHeader(stream: RedisStream): Reply[] {
  return [
    'length',
    stream.length,
    'radix-tree-keys',
    stream.nodeCount,
    'radix-tree-nodes',
    stream.radixNodeCount(),
    'last-generated-id',
    formatId(stream.lastId),
    'max-deleted-entry-id',
    formatId(stream.maxDeletedId),
    'entries-added',
    stream.entriesAdded,
    'recorded-first-entry-id',
    formatId(stream.firstId),
  ];
}

function fullGroup(name: string, group: ConsumerGroup, stream: RedisStream, count: number): Reply {
  const pending: Reply[] = [];
  for (const nack of group.pel.list(count)) {
    pending.push([formatId(nack.id), nack.consumer?.name ?? '', nack.deliveryTime, nack.deliveryCount]);
  }
  const consumers: Reply[] = group.sortedConsumers().map((consumer) => {
    const own: Reply[] = [];
    for (const nack of consumer.pel.list(count)) {
      own.push([formatId(nack.id), nack.deliveryTime, nack.deliveryCount]);
    }
    return new MapReply([
      'name',
      consumer.name,
      'seen-time',
      consumer.seenTime,
      'pel-count',
      consumer.pel.size,
      'pending',
      own,
    ]);
  });
  return new MapReply([
    'name',
    name,
    'last-delivered-id',
    formatId(group.lastId),
    'entries-read',
    entriesRead(group),
    'lag',
    groupLag(stream, group),
    'pel-count',
    group.pel.size,
    'pending',
    pending,
    'consumers',
    consumers,
  ]);
}

function xinfoStream(c: Session, argv: string[]): Reply {
  const stream = existingStream(c, argv[2]!);
  const options = argv.length - 3;
  if (options === 0) {
    return new MapReply([
      ...streamHeader(stream),
      'groups',
      stream.groups.size,
      'first-entry',
      edgeEntry(stream, false),
      'last-entry',
      edgeEntry(stream, true),
    ]);
  }
  if ((options !== 1 && options !== 3) || !isOption(argv[3], 'FULL')) subcommandSyntaxError(argv, 'XINFO');
  let count = 10n;
  if (options === 3) {
    if (!isOption(argv[4], 'COUNT')) subcommandSyntaxError(argv, 'XINFO');
    count = toInt64(argv[5]!);
    if (count < 0n) count = 10n;
  }
  const limit = Number(count);
  return new MapReply([
    ...streamHeader(stream),
    'entries',
    rangeReply(stream, 0n, MAX_ID, limit, false),
    'groups',
    sortedGroups(stream).map(([name, group]) => fullGroup(name, group, stream, limit)),
  ]);
}

function xinfoGroups(c: Session, argv: string[]): Reply {
  const stream = existingStream(c, argv[2]!);
  return sortedGroups(stream).map(
    ([name, group]) =>
      new MapReply([
        'name',
        name,
        'consumers',
        group.consumers.size,
        'pending',
        group.pel.size,
        'last-delivered-id',
        formatId(group.lastId),
        'entries-read',
        entriesRead(group),
        'lag',
        groupLag(stream, group),
      ]),
  );
}

function xinfoConsumers(c: Session, argv: string[]): Reply {
  const key = argv[2]!;
  const stream = existingStream(c, key);
  const group = stream.groups.get(argv[3]!);
  if (!group) {
    fail(`NOGROUP No such consumer group '${errorArg(argv[3]!)}' for key name '${errorArg(key)}'`);
  }
  const now = c.now();
  return group
    .sortedConsumers()
    .map(
      (consumer) =>
        new MapReply([
          'name',
          consumer.name,
          'pending',
          consumer.pel.size,
          'idle',
          Math.max(0, now - consumer.seenTime),
        ]),
    );
}

function sub(
  name: string,
  arity: number,
  handler: (c: Session, argv: string[]) => Reply,
  summary: string,
): CommandSpec {
  return command(
    name,
    arity,
    ['readonly'],
    [2, 2, 1],
    ['read', 'stream', 'slow'],
    handler,
    docs('5.0.0', summary),
  );
}

export const infoStreamCommands: CommandSpec[] = [
  {
    ...command(
      'xinfo',
      -2,
      [],
      [0, 0, 0],
      ['slow'],
      () => null,
      docs('5.0.0', 'A container for stream introspection commands.'),
    ),
    subcommands: [
      sub('consumers', 4, xinfoConsumers, 'Lists the consumers of a consumer group.'),
      sub('groups', 3, xinfoGroups, 'Lists the consumer groups of a stream.'),
      sub('stream', -3, xinfoStream, 'Describes a stream.'),
      command(
        'help',
        2,
        ['loading', 'stale'],
        [0, 0, 0],
        ['stream', 'slow'],
        () => XINFO_HELP.map((line) => new StatusReply(line)),
        docs('5.0.0', 'Returns helpful text about the different subcommands.'),
      ),
    ],
  },
];
