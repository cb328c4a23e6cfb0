import type { Database } from '../keyspace/database.js';
import { MapReply, type Reply, SetReply } from '../resp/reply.js';
import { formatId, makeId, RedisStream } from '../types/stream.js';

/** What a rule sees of an executed write, and where it sends the commands that replay it. */
export interface Executed {
  db: Database;
  argv: string[];
  reply: Reply;
  /** Appends one command to the log, in `db`. */
  emit(argv: string[]): void;
  /** Logs the current state of every key the command changed (for effects no argv can replay). */
  emitChangedKeys(): void;
}

/**
 * How a write is logged so that replaying the log rebuilds the same data whenever it is loaded, as Redis
 * propagates: relative times become absolute, random and blocking commands their effect. Commands not
 * listed are deterministic and logged as they were called.
 */
export type Rule = (x: Executed) => void;

/** A string key written with a TTL: SET key value PXAT <absolute ms>, or DEL when it is already gone. */
function stringWithTtl(x: Executed, key: string): void {
  const value = x.db.data.get(key);
  if (typeof value !== 'string') {
    x.emit(['DEL', key]);
    return;
  }
  const at = x.db.expires.get(key);
  x.emit(at === undefined ? ['SET', key, value] : ['SET', key, value, 'PXAT', String(at)]);
}

/** After EXPIRE-like commands: PEXPIREAT with the absolute time, PERSIST, or DEL when the key is gone. */
function ttlOf(x: Executed, key: string): void {
  if (!x.db.data.has(key)) x.emit(['DEL', key]);
  else {
    const at = x.db.expires.get(key);
    x.emit(at === undefined ? ['PERSIST', key] : ['PEXPIREAT', key, String(at)]);
  }
}

const EXPIRE_OPTIONS = new Set(['ex', 'px', 'exat', 'pxat']);

function set(x: Executed): void {
  const argv = x.argv;
  for (let i = 3; i < argv.length; i++) {
    if (EXPIRE_OPTIONS.has(argv[i]!.toLowerCase())) {
      stringWithTtl(x, argv[1]!);
      return;
    }
  }
  x.emit(argv);
}

function items(reply: Reply): Reply[] {
  if (Array.isArray(reply)) return reply;
  if (reply instanceof SetReply) return reply.items;
  return [];
}

/** SPOP's members leave by name: SREM key member … */
function spop(x: Executed): void {
  const popped = typeof x.reply === 'string' ? [x.reply] : items(x.reply);
  if (popped.length > 0) x.emit(['SREM', x.argv[1]!, ...(popped as string[])]);
}

/** BLPOP/BRPOP's [key, element] reply: the same pop, without blocking. */
function blockingPop(name: string): Rule {
  return (x) => {
    const key = items(x.reply)[0];
    if (typeof key === 'string') x.emit([name, key]);
  };
}

/** BLMPOP/BZMPOP's [key, [elements]]: LPOP/RPOP/ZPOPMIN/ZPOPMAX key count. */
function blockingMultiPop(names: Record<string, string>): Rule {
  return (x) => {
    const [key, popped] = items(x.reply);
    const numkeys = Number(x.argv[2]);
    const name = names[x.argv[3 + numkeys]!.toLowerCase()];
    if (typeof key === 'string' && name) x.emit([name, key, String(items(popped ?? null).length)]);
  };
}

/** XADD with an automatic ID (* or ms-*): the ID it got. */
function xadd(x: Executed): void {
  const argv = x.argv;
  let i = 2;
  for (;;) {
    const option = argv[i]?.toLowerCase();
    if (option === 'nomkstream') i++;
    else if (option === 'maxlen' || option === 'minid') {
      i++;
      if (argv[i] === '=' || argv[i] === '~') i++;
      i++;
    } else if (option === 'limit') i += 2;
    else break;
  }
  if (typeof x.reply === 'string' && argv[i] !== x.reply) {
    const copy = argv.slice();
    copy[i] = x.reply;
    x.emit(copy);
  } else x.emit(argv);
}

/**
 * XREADGROUP, as Redis propagates it: the consumer, each delivered entry as XCLAIM with its delivery
 * time and count (so idle times survive a reload), and the group's new last ID.
 */
