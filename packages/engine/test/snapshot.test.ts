import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  AppendOnlyFile,
  Engine,
  EngineClient,
  loadSnapshotAtStartup,
  PersistenceError,
  RespServer,
  snapshotsOf,
} from '@redkit/engine';
import {
  differential,
  freePort,
  type ParsedReply,
  parseFrame,
  RawClient,
  startRedisServer,
} from '@redkit/test-utils';

type Send = (argv: Array<string | Buffer>) => Promise<ParsedReply>;

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'redkit-rdb-'));
  dirs.push(dir);
  return dir;
}
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const BINARY = Buffer.from([0, 1, 2, 13, 10, 0x7f, 0x80, 0xfe, 0xff]);
const LIBRARY = "#!lua name=snaplib\nredis.register_function('snapf', function() return 42 end)";

/** Every type and encoding, big and small, binary, TTLs, several databases, a function library. */
async function populate(send: Send): Promise<void> {
  const ok = async (...argv: Array<string | Buffer>) => {
    const reply = await send(argv);
    assert.ok(
      !(reply && typeof reply === 'object' && 'error' in reply),
      `${argv[0]}: ${JSON.stringify(reply)}`,
    );
  };
  await ok('SET', 'str', 'hello');
  await ok('SET', 'int', '12345');
  await ok('SET', 'neg', '-7');
  await ok('SET', 'long', 'lorem ipsum '.repeat(200));
  await ok('SET', BINARY, BINARY);
  await ok('SET', 'ttl', 'v', 'EX', '5000');
  await ok('SET', 'pttl', 'v', 'PXAT', String(Date.now() + 10_000_000));
  await ok('RPUSH', 'list', 'a', 'b', '1', '-70000', BINARY);
  const many: string[] = [];
  for (let i = 0; i < 2000; i++) many.push(`item-${i}-${'x'.repeat(i % 40)}`);
  await ok('RPUSH', 'biglist', ...many);
  await ok('SADD', 'intset', '1', '2', '-3', '100000');
  await ok('SADD', 'set', 'a', 'b', BINARY);
  await ok('SADD', 'bigset', ...many.slice(0, 700));
  await ok('HSET', 'hash', 'f', 'v', 'n', '5', BINARY, BINARY);
  const pairs: string[] = [];
  for (let i = 0; i < 600; i++) pairs.push(`f${i}`, `v${i}`);
  await ok('HSET', 'bighash', ...pairs);
  await ok('HSET', 'longhash', 'f', 'y'.repeat(200));
  await ok('ZADD', 'zset', '1', 'a', '2.5', 'b', '-inf', 'c', '1e300', 'd');
  const scored: string[] = [];
  for (let i = 0; i < 300; i++) scored.push(String(i / 7), `m${i}`);
  await ok('ZADD', 'bigzset', ...scored);
  for (let i = 1; i <= 120; i++) await ok('XADD', 'stream', `${i}-0`, 'f', `v${i}`, 'n', String(i));
  await ok('XADD', 'stream', '500-1', 'other', BINARY);
  await ok('XGROUP', 'CREATE', 'stream', 'g1', '0');
  await ok('XGROUP', 'CREATE', 'stream', 'g2', '$');
  await ok('XREADGROUP', 'GROUP', 'g1', 'alice', 'COUNT', '5', 'STREAMS', 'stream', '>');
  await ok('XREADGROUP', 'GROUP', 'g1', 'bob', 'COUNT', '3', 'STREAMS', 'stream', '>');
  await ok('XACK', 'stream', 'g1', '2-0');
  await ok('XGROUP', 'CREATECONSUMER', 'stream', 'g2', 'carol');
  await ok('XADD', 'emptystream', 'MAXLEN', '0', '7-7', 'a', 'b');
  await ok('SELECT', '5');
  await ok('SET', 'in-db-5', 'five');
  await ok('HSET', 'h5', 'a', '1');
  await ok('SELECT', '0');
  await ok('FUNCTION', 'LOAD', LIBRARY);
}

function withoutIdle(reply: ParsedReply): ParsedReply {
  return Array.isArray(reply) ? reply.map((e) => (Array.isArray(e) ? [e[0]!, e[1]!, e[3]!] : e)) : reply;
}

