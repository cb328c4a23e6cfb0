import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  Engine,
  EngineClient,
  ErrorReply,
  ManualClock,
  MapReply,
  type Reply,
  StatusReply,
  VerbatimReply,
} from '@redkit/engine';
import { type DiffPair, differential, type ParsedReply } from '@redkit/test-utils';

// ---------------------------------------------------------------------------------------------------
// Helpers

type Sections = Map<string, Array<[string, string]>>;

/** Splits INFO text (RESP2 bulk or RESP3 verbatim) into sections of name/value fields. */
function infoSections(reply: ParsedReply | Reply | undefined): Sections {
  let text: string;
  if (typeof reply === 'string') text = reply;
  else if (reply instanceof VerbatimReply) text = reply.text;
  else if (reply && typeof reply === 'object' && 'verbatim' in reply) text = reply.verbatim.slice(4);
  else throw new Error(`not an INFO reply: ${JSON.stringify(reply)}`);
  const sections: Sections = new Map();
  let current: Array<[string, string]> | undefined;
  for (const line of text.split('\r\n')) {
    if (line.startsWith('# ')) sections.set(line.slice(2), (current = []));
    else if (line !== '') {
      const colon = line.indexOf(':');
      current!.push([line.slice(0, colon), line.slice(colon + 1)]);
    }
  }
  return sections;
}

/** Sections whose fields depend on what ran (their order is Redis's hash order). */
const DYNAMIC = new Set(['Commandstats', 'Errorstats', 'Latencystats', 'Keyspace']);

/** Same sections, same field names (in order for fixed sections); the engine adds only redkit_version. */
function assertSameInfoStructure(redis: ParsedReply, engine: ParsedReply, what: string): void {
  const a = infoSections(redis);
  const b = infoSections(engine);
  assert.deepEqual([...b.keys()], [...a.keys()], `${what}: sections`);
  for (const [title, fields] of a) {
    let ours = b.get(title)!.map(([n]) => n);
    let theirs = fields.map(([n]) => n);
    if (title === 'Server') ours = ours.filter((n) => n !== 'redkit_version');
    if (DYNAMIC.has(title)) {
      ours = ours.sort();
      theirs = theirs.sort();
    }
    assert.deepEqual(ours, theirs, `${what}: fields of # ${title}`);
  }
}

function statFields(value: string): Map<string, string> {
  return new Map(value.split(',').map((kv) => kv.split('=') as [string, string]));
}

/** Compares commandstats counters (calls, rejected, failed), which are deterministic unlike usec. */
async function sameCommandCounts(d: DiffPair): Promise<void> {
  await d.compare(['INFO', 'commandstats'], (r, e) => {
    const counts = (reply: ParsedReply) =>
      Object.fromEntries(
        infoSections(reply)
          .get('Commandstats')!
          .map(([name, value]) => {
            const f = statFields(value);
            return [name, `${f.get('calls')}/${f.get('rejected_calls')}/${f.get('failed_calls')}`];
          }),
      );
    assert.deepEqual(counts(e), counts(r));
  });
}

/** A COMMAND INFO entry with its subcommands sorted by name (Redis lists them in hash order). */
function sortedInfo(reply: ParsedReply): ParsedReply {
  if (!Array.isArray(reply)) return reply;
  return reply.map((entry) => {
    if (!Array.isArray(entry) || !Array.isArray(entry[9])) return entry;
    const subs = [...entry[9]].sort((x, y) =>
      String((x as ParsedReply[])[0]) < String((y as ParsedReply[])[0]) ? -1 : 1,
    );
    return [...entry.slice(0, 9), subs];
  });
}

const pairsOf = (reply: ParsedReply) => {
  const flat: ParsedReply[] = Array.isArray(reply) ? reply : (reply as { map: ParsedReply[] }).map;
  const m = new Map<string, ParsedReply>();
  for (let i = 0; i < flat.length; i += 2) m.set(String(flat[i]), flat[i + 1]!);
  return m;
};

// ---------------------------------------------------------------------------------------------------
// Differential: INFO

