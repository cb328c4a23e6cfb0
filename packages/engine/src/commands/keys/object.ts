import type { Engine } from '../../engine.js';
import type { RedisValue } from '../../keyspace/values.js';
import { readWithoutTouch } from '../../memory/access.js';
import { fail } from '../../resp/errors.js';
import type { Reply } from '../../resp/reply.js';
import { StatusReply } from '../../resp/reply.js';
import type { Session } from '../../session.js';
import { type CommandHandler, type CommandSpec, command } from '../registry.js';
import { stringEncoding } from '../strings.js';
import { docs } from './shared.js';

/** Redis shares one object for each of the integers 0..9999 (OBJ_SHARED_INTEGERS). */
const SHARED_INTEGERS = 10000;
/** The refcount Redis reports for a shared object (OBJ_SHARED_REFCOUNT, INT_MAX). */
const SHARED_REFCOUNT = 2147483647;
function encodingOf(c: Session, key: string, value: RedisValue): string {
  return typeof value === 'string' ? stringEncoding(value, c.db, key) : value.encoding();
}

function usesLfu(engine: Engine): boolean {
  return engine.config.get('maxmemory-policy').endsWith('-lfu');
}

/** Redis stops sharing small integers when maxmemory evicts by LRU or LFU (each key needs its own clock). */
function sharesIntegers(engine: Engine): boolean {
  const policy = engine.config.get('maxmemory-policy');
  return engine.config.number('maxmemory') === 0 || !(policy.endsWith('-lru') || policy.endsWith('-lfu'));
}

function isSharedInteger(c: Session, key: string, value: RedisValue): boolean {
  if (typeof value !== 'string' || stringEncoding(value, c.db, key) !== 'int') return false;
  const n = Number(value);
  return n >= 0 && n < SHARED_INTEGERS;
}

/** The OBJECT subcommands that inspect a key answer a null for a missing key (and do not touch it). */
function inspect(probe: (c: Session, key: string, value: RedisValue) => Reply): CommandHandler {
  return (c, argv) => {
    const key = argv[2]!;
    const value = readWithoutTouch(c.db, key);
    return value === undefined ? null : probe(c, key, value);
  };
}

const encoding = inspect(encodingOf);

const refcount = inspect((c, key, value) =>
  isSharedInteger(c, key, value) && sharesIntegers(c.engine) ? SHARED_REFCOUNT : 1,
);

/**
 * Access times are tracked (memory/access.ts) while the maxmemory-policy is an LRU one; under the
 * policies that need neither LRU nor LFU data every key reports as just used.
 */
const idletime = inspect((c, key) => {
  if (usesLfu(c.engine)) {
    fail(
      'ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
    );
  }
  const access = c.engine.memory.accessOf(c.db);
  return access === undefined ? 0 : Math.floor(access.idleMs(key) / 1000);
});

/** The logarithmic access counter, decayed to now (tracked while the policy is an LFU one). */
const freq = inspect((c, key) => {
  if (!usesLfu(c.engine)) {
    fail(
      'ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
    );
  }
  return c.engine.memory.accessOf(c.db)?.frequency(key) ?? 0;
});

const OBJECT_HELP = [
  'OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'ENCODING <key>',
  '    Return the kind of internal representation used in order to store the value',
  '    associated with a <key>.',
  'FREQ <key>',
  '    Return the access frequency index of the <key>. The returned integer is',
  '    proportional to the logarithm of the recent access frequency of the key.',
  'IDLETIME <key>',
  '    Return the idle time of the <key>, that is the approximated number of',
  '    seconds elapsed since the last access to the key.',
  'REFCOUNT <key>',
  '    Return the number of references of the value associated with the specified',
  '    <key>.',
  'HELP',
  '    Prints this help.',
].map((line) => new StatusReply(line));

const inspector = (name: string, handler: CommandHandler, since: string, summary: string) =>
  command(
    name,
    3,
    ['readonly'],
    [2, 2, 1],
    ['keyspace', 'read', 'slow'],
    handler,
    docs(since, summary, 'O(1)'),
  );

export const objectCommands: CommandSpec[] = [
  {
    ...command(
      'object',
      -2,
      [],
      [0, 0, 0],
      ['slow'],
      () => null,
      docs('2.2.3', 'A container for object introspection commands.', 'Depends on subcommand.'),
    ),
    // In the order COMMAND INFO lists them on Redis (its dictionary order).
    subcommands: [
      command(
        'help',
        2,
        ['loading', 'stale'],
        [0, 0, 0],
        ['keyspace', 'slow'],
        () => OBJECT_HELP,
        docs('6.2.0', 'Returns helpful text about the different subcommands.', 'O(1)'),
      ),
      inspector('refcount', refcount, '2.2.3', 'Answers the reference count of the value of a key.'),
      inspector('freq', freq, '4.0.0', 'Answers the logarithmic access frequency counter of a key.'),
      inspector('encoding', encoding, '2.2.3', 'Answers the internal encoding of the value of a key.'),
      inspector('idletime', idletime, '2.2.3', 'Answers the seconds since a key was last accessed.'),
    ],
  },
];
