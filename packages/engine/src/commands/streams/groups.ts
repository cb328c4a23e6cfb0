import { errorArg, fail, SYNTAX } from '../../resp/errors.js';
import { NULL_ARRAY, OK, type Reply, StatusReply } from '../../resp/reply.js';
import type { Session } from '../../session.js';
import {
  ConsumerGroup,
  formatId,
  INVALID_ENTRIES_READ,
  type PendingEntry,
  RedisStream,
  type StreamId,
} from '../../types/stream.js';
import { isOption, toInt64 } from '../args.js';
import { type CommandSpec, command } from '../registry.js';
import { subcommandSyntaxError } from '../server/help.js';
import { lookupOrCreateConsumer, removePending } from './groups-core.js';
import { parseId, parseIdOrNull, parseRangeEnd, parseRangeStart } from './ids.js';
import { docs, entryReply, groupEvent, readStream, requireGroup, writableStream } from './shared.js';

const XGROUP_HELP = [
  'XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CREATE <key> <groupname> <id|$> [option]',
  '    Create a new consumer group. Options are:',
  '    * MKSTREAM',
  '      Create the empty stream if it does not exist.',
  '    * ENTRIESREAD entries_read',
  "      Set the group's entries_read counter (internal use).",
  'CREATECONSUMER <key> <groupname> <consumer>',
  '    Create a new consumer in the specified group.',
  'DELCONSUMER <key> <groupname> <consumer>',
  '    Remove the specified consumer.',
  'DESTROY <key> <groupname>',
  '    Remove the specified group.',
  'SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]',
  '    Set the current group ID and entries_read counter.',
  'HELP',
  '    Prints this help.',
];

const KEY_REQUIRED =
  'ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.';

interface XgroupTarget {
  stream: RedisStream | undefined;
  group: ConsumerGroup | undefined;
  mkstream: boolean;
  entriesRead: bigint;
}

/** What every XGROUP subcommand but HELP does first: options, the key, and the group when required. */
function xgroupTarget(c: Session, argv: string[], needsGroup: boolean): XgroupTarget {
  const sub = argv[1]!;
  let mkstream = false;
  let entriesRead = INVALID_ENTRIES_READ;
  const create = isOption(sub, 'CREATE');
  if (create || isOption(sub, 'SETID')) {
    for (let i = 5; i < argv.length; ) {
      if (create && isOption(argv[i], 'MKSTREAM')) {
        mkstream = true;
        i++;
      } else if (isOption(argv[i], 'ENTRIESREAD') && i + 1 < argv.length) {
        entriesRead = toInt64(argv[i + 1]!);
        if (entriesRead < 0n && entriesRead !== INVALID_ENTRIES_READ) {
          fail('ERR value for ENTRIESREAD must be positive or -1');
        }
        i += 2;
      } else {
        subcommandSyntaxError(argv, 'XGROUP');
      }
    }
  }
  const key = argv[2]!;
  const stream = writableStream(c, key);
  if (!stream && !mkstream) fail(KEY_REQUIRED);
  const name = argv[3]!;
  const group = stream?.groups.get(name);
  if (!group && needsGroup) {
    fail(`NOGROUP No such consumer group '${errorArg(name)}' for key name '${errorArg(key)}'`);
  }
  return { stream, group, mkstream, entriesRead };
}

function xgroupCreate(c: Session, argv: string[]): Reply {
  const target = xgroupTarget(c, argv, false);
  if (argv.length > 8) subcommandSyntaxError(argv, 'XGROUP');
  const key = argv[2]!;
  let stream = target.stream;
  const id = argv[4] === '$' ? (stream?.lastId ?? 0n) : parseId(argv[4]!);
  if (!stream) {
    stream = new RedisStream();
    c.db.set(key, stream);
    stream.groups.set(argv[3]!, new ConsumerGroup(id, target.entriesRead));
    c.changed(key, 'xgroup-create', 't');
    return OK;
  }
  if (stream.groups.has(argv[3]!)) fail('BUSYGROUP Consumer Group name already exists');
  stream.groups.set(argv[3]!, new ConsumerGroup(id, target.entriesRead));
  groupEvent(c, key, 'xgroup-create');
  return OK;
}