differential('server: INFO, CONFIG, COMMAND, TIME, LASTSAVE', (s) => {
  s.test(
    'SHUTDOWN: syntax errors, ABORT, inside MULTI and COMMAND INFO (no server is stopped)',
    async (d) => {
      await d.same('SHUTDOWN', 'FOO');
      await d.same('SHUTDOWN', 'NOSAVE', 'SAVE');
      await d.same('SHUTDOWN', 'ABORT');
      await d.same('SHUTDOWN', 'ABORT', 'NOW');
      await d.same('MULTI');
      await d.same('SHUTDOWN', 'NOSAVE');
      await d.same('DISCARD');
      await d.same('COMMAND', 'INFO', 'shutdown');
      await d.same('EVAL', "return redis.pcall('SHUTDOWN', 'NOSAVE')", '0');
    },
  );

  s.test('INFO has the sections and fields of Redis 7.0 for every way of asking', async (d) => {
    await d.both('CONFIG', 'RESETSTAT');
    await d.same('SET', 'k', 'v');
    await d.same('GET', 'k');
    await d.same('GET', 'missing');
    await d.same('HSET', 'k', 'f', 'v');
    await d.same('NOSUCH');
    await d.same('GET');
    await d.same('SADD', 's', 'a');
    const variants = [
      [],
      ['default'],
      ['all'],
      ['everything'],
      ['server'],
      ['SERVER', 'Clients'],
      ['memory'],
      ['persistence'],
      ['stats'],
      ['replication'],
      ['cpu'],
      ['modules'],
      ['module_list'],
      ['commandstats'],
      ['errorstats'],
      ['latencystats'],
      ['cluster'],
      ['keyspace'],
      ['default', 'commandstats'],
      ['all', 'keyspace'],
      ['cpu', 'nosuch', 'cluster'],
      ['keyspace', 'server', 'server'],
    ];
    for (const args of variants)
      await d.compare(['INFO', ...args], (r, e) => assertSameInfoStructure(r, e, `INFO ${args.join(' ')}`));
    await d.resp3();
    for (const args of [[], ['everything'], ['keyspace']]) {
      await d.compare(['INFO', ...args], (r, e) => {
        assert.ok(typeof r === 'object' && r !== null && 'verbatim' in r);
        assert.ok(typeof e === 'object' && e !== null && 'verbatim' in e, 'RESP3 INFO is a verbatim string');
        assertSameInfoStructure(r, e, `RESP3 INFO ${args.join(' ')}`);
      });
    }
  });

  s.test('INFO sections with deterministic content are byte-identical', async (d) => {
    await d.same('INFO', 'nosuch');
    await d.same('INFO', 'cluster');
    await d.same('INFO', 'modules');
    await d.same('INFO', 'keyspace');
    await d.same('SET', 'a', '1');
    await d.same('SELECT', '3');
    await d.same('SET', 'b', '1');
    await d.same('SET', 'c', '1');
    await d.same('INFO', 'keyspace');
    await d.same('INFO', 'Keyspace', 'cluster');
    await d.both('CONFIG', 'RESETSTAT');
    await d.same('INFO', 'errorstats');
    await d.same('NOSUCH');
    await d.same('GET');
    await d.same('HGET', 'b', 'f');
    await d.same('INCR', 'b');
    await d.same('HGET', 'b', 'f');
    await d.same('INFO', 'errorstats');
    await d.resp3();
    await d.same('INFO', 'errorstats', 'cluster');
    await d.same('INFO', 'nosuch');
  });

  s.test('INFO commandstats counts calls, rejected and failed calls as Redis does', async (d) => {
    await d.both('CONFIG', 'RESETSTAT');
    await d.same('SET', 'k', 'v');
    await d.same('SET', 'k');
    await d.same('INCR', 'k');
    await d.same('GET', 'k');
    await d.same('CONFIG', 'GET', 'hz');
    await d.same('CONFIG', 'NOSUCH');
    await d.same('MULTI');
    await d.same('GET', 'k');
    await d.same('INCR', 'k');
    await d.same('EXEC');
    await sameCommandCounts(d);
    await d.both('CONFIG', 'RESETSTAT');
    await sameCommandCounts(d);
    await d.compare(['INFO', 'stats'], (r, e) => {
      const get = (reply: ParsedReply, name: string) =>
        infoSections(reply)
          .get('Stats')!
          .find(([n]) => n === name)![1];
      for (const name of [
        'total_commands_processed',
        'total_error_replies',
        'keyspace_hits',
        'keyspace_misses',
        'expired_keys',
      ]) {
        assert.equal(get(e, name), get(r, name), name);
      }
    });
  });

  // -------------------------------------------------------------------------------------------------
  // CONFIG

  s.test('CONFIG GET answers the parameters, aliases and defaults of Redis 7.0', async (d) => {
    await d.compare(['CONFIG', 'GET', '*'], (r, e) => {
      const a = pairsOf(r);
      const b = pairsOf(e);
      assert.deepEqual([...b.keys()].sort(), [...a.keys()].sort(), 'the same parameter names');
      for (const [name, value] of a) {
        if (name === 'port' || name === 'dir') continue; // per process
        assert.deepEqual(b.get(name), value, `default of ${name}`);
      }
    });
    for (const name of [
      'maxmemory',
      'maxmemory-policy',
      'hash-max-listpack-entries',
      'hash-max-ziplist-entries',
      'HASH-MAX-ZIPLIST-VALUE',
      'lua-time-limit',
      'busy-reply-threshold',
      'notify-keyspace-events',
      'save',
      'appendonly',
      'databases',
      'client-output-buffer-limit',
      'latency-tracking-info-percentiles',
      'oom-score-adj-values',
      'shutdown-on-sigint',
      'use-exit-on-panic',
      'maxmemory-clients',
      'unixsocketperm',
      'nosuch',
    ]) {
      await d.same('CONFIG', 'GET', name);
    }
    await d.same('CONFIG', 'GET', 'hz', 'HZ');
    await d.same('CONFIG', 'GET', 'H?');
    await d.same('CONFIG', 'GET', '[h]z');
    await d.same('CONFIG', 'GET', 'use-exit*');
    await d.same('CONFIG', 'GET', 'nosuch*');
    await d.samePairsUnordered('CONFIG', 'GET', 'maxmemory*');
    await d.samePairsUnordered('CONFIG', 'GET', '*max-*-entries*');
    await d.samePairsUnordered('CONFIG', 'GET', 'lua-time-limit', 'busy-reply-threshold');
    await d.samePairsUnordered('CONFIG', 'GET', 'lua*', 'busy*', 'hz');
    await d.samePairsUnordered('CONFIG', 'GET', 'slave*');
    await d.same('CONFIG', 'GET');
    await d.resp3();
    await d.same('CONFIG', 'GET', 'maxmemory');
    await d.same('CONFIG', 'GET', 'nosuch');
    await d.sameUnordered('CONFIG', 'GET', 'hash-max*');
  });

  s.test('CONFIG SET validates like Redis and sets several parameters at once, or none', async (d) => {
    const cases: string[][] = [
      ['foo', 'bar'],
      ['maxmemory', 'abc'],
      ['maxmemory', '-1'],
      ['maxmemory', '1.5mb'],
      ['maxmemory', '1', 'maxmemory', '2'],
      ['hash-max-ziplist-entries', '1', 'hash-max-listpack-entries', '2'],
      ['hash-max-listpack-entries', '512'],
      ['HZ', '10', 'hz', '10'],
      ['tcp-keepalive', '1', 'databases', '3'], // (port and bind are start-up only in the engine: not compared)
      ['databases', '3'],
      ['daemonize', 'yes'],
      ['hz', '-1'],
      ['hz', 'abc'],
      ['hz', '1.5'],
      ['maxclients', '-1'],
      ['maxclients', '0'],
      ['appendonly', 'maybe'],
      ['loglevel', 'x'],
      ['maxmemory-policy', 'lru'],
      ['maxmemory-clients', '200%'],
      ['maxmemory-clients', '-1'],
      ['maxmemory-clients', '%'],
      ['unixsocketperm', '777'],
      ['save', 'a b'],
      ['save', '100'],
      ['save', '0 10'],
      ['save', '100 -1'],
      ['save', '100 10  20 1'],
      ['save', ' 100 10'],
      ['foo', 'bar', 'hz', 'x'],
      ['hz', 'x', 'foo', 'bar'],
      ['hz', '10', 'maxmemory', 'x'],
      ['dir', '/tmp'],
      ['dbfilename', 'x.rdb'],
      ['notify-keyspace-events', 'ZZ'],
      ['proto-max-bulk-len', '10'],
      ['list-max-listpack-size', '-2147483649'],
      ['hash-max-listpack-entries', '-1'],
      ['shutdown-on-sigint', 'save nosave'],
      ['shutdown-on-sigint', ''],
      ['shutdown-on-sigint', 'later'],
      ['latency-tracking-info-percentiles', '101'],
      ['latency-tracking-info-percentiles', 'x'],
      ['client-output-buffer-limit', 'master 1 2 3'],
      ['client-output-buffer-limit', 'normal 1 2'],
      ['client-output-buffer-limit', 'normal 1x 2 3'],
      ['client-output-buffer-limit', 'normal 1 2 -3'],
      ['oom-score-adj-values', '1 2'],
      ['oom-score-adj-values', '1 2 3000'],
      ['proc-title-template', '{title}'],
      ['proc-title-template', '{bad}'],
      ['proc-title-template', '{title'],
      ['cluster-announce-hostname', 'a_b'],
      ['bind-source-addr', 'x', 'bind-source-addr', 'y'],
      ['replicaof', 'no one'],
      ['tcp-keepalive', '99999999999'],
      ['active-defrag-cycle-min', '100'],
    ];
    for (const args of cases) await d.same('CONFIG', 'SET', ...args);
    await d.same('CONFIG', 'GET', 'maxmemory');
    await d.same('CONFIG', 'GET', 'hz');
    await d.same('CONFIG', 'SET', 'a', 'b', 'c');
    await d.same('CONFIG', 'SET', 'a');
    await d.same('CONFIG', 'SET');
  });

  s.test('CONFIG SET stores values in Redis normalised form', async (d) => {
    const settings: Array<[string, string, string]> = [
      ['maxmemory', '1gb', '0'],
      ['maxmemory', '10K', '0'],
      ['maxmemory', '', '0'],
      ['maxmemory', 'kb', '0'],
      ['maxmemory', '18446744073709551615', '0'],
      ['maxmemory', '99999999999999999999', '0'],
      ['maxmemory-clients', '10%', '0'],
      ['maxmemory-clients', '0%', '0'],
      ['maxmemory-clients', '5mb', '0'],
      ['hz', '0', '10'],
      ['hz', '600', '10'],
      ['HZ', '20', '10'],
      ['appendonly', 'YES', 'no'],
      ['loglevel', 'WARNING', 'notice'],
      ['oom-score-adj', 'relative', 'no'],
      ['oom-score-adj', 'absolute', 'no'],
      ['save', '+100 010 20 1', ''],
      ['save', '3600 1 300 100 60 10000', ''],
      ['notify-keyspace-events', 'KEAn', ''],
      ['notify-keyspace-events', 'Eg$lshzxetd', ''],
      ['notify-keyspace-events', 'xKg$', ''],
      ['notify-keyspace-events', 'mtdn', ''],
      ['shutdown-on-sigint', 'force now', 'default'],
      ['shutdown-on-sigint', 'NOSAVE default', 'default'],
      ['latency-tracking-info-percentiles', '50 99.999 1e1 0', '50 99 99.9'],
      ['latency-tracking-info-percentiles', '', '50 99 99.9'],
      ['client-output-buffer-limit', 'normal 1mb 2 3', 'normal 0 0 0'],
      [
        'client-output-buffer-limit',
        'replica 1 2 3 pubsub 4gb 5k 6',
        'slave 268435456 67108864 60 pubsub 33554432 8388608 60',
      ],
      ['oom-score-adj-values', '-10 +20 2000', '0 200 800'],
      ['list-max-ziplist-size', '-5', '-2'],
      ['lua-time-limit', '100', '5000'],
      ['slave-read-only', 'no', 'yes'],
      ['cluster-announce-hostname', 'my-host.example', ''],
      ['proc-title-template', '{{title}} {port}', '{title} {listen-addr} {server-mode}'],
      ['requirepass', '', ''],
    ];
    for (const [name, value, restore] of settings) {
      await d.same('CONFIG', 'SET', name, value);
      await d.same('CONFIG', 'GET', name);
      await d.same('CONFIG', 'SET', name, restore);
    }
    await d.same('CONFIG', 'SET', 'maxmemory', '1mb', 'maxmemory-policy', 'allkeys-lru', 'hz', '15');
    await d.samePairsUnordered('CONFIG', 'GET', 'maxmemory', 'maxmemory-policy', 'hz');
    await d.same('CONFIG', 'SET', 'maxmemory', '2mb', 'hz', 'x');
    await d.same('CONFIG', 'GET', 'maxmemory');
    await d.same('CONFIG', 'SET', 'maxmemory', '0', 'maxmemory-policy', 'noeviction', 'hz', '10');
  });

  s.test('CONFIG RESETSTAT, REWRITE, HELP and errors', async (d) => {
    await d.same('CONFIG', 'RESETSTAT');
    await d.same('CONFIG', 'RESETSTAT', 'x');
    await d.same('CONFIG', 'REWRITE');
    await d.same('CONFIG', 'HELP');
    await d.same('CONFIG', 'help');
    await d.same('CONFIG', 'HELP', 'x');
    await d.same('CONFIG');
    await d.same('CONFIG', 'NOSUCH');
    await sameCommandCounts(d);
    await d.resp3();
    await d.same('CONFIG', 'HELP');
    await d.same('CONFIG', 'SET', 'hz', '10');
  });

  // -------------------------------------------------------------------------------------------------
  // COMMAND

  s.test('COMMAND INFO matches Redis for the commands both implement', async (d) => {
    const names = [
      'get',
      'GET',
      'mset',
      'del',
      'ping',
      'info',
      'time',
      'lastsave',
      'debug',
      'zunionstore',
      'eval',
      'config|get',
      'CONFIG|SET',
      'client|list',
      'command|info',
      'nosuch',
      'get|x',
      'config|nosuch',
      'config|get|x',
    ];
    for (const name of names) {
      if (name === 'eval' && !s.engine().commands.lookup('eval')) continue;
      await d.same('COMMAND', 'INFO', name);
    }
    await d.same('COMMAND', 'INFO', 'get', 'nosuch', 'hset');
    // Key specs with notes.
    await d.same('COMMAND', 'INFO', 'set', 'getex', 'bitfield', 'sort', 'sort_ro', 'xadd');
    for (const container of ['config', 'command', 'function']) {
      await d.compare(['COMMAND', 'INFO', container], (r, e) =>
        assert.deepEqual(sortedInfo(e), sortedInfo(r)),
      );
    }
    const strip = (reply: ParsedReply, drop: string) => {
      const entry = [...((reply as ParsedReply[])[0] as ParsedReply[])];
      entry[9] = (entry[9] as ParsedReply[]).filter((sub) => (sub as ParsedReply[])[0] !== drop);
      return sortedInfo([entry]);
    };
    // CLIENT: the engine adds SETINFO (Redis 7.2); SCRIPT has no DEBUG.
    await d.compare(['COMMAND', 'INFO', 'client'], (r, e) =>
      assert.deepEqual(strip(e, 'client|setinfo'), strip(r, 'none')),
    );
    await d.compare(['COMMAND', 'INFO', 'script'], (r, e) =>
      assert.deepEqual(strip(e, 'none'), strip(r, 'script|debug')),
    );
    await d.resp3();
    await d.same('COMMAND', 'INFO', 'get', 'config|set', 'nosuch');
    await d.same('COMMAND', 'INFO', 'time');
    await d.compare(['COMMAND', 'INFO', 'config'], (r, e) => assert.deepEqual(sortedInfo(e), sortedInfo(r)));
  });

  s.test('COMMAND, COMMAND COUNT, LIST and DOCS have Redis shapes', async (d) => {
    await d.compare(['COMMAND', 'COUNT'], (r, e) => {
      assert.equal(typeof r, 'number');
      assert.equal(e, s.engine().commands.size);
    });
    await d.compare(['COMMAND'], (r, e) => {
      assert.ok(Array.isArray(r) && Array.isArray(e));
      assert.equal(e.length, s.engine().commands.size);
      for (const entry of e) assert.equal((entry as ParsedReply[]).length, 10);
    });
    await d.compare(['COMMAND', 'INFO'], (_r, e) =>
      assert.equal((e as ParsedReply[]).length, s.engine().commands.size),
    );
    await d.sameUnordered('COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'config*');
    await d.sameUnordered('COMMAND', 'LIST', 'filterby', 'pattern', 'CLIENT|*NAME');
    await d.sameUnordered('COMMAND', 'LIST', 'FILTERBY', 'ACLCAT', 'transaction');
    await d.same('COMMAND', 'LIST', 'FILTERBY', 'ACLCAT', 'nosuch');
    await d.same('COMMAND', 'LIST', 'FILTERBY', 'MODULE', 'x');
    await d.same('COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'nosuch*');
    await d.same('COMMAND', 'LIST', 'foo');
    await d.same('COMMAND', 'LIST', 'FILTERBY', 'PATTERN');
    await d.same('COMMAND', 'LIST', 'FILTERBY', 'NAME', 'x');
    await d.same('COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'a', 'b');
    await d.compare(['COMMAND', 'LIST'], (r, e) => {
      const ours = new Set(e as string[]);
      assert.ok(ours.has('config|get') && ours.has('get'));
      assert.equal(ours.size, (e as string[]).length);
      for (const name of ours) if (name !== 'client|setinfo') assert.ok((r as string[]).includes(name), name);
    });
    await d.same('COMMAND', 'DOCS', 'nosuch');
    // Summaries are the engine's own words and it keeps no argument tables: compare the rest.
    await d.compare(['COMMAND', 'DOCS', 'get', 'config', 'nosuch'], (r, e) => {
      const a = pairsOf(r);
      const b = pairsOf(e);
      assert.deepEqual([...b.keys()], [...a.keys()]);
      for (const [name, docs] of a) {
        const ours = pairsOf(b.get(name)!);
        const theirs = pairsOf(docs);
        for (const field of ['since', 'group', 'complexity'])
          assert.deepEqual(ours.get(field), theirs.get(field), `${name} ${field}`);
        assert.deepEqual(
          [...ours.keys()],
          [...theirs.keys()].filter((k) => k !== 'arguments' && k !== 'history'),
        );
      }
    });
    await d.resp3();
    await d.compare(['COMMAND', 'DOCS', 'time'], (r, e) => {
      assert.ok(typeof r === 'object' && r !== null && 'map' in r);
      assert.ok(typeof e === 'object' && e !== null && 'map' in e);
    });
    await d.same('COMMAND', 'DOCS', 'nosuch');
  });

  s.test('COMMAND GETKEYS and GETKEYSANDFLAGS', async (d) => {
    const calls: string[][] = [
      ['get', 'a'],
      ['set', 'a', 'b'],
      ['set', 'a', 'b', 'GET'],
      ['set', 'a', 'b', 'EX', '10', 'get'],
      ['mset', 'a', '1', 'b', '2'],
      ['mset', 'a', '1', 'b'],
      ['del', 'a', 'b', 'c'],
      ['zunionstore', 'd', '2', 'a', 'b'],
      ['zunionstore', 'd', '5', 'a', 'b'],
      ['zinter', '2', 'a', 'b', 'WEIGHTS', '1', '2'],
      ['bitfield', 'k', 'GET', 'u8', '0'],
      ['bitfield', 'k', 'SET', 'u8', '0', '1'],
      ['bitfield', 'k', 'OVERFLOW', 'SAT', 'GET', 'u8', '0'],
      ['copy', 'a', 'b'],
      ['object', 'encoding', 'k'],
      ['config', 'get', 'x'],
      ['ping'],
      ['nosuch', 'a'],
      ['get', 'a', 'b'],
      ['config', 'nosuch', 'x'],
    ];
    for (const call of calls) {
      await d.same('COMMAND', 'GETKEYS', ...call);
      await d.same('COMMAND', 'GETKEYSANDFLAGS', ...call);
    }
    await d.same('COMMAND', 'GETKEYS', 'get');
    await d.same('COMMAND', 'GETKEYS');
    await d.resp3();
    await d.same('COMMAND', 'GETKEYSANDFLAGS', 'set', 'a', 'b');
    await d.same('COMMAND', 'GETKEYSANDFLAGS', 'del', 'a', 'b');
  });

  s.test('COMMAND HELP and errors', async (d) => {
    await d.same('COMMAND', 'HELP');
    await d.same('COMMAND', 'HELP', 'x');
    await d.same('COMMAND', 'COUNT', 'x');
    await d.same('COMMAND', 'NOSUCH');
    await d.resp3();
    await d.same('COMMAND', 'HELP');
  });

  // -------------------------------------------------------------------------------------------------
  // TIME, LASTSAVE, DEBUG (refused by default, as in Redis 7.0)

  s.test('TIME and LASTSAVE', async (d) => {
    await d.compare(['TIME'], (r, e) => {
      assert.ok(Array.isArray(r) && Array.isArray(e) && e.length === 2);
      assert.match(String(e[0]), /^[0-9]+$/);
      assert.match(String(e[1]), /^[0-9]{1,6}$/);
      assert.ok(Math.abs(Number(e[0]) - Number(r[0])) <= 2);
    });
    await d.same('TIME', 'x');
    await d.compare(['LASTSAVE'], (r, e) => {
      assert.equal(typeof r, 'number');
      assert.equal(typeof e, 'number');
    });
    await d.same('LASTSAVE', 'x');
    await d.resp3();
    await d.compare(['TIME'], (r, e) =>
      assert.equal((e as ParsedReply[]).length, (r as ParsedReply[]).length),
    );
  });

  s.test('DEBUG is refused unless enable-debug-command allows it', async (d) => {
    await d.same('DEBUG', 'SLEEP', '0');
    await d.same('DEBUG', 'HELP');
    await d.same('DEBUG');
    await d.same('CONFIG', 'SET', 'enable-debug-command', 'yes');
  });
});

differential(
  'server: DEBUG (enable-debug-command yes)',
  (s) => {
    s.test('DEBUG PROTOCOL, ERROR and SLEEP', async (d) => {
      const types = [
        'string',
        'integer',
        'double',
        'bignum',
        'null',
        'array',
        'set',
        'map',
        'attrib',
        'push',
        'verbatim',
        'true',
        'false',
        'STRING',
        'nosuch',
      ];
      for (const type of types) await d.same('DEBUG', 'PROTOCOL', type);
      await d.same('DEBUG', 'ERROR', 'my error');
      await d.same('DEBUG', 'ERROR', '');
      await d.same('DEBUG', 'error', 'two\r\nlines');
      await d.same('DEBUG', 'SLEEP', '0');
      await d.same('DEBUG', 'SLEEP', 'abc');
      await d.same('DEBUG', 'SLEEP');
      await d.same('DEBUG', 'NOSUCH');
      await d.same('DEBUG', 'PROTOCOL');
      await d.same('DEBUG');
      const started = Date.now();
      await d.same('DEBUG', 'SLEEP', '0.05');
      assert.ok(Date.now() - started >= 50);
      await d.resp3();
      for (const type of types) {
        if (type === 'attrib') continue; // RESP3 attributes: the engine sends the reply without the attribute
        if (type === 'push') {
          await d.same('DEBUG', 'PROTOCOL', 'push');
          await d.sameNext();
          continue;
        }
        await d.same('DEBUG', 'PROTOCOL', type);
      }
    });
  },
  { engine: { config: { 'enable-debug-command': 'yes' } }, redisArgs: ['--enable-debug-command', 'yes'] },
);

// ---------------------------------------------------------------------------------------------------
// Unit tests: values, against the engine itself

async function info(client: EngineClient, ...sections: string[]): Promise<Map<string, string>> {
  const reply = await client.call('INFO', ...sections);
  const fields = new Map<string, string>();
  for (const list of infoSections(reply).values()) for (const [n, v] of list) fields.set(n, v);
  return fields;
}

describe('INFO values', () => {
  it('reports the keyspace per database', async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const engine = new Engine({ clock });
    const c = new EngineClient(engine);
    assert.equal((await info(c, 'keyspace')).size, 0);
    await c.call('SET', 'a', '1');
    await c.call('SET', 'b', '1', 'PX', '100000');
    await c.call('SET', 'c', '1', 'PX', '300000');
    await c.call('SELECT', '5');
    await c.call('SET', 'x', '1');
    const fields = await info(c, 'keyspace');
    assert.equal(fields.get('db0'), 'keys=3,expires=2,avg_ttl=200000');
    assert.equal(fields.get('db5'), 'keys=1,expires=0,avg_ttl=0');
    assert.equal(fields.has('db1'), false);
    engine.close();
  });

  it('counts hits, misses, expired keys, commands, errors and connections', async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const engine = new Engine({ clock });
    const c = new EngineClient(engine);
    const other = new EngineClient(engine);
    await c.call('SET', 'k', 'v');
    await c.call('GET', 'k');
    await c.call('GET', 'nope');
    await c.call('SET', 't', 'v', 'PX', '10');
    clock.advance(20);
    await c.call('GET', 't');
    await c.call('NOSUCH');
    await c.call('HGET', 'k', 'f');
    await other.call('SUBSCRIBE', 'ch');
    await other.call('PSUBSCRIBE', 'p*', 'q*');
    const stats = await info(c, 'stats', 'errorstats', 'clients');
    assert.equal(stats.get('keyspace_hits'), '2'); // HGET finds the key, then fails on its type
    assert.equal(stats.get('keyspace_misses'), '2');
    assert.equal(stats.get('expired_keys'), '1');
    assert.equal(stats.get('total_connections_received'), '2');
    assert.equal(stats.get('connected_clients'), '2');
    assert.equal(stats.get('total_error_replies'), '2');
    assert.equal(stats.get('errorstat_ERR'), 'count=1');
    assert.equal(stats.get('errorstat_WRONGTYPE'), 'count=1');
    assert.equal(stats.get('pubsub_channels'), '1');
    assert.equal(stats.get('pubsub_patterns'), '2');
    // SET×2, GET×3, HGET, SUBSCRIBE, PSUBSCRIBE; the rejected NOSUCH is not a command run.
    assert.equal(stats.get('total_commands_processed'), '8');
    const commandstats = await info(c, 'commandstats');
    assert.match(
      commandstats.get('cmdstat_get')!,
      /^calls=3,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=0,failed_calls=0$/,
    );
    assert.match(commandstats.get('cmdstat_hget')!, /calls=1,.*failed_calls=1$/);
    assert.equal(commandstats.has('cmdstat_info'), true);
    assert.deepEqual(await c.call('CONFIG', 'RESETSTAT'), new StatusReply('OK'));
    const reset = await info(c, 'stats', 'commandstats', 'errorstats');
    assert.equal(reset.get('keyspace_hits'), '0');
    assert.equal(reset.get('total_error_replies'), '0');
    assert.equal(reset.get('total_connections_received'), '0');
    assert.equal(reset.has('errorstat_ERR'), false);
    assert.equal(reset.has('cmdstat_get'), false);
    assert.match(reset.get('cmdstat_config|resetstat')!, /^calls=1,/);
    engine.close();
  });

  it('reports server identity, uptime, time and persistence basics from the engine', async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const engine = new Engine({ clock });
    const c = new EngineClient(engine);
    clock.advance(2 * 86400 * 1000 + 5000);
    const fields = await info(c, 'server', 'persistence', 'replication', 'cluster', 'memory');
    assert.equal(fields.get('redis_version'), '7.0.15');
    assert.equal(fields.get('redis_mode'), 'standalone');
    assert.equal(fields.get('redkit_version'), '0.1.0');
    assert.equal(fields.get('process_id'), String(process.pid));
    assert.equal(fields.get('uptime_in_seconds'), String(2 * 86400 + 5));
    assert.equal(fields.get('uptime_in_days'), '2');
    assert.equal(fields.get('server_time_usec'), String(clock.now() * 1000));
    assert.equal(fields.get('tcp_port'), '6379');
    assert.equal(fields.get('hz'), '10');
    assert.match(fields.get('run_id')!, /^[0-9a-f]{40}$/);
    assert.equal(fields.get('loading'), '0');
    assert.equal(fields.get('aof_enabled'), '0');
    assert.equal(fields.get('rdb_last_save_time'), String(engine.lastSave));
    assert.equal(fields.get('role'), 'master');
    assert.equal(fields.get('connected_slaves'), '0');
    assert.equal(fields.get('cluster_enabled'), '0');
    assert.equal(fields.get('maxmemory_policy'), 'noeviction');
    assert.ok(Number(fields.get('used_memory')) > 0);
    assert.match(fields.get('used_memory_human')!, /^\d+\.\d\d[KMG]$/);
    await c.call('SET', 'a', '1');
    await c.call('SET', 'b', '1');
    assert.equal((await info(c, 'persistence')).get('rdb_changes_since_last_save'), '2');
    engine.close();
  });

  it('lays out sections with CRLF, blank lines between sections, verbatim in RESP3', async () => {
    const engine = new Engine({ clock: new ManualClock(1_700_000_000_000) });
    const c = new EngineClient(engine);
    const text = (await c.call('INFO', 'cluster', 'keyspace')) as VerbatimReply;
    assert.ok(text instanceof VerbatimReply);
    assert.equal(text.format, 'txt');
    assert.equal(text.text, '# Cluster\r\ncluster_enabled:0\r\n\r\n# Keyspace\r\n');
    assert.equal(((await c.call('INFO', 'nosuch')) as VerbatimReply).text, '');
    const all = ((await c.call('INFO', 'everything')) as VerbatimReply).text;
    assert.deepEqual(
      all.split('\r\n').filter((l) => l.startsWith('#')),
      [
        '# Server',
        '# Clients',
        '# Memory',
        '# Persistence',
        '# Stats',
        '# Replication',
        '# CPU',
        '# Modules',
        '# Commandstats',
        '# Errorstats',
        '# Latencystats',
        '# Cluster',
        '# Keyspace',
      ],
    );
    const def = ((await c.call('INFO')) as VerbatimReply).text;
    assert.ok(
      !def.includes('# Commandstats') && !def.includes('# Latencystats') && def.includes('# Errorstats'),
    );
    engine.close();
  });

  it('measures instantaneous_ops_per_sec between samples and latency percentiles', async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const engine = new Engine({ clock });
    const c = new EngineClient(engine);
    await info(c, 'stats');
    for (let i = 0; i < 99; i++) c.callSync('PING');
    clock.advance(1000);
    assert.equal((await info(c, 'stats')).get('instantaneous_ops_per_sec'), '100');
    const latency = await info(c, 'latencystats');
    assert.match(
      latency.get('latency_percentiles_usec_ping')!,
      /^p50=\d+\.\d{3},p99=\d+\.\d{3},p99\.9=\d+\.\d{3}$/,
    );
    c.callSync('CONFIG', 'SET', 'latency-tracking-info-percentiles', '25 100');
    assert.match(
      (await info(c, 'latencystats')).get('latency_percentiles_usec_ping')!,
      /^p25=[\d.]+,p100=[\d.]+$/,
    );
    c.callSync('CONFIG', 'SET', 'latency-tracking', 'no');
    assert.equal((await info(c, 'latencystats')).size, 0);
    engine.close();
  });
});

