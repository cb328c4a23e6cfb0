import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, parseFrame, RawClient } from '@redkit/test-utils';
import { waitForPing } from './processes.js';
import { printTable, ratio, thousands } from './table.js';

const CLI = fileURLToPath(new URL('../../packages/redkit/dist/cli.js', import.meta.url));

interface Started {
  port: number;
  /** Milliseconds from spawn until PING answered (includes loading the file). */
  readyMs: number;
  /** "DB loaded from disk: x.xxx seconds" from the server's log, in ms. */
  loadMs: number;
  child: ChildProcess;
  log: () => string;
}

async function start(kind: 'engine' | 'redis', dir: string, file: string): Promise<Started> {
  const port = await freePort();
  const logFile = join(dir, `${kind}-${port}.log`);
  const t0 = performance.now();
  const child =
    kind === 'redis'
      ? spawn(
          'redis-server',
          [
            '--port',
            String(port),
            '--save',
            '',
            '--appendonly',
            'no',
            '--dir',
            dir,
            '--dbfilename',
            file,
          ].concat(['--logfile', logFile]),
          { stdio: ['ignore', 'ignore', 'ignore'] },
        )
      : spawn(
          process.execPath,
          [CLI, 'serve', '--port', String(port), '--dir', dir, '--dbfilename', file, '--logfile', logFile],
          { stdio: ['ignore', 'pipe', 'inherit'] },
        );
  let out = '';
  child.stdout?.on('data', (d) => (out += d));
  await waitForPing(port, child);
  // A server still loading answers -LOADING: ready means a real PONG.
  const probe = await RawClient.connect(port);
  while (JSON.stringify(parseFrame(await probe.command(['PING']))) !== '{"status":"PONG"}') {
    await new Promise((r) => setTimeout(r, 5));
  }
  probe.close();
  const readyMs = performance.now() - t0;
  const log = () => out + safeRead(logFile);
  let m = /DB loaded from disk: ([0-9.]+) seconds/.exec(log());
  for (let i = 0; !m && i < 100; i++) {
    await new Promise((r) => setTimeout(r, 10));
    m = /DB loaded from disk: ([0-9.]+) seconds/.exec(log());
  }
  return { port, readyMs, loadMs: m ? Number(m[1]) * 1000 : Number.NaN, child, log };
}