function xgroupSetId(c: Session, argv: string[]): Reply {
  const target = xgroupTarget(c, argv, true);
  if (argv.length !== 5 && argv.length !== 7) subcommandSyntaxError(argv, 'XGROUP');
  const stream = target.stream!;
  const group = target.group!;
  group.lastId = argv[4] === '$' ? stream.lastId : parseId(argv[4]!, 0n, false);
  group.entriesRead = target.entriesRead;
  groupEvent(c, argv[2]!, 'xgroup-setid');
  return OK;
}

function xgroupDestroy(c: Session, argv: string[]): Reply {
  const target = xgroupTarget(c, argv, false);
  if (!target.group) return 0;
  target.stream!.groups.delete(argv[3]!);
  groupEvent(c, argv[2]!, 'xgroup-destroy');
  // Wakes XREADGROUP clients blocked on the group: they get a NOGROUP error.
  c.engine.blocking.keyChanged(c.db, argv[2]!);
  return 1;
}

function xgroupCreateConsumer(c: Session, argv: string[]): Reply {
  const target = xgroupTarget(c, argv, true);
  const group = target.group!;
  if (group.consumers.has(argv[4]!)) return 0;
  lookupOrCreateConsumer(c, group, argv[4]!, argv[2]!);
  return 1;
}

function xgroupDelConsumer(c: Session, argv: string[]): Reply {
  const target = xgroupTarget(c, argv, true);
  const group = target.group!;
  const consumer = group.consumers.get(argv[4]!);
  if (!consumer) return 0;
  const pending = consumer.pel.size;
  for (const nack of consumer.pel.list()) group.pel.delete(nack.id);
  group.consumers.delete(argv[4]!);
  groupEvent(c, argv[2]!, 'xgroup-delconsumer');
  return pending;
}

function xack(c: Session, argv: string[]): Reply {
  const stream = readStream(c, argv[1]!);
  const group = stream?.groups.get(argv[2]!);
  if (!group) return 0;
  const ids = argv.slice(3).map((arg) => parseId(arg));
  let acknowledged = 0;
  for (const id of ids) {
    const nack = group.pel.get(id);
    if (!nack) continue;
    removePending(group, nack);
    acknowledged++;
  }
  c.engine.dirty += acknowledged;
  return acknowledged;
}

function xpending(c: Session, argv: string[]): Reply {
  const summary = argv.length === 3;
  if (!summary && (argv.length < 6 || argv.length > 9)) fail(SYNTAX);
  let minIdle = 0n;
  let start = 0n;
  let end = 0n;
  let count = 0n;
  let consumerName: string | undefined;
  if (!summary) {
    let at = 3;
    if (isOption(argv[3], 'IDLE')) {
      minIdle = toInt64(argv[4]!);
      if (argv.length < 8) fail(SYNTAX);
      at += 2;
    }
    count = toInt64(argv[at + 2]!);
    if (count < 0n) count = 0n;
    start = parseRangeStart(argv[at]!);
    end = parseRangeEnd(argv[at + 1]!);
    consumerName = argv[at + 3];
  }
  const stream = readStream(c, argv[1]!);
  const group = requireGroup(stream, argv[1]!, argv[2]!);
  const pel = group.pel;
  if (summary) {
    if (pel.size === 0) return [0, null, null, NULL_ARRAY];
    const counts: Reply[] = [];
    for (const consumer of group.sortedConsumers()) {
      if (consumer.pel.size > 0) counts.push([consumer.name, String(consumer.pel.size)]);
    }
    return [pel.size, formatId(pel.firstKey()!), formatId(pel.lastKey()!), counts];
  }
  let source = pel;
  if (consumerName !== undefined) {
    const consumer = group.consumers.get(consumerName);
    if (!consumer) return [];
    source = consumer.pel;
  }
  const now = c.now();
  const out: Reply[] = [];
  for (let i = source.seek(start); count > 0n && i < source.end; i = source.next(i)) {
    const nack = source.valueAt(i);
    if (nack.id > end) break;
    const idle = now - nack.deliveryTime;
    if (minIdle !== 0n && BigInt(idle) < minIdle) continue;
    count--;
    out.push([formatId(nack.id), nack.consumer?.name ?? '', Math.max(0, idle), nack.deliveryCount]);
  }
  return out;
}

