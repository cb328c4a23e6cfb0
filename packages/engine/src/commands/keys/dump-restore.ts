import { RdbFormatError } from '../../rdb/bytes.js';
import {
  createDumpPayload,
  decodeDumpPayload,
  decodeLimits,
  encodeOptions,
  verifyDumpPayload,
} from '../../rdb/payload.js';
import { fail, SYNTAX } from '../../resp/errors.js';
import { OK, type Reply } from '../../resp/reply.js';
import type { Session } from '../../session.js';
import { toInteger } from '../args.js';
import { type CommandSpec, command } from '../registry.js';
import { docs } from './shared.js';

/** DUMP key: the value serialized in Redis's RDB format (version 10), with version and CRC-64 footer. */
function dump(c: Session, argv: string[]): Reply {
  const value = c.db.read(argv[1]!);
  if (value === undefined) return null;
  return createDumpPayload(value, encodeOptions(c.engine.config)).toString('latin1');
}

/**
 * RESTORE key ttl payload [REPLACE] [ABSTTL] [IDLETIME s] [FREQ f]: checks in Redis's order (options,
 * existing key, TTL, payload footer, payload contents), then creates the key.
 */
function restore(c: Session, argv: string[]): Reply {
  const key = argv[1]!;
  let replace = false;
  let absttl = false;
  let idle: number | undefined;
  let freq: number | undefined;
  for (let j = 4; j < argv.length; j++) {
    const option = argv[j]!.toLowerCase();
    const more = argv.length - j - 1;
    if (option === 'replace') replace = true;
    else if (option === 'absttl') absttl = true;
    else if (option === 'idletime' && more >= 1 && freq === undefined) {
      const v = toInteger(argv[++j]!);
      if (v < 0) fail('ERR Invalid IDLETIME value, must be >= 0');
      idle = v;
    } else if (option === 'freq' && more >= 1 && idle === undefined) {
      const v = toInteger(argv[++j]!);
      if (v < 0 || v > 255) fail('ERR Invalid FREQ value, must be >= 0 and <= 255');
      freq = v;
    } else fail(SYNTAX);
  }
  const db = c.db;
  if (!replace && db.get(key) !== undefined) fail('BUSYKEY Target key name already exists.');
  let ttl = toInteger(argv[2]!);
  if (ttl < 0) fail('ERR Invalid TTL value, must be >= 0');
  const payload = Buffer.from(argv[3]!, 'latin1');
  const config = c.engine.config;
  if (!verifyDumpPayload(payload)) fail('ERR DUMP payload version or checksum are wrong');
  let value: ReturnType<typeof decodeDumpPayload>;
  try {
    value = decodeDumpPayload(payload, decodeLimits(config));
  } catch (error) {
    if (error instanceof RdbFormatError) fail('ERR Bad data format');
    throw error;
  }
  const deleted = replace && db.get(key) !== undefined && db.delete(key);
  if (ttl > 0 && !absttl) ttl += c.now();
  if (ttl > 0 && ttl <= c.now()) {
    // Already expired: nothing is created, and a replaced key is simply deleted.
    if (deleted) c.changed(key, 'del', 'g');
    return OK;
  }
  db.set(key, value);
  if (ttl > 0) db.setExpireAt(key, ttl);
  db.access?.restore(key, idle, freq);
  c.changed(key, 'restore', 'g');
  return OK;
}

export const dumpRestoreCommands: CommandSpec[] = [
  command(
    'dump',
    2,
    ['readonly'],
    [1, 1, 1],
    ['keyspace', 'read', 'slow'],
    dump,
    docs(
      '2.6.0',
      'Serializes the value stored at a key in the RDB format Redis uses.',
      'O(1) to access the key and additional O(N*M) to serialize it, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1).',
    ),
  ),
  command(
    'restore',
    -4,
    ['write', 'denyoom'],
    [1, 1, 1],
    ['keyspace', 'write', 'slow', 'dangerous'],
    restore,
    docs(
      '2.6.0',
      'Creates a key from a value serialized by DUMP.',
      'O(1) to create the new key and additional O(N*M) to reconstruct the serialized value, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1). However for sorted set values the complexity is O(N*M*log(N)) because inserting values into sorted sets is O(log(N)).',
    ),
  ),
];
