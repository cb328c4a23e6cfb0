import { fail, NO_SUCH_KEY, SYNTAX, wrongArity } from '../../resp/errors.js';
import { NULL_ARRAY, OK, type Reply } from '../../resp/reply.js';
import type { Session } from '../../session.js';
import { formatId, idMs, idSeq, MAX_ID, makeId, RedisStream, type StreamId } from '../../types/stream.js';
import { isOption, toInt64 } from '../args.js';
import { type CommandSpec, command } from '../registry.js';
import { parseId, parseRangeEnd, parseRangeStart } from './ids.js';
import {
  docs,
  groupEvent,
  notifyOnly,
  rangeReply,
  readStream,
  streamLimits,
  writableStream,
} from './shared.js';
import { applyTrim, parseTrimArgs } from './trim.js';

const U64_MAX = (1n << 64n) - 1n;
const TOO_SMALL = 'ERR The ID specified in XADD is equal or smaller than the target stream top item';

/** The ID XADD gives a new entry, or an error as streamAppendItem reports it. */
function nextId(c: Session, stream: RedisStream, given: { id: StreamId; seqGiven: boolean } | undefined) {
  const last = stream.lastId;
  let id: StreamId;
  if (given === undefined) {
    const now = BigInt(c.now());
    id = now > idMs(last) ? makeId(now, 0n) : last + 1n;
  } else if (given.seqGiven) {
    id = given.id;
  } else if (idMs(given.id) === idMs(last)) {
    if (idSeq(last) === U64_MAX) fail('ERR Elements are too large to be stored');
    id = last + 1n;
  } else {
    id = given.id;
  }
  if (id <= last) fail(TOO_SMALL);
  return id;
}

function xadd(c: Session, argv: string[]): Reply {
  const key = argv[1]!;
  const args = parseTrimArgs(c, argv, true);
  const fieldPos = args.idIndex + 1;
  const pairs = argv.length - fieldPos;
  if (pairs < 2 || pairs % 2 === 1) throw wrongArity('xadd');
  if (args.id?.seqGiven && args.id.id === 0n) fail('ERR The ID specified in XADD must be greater than 0-0');
  let stream = writableStream(c, key);
  if (!stream) {
    if (args.noMkStream) return null;
    stream = new RedisStream();
    c.db.set(key, stream);
  }
  if (stream.lastId === MAX_ID) {
    fail('ERR The stream has exhausted the last possible ID, unable to add more items');
  }
  const id = nextId(c, stream, args.id);
  stream.append(id, argv.slice(fieldPos), streamLimits(c));
  c.changed(key, 'xadd', 't');
  if (applyTrim(stream, args) > 0) notifyOnly(c, key, 'xtrim');
  return formatId(id);
}

function xrange(reverse: boolean) {
  return (c: Session, argv: string[]): Reply => {
    const start = reverse ? parseRangeStart(argv[3]!) : parseRangeStart(argv[2]!);
    const end = reverse ? parseRangeEnd(argv[2]!) : parseRangeEnd(argv[3]!);
    let count = -1n;
    for (let j = 4; j < argv.length; j++) {
      if (isOption(argv[j], 'COUNT') && j + 1 < argv.length) {
        count = toInt64(argv[j + 1]!);
        if (count < 0n) count = 0n;
        j++;
      } else {
        fail(SYNTAX);
      }
    }
    const stream = readStream(c, argv[1]!);
    if (!stream) return [];
    if (count === 0n) return NULL_ARRAY;
    return rangeReply(stream, start, end, count < 0n ? 0 : Number(count), reverse);
  };
}

function xlen(c: Session, argv: string[]): Reply {
  return readStream(c, argv[1]!)?.length ?? 0;
}

function xdel(c: Session, argv: string[]): Reply {
  const key = argv[1]!;
  const stream = writableStream(c, key);
  if (!stream) return 0;
  const ids = argv.slice(2).map((arg) => parseId(arg));
  let deleted = 0;
  for (const id of ids) {
    if (!stream.delete(id)) continue;
    deleted++;
    if (id > stream.maxDeletedId) stream.maxDeletedId = id;
  }
  if (deleted > 0) {
    stream.firstId = stream.firstEntryId() ?? 0n;
    c.changed(key, 'xdel', 't');
    c.engine.dirty += deleted - 1;
  }
  return deleted;
}

