import { errorArg, fail, SYNTAX } from '../../resp/errors.js';
import { ErrorReply, MapReply, NULL_ARRAY, type Reply } from '../../resp/reply.js';
import type { Session } from '../../session.js';
import { type ConsumerGroup, MAX_ID, RedisStream, type StreamId } from '../../types/stream.js';
import { isOption, toInt64 } from '../args.js';
import { parseTimeoutMillis } from '../lists/timeout.js';
import { BlockRequest, type CommandResult, type CommandSpec, command } from '../registry.js';
import { deliverHistory, deliverNew, lookupOrCreateConsumer } from './groups-core.js';
import { parseId } from './ids.js';
import { docs, rangeReply, readStream } from './shared.js';

/** A blocked reader without COUNT gets at most this many entries per stream (XREAD_BLOCKED_DEFAULT_COUNT). */
const BLOCKED_DEFAULT_COUNT = 1000;
/** The ID standing for '>' in XREADGROUP. */
const NEW_ONLY = MAX_ID;

interface ReadArgs {
  timeoutMs: number;
  count: number;
  keys: string[];
  ids: StreamId[];
  group: { name: string; consumer: string; noAck: boolean } | undefined;
}

function parseRead(c: Session, argv: string[], xreadgroup: boolean): ReadArgs {
  let timeoutMs = -1;
  let count = 0n;
  let streamsArg = 0;
  let groupName: string | undefined;
  let consumer = '';
  let noAck = false;
  for (let i = 1; i < argv.length; i++) {
    const more = argv.length - i - 1;
    const opt = argv[i]!;
    if (isOption(opt, 'BLOCK') && more > 0) {
      timeoutMs = parseTimeoutMillis(argv[++i]!);
    } else if (isOption(opt, 'COUNT') && more > 0) {
      count = toInt64(argv[++i]!);
      if (count < 0n) count = 0n;
    } else if (isOption(opt, 'STREAMS') && more > 0) {
      streamsArg = i + 1;
      if ((argv.length - streamsArg) % 2 !== 0) {
        fail("ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.");
      }
      break;
    } else if (isOption(opt, 'GROUP') && more >= 2) {
      if (!xreadgroup)
        fail('ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.');
      groupName = argv[i + 1]!;
      consumer = argv[i + 2]!;
      i += 2;
    } else if (isOption(opt, 'NOACK')) {
      if (!xreadgroup)
        fail('ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.');
      noAck = true;
    } else {
      fail(SYNTAX);
    }
  }
  if (streamsArg === 0) fail(SYNTAX);
  if (xreadgroup && groupName === undefined) fail('ERR Missing GROUP option for XREADGROUP');
  const n = (argv.length - streamsArg) / 2;
  const keys = argv.slice(streamsArg, streamsArg + n);
  const ids: StreamId[] = [];
  for (let j = 0; j < n; j++) {
    const key = keys[j]!;
    const arg = argv[streamsArg + n + j]!;
    const stream = readStream(c, key);
    if (groupName !== undefined && !stream?.groups.has(groupName)) {
      fail(
        `NOGROUP No such key '${errorArg(key)}' or consumer group '${errorArg(groupName)}' in XREADGROUP with GROUP option`,
      );
    }
    if (arg === '$') {
      if (xreadgroup) {
        fail(
          'ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.',
        );
      }
      ids.push(stream?.lastId ?? 0n);
    } else if (arg === '>') {
      if (!xreadgroup) {
        fail(
          'ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.',
        );
      }
      ids.push(NEW_ONLY);
    } else {
      ids.push(parseId(arg));
    }
  }
  return {
    timeoutMs,
    count: count > BigInt(Number.MAX_SAFE_INTEGER) ? 0 : Number(count),
    keys,
    ids,
    group: groupName === undefined ? undefined : { name: groupName, consumer, noAck },
  };
}

/** XREAD's reply: an array of [key, entries] in RESP2, a map key → entries in RESP3. */
function streamsReply(c: Session, served: Reply[]): Reply {
  if (c.protocol === 3) return new MapReply(served);
  const pairs: Reply[] = [];
  for (let i = 0; i < served.length; i += 2) pairs.push([served[i]!, served[i + 1]!]);
  return pairs;
}