function sortedPairs(flat: ParsedReply): string[][] {
  const items = flat as string[];
  const out: string[][] = [];
  for (let i = 0; i < items.length; i += 2) out.push([items[i]!, items[i + 1]!]);
  return out.sort((a, b) => (a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : 0));
}

/** Everything observable about a server's dataset, normalised where Redis leaves order open. */
async function contents(send: Send): Promise<unknown> {
  const out: Record<string, unknown> = {};
  for (let db = 0; db < 16; db++) {
    await send(['SELECT', String(db)]);
    const keys = ((await send(['KEYS', '*'])) as string[]).sort();
    for (const key of keys) {
      const type = ((await send(['TYPE', key])) as { status: string }).status;
      const encoding = await send(['OBJECT', 'ENCODING', key]);
      const ttl = Number(await send(['TTL', key]));
      let value: unknown;
      if (type === 'string') value = await send(['GET', key]);
      else if (type === 'list') value = await send(['LRANGE', key, '0', '-1']);
      else if (type === 'set') value = ((await send(['SMEMBERS', key])) as string[]).sort();
      else if (type === 'hash') value = sortedPairs(await send(['HGETALL', key]));
      else if (type === 'zset') value = await send(['ZRANGE', key, '0', '-1', 'WITHSCORES']);
      else if (type === 'stream') {
        value = [
          await send(['XRANGE', key, '-', '+']),
          await send(['XINFO', 'GROUPS', key]),
          await send(['XPENDING', key, 'g1']),
          // Extended XPENDING without its idle times (which depend on when each server is asked).
          withoutIdle(await send(['XPENDING', key, 'g1', '-', '+', '100'])),
          await send(['XLEN', key]),
        ];
      }
      out[`${db}:${key}`] = { type, encoding, ttl: ttl > 0 ? Math.round(ttl / 100) : ttl, value };
    }
  }
  await send(['SELECT', '0']);
  out.functions = await send(['FUNCTION', 'LIST', 'WITHCODE']);
  return out;
}

function sender(client: RawClient): Send {
  return async (argv) => {
    const reply = parseFrame(await client.command(argv));
    return reply;
  };
}

/** An engine server whose config points at dir/name, after loading the file as `redkit serve` does. */
async function engineServer(dir: string, name: string, config: Record<string, string> = {}) {
  const engine = new Engine({ config: { dir, dbfilename: name, ...config } });
  snapshotsOf(engine).log = () => {};
  try {
    loadSnapshotAtStartup(engine);
  } catch (error) {
    engine.close();
    throw error;
  }
  const server = await RespServer.listen({ port: 0, engine });
  const client = await RawClient.connect(server.port);
  return {
    engine,
    client,
    send: sender(client),
    close: async () => {
      client.close();
      snapshotsOf(engine).close();
      await server.close();
      engine.close();
    },
  };
}

async function redisServer(dir: string, name: string, args = ['--dir', dir, '--dbfilename', name]) {
  const redis = await startRedisServer(args);
  assert.ok(redis, 'redis-server is required');
  const client = await RawClient.connect(redis.port);
  return {
    client,
    send: sender(client),
    close: async () => {
      client.close();
      await redis.stop();
    },
  };
}