/** An entry as XCLAIM/XAUTOCLAIM reply it: the entry, or nil when it is gone. */
function claimedEntry(stream: RedisStream, id: StreamId): Reply {
  const fields = stream.get(id);
  return fields === undefined ? null : entryReply(id, fields);
}

function xclaimInteger(arg: string, option: string): bigint {
  return toInt64(arg, `ERR Invalid ${option} argument for XCLAIM`);
}

function xclaim(c: Session, argv: string[]): Reply {
  const key = argv[1]!;
  const stream = readStream(c, key);
  const group = requireGroup(stream, key, argv[2]!);
  let minIdle = xclaimInteger(argv[4]!, 'min-idle-time');
  if (minIdle < 0n) minIdle = 0n;
  let j = 5;
  const ids: StreamId[] = [];
  for (; j < argv.length; j++) {
    const parsed = parseIdOrNull(argv[j]!, 0n, true);
    if (parsed === null) break;
    ids.push(parsed.id);
  }
  const now = c.now();
  let deliveryTime = -1n;
  let retryCount = -1n;
  let force = false;
  let justId = false;
  let lastId = 0n;
  for (; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    const opt = argv[j]!;
    if (isOption(opt, 'FORCE')) force = true;
    else if (isOption(opt, 'JUSTID')) justId = true;
    else if (isOption(opt, 'IDLE') && more > 0) {
      deliveryTime = BigInt(now) - xclaimInteger(argv[++j]!, 'IDLE option');
    } else if (isOption(opt, 'TIME') && more > 0) {
      deliveryTime = xclaimInteger(argv[++j]!, 'TIME option');
    } else if (isOption(opt, 'RETRYCOUNT') && more > 0) {
      retryCount = xclaimInteger(argv[++j]!, 'RETRYCOUNT option');
    } else if (isOption(opt, 'LASTID') && more > 0) {
      lastId = parseId(argv[++j]!);
    } else {
      fail(`ERR Unrecognized XCLAIM option '${errorArg(opt)}'`);
    }
  }
  if (lastId > group.lastId) group.lastId = lastId;
  const time =
    deliveryTime === -1n || deliveryTime < 0n || deliveryTime > BigInt(now) ? now : Number(deliveryTime);
  const s = stream!;
  const out: Reply[] = [];
  for (const id of ids) {
    let nack = group.pel.get(id);
    if (!s.has(id)) {
      if (nack) {
        removePending(group, nack);
        c.engine.dirty++;
      }
      continue;
    }
    if (force && !nack) {
      nack = { id, consumer: null, deliveryTime: now, deliveryCount: 1n };
      group.pel.insert(id, nack);
    }
    if (!nack) continue;
    if (nack.consumer && minIdle !== 0n && BigInt(now - nack.deliveryTime) < minIdle) continue;
    const consumer = lookupOrCreateConsumer(c, group, argv[3]!, key);
    claim(nack, consumer, time);
    if (retryCount >= 0n) nack.deliveryCount = retryCount;
    else if (!justId) nack.deliveryCount++;
    out.push(justId ? formatId(id) : claimedEntry(s, id));
    c.engine.dirty++;
  }
  return out;
}

function claim(nack: PendingEntry, consumer: PendingEntry['consumer'], time: number): void {
  if (nack.consumer !== consumer) {
    nack.consumer?.pel.delete(nack.id);
    consumer!.pel.insert(nack.id, nack);
    nack.consumer = consumer;
  }
  nack.deliveryTime = time;
}

const MAX_AUTOCLAIM_COUNT = 576460752303423487n;

