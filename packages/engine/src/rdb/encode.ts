import type { RedisValue } from '../keyspace/values.js';
import { RedisHash } from '../types/hash.js';
import { RedisList } from '../types/list.js';
import { RedisSet } from '../types/set.js';
import { idMs, idSeq, MAX_ID, RedisStream, type StreamId } from '../types/stream.js';
import { ZSet } from '../types/zset.js';
import { formatDouble } from '../util/numbers.js';
import { type ByteWriter, parseCanonicalInt } from './bytes.js';
import {
  ENC_INT8,
  ENC_INT16,
  ENC_INT32,
  ENC_LZF,
  LEN_32BIT,
  LEN_64BIT,
  QUICKLIST_PACKED,
  STREAM_ITEM_SAMEFIELDS,
  TYPE,
} from './constants.js';
import { encodeIntset } from './intset.js';
import { ListpackBuilder } from './listpack.js';
import { lzfCompress } from './lzf.js';

export interface EncodeOptions {
  /** rdbcompression: LZF for strings longer than 20 bytes when it saves at least 4 bytes. */
  compression: boolean;
  /** list-max-listpack-size: how quicklist nodes are filled (negative: a byte limit). */
  listFill: number;
}

/** Quicklist: bytes a node may reach for list-max-listpack-size -1..-5; 8 KiB otherwise. */
const NODE_SIZE_LIMITS = [4096, 8192, 16384, 32768, 65536];
const SIZE_SAFETY_LIMIT = 8192;
const SIZE_ESTIMATE_OVERHEAD = 8;
/** zzlInsertAt stores integral scores within ±LLONG_MAX/2 (2^62 as a double) as integers. */
const SCORE_INT_LIMIT = 2 ** 62;

/** Writes RDB-encoded values (Redis 7.0, RDB version 10) into a ByteWriter. */
export class RdbEncoder {
  /** Reused for hashes and sorted sets (their listpack is written out before the next value). */
  private readonly scratch = new ListpackBuilder();

  constructor(
    readonly out: ByteWriter,
    private readonly options: EncodeOptions,
  ) {}

  len(n: number | bigint): void {
    const out = this.out;
    if (typeof n === 'bigint' && n <= 0xffffffffn) n = Number(n);
    if (typeof n === 'number' && n < 64) out.u8(n);
    else if (typeof n === 'number' && n < 16384) {
      out.u8(0x40 | (n >> 8));
      out.u8(n & 0xff);
    } else if (typeof n === 'number' && n <= 0xffffffff) {
      out.u8(LEN_32BIT);
      out.u32be(n);
    } else {
      out.u8(LEN_64BIT);
      out.u64be(BigInt(n));
    }
  }

  /** rdbSaveRawString: small canonical integers in 1-4 bytes, LZF past 20 bytes, else length + bytes. */
  string(s: string): void {
    const len = s.length;
    if (len <= 11 && len > 0) {
      const c = s.charCodeAt(len - 1);
      if (c >= 48 && c <= 57 && this.integer(s)) return;
    }
    if (len > 20 && this.options.compression) {
      const bytes = Buffer.from(s, 'latin1');
      if (this.lzf(bytes)) return;
      this.len(len);
      this.out.bytes(bytes);
      return;
    }
    this.len(len);
    this.out.latin1(s);
  }

  /** A byte blob (listpack, intset) as rdbSaveRawString writes it. */
  blob(bytes: Uint8Array): void {
    if (bytes.length > 20 && this.options.compression && this.lzf(bytes)) return;
    this.len(bytes.length);
    this.out.bytes(bytes);
  }

  private integer(s: string): boolean {
    const v = parseCanonicalInt(s);
    if (typeof v !== 'number') return false;
    const out = this.out;
    if (v >= -128 && v <= 127) {
      out.u8(0xc0 | ENC_INT8);
      out.u8(v & 0xff);
    } else if (v >= -32768 && v <= 32767) {
      out.u8(0xc0 | ENC_INT16);
      out.u16le(v & 0xffff);
    } else if (v >= -2147483648 && v <= 2147483647) {
      out.u8(0xc0 | ENC_INT32);
      out.u32le(v);
    } else return false;
    return true;
  }