function xreadgroup(x: Executed): void {
  const argv = x.argv;
  const group = argv[2]!;
  const consumer = argv[3]!;
  let streams = 4;
  while (streams < argv.length && argv[streams]!.toLowerCase() !== 'streams') streams++;
  const count = (argv.length - streams - 1) / 2;
  const delivered = new Map<string, Reply[]>();
  const reply = x.reply;
  const flat = reply instanceof MapReply ? reply.entries : items(reply).flatMap((pair) => items(pair));
  for (let i = 0; i + 1 < flat.length; i += 2) delivered.set(flat[i] as string, items(flat[i + 1]!));
  for (let k = 0; k < count; k++) {
    const key = argv[streams + 1 + k]!;
    const stream = x.db.data.get(key);
    const g = stream instanceof RedisStream ? stream.groups.get(group) : undefined;
    if (!g) continue;
    if (g.consumers.has(consumer)) x.emit(['XGROUP', 'CREATECONSUMER', key, group, consumer]);
    for (const entry of delivered.get(key) ?? []) {
      const id = items(entry)[0];
      if (typeof id !== 'string') continue;
      const dash = id.indexOf('-');
      const nack = g.pel.get(makeId(BigInt(id.slice(0, dash)), BigInt(id.slice(dash + 1))));
      if (!nack?.consumer) continue; // NOACK: nothing pending
      x.emit([
        'XCLAIM',
        key,
        group,
        nack.consumer.name,
        '0',
        id,
        'TIME',
        String(nack.deliveryTime),
        'RETRYCOUNT',
        String(nack.deliveryCount),
        'FORCE',
        'JUSTID',
      ]);
    }
    x.emit(['XGROUP', 'SETID', key, group, formatId(g.lastId), 'ENTRIESREAD', String(g.entriesRead)]);
  }
}

/**
 * RESTORE with a relative TTL is logged with the absolute time and ABSTTL (as Redis propagates it); one
 * whose TTL had already passed only deleted a replaced key: DEL.
 */
function restore(x: Executed): void {
  const key = x.argv[1]!;
  if (!x.db.data.has(key)) {
    x.emit(['DEL', key]);
    return;
  }
  const at = x.db.expires.get(key);
  if (at === undefined) {
    x.emit(x.argv);
    return;
  }
  const copy = x.argv.slice();
  copy[2] = String(at);
  if (!copy.slice(4).some((a) => a.toLowerCase() === 'absttl')) copy.push('ABSTTL');
  x.emit(copy);
}

export const RULES: Record<string, Rule> = {
  restore,
  set,
  setex: (x) => stringWithTtl(x, x.argv[1]!),
  psetex: (x) => stringWithTtl(x, x.argv[1]!),
  getex: (x) => ttlOf(x, x.argv[1]!),
  expire: (x) => ttlOf(x, x.argv[1]!),
  pexpire: (x) => ttlOf(x, x.argv[1]!),
  expireat: (x) => ttlOf(x, x.argv[1]!),
  pexpireat: (x) => ttlOf(x, x.argv[1]!),
  // The float's formatting stays exact only as a string (Redis logs these as SET/HSET too).
  incrbyfloat: (x) => {
    if (typeof x.reply === 'string') x.emit(['SET', x.argv[1]!, x.reply, 'KEEPTTL']);
  },
  hincrbyfloat: (x) => {
    if (typeof x.reply === 'string') x.emit(['HSET', x.argv[1]!, x.argv[2]!, x.reply]);
  },
  spop,
  blpop: blockingPop('LPOP'),
  brpop: blockingPop('RPOP'),
  bzpopmin: blockingPop('ZPOPMIN'),
  bzpopmax: blockingPop('ZPOPMAX'),
  blmpop: blockingMultiPop({ left: 'LPOP', right: 'RPOP' }),
  bzmpop: blockingMultiPop({ min: 'ZPOPMIN', max: 'ZPOPMAX' }),
  blmove: (x) => x.emit(['LMOVE', ...x.argv.slice(1, 5)]),
  brpoplpush: (x) => x.emit(['RPOPLPUSH', x.argv[1]!, x.argv[2]!]),
  xadd,
  xreadgroup,
  // Which entries these claim depends on idle times measured against the clock: log the result.
  xclaim: (x) => x.emitChangedKeys(),
  xautoclaim: (x) => x.emitChangedKeys(),
};

/** Commands whose effects are the commands they run: only those are logged (wrapped in MULTI/EXEC). */
export const CONTAINERS = new Set(['exec', 'eval', 'evalsha', 'eval_ro', 'evalsha_ro', 'fcall', 'fcall_ro']);

/** Writes that do not count as key changes but must be logged (functions live in the AOF). */
export const ALWAYS_LOGGED = new Set([
  'function|load',
  'function|delete',
  'function|flush',
  'function|restore',
]);

/** Commands after which an AOF rewrite in progress must start over (they change databases wholesale). */
export const DATASET_RESETS = new Set(['flushall', 'flushdb', 'swapdb']);