describe('rdb snapshots: files interchange with redis-server', () => {
  it('loads a dump.rdb written by redis-server (SAVE)', async () => {
    const dir = tempDir();
    const redis = await redisServer(dir, 'dump.rdb');
    try {
      await populate(redis.send);
      assert.deepEqual(await redis.send(['SAVE']), { status: 'OK' });
      const engine = await engineServer(dir, 'dump.rdb');
      try {
        assert.deepEqual(await contents(engine.send), await contents(redis.send));
        assert.match(String(await engine.send(['INFO', 'persistence'])), /rdb_last_load_keys_loaded:21\r\n/);
      } finally {
        await engine.close();
      }
    } finally {
      await redis.close();
    }
  });

  it("redis-server loads the engine's SAVE file", async () => {
    const dir = tempDir();
    const engine = await engineServer(dir, 'engine.rdb');
    try {
      await populate(engine.send);
      assert.deepEqual(await engine.send(['SAVE']), { status: 'OK' });
      const redis = await redisServer(dir, 'engine.rdb');
      try {
        assert.deepEqual(await contents(redis.send), await contents(engine.send));
      } finally {
        await redis.close();
      }
    } finally {
      await engine.close();
    }
  });

  it("loads Redis's append-only file with an RDB base (aof-use-rdb-preamble yes)", async () => {
    const dir = tempDir();
    const redis = await startRedisServer([
      '--dir',
      dir,
      '--appendonly',
      'yes',
      '--aof-use-rdb-preamble',
      'yes',
      // everysec may postpone a write while a background fsync runs: the file must hold every reply's write.
      '--appendfsync',
      'always',
    ]);
    assert.ok(redis);
    const client = await RawClient.connect(redis.port);
    const send = sender(client);
    try {
      await populate(send);
      await send(['BGREWRITEAOF']);
      for (let i = 0; i < 100; i++) {
        const info = String(await send(['INFO', 'persistence']));
        if (info.includes('aof_rewrite_in_progress:0') && info.includes('aof_rewrite_scheduled:0')) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      // Writes after the rewrite land in the incr file, replayed after the RDB base.
      await send(['SET', 'after-rewrite', 'yes']);
      await send(['HSET', 'hash', 'added', 'later']);
      const engine = new Engine({ config: { dir, appendonly: 'yes' } });
      const aof = await AppendOnlyFile.open(engine, { log: () => {} });
      const server = await RespServer.listen({ port: 0, engine });
      const engineClient = await RawClient.connect(server.port);
      try {
        assert.deepEqual(await contents(sender(engineClient)), await contents(send));
      } finally {
        engineClient.close();
        aof.close();
        await server.close();
        engine.close();
      }
    } finally {
      client.close();
      await redis.stop();
    }
  });

  it('LRU idle times and LFU counters travel in the file both ways', async () => {
    for (const policy of ['allkeys-lru', 'allkeys-lfu']) {
      const dir = tempDir();
      const option = policy === 'allkeys-lru' ? ['IDLETIME', '1000'] : ['FREQ', '77'];
      const probe = policy === 'allkeys-lru' ? 'IDLETIME' : 'FREQ';
      const check = (value: number, where: string) =>
        assert.ok(
          policy === 'allkeys-lru' ? Math.abs(value - 1000) <= 2 : value === 77,
          `${probe} ${value} ${where}`,
        );
      const redisArgs = ['--dir', dir, '--dbfilename', 'r.rdb', '--maxmemory-policy', policy];
      const redis = await redisServer(dir, 'r.rdb', redisArgs);
      let payload: Buffer;
      try {
        await redis.send(['SET', 'src', 'v']);
        payload = Buffer.from((await redis.send(['DUMP', 'src'])) as string, 'latin1');
        await redis.send(['RESTORE', 'k', '0', payload, ...option]);
        await redis.send(['SAVE']);
      } finally {
        await redis.close();
      }
      const engine = await engineServer(dir, 'r.rdb', { 'maxmemory-policy': policy });
      try {
        check(Number(await engine.send(['OBJECT', probe, 'k'])), 'loaded by the engine');
        await engine.send(['DEL', 'k']);
        await engine.send(['RESTORE', 'k', '0', payload, ...option]);
        assert.equal(snapshotsOf(engine.engine).save(), true);
      } finally {
        await engine.close();
      }
      const again = await redisServer(dir, 'r.rdb', redisArgs);
      try {
        check(Number(await again.send(['OBJECT', probe, 'k'])), 'loaded by redis-server');
      } finally {
        await again.close();
      }
    }
  });

  it('keys already expired are dropped at load and counted', async () => {
    const dir = tempDir();
    const engine = new Engine({ config: { dir, dbfilename: 'e.rdb' } });
    snapshotsOf(engine).log = () => {};
    const c = new EngineClient(engine);
    await c.call('SET', 'gone', 'v', 'PX', '30');
    await c.call('SET', 'kept', 'v');
    await c.call('SAVE');
    engine.close();
    await new Promise((r) => setTimeout(r, 50));
    const reloaded = new Engine({ config: { dir, dbfilename: 'e.rdb' } });
    const lines: string[] = [];
    snapshotsOf(reloaded).log = (_level, line) => lines.push(line);
    assert.equal(loadSnapshotAtStartup(reloaded), true);
    assert.equal(reloaded.databases[0]!.size, 1);
    assert.ok(lines.includes('Done loading RDB, keys loaded: 1, keys expired: 1.'), lines.join('\n'));
    assert.ok(lines.some((l) => /^Loading RDB produced by version 7\.0\.15$/.test(l)));
    assert.ok(lines.some((l) => /^DB loaded from disk: \d+\.\d{3} seconds$/.test(l)));
    reloaded.close();
  });

  it('with appendonly yes the AOF wins: dump.rdb is not loaded', async () => {
    const dir = tempDir();
    const engine = new Engine({ config: { dir } });
    snapshotsOf(engine).log = () => {};
    await new EngineClient(engine).call('SET', 'k', 'v');
    snapshotsOf(engine).save();
    engine.close();
    const other = new Engine({ config: { dir, appendonly: 'yes' } });
    assert.equal(loadSnapshotAtStartup(other), false);
    assert.equal(other.databases[0]!.size, 0);
    other.close();
  });
});

describe('rdb snapshots: damaged files refuse to load', () => {
  async function savedFile(): Promise<{ dir: string; path: string }> {
    const dir = tempDir();
    const engine = new Engine({ config: { dir } });
    snapshotsOf(engine).log = () => {};
    const c = new EngineClient(engine);
    for (let i = 0; i < 200; i++) await c.call('SET', `key:${i}`, `value:${i}`);
    await c.call('RPUSH', 'list', 'a', 'b');
    assert.equal(snapshotsOf(engine).save(), true);
    engine.close();
    return { dir, path: join(dir, 'dump.rdb') };
  }

  function loadFails(dir: string, pattern: RegExp): void {
    const engine = new Engine({ config: { dir } });
    const lines: string[] = [];
    snapshotsOf(engine).log = (_l, m) => lines.push(m);
    assert.throws(
      () => loadSnapshotAtStartup(engine),
      (error: Error) => error instanceof PersistenceError && pattern.test(error.message),
    );
    assert.equal(engine.databases[0]!.size, 0, 'nothing loaded from a damaged file');
    assert.ok(lines.some((l) => pattern.test(l)));
    engine.close();
  }

  it('a truncated file: short read', async () => {
    const { dir, path } = await savedFile();
    const size = readFileSync(path).length;
    truncateSync(path, Math.floor(size / 2));
    loadFails(dir, /Short read or OOM loading DB\. Unrecoverable error, aborting now\./);
  });

  it('a flipped byte: wrong checksum', async () => {
    const { dir, path } = await savedFile();
    const data = readFileSync(path);
    data[200] = data[200]! ^ 0x20;
    writeFileSync(path, data);
    loadFails(dir, /Wrong RDB checksum expected: \([0-9a-f]+\) got: \([0-9a-f]+\)\. Aborting now\./);
  });

  it('not an RDB file at all', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'dump.rdb'), 'hello world, not a snapshot');
    loadFails(dir, /Wrong signature trying to load DB from file/);
  });

  it('`redkit serve` refuses to start on a damaged dump.rdb', async () => {
    const { dir, path } = await savedFile();
    truncateSync(path, 40);
    const cli = fileURLToPath(new URL('../../redkit/dist/cli.js', import.meta.url));
    const port = await freePort();
    const child = spawn(process.execPath, [cli, 'serve', '--port', String(port), '--dir', dir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.notEqual(code, 0);
    assert.match(output, /Short read or OOM loading DB/);
  });
});