describe('TIME and LASTSAVE', () => {
  it('answer from the engine clock', () => {
    const clock = new ManualClock(1_700_000_000_123);
    const engine = new Engine({ clock });
    const c = new EngineClient(engine);
    assert.deepEqual(c.callSync('TIME'), ['1700000000', '123000']);
    assert.equal(c.callSync('LASTSAVE'), 1_700_000_000);
    engine.close();
  });
});

describe('CONFIG and the engine configuration', () => {
  it('CONFIG SET changes what the engine reads; aliases share one value', () => {
    const engine = new Engine();
    const c = new EngineClient(engine);
    assert.equal(engine.config.number('hash-max-listpack-entries'), 512);
    assert.deepEqual(c.callSync('CONFIG', 'SET', 'hash-max-ziplist-entries', '64'), new StatusReply('OK'));
    assert.equal(engine.config.number('hash-max-listpack-entries'), 64);
    assert.equal(engine.config.number('hash-max-ziplist-entries'), 64);
    c.callSync('CONFIG', 'SET', 'zset-max-listpack-value', '1kb');
    assert.equal(engine.config.number('zset-max-listpack-value'), 1024);
    c.callSync('CONFIG', 'SET', 'notify-keyspace-events', 'KEAn');
    assert.equal(engine.config.get('notify-keyspace-events'), 'AnKE');
    assert.deepEqual(
      c.callSync('CONFIG', 'GET', 'notify-keyspace-events'),
      new MapReply(['notify-keyspace-events', 'AKE']),
    );
    engine.close();
  });

  it('CONFIG SET is all or nothing', () => {
    const engine = new Engine();
    const c = new EngineClient(engine);
    const reply = c.callSync('CONFIG', 'SET', 'maxmemory', '5mb', 'timeout', '10', 'hz', 'x');
    assert.ok(reply instanceof ErrorReply);
    assert.equal(
      reply.message,
      "ERR CONFIG SET failed (possibly related to argument 'hz') - argument couldn't be parsed into an integer",
    );
    assert.equal(engine.config.get('maxmemory'), '0');
    assert.equal(engine.config.get('timeout'), '0');
    engine.close();
  });

  it('start-up options may set immutable parameters; protected ones follow enable-protected-configs', () => {
    const engine = new Engine({ config: { databases: '4', 'enable-protected-configs': 'local' } });
    assert.equal(engine.databases.length, 4);
    const c = new EngineClient(engine);
    assert.deepEqual(c.callSync('CONFIG', 'SET', 'dbfilename', 'other.rdb'), new StatusReply('OK'));
    const bad = c.callSync('CONFIG', 'SET', 'dbfilename', 'a/b.rdb') as ErrorReply;
    assert.equal(
      bad.message,
      "ERR CONFIG SET failed (possibly related to argument 'dbfilename') - dbfilename can't be a path, just a filename",
    );
    assert.throws(() => new Engine({ config: { nosuch: '1' } }), /Unknown option/);
    engine.close();
  });

  it('CONFIG GET shows the listening port of the connection, else the configured one', () => {
    const engine = new Engine({ config: { port: '7777' } });
    const c = new EngineClient(engine);
    assert.deepEqual(c.callSync('CONFIG', 'GET', 'port'), new MapReply(['port', '7777']));
    engine.close();
  });
});