function xautoclaim(c: Session, argv: string[]): Reply {
  const key = argv[1]!;
  let minIdle = toInt64(argv[4]!, 'ERR Invalid min-idle-time argument for XAUTOCLAIM');
  if (minIdle < 0n) minIdle = 0n;
  const start = parseRangeStart(argv[5]!);
  let count = 100;
  let justId = false;
  for (let j = 6; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    if (isOption(argv[j], 'COUNT') && more > 0) {
      const n = toInt64(argv[j + 1]!, 'ERR COUNT must be > 0');
      if (n < 1n || n > MAX_AUTOCLAIM_COUNT) fail('ERR COUNT must be > 0');
      count = n > 1n << 40n ? 2 ** 40 : Number(n);
      j++;
    } else if (isOption(argv[j], 'JUSTID')) {
      justId = true;
    } else {
      fail(SYNTAX);
    }
  }
  const stream = readStream(c, key);
  const group = requireGroup(stream, key, argv[2]!);
  const s = stream!;
  const now = c.now();
  let attempts = count * 10;
  const claimed: Reply[] = [];
  const deleted: Reply[] = [];
  const pel = group.pel;
  let i = pel.seek(start);
  while (attempts-- > 0 && count > 0 && i < pel.end) {
    const nack = pel.valueAt(i);
    if (!s.has(nack.id)) {
      // Deleting may compact the list: find the next entry again.
      removePending(group, nack);
      i = pel.seek(nack.id);
      deleted.push(formatId(nack.id));
      c.engine.dirty++;
      count--;
      continue;
    }
    i = pel.next(i);
    if (minIdle !== 0n && BigInt(now - nack.deliveryTime) < minIdle) continue;
    const consumer = lookupOrCreateConsumer(c, group, argv[3]!, key);
    claim(nack, consumer, now);
    if (!justId) nack.deliveryCount++;
    claimed.push(justId ? formatId(nack.id) : claimedEntry(s, nack.id));
    count--;
    c.engine.dirty++;
  }
  const cursor = i < pel.end ? formatId(pel.keyAt(i)) : '0-0';
  return [cursor, claimed, deleted];
}

function xgroupSub(
  name: string,
  arity: number,
  flags: readonly ('write' | 'denyoom')[],
  handler: (c: Session, argv: string[]) => Reply,
  since: string,
  summary: string,
): CommandSpec {
  return command(name, arity, flags, [2, 2, 1], ['write', 'stream', 'slow'], handler, docs(since, summary));
}

export const groupStreamCommands: CommandSpec[] = [
  {
    ...command(
      'xgroup',
      -2,
      [],
      [0, 0, 0],
      ['slow'],
      () => null,
      docs('5.0.0', 'A container for consumer group commands.'),
    ),
    subcommands: [
      xgroupSub('create', -5, ['write', 'denyoom'], xgroupCreate, '5.0.0', 'Creates a consumer group.'),
      xgroupSub(
        'createconsumer',
        5,
        ['write', 'denyoom'],
        xgroupCreateConsumer,
        '6.2.0',
        'Creates a consumer in a consumer group.',
      ),
      xgroupSub('delconsumer', 5, ['write'], xgroupDelConsumer, '5.0.0', 'Deletes a consumer from a group.'),
      xgroupSub('destroy', 4, ['write'], xgroupDestroy, '5.0.0', 'Destroys a consumer group.'),
      xgroupSub(
        'setid',
        -5,
        ['write'],
        xgroupSetId,
        '5.0.0',
        'Sets the last-delivered ID of a consumer group.',
      ),
      command(
        'help',
        2,
        ['loading', 'stale'],
        [0, 0, 0],
        ['stream', 'slow'],
        () => XGROUP_HELP.map((line) => new StatusReply(line)),
        docs('5.0.0', 'Returns helpful text about the different subcommands.'),
      ),
    ],
  },
  command(
    'xack',
    -4,
    ['write', 'fast'],
    [1, 1, 1],
    ['write', 'stream', 'fast'],
    xack,
    docs(
      '5.0.0',
      'Acknowledges entries of a consumer group, removing them from its pending list',
      'O(1) per ID',
    ),
  ),
  command(
    'xpending',
    -3,
    ['readonly'],
    [1, 1, 1],
    ['read', 'stream', 'slow'],
    xpending,
    docs('5.0.0', 'Inspects the pending entries list of a consumer group', 'O(N) in the entries returned'),
  ),
  command(
    'xclaim',
    -6,
    ['write', 'fast'],
    [1, 1, 1],
    ['write', 'stream', 'fast'],
    xclaim,
    docs('5.0.0', 'Transfers ownership of pending entries to another consumer', 'O(log N) per ID'),
  ),
  command(
    'xautoclaim',
    -6,
    ['write', 'fast'],
    [1, 1, 1],
    ['write', 'stream', 'fast'],
    xautoclaim,
    docs('6.2.0', 'Claims pending entries idle for long enough, scanning from a start ID', 'O(1) per claim'),
  ),
];
