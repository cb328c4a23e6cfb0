import type { Config } from '../config.js';
import type { RedisValue } from '../keyspace/values.js';
import { RedisHash } from '../types/hash.js';
import { RedisList } from '../types/list.js';
import { compareEntries } from '../types/order-statistic-tree.js';
import { RedisSet } from '../types/set.js';
import {
  Consumer,
  ConsumerGroup,
  INVALID_ENTRIES_READ,
  makeId,
  type PendingEntry,
  RedisStream,
  type StreamId,
  type StreamLimits,
} from '../types/stream.js';
import { ZSet } from '../types/zset.js';
import { bad, RdbFormatError } from './bytes.js';
import {
  QUICKLIST_PACKED,
  QUICKLIST_PLAIN,
  STREAM_ITEM_DELETED,
  STREAM_ITEM_SAMEFIELDS,
  TYPE,
} from './constants.js';
import { decodeIntset } from './intset.js';
import { decodeListpack } from './listpack.js';
import type { RdbReader } from './reader.js';
import { decodeZiplist, decodeZipmap } from './ziplist.js';

/** A collection without elements: Redis refuses it in RESTORE and skips it when loading a file. */
export class EmptyKeyError extends RdbFormatError {}

/** The encoding limits a loaded value is shaped by (as Redis converts on load). */
export interface DecodeLimits {
  hashEntries: number;
  hashValue: number;
  zsetEntries: number;
  zsetValue: number;
  intsetEntries: number;
  stream: StreamLimits;
}

export function decodeLimits(config: Config): DecodeLimits {
  return {
    hashEntries: config.number('hash-max-listpack-entries'),
    hashValue: config.number('hash-max-listpack-value'),
    zsetEntries: config.number('zset-max-listpack-entries'),
    zsetValue: config.number('zset-max-listpack-value'),
    intsetEntries: config.number('set-max-intset-entries'),
    stream: {
      nodeMaxEntries: config.number('stream-node-max-entries'),
      nodeMaxBytes: config.number('stream-node-max-bytes'),
    },
  };
}

/** Reads one value of RDB type `type` (rdbLoadObject). Throws RdbFormatError on anything malformed. */
export function decodeObject(type: number, r: RdbReader, limits: DecodeLimits): RedisValue {
  switch (type) {
    case TYPE.STRING:
      return r.string();
    case TYPE.LIST:
      return makeList(repeat(r.len(), () => r.string()));
    case TYPE.LIST_ZIPLIST:
      return makeList(decodeZiplist(r.blob()));
    case TYPE.LIST_QUICKLIST:
    case TYPE.LIST_QUICKLIST_2:
      return quicklist(r, type === TYPE.LIST_QUICKLIST_2);
    case TYPE.SET:
      return makeSet(
        repeat(r.len(), () => r.string()),
        limits,
      );
    case TYPE.SET_INTSET:
      return makeSet(decodeIntset(r.blob()), limits);
    case TYPE.SET_LISTPACK:
      return makeSet(decodeListpack(r.blob()), limits);
    case TYPE.HASH: {
      const n = r.len();
      const flat: string[] = [];
      for (let i = 0; i < n; i++) flat.push(r.string(), r.string());
      return makeHash(flat, limits);
    }
    case TYPE.HASH_ZIPMAP:
      return makeHash(decodeZipmap(r.blob()), limits);
    case TYPE.HASH_ZIPLIST:
      return makeHash(decodeZiplist(r.blob()), limits);
    case TYPE.HASH_LISTPACK:
      return makeHash(decodeListpack(r.blob()), limits);
    case TYPE.ZSET:
    case TYPE.ZSET_2: {
      const n = r.len();
      const members: string[] = [];
      const scores: number[] = [];
      for (let i = 0; i < n; i++) {
        members.push(r.string());
        scores.push(type === TYPE.ZSET_2 ? r.f64le() : r.textDouble());
      }
      return makeZset(members, scores, limits);
    }
    case TYPE.ZSET_ZIPLIST:
    case TYPE.ZSET_LISTPACK: {
      const flat = type === TYPE.ZSET_LISTPACK ? decodeListpack(r.blob()) : decodeZiplist(r.blob());
      if (flat.length % 2 !== 0) bad('zset listpack with an odd element count');
      const members: string[] = [];
      const scores: number[] = [];
      for (let i = 0; i < flat.length; i += 2) {
        members.push(flat[i]!);
        scores.push(parseScore(flat[i + 1]!));
      }
      return makeZset(members, scores, limits);
    }
    case TYPE.STREAM_LISTPACKS:
    case TYPE.STREAM_LISTPACKS_2:
    case TYPE.STREAM_LISTPACKS_3:
      return stream(r, type, limits);
    case TYPE.MODULE:
    case TYPE.MODULE_2:
      return bad('module values are not supported');
    default:
      return bad(`unknown value type ${type}`);
  }
}

