import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  AppendOnlyFile,
  checkAof,
  Engine,
  EngineClient,
  type Logger,
  PersistenceError,
  type Reply,
} from '@redkit/engine';

const FULL = process.env.REDKIT_FULL === '1';
const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'redkit-aof-'));
  dirs.push(dir);
  return dir;
}

interface Opened {
  engine: Engine;
  aof: AppendOnlyFile;
  client: EngineClient;
  logs: string[];
}

async function openAt(dir: string, config: Record<string, string> = {}): Promise<Opened> {
  const logs: string[] = [];
  const log: Logger = (level, message) => logs.push(`${level}: ${message}`);
  const engine = new Engine({ config: { appendonly: 'yes', dir, appendfsync: 'always', ...config } });
  const aof = await AppendOnlyFile.open(engine, { log });
  return { engine, aof, client: new EngineClient(engine), logs };
}

function shut(o: Opened): void {
  o.aof.close();
  o.engine.close();
}

const aofDir = (dir: string) => join(dir, 'appendonlydir');
function incrText(dir: string): string {
  const name = readdirSync(aofDir(dir)).find((n) => n.endsWith('.incr.aof'))!;
  return readFileSync(join(aofDir(dir), name), 'latin1');
}

/** The commands of an AOF text, as arrays (enough for tests: no CRLF inside arguments). */
function commandsOf(text: string): string[][] {
  const out: string[][] = [];
  const lines = text.split('\r\n');
  for (let i = 0; i < lines.length; ) {
    const line = lines[i++]!;
    if (!line.startsWith('*')) continue;
    const n = Number(line.slice(1));
    const argv: string[] = [];
    for (let j = 0; j < n; j++) {
      i++; // $len
      argv.push(lines[i++]!);
    }
    out.push(argv);
  }
  return out;
}

/** Every key with its type, value and whether it has a TTL, in a comparable form. */
async function snapshot(client: EngineClient): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (let db = 0; db < 4; db++) {
    await client.call('SELECT', db);
    const keys = ((await client.call('KEYS', '*')) as string[]).sort();
    for (const key of keys) {
      const type = String(((await client.call('TYPE', key)) as { status: string }).status);
      const ttl = Number(await client.call('PTTL', key)) > 0;
      let value: Reply | undefined;
      if (type === 'string') value = await client.call('GET', key);
      else if (type === 'list') value = await client.call('LRANGE', key, 0, -1);
      else if (type === 'set')
        value = ((await client.call('SMEMBERS', key)) as { items: string[] }).items.sort();
      else if (type === 'hash') value = await client.call('HGETALL', key);
      else if (type === 'zset') value = await client.call('ZRANGE', key, 0, -1, 'WITHSCORES');
      else if (type === 'stream') {
        value = [
          await client.call('XRANGE', key, '-', '+'),
          await client.call('XINFO', 'STREAM', key, 'FULL'),
        ];
      }
      // A consumer's seen-time is when it was last active, or (as in Redis) when the AOF was loaded.
      const json = JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? String(v) : v));
      out[`${db}:${key}`] = { type, ttl, value: json.replace(/"seen-time",\d+/g, '"seen-time"') };
    }
  }
  await client.call('SELECT', 0);
  return out;
}

