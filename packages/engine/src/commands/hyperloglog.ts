import type { Database } from '../keyspace/database.js';
import type { RedisValue } from '../keyspace/values.js';
import { errorArg, fail, wrongType } from '../resp/errors.js';
import { OK, type Reply, StatusReply } from '../resp/reply.js';
import type { Session } from '../session.js';
import {
  cachedCardinality,
  cardinalityReply,
  denseRegisterOf,
  EMPTY_HLL,
  elementPattern,
  estimate,
  HLL_DENSE,
  HLL_REGISTERS,
  HLL_SPARSE,
  HllBytes,
  isHllString,
  runSelfTest,
} from '../types/hyperloglog.js';
import { type CommandSpec, command } from './registry.js';
import { forceEncoding } from './strings/encoding.js';

const NOT_HLL = 'WRONGTYPE Key is not a valid HyperLogLog string value.';
const CORRUPT = 'INVALIDOBJ Corrupted HLL object detected';
/** Redis stores strings up to this length as embstr; HLL commands always leave a raw string. */
const EMBSTR_MAX = 44;
/** Values up to this size are worked on in one reused buffer; bigger (corrupt) ones get their own. */
const SCRATCH_MAX = 65536;

const scratch = new HllBytes();
const histogram = new Int32Array(64);
const maxRegisters = new Uint8Array(HLL_REGISTERS);

/** A mutable copy of an HLL value (valid until the next call). */
function work(value: string): HllBytes {
  return value.length <= SCRATCH_MAX ? scratch.load(value) : new HllBytes(value.length + 4).load(value);
}

/** Redis's type check plus its HLL header check. */
function hllString(value: RedisValue): string {
  if (typeof value !== 'string') wrongType();
  if (!isHllString(value)) fail(NOT_HLL);
  return value;
}

/** HLL commands unshare the value into a raw string (dbUnshareStringValue), even when not changing it. */
function markRaw(db: Database, key: string, value: string): void {
  if (value.length <= EMBSTR_MAX) forceEncoding(db, key, value, 'raw');
}

/** Stores a rewritten HLL value; an existing key keeps its TTL, as Redis modifies it in place. */
function store(db: Database, key: string, value: string, created = false): void {
  db.set(key, value, !created);
  markRaw(db, key, value);
}

function pfadd(c: Session, argv: string[]): Reply {
  const db = c.db;
  const key = argv[1]!;
  const existing = db.get(key);
  let value: string;
  let updated = 0;
  if (existing === undefined) {
    value = EMPTY_HLL;
    updated = 1;
  } else value = hllString(existing);
  const sparseMax = c.engine.config.number('hll-sparse-max-bytes');
  let h: HllBytes | undefined;
  for (let j = 2; j < argv.length; j++) {
    const pattern = elementPattern(argv[j]!);
    const index = pattern & (HLL_REGISTERS - 1);
    const count = pattern >>> 14;
    if (h === undefined) {
      // On a dense sketch most adds change nothing: check the register without copying the value.
      if (value.charCodeAt(4) === HLL_DENSE && count <= denseRegisterOf(value, index)) continue;
      h = work(value);
    }
    const result = h.set(index, count, sparseMax);
    if (result > 0) updated++;
    else if (result < 0) {
      // Redis edits in place: what earlier elements changed stays, without an event.
      if (updated > 0) store(db, key, h.toString());
      else markRaw(db, key, value);
      fail(CORRUPT);
    }
  }
  if (updated === 0) {
    markRaw(db, key, value);
    return 0;
  }
  h ??= work(value);
  h.invalidateCache();
  store(db, key, h.toString(), existing === undefined);
  c.changed(key, 'pfadd', '$');
  c.engine.dirty += updated - 1;
  return 1;
}

function pfcount(c: Session, argv: string[]): Reply {
  const db = c.db;
  if (argv.length > 2) {
    // The union's cardinality, computed without storing anything.
    const max = maxRegisters.fill(0);
    for (let j = 1; j < argv.length; j++) {
      const found = db.read(argv[j]!);
      if (found === undefined) continue;
      if (!work(hllString(found)).mergeInto(max)) fail(CORRUPT);
    }
    const bins = histogram.fill(0);
    for (let i = 0; i < HLL_REGISTERS; i++) bins[max[i]!]!++;
    return cardinalityReply(estimate(bins));
  }
  const key = argv[1]!;
  const found = db.read(key);
  if (found === undefined) return 0;
  const value = hllString(found);
  markRaw(db, key, value);
  const cached = cachedCardinality(value);
  if (cached !== undefined) return cached;
  const h = work(value);
  const bins = histogram.fill(0);
  if (!h.histogram(bins)) fail(CORRUPT);
  const card = estimate(bins);
  // Refreshing the cache rewrites the value: WATCH sees it, but it is no keyspace event.
  h.setCachedCardinality(card);
  store(db, key, h.toString());
  c.engine.touchWatched(db, key);
  c.engine.dirty++;
  return cardinalityReply(card);
}