function repeat(n: number, read: () => string): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(read());
  return out;
}

function parseScore(text: string): number {
  const v = text === 'inf' || text === '+inf' ? Infinity : text === '-inf' ? -Infinity : Number(text);
  if (Number.isNaN(v) || text === '') bad('bad zset score');
  return v;
}

function makeList(items: string[]): RedisList {
  if (items.length === 0) throw new EmptyKeyError('empty list');
  return RedisList.from(items);
}

function quicklist(r: RdbReader, v2: boolean): RedisList {
  const nodes = r.len();
  const items: string[] = [];
  for (let i = 0; i < nodes; i++) {
    const container = v2 ? r.len() : QUICKLIST_PACKED;
    if (container === QUICKLIST_PLAIN) {
      items.push(r.string());
      continue;
    }
    if (container !== QUICKLIST_PACKED) bad('bad quicklist container');
    const data = r.blob();
    const elements = v2 ? decodeListpack(data) : decodeZiplist(data);
    if (elements.length === 0) bad('empty quicklist node');
    for (const e of elements) items.push(e);
  }
  return makeList(items);
}

function makeSet(members: string[], limits: DecodeLimits): RedisSet {
  if (members.length === 0) throw new EmptyKeyError('empty set');
  const set = new RedisSet();
  if (members.length > limits.intsetEntries) set.convertToHashtable();
  for (const m of members) if (!set.add(m, limits.intsetEntries)) bad('duplicate set member');
  return set;
}

function makeHash(flat: string[], limits: DecodeLimits): RedisHash {
  if (flat.length === 0) throw new EmptyKeyError('empty hash');
  if (flat.length % 2 !== 0) bad('hash with an odd element count');
  const hash = new RedisHash();
  let long = false;
  for (let i = 0; i < flat.length; i += 2) {
    const field = flat[i]!;
    const value = flat[i + 1]!;
    if (field.length > limits.hashValue || value.length > limits.hashValue) long = true;
    if (!hash.set(field, value)) bad('duplicate hash field');
  }
  if (long) hash.convertToHashtable();
  hash.applyEntryLimit(limits.hashEntries);
  return hash;
}

function makeZset(members: string[], scores: number[], limits: DecodeLimits): ZSet {
  const n = members.length;
  if (n === 0) throw new EmptyKeyError('empty zset');
  let order: number[] | undefined;
  for (let i = 1; i < n; i++) {
    if (compareEntries(scores[i - 1]!, members[i - 1]!, scores[i]!, members[i]!) >= 0) {
      order = Array.from({ length: n }, (_, k) => k);
      order.sort((a, b) => compareEntries(scores[a]!, members[a]!, scores[b]!, members[b]!));
      break;
    }
  }
  const sortedMembers = order ? order.map((k) => members[k]!) : members;
  const sortedScores = order ? order.map((k) => scores[k]!) : scores;
  const seen = new Set<string>();
  let long = false;
  for (let i = 0; i < n; i++) {
    const m = sortedMembers[i]!;
    if (Number.isNaN(sortedScores[i])) bad('NaN zset score');
    if (seen.size === seen.add(m).size) bad('duplicate zset member');
    if (m.length > limits.zsetValue) long = true;
  }
  return ZSet.fromSorted(sortedMembers, sortedScores, n <= limits.zsetEntries && !long);
}

function readRawId(r: RdbReader): StreamId {
  const b = r.bytes(16);
  return makeId(b.readBigUInt64BE(0), b.readBigUInt64BE(8));
}