describe('append-only file: what is logged', () => {
  it('relative expiries become absolute, random and float commands their effect', async () => {
    const dir = tempDir();
    const o = await openAt(dir);
    const c = o.client;
    await c.call('SET', 'a', '1', 'EX', '100');
    await c.call('SETEX', 'b', '100', 'v');
    await c.call('SET', 'plain', 'v');
    await c.call('EXPIRE', 'plain', '100');
    await c.call('SET', 'gone', 'v');
    await c.call('EXPIRE', 'gone', '-1');
    await c.call('SADD', 's', 'x', 'y', 'z');
    const popped = (await c.call('SPOP', 's')) as string;
    await c.call('INCRBYFLOAT', 'f', '0.1');
    await c.call('HINCRBYFLOAT', 'h', 'field', '2.5');
    const id = (await c.call('XADD', 'st', 'MAXLEN', '~', '100', '*', 'k', 'v')) as string;
    await c.call('GETEX', 'a', 'PERSIST');
    await c.call('SET', 'nx', 'v', 'NX', 'GET'); // logged as called
    await c.call('SET', 'nx', 'w', 'NX'); // no change: not logged
    await o.aof.sync();
    const cmds = commandsOf(incrText(dir));
    const at = String(o.engine.databases[0]!.expires.get('plain'));
    assert.deepEqual(cmds[0], ['SELECT', '0']);
    assert.equal(cmds[1]![0], 'SET');
    assert.deepEqual(cmds[1]!.slice(0, 4), ['SET', 'a', '1', 'PXAT']);
    assert.deepEqual(cmds[2]!.slice(0, 4), ['SET', 'b', 'v', 'PXAT']);
    assert.deepEqual(cmds[4], ['PEXPIREAT', 'plain', at]);
    assert.deepEqual(cmds[6], ['DEL', 'gone']);
    assert.deepEqual(cmds[8], ['SREM', 's', popped]);
    assert.deepEqual(cmds[9], ['SET', 'f', '0.1', 'KEEPTTL']);
    assert.deepEqual(cmds[10], ['HSET', 'h', 'field', '2.5']);
    assert.deepEqual(cmds[11], ['XADD', 'st', 'MAXLEN', '~', '100', id, 'k', 'v']);
    assert.deepEqual(cmds[12], ['PERSIST', 'a']);
    assert.deepEqual(cmds[13], ['SET', 'nx', 'v', 'NX', 'GET']);
    assert.equal(cmds.length, 14);
    shut(o);
  });

  it('transactions and scripts as whole MULTI/EXEC blocks, SELECT when the database changes', async () => {
    const dir = tempDir();
    const o = await openAt(dir);
    const c = o.client;
    await c.call('MULTI');
    await c.call('INCR', 'n');
    await c.call('SELECT', '2');
    await c.call('LPUSH', 'l', 'a');
    await c.call('EXEC');
    await c.call('SELECT', '0');
    await c.call(
      'EVAL',
      "redis.call('SET', KEYS[1], 'v', 'PX', 100000); return redis.call('SPOP', KEYS[2])",
      '2',
      'k',
      'nokey',
    );
    await c.call('EVAL', "redis.call('INCR', 'n'); redis.call('INCR', 'n'); return 1", '0');
    await c.call('EVAL', "return redis.call('GET', 'n')", '0'); // reads: nothing logged
    await o.aof.sync();
    const cmds = commandsOf(incrText(dir)).map((argv) => (argv[0] === 'SET' ? argv.slice(0, 4) : argv));
    assert.deepEqual(cmds, [
      ['MULTI'],
      ['SELECT', '0'],
      ['INCR', 'n'],
      ['SELECT', '2'],
      ['LPUSH', 'l', 'a'],
      ['EXEC'],
      ['SELECT', '0'],
      ['SET', 'k', 'v', 'PXAT'],
      ['MULTI'],
      ['INCR', 'n'],
      ['INCR', 'n'],
      ['EXEC'],
    ]);
    shut(o);
  });

  it('a blocked pop served later is logged as its non-blocking form; expired keys as DEL', async () => {
    const dir = tempDir();
    const o = await openAt(dir);
    const waiter = new EngineClient(o.engine);
    const served = waiter.call('BLPOP', 'queue', '0');
    const moved = new EngineClient(o.engine).call('BLMOVE', 'src', 'dst', 'LEFT', 'RIGHT', '0');
    await o.client.call('RPUSH', 'queue', 'job');
    await o.client.call('RPUSH', 'src', 'item');
    assert.deepEqual(await served, ['queue', 'job']);
    assert.equal(await moved, 'item');
    await o.client.call('SET', 'short', 'v', 'PX', '1');
    await new Promise((r) => setTimeout(r, 5));
    assert.equal(await o.client.call('GET', 'short'), null);
    await o.aof.sync();
    const cmds = commandsOf(incrText(dir)).map((argv) => (argv[0] === 'SET' ? argv.slice(0, 3) : argv));
    assert.deepEqual(cmds, [
      ['SELECT', '0'],
      ['RPUSH', 'queue', 'job'],
      ['LPOP', 'queue'],
      ['RPUSH', 'src', 'item'],
      ['LMOVE', 'src', 'dst', 'LEFT', 'RIGHT'],
      ['SET', 'short', 'v'],
      ['DEL', 'short'],
    ]);
    shut(o);
  });
});