describe('rdb snapshots: BGSAVE, save rules, shutdown', () => {
  it('BGSAVE while 20 clients write: a point-in-time file, and the server keeps answering', async () => {
    const dir = tempDir();
    const engine = await engineServer(dir, 'bg.rdb');
    try {
      const setup = new EngineClient(engine.engine);
      for (let i = 0; i < 30_000; i++) setup.callSync('SET', `k:${i}`, `original:${i}`);
      for (let i = 0; i < 200; i++) setup.callSync('RPUSH', `list:${i}`, 'a', 'b', 'c');
      assert.deepEqual(await engine.send(['BGSAVE']), { status: 'Background saving started' });
      // 20 writers change every key the file holds and add new ones, while a reader measures latency.
      let stop = false;
      let writes = 0;
      const writers = Array.from({ length: 20 }, (_, w) => {
        const c = new EngineClient(engine.engine);
        return (async () => {
          for (let n = 0; !stop; n++) {
            const i = (w * 1500 + n) % 30_000;
            await c.call('SET', `k:${i}`, 'changed');
            await c.call('RPUSH', `list:${i % 200}`, 'added');
            await c.call('SET', `new:${w}:${n}`, 'x');
            writes++;
            if (n % 50 === 0) await new Promise((r) => setImmediate(r));
          }
        })();
      });
      let maxGap = 0;
      for (;;) {
        const t = performance.now();
        await engine.send(['PING']);
        maxGap = Math.max(maxGap, performance.now() - t);
        const info = String(await engine.send(['INFO', 'persistence']));
        if (info.includes('rdb_bgsave_in_progress:0')) {
          assert.match(info, /rdb_last_bgsave_status:ok/);
          break;
        }
        await new Promise((r) => setTimeout(r, 2));
      }
      stop = true;
      await Promise.all(writers);
      assert.ok(writes > 0, 'writers made progress during the BGSAVE');
      assert.ok(maxGap < 250, `PING answered within ${maxGap.toFixed(1)} ms during BGSAVE`);
      const reloaded = new Engine({ config: { dir, dbfilename: 'bg.rdb' } });
      snapshotsOf(reloaded).log = () => {};
      loadSnapshotAtStartup(reloaded);
      const db = reloaded.databases[0]!;
      assert.equal(db.size, 30_200);
      for (let i = 0; i < 30_000; i++) assert.equal(db.data.get(`k:${i}`), `original:${i}`);
      const c = new EngineClient(reloaded);
      for (let i = 0; i < 200; i++)
        assert.deepEqual(await c.call('LRANGE', `list:${i}`, '0', '-1'), ['a', 'b', 'c']);
      reloaded.close();
    } finally {
      await engine.close();
    }
  });

  it('save rules start a BGSAVE after enough changes and time; INFO and LASTSAVE follow', async () => {
    const dir = tempDir();
    const engine = await engineServer(dir, 'rules.rdb', { save: '1 3' });
    try {
      snapshotsOf(engine.engine).startCron();
      const before = Number(await engine.send(['LASTSAVE']));
      for (let i = 0; i < 3; i++) await engine.send(['SET', `k${i}`, 'v']);
      assert.match(String(await engine.send(['INFO', 'persistence'])), /rdb_changes_since_last_save:3\r\n/);
      const deadline = Date.now() + 5000;
      while (!existsSync(join(dir, 'rules.rdb')) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      assert.ok(existsSync(join(dir, 'rules.rdb')), 'the save rule wrote the file');
      await new Promise((r) => setTimeout(r, 100));
      const info = String(await engine.send(['INFO', 'persistence']));
      assert.match(info, /rdb_changes_since_last_save:0\r\n/);
      assert.match(info, /rdb_saves:1\r\n/);
      assert.match(info, /rdb_last_bgsave_status:ok\r\n/);
      assert.ok(Number(await engine.send(['LASTSAVE'])) >= before);
    } finally {
      await engine.close();
    }
  });

  it('RESTORE is logged to the AOF with an absolute TTL (ABSTTL)', async () => {
    const dir = tempDir();
    const engine = new Engine({ config: { dir, appendonly: 'yes' } });
    const aof = await AppendOnlyFile.open(engine, { log: () => {} });
    const c = new EngineClient(engine);
    await c.call('SET', 'src', 'value');
    const payload = (await c.call('DUMP', 'src')) as string;
    const before = Date.now();
    await c.call('RESTORE', 'k', '100000', Buffer.from(payload, 'latin1'));
    await c.call('RESTORE', 'plain', '0', Buffer.from(payload, 'latin1'));
    await new Promise((r) => setImmediate(r));
    aof.close();
    const text = readFileSync(join(dir, 'appendonlydir', 'appendonly.aof.1.incr.aof'), 'latin1');
    const m = /RESTORE\r\n\$1\r\nk\r\n\$13\r\n(\d{13})\r\n[\s\S]*?ABSTTL/.exec(text);
    assert.ok(m, text);
    assert.ok(Number(m[1]) >= before + 100000 - 5);
    assert.ok(text.includes('$5\r\nplain\r\n$1\r\n0\r\n'));
    engine.close();
  });

  it('SHUTDOWN SAVE writes the snapshot before `redkit serve` exits; NOSAVE does not', async () => {
    for (const mode of ['SAVE', 'NOSAVE']) {
      const dir = tempDir();
      const { child, client } = await serveIn(dir);
      await client.command(['SET', 'k', 'v']);
      const exited = new Promise((resolve) => child.once('exit', resolve));
      client.write(Buffer.from(`*2\r\n$8\r\nSHUTDOWN\r\n$${mode.length}\r\n${mode}\r\n`));
      await exited;
      client.close();
      assert.equal(existsSync(join(dir, 'dump.rdb')), mode === 'SAVE');
      if (mode === 'SAVE') {
        const engine = new Engine({ config: { dir } });
        snapshotsOf(engine).log = () => {};
        loadSnapshotAtStartup(engine);
        assert.equal(engine.databases[0]!.data.get('k'), 'v');
        engine.close();
      }
    }
  });
});

describe('SHUTDOWN when the final save fails', () => {
  it("answers Redis's error and keeps `redkit serve` up", async () => {
    const dir = tempDir();
    const { child, client } = await serveIn(dir);
    try {
      await client.command(['SET', 'k', 'v']);
      rmSync(dir, { recursive: true, force: true }); // the snapshot cannot be written now
      assert.equal(
        String(await client.command(['SHUTDOWN', 'SAVE'])),
        '-ERR Errors trying to SHUTDOWN. Check logs.\r\n',
      );
      assert.equal(String(await client.command(['GET', 'k'])), '$1\r\nv\r\n', 'still serving');
      const exited = new Promise((resolve) => child.once('exit', resolve));
      client.write(Buffer.from('*2\r\n$8\r\nSHUTDOWN\r\n$6\r\nNOSAVE\r\n'));
      await exited;
    } finally {
      client.close();
      child.kill('SIGKILL');
    }
  });
});

/** `redkit serve` on a free port with its files in `dir`, and a client connected to it. */
async function serveIn(dir: string): Promise<{ child: ChildProcess; client: RawClient }> {
  const cli = fileURLToPath(new URL('../../redkit/dist/cli.js', import.meta.url));
  const port = await freePort();
  const child = spawn(process.execPath, [cli, 'serve', '--port', String(port), '--dir', dir], {
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  for (let i = 0; i < 100; i++) {
    const client = await RawClient.connect(port).catch(() => undefined);
    if (client) return { child, client };
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error('redkit serve did not start');
}

const flushDirs = {
  engine: mkdtempSync(join(tmpdir(), 'redkit-flush-')),
  redis: mkdtempSync(join(tmpdir(), 'redkit-flush-')),
};
dirs.push(flushDirs.engine, flushDirs.redis);
differential(
  'rdb snapshots: FLUSHALL saves the empty dataset when save rules exist',
  (s) => {
    s.test('the file is written and nothing is left unsaved', async (d) => {
      const persistence = async (client: RawClient) => {
        const info = String(parseFrame(await client.command(['INFO', 'persistence'])));
        return /rdb_changes_since_last_save:\d+/.exec(info)?.[0];
      };
      await d.same('MSET', 'a', '1', 'b', '2');
      assert.equal(await persistence(d.engine), await persistence(d.redis));
      await d.same('FLUSHALL');
      assert.equal(await persistence(d.engine), 'rdb_changes_since_last_save:0');
      assert.equal(await persistence(d.redis), 'rdb_changes_since_last_save:0');
      assert.ok(existsSync(join(flushDirs.engine, 'dump.rdb')));
      assert.ok(existsSync(join(flushDirs.redis, 'dump.rdb')));
      await d.same('SET', 'c', '3');
      await d.same('FLUSHDB');
      assert.equal(await persistence(d.engine), await persistence(d.redis));
    });
  },
  {
    engine: { config: { dir: flushDirs.engine, save: '3600 1' } },
    redisArgs: ['--dir', flushDirs.redis, '--save', '3600 1'],
  },
);

const diffDir = mkdtempSync(join(tmpdir(), 'redkit-rdb-diff-'));
dirs.push(diffDir);
differential(
  'rdb snapshots: SAVE, BGSAVE, LASTSAVE replies',
  (s) => {
    s.test('replies and errors as Redis gives them', async (d) => {
      await d.same('SET', 'k', 'v');
      await d.same('SAVE');
      await d.same('SAVE', 'x');
      await d.same('BGSAVE', 'x');
      await d.same('BGSAVE', 'SCHEDULE', 'x');
      await d.same('LASTSAVE', 'x');
      await d.compare(['LASTSAVE'], (r, e) => assert.ok(Math.abs(Number(r) - Number(e)) <= 2));
      await d.same('MULTI');
      await d.same('SAVE');
      await d.same('BGSAVE');
      await d.same('EXEC');
      await waitIdle(d.redis);
      await waitIdle(d.engine);
      await d.same('BGSAVE');
      await waitIdle(d.redis);
      await waitIdle(d.engine);
      await d.same('BGSAVE', 'schedule');
      await waitIdle(d.redis);
      await waitIdle(d.engine);
    });
  },
  {
    engine: { config: { dir: diffDir, dbfilename: 'engine.rdb' } },
    redisArgs: ['--dir', diffDir, '--dbfilename', 'redis.rdb'],
  },
);

async function waitIdle(client: RawClient): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const info = String(parseFrame(await client.command(['INFO', 'persistence'])));
    if (info.includes('rdb_bgsave_in_progress:0')) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('BGSAVE did not finish');
}

const misconfDirs = {
  engine: mkdtempSync(join(tmpdir(), 'redkit-misconf-')),
  redis: mkdtempSync(join(tmpdir(), 'redkit-misconf-')),
};
dirs.push(misconfDirs.engine, misconfDirs.redis);
differential(
  'rdb snapshots: writes refused while BGSAVE fails (stop-writes-on-bgsave-error)',
  (s) => {
    s.test(
      'MISCONF for writes, EXEC and PING; reads, read-only scripts and CONFIG SET still served',
      async (d) => {
        await d.same('SET', 'a', '1');
        // The directory disappears: the next BGSAVE cannot create its file.
        rmSync(misconfDirs.engine, { recursive: true, force: true });
        rmSync(misconfDirs.redis, { recursive: true, force: true });
        await d.same('BGSAVE');
        await waitIdle(d.redis);
        await waitIdle(d.engine);
        await d.same('SET', 'b', '2');
        await d.same('PING');
        await d.same('GET', 'a');
        await d.same('EVAL', "return redis.call('GET', 'a')", '0');
        await d.same('EVAL', "return redis.call('SET', 'c', '1')", '0');
        await d.same('EVAL', "return redis.pcall('SET', 'c', '1')", '0');
        await d.same('MULTI');
        await d.same('SET', 'x', '1');
        await d.same('EXEC');
        await d.same('CONFIG', 'SET', 'stop-writes-on-bgsave-error', 'no');
        await d.same('SET', 'b', '2');
        await d.same('CONFIG', 'SET', 'stop-writes-on-bgsave-error', 'yes');
        await d.same('SET', 'b', '3');
        // A BGSAVE that succeeds lifts the refusal. Engine only: Redis works inside the directory it
        // changed into at start, so a directory deleted and made again stays lost to it.
        mkdirSync(misconfDirs.engine, { recursive: true });
        assert.equal(String(await d.engine.command(['BGSAVE'])), '+Background saving started\r\n');
        await waitIdle(d.engine);
        assert.equal(String(await d.engine.command(['SET', 'b', '4'])), '+OK\r\n');
        assert.equal(String(await d.engine.command(['PING'])), '+PONG\r\n');
      },
    );
  },
  {
    engine: { config: { dir: misconfDirs.engine, save: '3600 1' } },
    redisArgs: ['--dir', misconfDirs.redis, '--save', '3600 1'],
  },
);