function safeRead(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function stop(s: Started): Promise<void> {
  return new Promise((resolve) => {
    if (s.child.exitCode !== null) return resolve();
    s.child.once('exit', () => resolve());
    s.child.kill('SIGKILL');
  });
}

/** The dataset: mostly small strings as redis-benchmark writes them, plus hashes, lists, sets and zsets. */
function datasetProtocol(keys: number): Buffer {
  const parts: string[] = [];
  const cmd = (...argv: string[]) => {
    parts.push(`*${argv.length}\r\n`);
    for (const a of argv) parts.push(`$${Buffer.byteLength(a)}\r\n${a}\r\n`);
  };
  for (let i = 0; i < keys; i++) {
    const key = `key:${String(i).padStart(12, '0')}`;
    const kind = i % 100;
    if (kind < 90) cmd('SET', key, 'xxx');
    else if (kind < 94) cmd('HSET', key, 'f1', 'v1', 'f2', 'v2', 'f3', String(i));
    else if (kind < 97) cmd('RPUSH', key, 'a', 'b', 'c', String(i));
    else if (kind < 99) cmd('SADD', key, '1', '2', '3', String(i));
    else cmd('ZADD', key, '1', 'a', '2.5', 'b', String(i), 'c');
  }
  return Buffer.from(parts.join(''));
}

async function timed(port: number, argv: string[]): Promise<number> {
  const c = await RawClient.connect(port);
  const t = performance.now();
  const reply = parseFrame(await c.command(argv, 600_000));
  const ms = performance.now() - t;
  c.close();
  if (reply && typeof reply === 'object' && 'error' in reply) throw new Error(`${argv[0]}: ${reply.error}`);
  return ms;
}

/** Max PING round trip while a BGSAVE runs, and the engine's "point-in-time view taken in" pause. */
async function bgsavePause(s: Started): Promise<{ maxPingMs: number; captureMs: number; totalMs: number }> {
  const c = await RawClient.connect(s.port);
  const t0 = performance.now();
  await c.command(['BGSAVE']);
  let maxPingMs = 0;
  for (;;) {
    const t = performance.now();
    const info = String(parseFrame(await c.command(['INFO', 'persistence'], 60_000)));
    maxPingMs = Math.max(maxPingMs, performance.now() - t);
    if (info.includes('rdb_bgsave_in_progress:0')) break;
    await new Promise((r) => setTimeout(r, 1));
  }
  const totalMs = performance.now() - t0;
  c.close();
  const m = /point-in-time view taken in ([0-9.]+) ms/.exec(s.log());
  return { maxPingMs, captureMs: m ? Number(m[1]) : Number.NaN, totalMs };
}

/**
 * Snapshot load rate: the same 1,000,000 keys saved by redis-server (its dump.rdb) and by the engine
 * (its own SAVE of the data it loaded from Redis's file), each loaded at start-up by its own server.
 */
export async function benchSnapshot(rounds: number): Promise<void> {
  const keys = Number(process.env.BENCH_SNAPSHOT_KEYS ?? 1_000_000);
  const dir = mkdtempSync(join(tmpdir(), 'redkit-bench-rdb-'));
  try {
    // 1. Redis builds the dataset and saves redis.rdb.
    const redis = await start('redis', dir, 'redis.rdb');
    const fed = spawnSync('redis-cli', ['-p', String(redis.port), '--pipe'], {
      input: datasetProtocol(keys),
      maxBuffer: 64 * 1024 * 1024,
    });
    if (fed.status !== 0) throw new Error(`redis-cli --pipe failed: ${fed.stderr}`);
    const redisSave = await timed(redis.port, ['SAVE']);
    await stop(redis);
    // Redis's own file of the data, kept aside for its load rounds.
    const redisDir = mkdtempSync(join(tmpdir(), 'redkit-bench-rdb-redis-'));
    copyFileSync(join(dir, 'redis.rdb'), join(redisDir, 'dump.rdb'));
    // 2. The engine loads Redis's file, then SAVEs its own over it (dbfilename is protected) and BGSAVEs.
    const engine = await start('engine', dir, 'redis.rdb');
    const c = await RawClient.connect(engine.port);
    const size = Number(parseFrame(await c.command(['DBSIZE'])));
    c.close();
    if (size !== keys) throw new Error(`engine loaded ${size} keys from redis.rdb, expected ${keys}`);
    const engineSave = await timed(engine.port, ['SAVE']);
    const pause = await bgsavePause(engine);
    await stop(engine);
    // 3. Load rounds, interleaved: each server loads its own file of the same data.
    const best = { engine: Infinity, engineReady: Infinity, redis: Infinity, redisReady: Infinity };
    try {
      for (let round = 0; round < rounds; round++) {
        const e = await start('engine', dir, 'redis.rdb');
        best.engine = Math.min(best.engine, e.loadMs);
        best.engineReady = Math.min(best.engineReady, e.readyMs);
        await stop(e);
        const r = await start('redis', redisDir, 'dump.rdb');
        best.redis = Math.min(best.redis, r.loadMs);
        best.redisReady = Math.min(best.redisReady, r.readyMs);
        await stop(r);
      }
    } finally {
      rmSync(redisDir, { recursive: true, force: true });
    }
    const rate = (ms: number) => thousands((keys / ms) * 1000);
    printTable(
      `Snapshot load at start-up, ${thousands(keys)} keys (90% strings, hashes/lists/sets/zsets), best of ${rounds}`,
      ['server', 'DB loaded from disk (ms)', 'keys/s', 'spawn → PING (ms)', 'SAVE (ms)'],
      [
        [
          'redkit engine',
          best.engine.toFixed(0),
          rate(best.engine),
          best.engineReady.toFixed(0),
          engineSave.toFixed(0),
        ],
        [
          'redis-server',
          best.redis.toFixed(0),
          rate(best.redis),
          best.redisReady.toFixed(0),
          redisSave.toFixed(0),
        ],
        ['engine / redis (load rate)', '', ratio(best.redis, best.engine), '', ''],
      ],
    );
    printTable(
      `Engine BGSAVE of ${thousands(keys)} keys`,
      [
        'point-in-time capture (event loop held, ms)',
        'max INFO round trip during BGSAVE (ms)',
        'BGSAVE total (ms)',
      ],
      [[pause.captureMs.toFixed(1), pause.maxPingMs.toFixed(1), pause.totalMs.toFixed(0)]],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