  private lzf(bytes: Uint8Array): boolean {
    const packed = lzfCompress(bytes, bytes.length - 4);
    if (!packed) return false;
    this.out.u8(0xc0 | ENC_LZF);
    this.len(packed.length);
    this.len(bytes.length);
    this.out.bytes(packed);
    return true;
  }

  /** The type byte Redis would write for this value. */
  typeOf(value: RedisValue): number {
    if (typeof value === 'string') return TYPE.STRING;
    if (value instanceof RedisList) return TYPE.LIST_QUICKLIST_2;
    if (value instanceof RedisSet) return value.isIntset ? TYPE.SET_INTSET : TYPE.SET;
    if (value instanceof RedisHash) return value.isListpack ? TYPE.HASH_LISTPACK : TYPE.HASH;
    if (value instanceof ZSet) return value.isListpack ? TYPE.ZSET_LISTPACK : TYPE.ZSET_2;
    if (value instanceof RedisStream) return TYPE.STREAM_LISTPACKS_2;
    throw new Error(`cannot encode a value of type ${value.type}`);
  }

  /** Type byte and value (rdbSaveObjectType + rdbSaveObject). */
  object(value: RedisValue): void {
    this.out.u8(this.typeOf(value));
    this.body(value);
  }

  /** The value without its type byte (rdbSaveObject). */
  body(value: RedisValue): void {
    if (typeof value === 'string') this.string(value);
    else if (value instanceof RedisList) this.list(value);
    else if (value instanceof RedisSet) this.set(value);
    else if (value instanceof RedisHash) this.hash(value);
    else if (value instanceof ZSet) this.zset(value);
    else if (value instanceof RedisStream) this.stream(value);
  }

  /** QUICKLIST_2: the list cut into listpack nodes as RPUSHing its elements one by one would. */
  private list(list: RedisList): void {
    const fill = this.options.listFill;
    const sizeLimit = fill < 0 && -fill - 1 < NODE_SIZE_LIMITS.length ? NODE_SIZE_LIMITS[-fill - 1]! : -1;
    const nodes: Buffer[] = [];
    let node = new ListpackBuilder();
    for (const item of list) {
      if (node.count > 0) {
        const estimate = node.bytes + item.length + SIZE_ESTIMATE_OVERHEAD;
        const fits =
          sizeLimit >= 0
            ? estimate <= sizeLimit
            : estimate <= SIZE_SAFETY_LIMIT && fill >= 0 && node.count < fill;
        if (!fits) {
          nodes.push(Buffer.from(node.finish()));
          node = new ListpackBuilder();
        }
      }
      node.append(item);
    }
    if (node.count > 0) nodes.push(node.finish());
    this.len(nodes.length);
    for (const lp of nodes) {
      this.len(QUICKLIST_PACKED);
      this.blob(lp);
    }
  }

  private set(set: RedisSet): void {
    if (set.isIntset) {
      this.blob(encodeIntset(set.toArray()));
      return;
    }
    this.len(set.size);
    for (const member of set.items) this.string(member);
  }

  private hash(hash: RedisHash): void {
    if (hash.isListpack) {
      const lp = this.scratch.reset();
      hash.forEach((value, field) => {
        lp.append(field);
        lp.append(value);
      });
      this.blob(lp.finish());
      return;
    }
    this.len(hash.size);
    hash.forEach((value, field) => {
      this.string(field);
      this.string(value);
    });
  }

