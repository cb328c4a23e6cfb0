import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DiffPair, differential, type ParsedReply } from '@redkit/test-utils';

/**
 * Redis emits an ACL's single-command rules in its command dict's hash order, which changes with every
 * process: rule strings are compared as multisets of tokens (everything else byte for byte).
 */
function normaliseRules(reply: ParsedReply): ParsedReply {
  if (typeof reply === 'string') return reply.split(' ').sort().join(' ');
  if (Array.isArray(reply)) return reply.map(normaliseRules);
  if (reply && typeof reply === 'object') {
    const r = reply as Record<string, ParsedReply>;
    const out: Record<string, ParsedReply> = {};
    for (const key of Object.keys(r)) out[key] = normaliseRules(r[key]!);
    return out as ParsedReply;
  }
  return reply;
}

async function sameRules(d: DiffPair, ...argv: string[]): Promise<void> {
  await d.compare(argv, (redis, engine) =>
    assert.deepEqual(normaliseRules(engine), normaliseRules(redis), argv.join(' ')),
  );
}

/** ACL LOG entries without age-seconds and client-info (ids, addresses and ages differ). */
function logFields(reply: ParsedReply): ParsedReply {
  assert.ok(Array.isArray(reply), 'ACL LOG replies an array');
  return reply.map((entry) => {
    const items = Array.isArray(entry) ? entry : ((entry as { map: ParsedReply[] }).map ?? []);
    const out: ParsedReply[] = [];
    for (let i = 0; i < items.length; i += 2) {
      if (items[i] === 'age-seconds' || items[i] === 'client-info') continue;
      out.push(items[i]!, items[i + 1]!);
    }
    return out;
  });
}

async function sameLog(d: DiffPair, ...argv: string[]): Promise<void> {
  await d.compare(['ACL', 'LOG', ...argv], (redis, engine) =>
    assert.deepEqual(logFields(engine), logFields(redis)),
  );
}

/** Runs `body` with users created by `setup` lines, deleted after (so tests stay independent). */
async function withUsers(d: DiffPair, users: string[][], body: () => Promise<void>): Promise<void> {
  for (const u of users) await d.same('ACL', 'SETUSER', ...u);
  try {
    await body();
  } finally {
    await d.same('ACL', 'DELUSER', ...users.map((u) => u[0]!));
    await d.same('ACL', 'LOG', 'RESET');
  }
}