function pfmerge(c: Session, argv: string[]): Reply {
  const db = c.db;
  const max = maxRegisters.fill(0);
  let dense = false;
  // The destination is also a source.
  for (let j = 1; j < argv.length; j++) {
    const found = db.read(argv[j]!);
    if (found === undefined) continue;
    const value = hllString(found);
    if (value.charCodeAt(4) === HLL_DENSE) dense = true;
    if (!work(value).mergeInto(max)) fail(CORRUPT);
  }
  const dest = argv[1]!;
  // Already checked as the first source.
  const current = db.get(dest) as string | undefined;
  const h = work(current ?? EMPTY_HLL);
  if (dense && !h.toDense()) fail(CORRUPT);
  const sparseMax = c.engine.config.number('hll-sparse-max-bytes');
  for (let i = 0; i < HLL_REGISTERS; i++) {
    const value = max[i]!;
    if (value !== 0) h.set(i, value, sparseMax);
  }
  h.invalidateCache();
  store(db, dest, h.toString(), current === undefined);
  c.changed(dest, 'pfadd', '$');
  return OK;
}

function pfdebug(c: Session, argv: string[]): Reply {
  const db = c.db;
  const sub = argv[1]!;
  const key = argv[2]!;
  const found = db.get(key);
  if (found === undefined) fail('ERR The specified key does not exist');
  const value = hllString(found);
  markRaw(db, key, value);
  switch (sub.toLowerCase()) {
    case 'getreg': {
      const h = work(value);
      if (h.encoding === HLL_SPARSE) toDenseQuietly(c, key, h);
      const registers: number[] = new Array(HLL_REGISTERS);
      for (let i = 0; i < HLL_REGISTERS; i++) registers[i] = h.denseGet(i);
      return registers;
    }
    case 'decode':
      if (value.charCodeAt(4) !== HLL_SPARSE) fail('ERR HLL encoding is not sparse');
      return work(value).decodeSparse();
    case 'encoding':
      return new StatusReply(value.charCodeAt(4) === HLL_DENSE ? 'dense' : 'sparse');
    case 'todense': {
      if (value.charCodeAt(4) !== HLL_SPARSE) return 0;
      toDenseQuietly(c, key, work(value));
      return 1;
    }
    default:
      fail(`ERR Unknown PFDEBUG subcommand '${errorArg(sub)}'`);
  }
}

/** PFDEBUG's conversions count as a change for persistence but signal nothing. */
function toDenseQuietly(c: Session, key: string, h: HllBytes): void {
  if (!h.toDense()) fail(CORRUPT);
  store(c.db, key, h.toString());
  c.engine.dirty++;
}

function pfselftest(): Reply {
  const failure = runSelfTest();
  if (failure !== undefined) fail(failure);
  return OK;
}

const docs = (summary: string, complexity: string) => ({
  group: 'hyperloglog',
  since: '2.8.9',
  summary,
  complexity,
});

export const hyperloglogCommands: CommandSpec[] = [
  command(
    'pfadd',
    -2,
    ['write', 'denyoom', 'fast'],
    [1, 1, 1],
    ['write', 'hyperloglog', 'fast'],
    pfadd,
    docs('Adds elements to a HyperLogLog key, creating it when missing.', 'O(1) to add every element.'),
  ),
  command(
    'pfcount',
    -2,
    ['readonly'],
    [1, -1, 1],
    ['read', 'hyperloglog', 'slow'],
    pfcount,
    docs(
      'Returns the estimated number of distinct elements seen by one HyperLogLog, or by the union of several.',
      'O(1) with a very small average constant time when called with a single key. O(N) with N being the number of keys, and much bigger constant times, when called with multiple keys.',
    ),
  ),
  command(
    'pfmerge',
    -2,
    ['write', 'denyoom'],
    [1, -1, 1],
    ['write', 'hyperloglog', 'slow'],
    pfmerge,
    docs(
      'Stores the union of several HyperLogLogs in a destination key.',
      'O(N) to merge N HyperLogLogs, but with high constant times.',
    ),
  ),
  command(
    'pfdebug',
    3,
    ['write', 'denyoom', 'admin'],
    [2, 2, 1],
    ['write', 'hyperloglog', 'admin', 'slow', 'dangerous'],
    pfdebug,
    docs('Inspects or converts the internal representation of a HyperLogLog value.', 'N/A'),
  ),
  command(
    'pfselftest',
    1,
    ['admin'],
    [0, 0, 0],
    ['hyperloglog', 'admin', 'slow', 'dangerous'],
    pfselftest,
    docs('Runs internal consistency checks of the HyperLogLog implementation.', 'N/A'),
  ),
];