  private zset(zset: ZSet): void {
    if (zset.isListpack) {
      const lp = this.scratch.reset();
      zset.forEach((member, score) => {
        lp.append(member);
        if (Number.isInteger(score) && Math.abs(score) <= SCORE_INT_LIMIT) {
          lp.appendInteger(Number.isSafeInteger(score) ? score : BigInt(score));
        } else lp.append(formatDouble(score));
      });
      this.blob(lp.finish());
      return;
    }
    // ZSET_2 goes from the highest element down (Redis walks its skiplist from the tail).
    const members: string[] = [];
    const scores: number[] = [];
    zset.forEach((member, score) => {
      members.push(member);
      scores.push(score);
    });
    this.len(members.length);
    for (let i = members.length - 1; i >= 0; i--) {
      this.string(members[i]!);
      this.out.f64le(scores[i]!);
    }
  }

  private streamId(id: StreamId): void {
    this.len(idMs(id));
    this.len(idSeq(id));
  }

  private rawId(id: StreamId): void {
    this.out.u64be(idMs(id));
    this.out.u64be(idSeq(id));
  }

  /** STREAM_LISTPACKS_2: the node listpacks, the stream's IDs and counters, then the consumer groups. */
  private stream(stream: RedisStream): void {
    const nodes = stream.nodeList;
    this.len(nodes.length);
    for (const node of nodes) {
      const key = Buffer.allocUnsafe(16);
      key.writeBigUInt64BE(idMs(node.first), 0);
      key.writeBigUInt64BE(idSeq(node.first), 8);
      this.len(16);
      this.out.bytes(key);
      this.blob(streamNodeListpack(stream, node.first, node.last, node.masterFields));
    }
    this.len(stream.length);
    this.streamId(stream.lastId);
    this.streamId(stream.firstEntryId() ?? 0n);
    this.streamId(stream.maxDeletedId);
    this.len(stream.entriesAdded);
    const groups = [...stream.groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    this.len(groups.length);
    for (const [name, group] of groups) {
      this.string(name);
      this.streamId(group.lastId);
      this.len(BigInt.asUintN(64, group.entriesRead));
      const pel = group.pel.list();
      this.len(pel.length);
      for (const nack of pel) {
        this.rawId(nack.id);
        this.out.i64le(BigInt(nack.deliveryTime));
        this.len(nack.deliveryCount);
      }
      const consumers = group.sortedConsumers();
      this.len(consumers.length);
      for (const consumer of consumers) {
        this.string(consumer.name);
        this.out.i64le(BigInt(consumer.seenTime));
        const own = consumer.pel.list();
        this.len(own.length);
        for (const nack of own) this.rawId(nack.id);
      }
    }
  }
}

/**
 * One stream node as Redis lays it out: the master entry (live count, deleted count, the master fields,
 * 0), then per entry its flags, ID deltas from the master ID, fields (or only values when they are the
 * master's) and the entry's element count. Deleted entries are not kept by this engine: they are left out.
 */
function streamNodeListpack(stream: RedisStream, first: StreamId, last: StreamId, master: readonly string[]) {
  const entries: Array<[StreamId, string[]]> = [];
  stream.range(first, last < MAX_ID ? last : MAX_ID, 0, false, (id, fields) => entries.push([id, fields]));
  const lp = new ListpackBuilder();
  lp.appendInteger(entries.length);
  lp.appendInteger(0);
  lp.appendInteger(master.length);
  for (const field of master) lp.append(field);
  lp.appendInteger(0);
  const masterMs = idMs(first);
  const masterSeq = idSeq(first);
  for (const [id, fields] of entries) {
    const count = fields.length / 2;
    let same = count === master.length;
    for (let i = 0; same && i < count; i++) same = fields[2 * i] === master[i];
    lp.appendInteger(same ? STREAM_ITEM_SAMEFIELDS : 0);
    lp.appendInteger(small(idMs(id) - masterMs));
    lp.appendInteger(small(idSeq(id) - masterSeq));
    if (same) {
      for (let i = 1; i < fields.length; i += 2) lp.append(fields[i]!);
      lp.appendInteger(count + 3);
    } else {
      lp.appendInteger(count);
      for (const s of fields) lp.append(s);
      lp.appendInteger(count * 2 + 4);
    }
  }
  return lp.finish();
}

function small(v: bigint): number | bigint {
  return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : BigInt.asIntN(64, v);
}
