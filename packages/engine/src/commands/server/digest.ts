import { createHash } from 'node:crypto';
import type { Database } from '../../keyspace/database.js';
import type { RedisValue } from '../../keyspace/values.js';
import type { RedisHash } from '../../types/hash.js';
import type { RedisList } from '../../types/list.js';
import type { RedisSet } from '../../types/set.js';
import { idMs, idSeq, MAX_ID, MIN_ID, type RedisStream } from '../../types/stream.js';
import type { ZSet } from '../../types/zset.js';
import { formatDouble } from '../../util/numbers.js';

/*
 * DEBUG DIGEST / DIGEST-VALUE: Redis's order-independent SHA-1 digest of a dataset or a value, identical
 * to Redis's so two servers (or a server and a file it loaded) can be compared. Unordered things (keys, set
 * members, hash fields, sorted-set entries) are XORed together; ordered ones (list elements, stream
 * entries) are mixed in sequence.
 */

type Digest = Buffer;

const sha1 = (data: Buffer | string): Buffer =>
  createHash('sha1')
    .update(typeof data === 'string' ? Buffer.from(data, 'latin1') : data)
    .digest();

/** digest ^= SHA1(data): adds an element whose order does not matter. */
function xorDigest(digest: Digest, data: Buffer | string): void {
  const hash = sha1(data);
  for (let i = 0; i < 20; i++) digest[i]! ^= hash[i]!;
}

/** digest = SHA1(digest ^ SHA1(data)): adds an element whose position matters. */
function mixDigest(digest: Digest, data: Buffer | string): void {
  xorDigest(digest, data);
  sha1(digest).copy(digest);
}

/** Redis's object type numbers, as the digest mixes them in. */
const TYPE_NUMBER = { string: 0, list: 1, set: 2, zset: 3, hash: 4, stream: 6 } as const;

function typeNumber(n: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(n);
  return out;
}

/** Redis's xorObjectDigest: the value (and whether the key has a TTL) mixed into `digest`. */
function mixValue(digest: Digest, value: RedisValue, hasExpire: boolean): void {
  if (typeof value === 'string') {
    mixDigest(digest, typeNumber(TYPE_NUMBER.string));
    mixDigest(digest, value);
  } else {
    mixDigest(digest, typeNumber(TYPE_NUMBER[value.type]));
    switch (value.type) {
      case 'list':
        for (const element of value as RedisList) mixDigest(digest, element);
        break;
      case 'set':
        for (const member of (value as RedisSet).items) xorDigest(digest, member);
        break;
      case 'zset':
        (value as ZSet).forEach((member, score) => {
          const entry = Buffer.alloc(20);
          mixDigest(entry, member);
          mixDigest(entry, formatDouble(score));
          xorDigest(digest, entry);
        });
        break;
      case 'hash':
        (value as RedisHash).forEach((fieldValue, field) => {
          const entry = Buffer.alloc(20);
          mixDigest(entry, field);
          mixDigest(entry, fieldValue);
          xorDigest(digest, entry);
        });
        break;
      case 'stream':
        (value as RedisStream).range(MIN_ID, MAX_ID, 0, false, (id, fields) => {
          mixDigest(digest, `${idMs(id)}.${idSeq(id)}`);
          for (const part of fields) mixDigest(digest, part);
        });
        break;
    }
  }
  if (hasExpire) xorDigest(digest, '!!expire!!');
}

const hex = (digest: Digest) => digest.toString('hex');

/** DEBUG DIGEST-VALUE: one value's digest (all zeros for a missing key); expired keys still count. */
export function valueDigest(db: Database, key: string): string {
  const digest = Buffer.alloc(20);
  const value = db.data.get(key);
  if (value !== undefined) mixValue(digest, value, db.expires.has(key));
  return hex(digest);
}

/** DEBUG DIGEST: the whole dataset, every database's index mixed in before its keys. */
export function datasetDigest(databases: readonly Database[]): string {
  const final = Buffer.alloc(20);
  for (const db of databases) {
    if (db.data.size === 0) continue;
    mixDigest(final, typeNumber(db.index));
    for (const [key, value] of db.data) {
      const digest = Buffer.alloc(20);
      mixDigest(digest, key);
      mixValue(digest, value, db.expires.has(key));
      xorDigest(final, digest);
    }
  }
  return hex(final);
}