describe('COMMAND introspection values', () => {
  it('COMMAND COUNT and LIST follow the engine command table', () => {
    const engine = new Engine();
    const c = new EngineClient(engine);
    assert.equal(c.callSync('COMMAND', 'COUNT'), engine.commands.size);
    const list = c.callSync('COMMAND', 'LIST') as string[];
    assert.ok(list.includes('client|setinfo') && list.includes('config|get') && list.includes('debug'));
    assert.deepEqual(
      (c.callSync('COMMAND', 'LIST', 'FILTERBY', 'ACLCAT', 'HYPERLOGLOG') as string[]).sort(),
      ['pfadd', 'pfcount', 'pfdebug', 'pfmerge', 'pfselftest'],
    );
    engine.close();
  });

  it('COMMAND GETKEYSANDFLAGS reports key flags', () => {
    const engine = new Engine();
    const c = new EngineClient(engine);
    const reply = c.callSync('COMMAND', 'GETKEYSANDFLAGS', 'copy', 'src', 'dst') as Reply[][];
    assert.equal(reply.length, 2);
    assert.equal(reply[0]![0], 'src');
    assert.equal(reply[1]![0], 'dst');
    engine.close();
  });
});

describe('DEBUG', () => {
  it('is refused by default and allowed for local clients with enable-debug-command local', () => {
    const refused = new EngineClient(new Engine());
    assert.match(
      (refused.callSync('DEBUG', 'SLEEP', '0') as ErrorReply).message,
      /^ERR DEBUG command not allowed/,
    );
    refused.engine.close();
    const engine = new Engine({ config: { 'enable-debug-command': 'local' } });
    const c = new EngineClient(engine);
    assert.deepEqual(c.callSync('DEBUG', 'SLEEP', '0'), new StatusReply('OK'));
    engine.close();
  });

  it('DEBUG SLEEP blocks the caller for that long', () => {
    const engine = new Engine({ config: { 'enable-debug-command': 'yes' } });
    const c = new EngineClient(engine);
    const started = performance.now();
    c.callSync('DEBUG', 'SLEEP', '0.03');
    assert.ok(performance.now() - started >= 29);
    engine.close();
  });
});