describe('append-only file: restart and rewrite', () => {
  async function fill(c: EngineClient): Promise<void> {
    await c.call('SET', 'str', 'bin\x00\xff\r\nary');
    await c.call('SET', 'ttl', 'v', 'EX', '1000');
    await c.call('RPUSH', 'list', ...Array.from({ length: 150 }, (_, i) => `e${i}`));
    await c.call('SADD', 'intset', '1', '2', '3');
    await c.call('SADD', 'set', ...Array.from({ length: 200 }, (_, i) => `m${i}`));
    await c.call('HSET', 'hash', 'a', '1', 'b', '2');
    await c.call('ZADD', 'zset', '1.5', 'a', '-inf', 'b', '3.0000000000000004', 'c');
    await c.call('PFADD', 'hll', 'a', 'b', 'c');
    await c.call('XADD', 'stream', '1-1', 'f', 'v');
    await c.call('XADD', 'stream', '2-1', 'f', 'w');
    await c.call('XADD', 'stream', '3-1', 'f', 'x');
    await c.call('XDEL', 'stream', '3-1');
    await c.call('XGROUP', 'CREATE', 'stream', 'g', '0');
    await c.call('XREADGROUP', 'GROUP', 'g', 'alice', 'COUNT', '1', 'STREAMS', 'stream', '>');
    await c.call('XGROUP', 'CREATECONSUMER', 'stream', 'g', 'bob');
    await c.call('XADD', 'empty', 'MAXLEN', '0', '5-5', 'f', 'v');
    await c.call('SELECT', '3');
    await c.call('SET', 'in3', 'v');
    await c.call('SELECT', '0');
    await c.call('FUNCTION', 'LOAD', "#!lua name=lib\nredis.register_function('f', function() return 1 end)");
  }

  it('every type, TTL, stream groups and functions survive a restart, before and after BGREWRITEAOF', async () => {
    const dir = tempDir();
    let o = await openAt(dir);
    await fill(o.client);
    const before = await snapshot(o.client);
    shut(o);
    o = await openAt(dir);
    assert.deepEqual(await snapshot(o.client), before);
    assert.equal(await o.client.call('FCALL', 'f', '0'), 1);
    const started = (await o.client.call('BGREWRITEAOF')) as { status: string };
    assert.equal(started.status, 'Background append only file rewriting started');
    assert.match(
      ((await o.client.call('BGREWRITEAOF')) as { message: string }).message,
      /already in progress/,
    );
    while (o.aof.rewriteInProgress) await new Promise((r) => setTimeout(r, 5));
    const files = readdirSync(aofDir(dir)).sort();
    assert.deepEqual(files, [
      'appendonly.aof.2.base.aof',
      'appendonly.aof.2.incr.aof',
      'appendonly.aof.manifest',
    ]);
    shut(o);
    o = await openAt(dir);
    assert.deepEqual(await snapshot(o.client), before);
    assert.equal(await o.client.call('FCALL', 'f', '0'), 1);
    const info = JSON.stringify(await o.client.call('INFO', 'persistence'));
    assert.match(info, /aof_enabled:1.*aof_rewrite_in_progress:0.*aof_current_size:\d+.*aof_base_size:\d+/);
    shut(o);
  });

  it('writes made during a rewrite are neither lost nor applied twice', async () => {
    const dir = tempDir();
    const o = await openAt(dir, { appendfsync: 'no' });
    const c = o.client;
    for (let i = 0; i < 3000; i++) await c.call('SET', `k${i}`, String(i));
    await c.call('RPUSH', 'growing', 'start');
    assert.equal(o.aof.startRewrite(), true);
    let i = 0;
    while (o.aof.rewriteInProgress) {
      await c.call('INCR', 'counter');
      await c.call('RPUSH', 'growing', String(i));
      await c.call('DEL', `k${i}`);
      await c.call('SET', `new${i}`, 'v', 'PX', '100000');
      i++;
      // In-process calls settle in microtasks: let the rewrite's slices (setImmediate) run between them.
      if (i % 10 === 0) await new Promise((r) => setImmediate(r));
    }
    for (let j = 0; j < 10; j++) await c.call('INCR', 'counter');
    const before = await snapshot(c);
    assert.ok(i > 0, 'some writes happened during the rewrite');
    shut(o);
    const again = await openAt(dir);
    assert.equal(await again.client.call('GET', 'counter'), String(i + 10));
    assert.deepEqual(await snapshot(again.client), before);
    shut(again);
  });

  it('rewrites automatically once the file grows past auto-aof-rewrite-percentage', async () => {
    const dir = tempDir();
    const o = await openAt(dir, {
      appendfsync: 'everysec',
      'auto-aof-rewrite-min-size': '10000',
      'auto-aof-rewrite-percentage': '100',
    });
    for (let i = 0; i < 500; i++) await o.client.call('SET', 'same', 'x'.repeat(40));
    for (let t = 0; t < 300 && o.aof.rewrites === 0; t++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(o.aof.rewrites, 1);
    assert.ok(o.aof.currentSize < 1000, `compacted to ${o.aof.currentSize} bytes`);
    assert.ok(o.logs.some((l) => l.includes('automatic rewriting')));
    shut(o);
  });
});

/** A 1,000-command AOF: single SETs and MULTI blocks of two SETs, each unit adding distinct keys. */
function thousandCommands(): { text: string; unitEnds: number[]; unitKeys: number[] } {
  let text = '';
  const unitEnds: number[] = [];
  const unitKeys: number[] = [];
  const cmd = (argv: string[]) => {
    text += `*${argv.length}\r\n${argv.map((a) => `$${a.length}\r\n${a}\r\n`).join('')}`;
  };
  let commands = 0;
  let keys = 0;
  for (let u = 0; commands < 1000; u++) {
    if (u % 5 === 4 && commands + 4 <= 1000) {
      cmd(['MULTI']);
      cmd(['SET', `a${u}`, `v\r\n${u}`]);
      cmd(['SET', `b${u}`, `w${u}`]);
      cmd(['EXEC']);
      commands += 4;
      keys += 2;
    } else {
      cmd(['SET', `k${u}`, String(u)]);
      commands++;
      keys++;
    }
    unitEnds.push(text.length);
    unitKeys.push(keys);
  }
  return { text, unitEnds, unitKeys };
}

describe('append-only file: loading', () => {
  it('time stays frozen through the whole load, also after a MULTI block (no key expires mid-replay)', async () => {
    const dir = tempDir();
    const resp = (...argv: string[]) =>
      `*${argv.length}\r\n${argv.map((a) => `$${a.length}\r\n${a}\r\n`).join('')}`;
    const past = String(Date.now() - 60_000); // alive when logged, long gone by the time the file loads
    writeFileSync(
      join(dir, 'appendonly.aof'),
      resp('SELECT', '0') +
        resp('MULTI') +
        resp('SET', 'a', '1') +
        resp('EXEC') +
        resp('SET', 'k', '5', 'PXAT', past) +
        resp('INCR', 'k') +
        resp('PERSIST', 'k'),
      'latin1',
    );
    const o = await openAt(dir);
    assert.equal(o.client.callSync('GET', 'k'), '6');
    assert.equal(o.client.callSync('PTTL', 'k'), -1);
    shut(o);
  });
});

describe('append-only file: damaged files', () => {
  it('an AOF cut at any byte offset loads its longest complete prefix (a MULTI block whole or not at all)', async () => {
    const { text, unitEnds, unitKeys } = thousandCommands();
    const offsets: number[] = [];
    const step = FULL ? 1 : Math.max(1, Math.floor(text.length / 400));
    for (let cut = 0; cut <= text.length; cut += step) offsets.push(cut);
    for (const end of unitEnds.slice(0, 20)) offsets.push(end - 1, end, end + 1); // around unit boundaries
    for (const cut of offsets) {
      if (cut > text.length) continue;
      const dir = tempDir();
      const aofPath = join(dir, 'appendonly.aof'); // a pre-7.0 single file, upgraded on load
      writeFileSync(aofPath, text.slice(0, cut), 'latin1');
      let complete = 0;
      while (complete < unitEnds.length && unitEnds[complete]! <= cut) complete++;
      const o = await openAt(dir);
      assert.equal(o.engine.databases[0]!.size, complete === 0 ? 0 : unitKeys[complete - 1], `cut at ${cut}`);
      const truncated = cut !== (complete === 0 ? 0 : unitEnds[complete - 1]);
      assert.equal(
        o.logs.some((l) => l.includes('short read')),
        truncated,
        `warning at cut ${cut}`,
      );
      shut(o);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('garbage in the middle refuses to start, saying where and how to repair; check-aof reports and truncates', async () => {
    const { text } = thousandCommands();
    const dir = tempDir();
    const middle = Math.floor(text.length / 2);
    const at = text.indexOf('*', middle);
    writeFileSync(join(dir, 'appendonly.aof'), `${text.slice(0, at)}#garbage${text.slice(at)}`, 'latin1');
    const engine = new Engine({ config: { appendonly: 'yes', dir } });
    await assert.rejects(AppendOnlyFile.open(engine, { log: () => {} }), (error: Error) => {
      assert.ok(error instanceof PersistenceError);
      assert.match(error.message, new RegExp(`at offset ${at}`));
      assert.match(error.message, /redkit check-aof --fix/);
      return true;
    });
    engine.close();
    const report = await checkAof(join(dir, 'appendonly.aof'));
    assert.equal(report.ok, false);
    assert.match(report.lines.join('\n'), new RegExp(`ok_up_to=${at}`));
    const fixed = await checkAof(join(dir, 'appendonly.aof'), { fix: true });
    assert.equal(fixed.fixed, true);
    assert.equal((await checkAof(join(dir, 'appendonly.aof'))).ok, true);
    const o = await openAt(dir);
    assert.ok(o.engine.databases[0]!.size > 100);
    shut(o);
  });

  it('a truncated tail is refused with aof-load-truncated no; check-aof --fix on the manifest repairs it', async () => {
    const dir = tempDir();
    let o = await openAt(dir);
    for (let i = 0; i < 10; i++) await o.client.call('SET', `k${i}`, 'v');
    shut(o);
    const incr = join(aofDir(dir), 'appendonly.aof.1.incr.aof');
    const content = readFileSync(incr, 'latin1');
    writeFileSync(incr, content.slice(0, content.length - 3), 'latin1');
    const engine = new Engine({ config: { appendonly: 'yes', dir, 'aof-load-truncated': 'no' } });
    await assert.rejects(
      AppendOnlyFile.open(engine, { log: () => {} }),
      /Unexpected end of file.*check-aof --fix/,
    );
    engine.close();
    const manifest = join(aofDir(dir), 'appendonly.aof.manifest');
    assert.equal((await checkAof(manifest)).ok, false);
    assert.equal((await checkAof(manifest, { fix: true })).fixed, true);
    o = await openAt(dir, { 'aof-load-truncated': 'no' });
    assert.equal(o.engine.databases[0]!.size, 9);
    shut(o);
  });
});