function int(s: string | undefined): bigint {
  if (s === undefined || !/^-?\d+$/.test(s)) bad('bad stream listpack');
  return BigInt(s);
}

function stream(r: RdbReader, type: number, limits: DecodeLimits): RedisStream {
  const s = new RedisStream();
  const nodes = r.len();
  let previous: StreamId = -1n;
  for (let n = 0; n < nodes; n++) {
    const key = r.blob();
    if (key.length !== 16) bad('stream node key is not 128 bits');
    const masterMs = key.readBigUInt64BE(0);
    const masterSeq = key.readBigUInt64BE(8);
    const e = decodeListpack(r.blob());
    if (e.length === 0) bad('empty stream node');
    let p = 0;
    const next = () => e[p++];
    const count = int(next());
    int(next()); // deleted entries
    const masterCount = Number(int(next()));
    const master: string[] = [];
    for (let i = 0; i < masterCount; i++) master.push(next() ?? bad('bad stream listpack'));
    if (int(next()) !== 0n) bad('bad stream master terminator');
    let live = 0n;
    while (p < e.length) {
      const flags = Number(int(next()));
      const id = makeId(masterMs + int(next()), masterSeq + int(next()));
      let fields: string[];
      if (flags & STREAM_ITEM_SAMEFIELDS) {
        fields = [];
        for (const f of master) fields.push(f, next() ?? bad('bad stream listpack'));
      } else {
        const k = Number(int(next()));
        fields = [];
        for (let i = 0; i < 2 * k; i++) fields.push(next() ?? bad('bad stream listpack'));
      }
      int(next()); // lp-count
      if (flags & STREAM_ITEM_DELETED) continue;
      if (id <= previous) bad('stream IDs out of order');
      previous = id;
      s.append(id, fields, limits.stream);
      live++;
    }
    if (live !== count) bad('stream node count mismatch');
  }
  const length = r.lenBig();
  if (length !== BigInt(s.length)) bad('stream length mismatch');
  s.lastId = makeId(r.lenBig(), r.lenBig());
  if (type >= TYPE.STREAM_LISTPACKS_2) {
    s.firstId = makeId(r.lenBig(), r.lenBig());
    s.maxDeletedId = makeId(r.lenBig(), r.lenBig());
    s.entriesAdded = r.lenBig();
  } else {
    s.firstId = s.firstEntryId() ?? 0n;
    s.entriesAdded = length;
  }
  if (s.length > 0 && previous > s.lastId) bad('stream last ID below its entries');
  const groupCount = r.len();
  for (let g = 0; g < groupCount; g++) {
    const name = r.string();
    const lastId = makeId(r.lenBig(), r.lenBig());
    const entriesRead =
      type >= TYPE.STREAM_LISTPACKS_2 ? BigInt.asIntN(64, r.lenBig()) : INVALID_ENTRIES_READ;
    const group = new ConsumerGroup(lastId, entriesRead);
    if (s.groups.has(name)) bad('duplicate consumer group');
    s.groups.set(name, group);
    const pelSize = r.len();
    for (let i = 0; i < pelSize; i++) {
      const id = readRawId(r);
      const deliveryTime = Number(r.i64le());
      const deliveryCount = r.lenBig();
      const nack: PendingEntry = { id, consumer: null, deliveryTime, deliveryCount };
      if (!group.pel.insert(id, nack)) bad('duplicate PEL entry');
    }
    const consumers = r.len();
    for (let c = 0; c < consumers; c++) {
      const cname = r.string();
      const seenTime = Number(r.i64le());
      if (type === TYPE.STREAM_LISTPACKS_3) r.i64le(); // active time (Redis 7.2)
      const consumer = new Consumer(cname, seenTime);
      if (group.consumers.has(cname)) bad('duplicate consumer');
      group.consumers.set(cname, consumer);
      const own = r.len();
      for (let i = 0; i < own; i++) {
        const id = readRawId(r);
        const nack = group.pel.get(id);
        if (!nack || nack.consumer) bad('consumer PEL entry not in the group PEL');
        nack.consumer = consumer;
        consumer.pel.insert(id, nack);
      }
    }
    for (const nack of group.pel.list()) if (!nack.consumer) bad('PEL entry without consumer');
  }
  return s;
}