function xtrim(c: Session, argv: string[]): Reply {
  const key = argv[1]!;
  const args = parseTrimArgs(c, argv, false);
  const stream = writableStream(c, key);
  if (!stream) return 0;
  const deleted = applyTrim(stream, args);
  if (deleted > 0) {
    c.changed(key, 'xtrim', 't');
    c.engine.dirty += deleted - 1;
  }
  return deleted;
}

function xsetid(c: Session, argv: string[]): Reply {
  const key = argv[1]!;
  const id = parseId(argv[2]!);
  let entriesAdded = -1n;
  let maxDeleted = 0n;
  for (let i = 3; i < argv.length; i += 2) {
    const more = argv.length - 1 - i;
    if (isOption(argv[i], 'ENTRIESADDED') && more > 0) {
      entriesAdded = toInt64(argv[i + 1]!);
      if (entriesAdded < 0n) fail('ERR entries_added must be positive');
    } else if (isOption(argv[i], 'MAXDELETEDID') && more > 0) {
      maxDeleted = parseId(argv[i + 1]!);
      if (id < maxDeleted) {
        fail('ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id');
      }
    } else {
      fail(SYNTAX);
    }
  }
  const stream = writableStream(c, key);
  if (!stream) fail(NO_SUCH_KEY);
  if (stream.length > 0) {
    if (id < stream.lastEntryId()!) {
      fail('ERR The ID specified in XSETID is smaller than the target stream top item');
    }
    if (entriesAdded !== -1n && BigInt(stream.length) > entriesAdded) {
      fail('ERR The entries_added specified in XSETID is smaller than the target stream length');
    }
  }
  stream.lastId = id;
  if (entriesAdded !== -1n) stream.entriesAdded = entriesAdded;
  if (maxDeleted !== 0n) stream.maxDeletedId = maxDeleted;
  groupEvent(c, key, 'xsetid');
  return OK;
}

export const basicStreamCommands: CommandSpec[] = [
  command(
    'xadd',
    -5,
    ['write', 'denyoom', 'fast'],
    [1, 1, 1],
    ['write', 'stream', 'fast'],
    xadd,
    docs('5.0.0', 'Appends an entry to a stream, creating the stream when needed', 'O(1) per entry added'),
  ),
  command(
    'xrange',
    -4,
    ['readonly'],
    [1, 1, 1],
    ['read', 'stream', 'slow'],
    xrange(false),
    docs('5.0.0', 'Returns the entries of a stream whose IDs fall within a range', 'O(log N + M)'),
  ),
  command(
    'xrevrange',
    -4,
    ['readonly'],
    [1, 1, 1],
    ['read', 'stream', 'slow'],
    xrange(true),
    docs('5.0.0', 'Returns the entries of a stream within an ID range, newest first', 'O(log N + M)'),
  ),
  command(
    'xlen',
    2,
    ['readonly', 'fast'],
    [1, 1, 1],
    ['read', 'stream', 'fast'],
    xlen,
    docs('5.0.0', 'Returns the number of entries in a stream', 'O(1)'),
  ),
  command(
    'xdel',
    -3,
    ['write', 'fast'],
    [1, 1, 1],
    ['write', 'stream', 'fast'],
    xdel,
    docs('5.0.0', 'Removes entries from a stream by ID', 'O(1) per entry removed'),
  ),
  command(
    'xtrim',
    -4,
    ['write'],
    [1, 1, 1],
    ['write', 'stream', 'slow'],
    xtrim,
    docs('5.0.0', 'Removes the oldest entries of a stream by length or by ID', 'O(N) in the entries removed'),
  ),
  command(
    'xsetid',
    -3,
    ['write', 'denyoom', 'fast'],
    [1, 1, 1],
    ['write', 'stream', 'fast'],
    xsetid,
    docs('5.0.0', "Sets a stream's last ID and counters", 'O(1)'),
  ),
];