function serveNow(c: Session, args: ReadArgs): Reply[] {
  const served: Reply[] = [];
  for (let j = 0; j < args.keys.length; j++) {
    const key = args.keys[j]!;
    const stream = readStream(c, key);
    if (!stream) continue;
    let gt = args.ids[j]!;
    const last = stream.lastEntryId();
    if (args.group) {
      const group = stream.groups.get(args.group.name)!;
      if (gt !== NEW_ONLY) {
        const consumer = lookupOrCreateConsumer(c, group, args.group.consumer, key);
        served.push(key, deliverHistory(c, stream, consumer, gt + 1n, args.count));
        continue;
      }
      if (last === undefined || last <= group.lastId) continue;
      gt = group.lastId;
      served.push(key, deliverToGroup(c, stream, group, key, gt, args.count, args.group));
    } else if (last !== undefined && last > gt) {
      served.push(key, rangeReply(stream, gt + 1n, MAX_ID, args.count, false));
    }
  }
  return served;
}

function deliverToGroup(
  c: Session,
  stream: RedisStream,
  group: ConsumerGroup,
  key: string,
  gt: StreamId,
  count: number,
  args: NonNullable<ReadArgs['group']>,
): Reply[] {
  const consumer = lookupOrCreateConsumer(c, group, args.consumer, key);
  const entries = deliverNew(c, stream, group, consumer, gt + 1n, count, args.noAck);
  c.engine.dirty++;
  return entries;
}

function xread(xreadgroup: boolean) {
  return (c: Session, argv: string[]): CommandResult => {
    const args = parseRead(c, argv, xreadgroup);
    const served = serveNow(c, args);
    if (served.length > 0) return streamsReply(c, served);
    if (args.timeoutMs < 0 || c.executingTransaction) return NULL_ARRAY;
    const count = args.count === 0 ? BLOCKED_DEFAULT_COUNT : args.count;
    const serve = (readyKey: string): Reply | undefined => {
      const value = c.db.get(readyKey);
      if (!(value instanceof RedisStream)) {
        // A group reader whose stream was deleted (or replaced by another type) is released.
        return args.group ? new ErrorReply('UNBLOCKED the stream key no longer exists') : undefined;
      }
      const j = args.keys.indexOf(readyKey);
      let gt = args.ids[j]!;
      let group: ConsumerGroup | undefined;
      if (args.group) {
        group = value.groups.get(args.group.name);
        if (!group)
          return new ErrorReply('NOGROUP the consumer group this client was blocked on no longer exists');
        gt = group.lastId;
      }
      if (value.lastId <= gt) return undefined;
      const entries =
        group && args.group
          ? deliverToGroup(c, value, group, readyKey, gt, count, args.group)
          : rangeReply(value, gt + 1n, MAX_ID, count, false);
      return streamsReply(c, [readyKey, entries]);
    };
    return new BlockRequest(args.keys, args.timeoutMs, serve, NULL_ARRAY);
  };
}

/** Key positions: the first half of the arguments after STREAMS (searched from `from`). */
function streamKeys(from: number) {
  return (argv: string[]): number[] => {
    for (let i = from; i < argv.length; i++) {
      if (!isOption(argv[i], 'STREAMS')) continue;
      const n = Math.floor((argv.length - i - 1) / 2);
      return Array.from({ length: n }, (_, k) => i + 1 + k);
    }
    return [];
  };
}

export const readStreamCommands: CommandSpec[] = [
  command(
    'xread',
    -4,
    ['readonly', 'blocking', 'movablekeys'],
    [0, 0, 0],
    ['read', 'stream', 'slow', 'blocking'],
    xread(false),
    {
      ...docs('5.0.0', 'Reads entries newer than the given IDs from streams, optionally waiting for them'),
      getKeys: streamKeys(1),
    },
  ),
  command(
    'xreadgroup',
    -7,
    ['write', 'blocking', 'movablekeys'],
    [0, 0, 0],
    ['write', 'stream', 'slow', 'blocking'],
    xread(true),
    {
      ...docs('5.0.0', 'Reads entries for a consumer of a group, optionally waiting for new ones'),
      getKeys: streamKeys(4),
    },
  ),
];