differential('acl: users, rules, AUTH, enforcement', (s) => {
  s.test('ACL subcommands: arity, help, categories, whoami, users', async (d) => {
    await d.same('ACL');
    await d.same('ACL', 'NOSUCH');
    await d.same('ACL', 'HELP');
    await d.same('ACL', 'HELP', 'x');
    await d.same('ACL', 'WHOAMI');
    await d.same('ACL', 'WHOAMI', 'x');
    await d.same('ACL', 'USERS');
    await d.same('ACL', 'LIST');
    await d.same('ACL', 'CAT');
    await d.same('ACL', 'CAT', 'nosuch');
    await d.same('ACL', 'CAT', 'a', 'b');
    // Every command the engine lists is in Redis's list (the engine lacks a few: DUMP, MIGRATE …).
    for (const cat of [
      'keyspace',
      'read',
      'write',
      'string',
      'pubsub',
      'admin',
      'dangerous',
      'scripting',
      'SET',
    ]) {
      await d.compare(['ACL', 'CAT', cat], (redis, engine) => {
        const known = new Set(redis as string[]);
        for (const name of engine as string[]) assert.ok(known.has(name), `${cat}: ${name}`);
      });
    }
    for (const cat of ['string', 'hash', 'list', 'sortedset', 'stream', 'hyperloglog', 'bitmap']) {
      await d.sameUnordered('ACL', 'CAT', cat);
    }
    await d.same('ACL', 'GETUSER');
    await d.same('ACL', 'GETUSER', 'nosuch');
    await d.same('ACL', 'SETUSER');
    await d.same('ACL', 'DELUSER');
    await d.same('ACL', 'DELUSER', 'nosuch');
    await d.same('ACL', 'DELUSER', 'default');
    await d.same('ACL', 'DELUSER', 'nosuch', 'default');
    await d.same('ACL', 'LOAD');
    await d.same('ACL', 'SAVE');
    await d.same('ACL', 'LOAD', 'x');
    await d.same('ACL', 'DRYRUN', 'default');
    await d.same('ACL', 'LOG', 'x');
    await d.same('ACL', 'LOG', '-1');
    await d.same('ACL', 'LOG', '1', '2');
    await d.sameUnordered('COMMAND', 'INFO', 'acl');
  });

  s.test('ACL GENPASS', async (d) => {
    for (const bits of ['1', '4', '5', '255', '4096']) {
      await d.compare(['ACL', 'GENPASS', bits], (redis, engine) => {
        assert.equal((engine as string).length, (redis as string).length);
        assert.match(engine as string, /^[0-9a-f]+$/);
      });
    }
    await d.compare(['ACL', 'GENPASS'], (redis, engine) =>
      assert.equal((engine as string).length, (redis as string).length),
    );
    for (const bad of ['0', '-1', '4097', 'x', '1.5']) await d.same('ACL', 'GENPASS', bad);
    await d.same('ACL', 'GENPASS', '1', '2');
  });

  s.test('SETUSER rules and their GETUSER / LIST descriptions', async (d) => {
    const cases: string[][] = [
      [],
      ['on'],
      ['on', 'nopass'],
      ['>pass1', '>pass2', '<pass1'],
      ['>a', 'resetpass'],
      ['#5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8'],
      ['!5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8'],
      ['#ABC'],
      ['<nosuch'],
      ['allkeys', '~foo'],
      ['~a*', '~b?', '%R~r*', '%W~w*', '%RW~rw*', '%R~a*', '~a*'],
      ['%X~a'],
      ['%R'],
      ['~a b'],
      ['allchannels', '&x'],
      ['&a*', '&b', '&a*', 'resetchannels', '&c'],
      ['+@all'],
      ['allcommands', '-get'],
      ['nocommands', '+get', '+set'],
      ['+@all', '-@dangerous'],
      ['-@all', '+@read', '-@write'],
      ['+@string', '+@hash', '-hset'],
      ['+@nosuch'],
      ['+nosuch'],
      ['-nosuch'],
      ['+config|get', '+config|set'],
      ['+config', '-config|set'],
      ['+config|nosuch'],
      ['+config|get|x'],
      ['+get|x'],
      ['-get|x'],
      ['+select|0', '+select|1', '+select|0'],
      ['+debug|'],
      ['+@all', '-@keyspace', '+del'],
      ['+@read', '+@write', '-@admin'],
      ['+@fast', '-@slow'],
      ['(+get ~k*)', '(+set ~v*)'],
      ['(+get', '~k*)'],
      ['(+get', '~k*'],
      ['(+nosuch)'],
      ['(+get)', 'clearselectors'],
      ['reset'],
      ['on', '>x', '+@all', '~*', 'reset'],
      ['skip-sanitize-payload'],
      ['sanitize-payload'],
      ['badrule'],
      ['ON', 'NOPASS', 'ALLKEYS', 'ALLCHANNELS', 'ALLCOMMANDS'],
      ['+@ALL', '-@STRING'],
      [''],
    ];
    for (const rules of cases) {
      await d.same('ACL', 'SETUSER', 'r', ...rules);
      await sameRules(d, 'ACL', 'GETUSER', 'r');
      await sameRules(d, 'ACL', 'LIST');
      await d.same('ACL', 'DELUSER', 'r');
    }
    // Rules accumulate over several SETUSER calls; a failing call changes nothing.
    await d.same('ACL', 'SETUSER', 'acc', 'on', '+get', '~a*');
    await d.same('ACL', 'SETUSER', 'acc', '+set', '~b*', 'bogus');
    await d.same('ACL', 'SETUSER', 'acc', '-get', '&ch');
    await sameRules(d, 'ACL', 'GETUSER', 'acc');
    await d.same('ACL', 'SETUSER', 'bad name');
    await d.same('ACL', 'SETUSER', 'x\0y');
    await d.same('ACL', 'USERS');
    await d.same('ACL', 'DELUSER', 'acc', 'acc', 'nosuch');
    await d.resp3();
    await d.same('ACL', 'SETUSER', 'r3', 'on', '>p', '+get', '~k', '(+set ~v)');
    await sameRules(d, 'ACL', 'GETUSER', 'r3');
    await d.same('ACL', 'DELUSER', 'r3');
  });

  s.test('AUTH and HELLO AUTH with users', async (d) => {
    await withUsers(
      d,
      [
        ['alice', 'on', '>apass', '+@all', '~*'],
        ['bob', 'off', '>bpass', '+@all', '~*'],
        ['nopassuser', 'on', 'nopass', '+@all', '~*'],
      ],
      async () => {
        const u = await d.pair();
        try {
          await u.same('AUTH', 'alice', 'wrong');
          await u.same('AUTH', 'nosuch', 'x');
          await u.same('AUTH', 'bob', 'bpass');
          await u.same('ACL', 'WHOAMI');
          await u.same('AUTH', 'alice', 'apass');
          await u.same('ACL', 'WHOAMI');
          await u.same('AUTH', 'nopassuser', 'anything');
          await u.same('ACL', 'WHOAMI');
          await u.compare(['HELLO', '3', 'AUTH', 'alice', 'apass'], () => {});
          await u.same('ACL', 'WHOAMI');
          await u.same('HELLO', '2', 'AUTH', 'alice', 'bad');
          await u.same('RESET');
          await u.same('ACL', 'WHOAMI');
          await sameLog(d);
        } finally {
          u.close();
        }
      },
    );
  });

  s.test('requirepass is the default user password', async (d) => {
    await d.same('CONFIG', 'SET', 'requirepass', 'secret');
    try {
      await sameRules(d, 'ACL', 'LIST');
      await sameRules(d, 'ACL', 'GETUSER', 'default');
      const u = await d.pair();
      try {
        await u.same('GET', 'k');
        await u.same('AUTH', 'secret');
        await u.same('ACL', 'WHOAMI');
      } finally {
        u.close();
      }
      await d.same('ACL', 'SETUSER', 'default', '>other');
      await sameRules(d, 'ACL', 'GETUSER', 'default');
      await d.same('CONFIG', 'GET', 'requirepass');
    } finally {
      await d.same('CONFIG', 'SET', 'requirepass', '');
    }
    await sameRules(d, 'ACL', 'LIST');
    // A disabled default user makes every new connection authenticate.
    await d.same('ACL', 'SETUSER', 'default', 'off');
    const u = await d.pair();
    try {
      await u.same('PING');
      await u.same('AUTH', 'default', 'x');
    } finally {
      u.close();
      await d.same('ACL', 'SETUSER', 'default', 'on');
    }
    await d.same('ACL', 'LOG', 'RESET');
  });

  s.test('enforcement: commands, subcommands, first args, keys, channels', async (d) => {
    await withUsers(
      d,
      [
        [
          'limited',
          'on',
          'nopass',
          '+get',
          '+set',
          '+mget',
          '+config|get',
          '+select|1',
          '+publish',
          '+subscribe',
          '+psubscribe',
          '+copy',
          '+lmove',
          '~k*',
          '%R~r*',
          '%W~w*',
          '&news.*',
        ],
      ],
      async () => {
        await d.same('SET', 'r1', 'v');
        const u = await d.pair();
        try {
          await u.same('AUTH', 'limited', 'x');
          await u.same('GET', 'k1');
          await u.same('SET', 'k1', 'v');
          await u.same('GET', 'r1');
          await u.same('SET', 'r1', 'v');
          await u.same('SET', 'w1', 'v');
          await u.same('GET', 'w1');
          await u.same('GET', 'other');
          await u.same('MGET', 'k1', 'r1', 'other');
          await u.same('COPY', 'r1', 'w2');
          await u.same('COPY', 'w1', 'r2');
          await u.same('LMOVE', 'k1', 'w1', 'LEFT', 'RIGHT');
          await u.same('DEL', 'k1');
          await u.same('CONFIG', 'GET', 'maxmemory');
          await u.same('CONFIG', 'SET', 'maxmemory', '0');
          await u.same('SELECT', '1');
          await u.same('SELECT', '2');
          await u.same('PUBLISH', 'news.a', 'm');
          await u.same('PUBLISH', 'sport', 'm');
          await u.same('NOSUCH');
          await u.same('GET');
          await u.same('ACL', 'WHOAMI');
          await u.same('MULTI');
          await u.same('GET', 'k1');
          await u.same('GET', 'other');
          await u.same('EXEC');
          await u.same('MULTI');
          await u.same('GET', 'k1');
          await u.same('DISCARD');
          await u.same('SUBSCRIBE', 'news.a', 'sport');
          await u.same('PSUBSCRIBE', 'news.*');
          await u.same('PSUBSCRIBE', 'news.a*');
        } finally {
          u.close();
        }
        await sameLog(d);
        await sameLog(d, '2');
        await d.same('ACL', 'DRYRUN', 'limited', 'GET', 'k1');
        await d.same('ACL', 'DRYRUN', 'limited', 'GET', 'x');
        await d.same('ACL', 'DRYRUN', 'limited', 'DEL', 'k1');
        await d.same('ACL', 'DRYRUN', 'limited', 'PUBLISH', 'sport', 'm');
        await d.same('ACL', 'DRYRUN', 'limited', 'CONFIG', 'SET', 'a', 'b');
        await d.same('ACL', 'DRYRUN', 'limited', 'NOSUCH');
        await d.same('ACL', 'DRYRUN', 'nosuch', 'GET', 'k');
        await d.same('ACL', 'DRYRUN', 'limited', 'GET');
        await d.same('ACL', 'DRYRUN', 'limited', 'CONFIG');
      },
    );
  });

  s.test('enforcement inside scripts and EXEC re-checks', async (d) => {
    await withUsers(
      d,
      [['scripter', 'on', 'nopass', '+eval', '+get', '+multi', '+exec', '+set', '~k*', '&ch']],
      async () => {
        const u = await d.pair();
        try {
          await u.same('AUTH', 'scripter', 'x');
          await u.same('EVAL', "return redis.call('get', KEYS[1])", '1', 'k1');
          await u.same('EVAL', "return redis.call('get', KEYS[1])", '1', 'other');
          await u.same('EVAL', "return redis.call('get', 'other')", '0');
          await u.same('EVAL', "return redis.pcall('get', 'other')", '0');
          await u.same('EVAL', "return redis.call('del', 'k1')", '0');
          await u.same('EVAL', "return redis.pcall('del', 'k1')", '0');
          await u.same('EVAL', "return redis.call('publish', 'x', 'm')", '0');
          await u.same('EVAL', "return redis.acl_check_cmd('get', 'k1')", '0');
          await u.same('EVAL', "return redis.acl_check_cmd('get', 'other')", '0');
          await u.same('EVAL', "return redis.acl_check_cmd('del', 'k1')", '0');
          await u.same('EVAL', "return redis.acl_check_cmd('nosuch')", '0');
          await u.same('MULTI');
          await u.same('SET', 'k1', 'v');
          await u.same('GET', 'k1');
          await d.same('ACL', 'SETUSER', 'scripter', '-get');
          await u.same('EXEC');
          await sameLog(d);
        } finally {
          u.close();
        }
      },
    );
  });

  s.test('deleting or restricting a user disconnects its clients', async (d) => {
    await withUsers(d, [['gone', 'on', 'nopass', '+@all', '~*', '&*']], async () => {
      const u = await d.pair();
      const sub = await d.pair();
      try {
        await u.same('AUTH', 'gone', 'x');
        await sub.same('AUTH', 'gone', 'x');
        await sub.same('SUBSCRIBE', 'a');
        await d.same('ACL', 'SETUSER', 'gone', 'resetchannels', '&b');
        await d.same('CLIENT', 'KILL', 'USER', 'nosuch');
        await d.same('ACL', 'DELUSER', 'gone');
        const raw = await u.sameRaw('*1\r\n$4\r\nPING\r\n');
        assert.equal(raw.closed, true);
      } finally {
        u.close();
        sub.close();
      }
      await d.same('ACL', 'SETUSER', 'gone', 'on');
    });
  });

  s.test('CLIENT KILL USER', async (d) => {
    await withUsers(d, [['killme', 'on', 'nopass', '+@all', '~*']], async () => {
      const u = await d.pair();
      try {
        await u.same('AUTH', 'killme', 'x');
        await d.same('CLIENT', 'KILL', 'USER', 'killme');
        await d.same('CLIENT', 'KILL', 'USER', 'nobody');
      } finally {
        u.close();
      }
    });
  });
});

differential(
  'acl: aclfile',
  (s) => {
    s.test('ACL SAVE and ACL LOAD', async (d) => {
      await d.same('ACL', 'SETUSER', 'saved', 'on', '>pw', '+get', '~k*', '&c', '(+set ~v*)');
      await d.same('ACL', 'SAVE');
      await d.same('ACL', 'SETUSER', 'saved', 'off');
      await d.same('ACL', 'SETUSER', 'unsaved', 'on');
      await d.same('ACL', 'LOAD');
      await sameRules(d, 'ACL', 'LIST');
      await d.same('ACL', 'WHOAMI');
    });
  },
  (() => {
    const dir = mkdtempSync(join(tmpdir(), 'redkit-acl-'));
    writeFileSync(join(dir, 'engine.acl'), '');
    writeFileSync(join(dir, 'redis.acl'), '');
    return {
      engine: { config: { aclfile: join(dir, 'engine.acl') } },
      redisArgs: ['--aclfile', join(dir, 'redis.acl')],
    };
  })(),
);

void readFileSync;
