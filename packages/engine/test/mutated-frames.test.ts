import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { Engine, RespServer } from '@redkit/engine';
import { findRedisServer, RawClient, type RedisServerHandle, startRedisServer } from '@redkit/test-utils';

/**
 * Robustness under hostile input: valid request frames, mutated at random (bit flips, truncation, huge
 * and negative lengths, bad type bytes, inline garbage, splits at every byte), sent over 64 connections
 * to the RESP server running in a child process (so an uncaught exception is a death, not a test error).
 * One clean client measures PING meanwhile. CI runs 50,000 frames; REDKIT_FULL=1 runs 1,000,000.
 * A second suite sends the same kind of frames to redis-server and the engine and compares, frame by
 * frame, what comes back and whether the connection is closed.
 */

const FULL = process.env.REDKIT_FULL === '1';
const STRESS_FRAMES = Number(process.env.MUTATED_FRAMES ?? (FULL ? 1_000_000 : 50_000));
const DIFFERENTIAL_FRAMES = Number(process.env.MUTATED_DIFF_FRAMES ?? (FULL ? 20_000 : 2_000));
const CONNECTIONS = 64;
const SEED = Number(process.env.MUTATED_SEED ?? Date.now() % 1_000_000);

/** A small deterministic generator (xorshift32), so a failing seed can be replayed. */
class Random {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0 || 1;
  }
  next(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
}

/**
 * Commands whose replies do not depend on time, randomness or other connections (per database), so
 * redis-server and the engine must answer them identically. No command here can allocate in proportion
 * to a number a bit flip could inflate (no SETRANGE/SETBIT offsets).
 */
const CORPUS: string[][] = [
  ['SET', 'k', 'value'],
  ['GET', 'k'],
  ['SET', 'n', '10'],
  ['INCR', 'n'],
  ['INCRBY', 'n', '5'],
  ['DECR', 'n'],
  ['DEL', 'k'],
  ['EXISTS', 'k', 'n'],
  ['APPEND', 'k', 'xyz'],
  ['STRLEN', 'k'],
  ['GETRANGE', 'k', '0', '2'],
  ['MSET', 'a', '1', 'b', '2'],
  ['MGET', 'a', 'b', 'c'],
  ['SETNX', 'c', '3'],
  ['GETSET', 'a', '9'],
  ['LPUSH', 'l', 'x', 'y'],
  ['RPUSH', 'l', 'z'],
  ['LPOP', 'l'],
  ['LRANGE', 'l', '0', '-1'],
  ['LLEN', 'l'],
  ['LINDEX', 'l', '1'],
  ['HSET', 'h', 'f', 'v', 'g', 'w'],
  ['HGET', 'h', 'f'],
  ['HGETALL', 'h'],
  ['HDEL', 'h', 'g'],
  ['HINCRBY', 'h', 'n', '3'],
  ['SADD', 's', '1', '2'],
  ['SCARD', 's'],
  ['SISMEMBER', 's', '2'],
  ['ZADD', 'z', '1', 'a', '2', 'b'],
  ['ZRANGE', 'z', '0', '-1', 'WITHSCORES'],
  ['ZSCORE', 'z', 'a'],
  ['ZINCRBY', 'z', '2', 'a'],
  ['TYPE', 'l'],
  ['EXPIRE', 'k', '100'],
  ['PERSIST', 'k'],
  ['ECHO', 'hello world'],
  ['PING'],
  ['PING', 'msg'],
  ['OBJECT', 'ENCODING', 'n'],
  ['INCRBYFLOAT', 'f', '1.5'],
  ['HINCRBYFLOAT', 'h', 'x', '2.5e3'],
  ['ZADD', 'z', '1.5', 'c'],
  ['ZRANGEBYSCORE', 'z', '(1', '+inf'],
  ['LPOS', 'l', 'x'],
  ['LINSERT', 'l', 'BEFORE', 'x', 'w'],
  ['LREM', 'l', '1', 'x'],
  ['SET', 'k', 'v', 'NX'],
  ['SET', 'k', 'w', 'XX', 'GET'],
  ['GETDEL', 'c'],
  ['HMGET', 'h', 'f', 'g'],
  ['SMISMEMBER', 's', '1', '3'],
  ['ZCARD', 'z'],
  ['ZREM', 'z', 'b'],
  ['SREM', 's', '1'],
  ['SETEX', 'e', '100', 'v'],
];

/** Extra commands for the stress run only (timing-dependent replies). */
const STRESS_ONLY: string[][] = [
  ['BLPOP', 'nolist', '0.01'],
  ['MULTI'],
  ['EXEC'],
  ['DISCARD'],
  ['SUBSCRIBE', 'ch'],
  ['UNSUBSCRIBE'],
  ['PUBLISH', 'ch', 'm'],
  ['TTL', 'k'],
];

function multibulk(argv: string[]): string {
  let out = `*${argv.length}\r\n`;
  for (const a of argv) out += `$${Buffer.byteLength(a, 'latin1')}\r\n${a}\r\n`;
  return out;
}

function inline(argv: string[], random: Random): string {
  return `${argv.map((a) => (a.includes(' ') || random.int(4) === 0 ? `"${a}"` : a)).join(' ')}\r\n`;
}

export type Mutation =
  | 'none'
  | 'bitflip'
  | 'truncate'
  | 'huge-length'
  | 'negative-length'
  | 'bad-type'
  | 'inline-garbage'
  | 'split';

const MUTATIONS: Mutation[] = [
  'none',
  'bitflip',
  'bitflip',
  'truncate',
  'huge-length',
  'negative-length',
  'bad-type',
  'inline-garbage',
  'split',
];

export interface Frame {
  bytes: Buffer;
  mutation: Mutation;
}

/** One to three commands, as multibulk or inline, then one mutation. */
function makeFrame(random: Random, corpus: string[][]): Frame {
  let text = '';
  const count = 1 + random.int(3);
  for (let i = 0; i < count; i++) {
    const argv = random.pick(corpus);
    text += random.int(5) === 0 ? inline(argv, random) : multibulk(argv);
  }
  const bytes = Buffer.from(text, 'latin1');
  const mutation = random.pick(MUTATIONS);
  return { bytes: mutate(bytes, mutation, random), mutation };
}

/** Positions of the length headers ('*' or '$' at the start of a line). */
function headerPositions(bytes: Buffer): number[] {
  const at: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    if ((bytes[i] === 0x2a || bytes[i] === 0x24) && (i === 0 || bytes[i - 1] === 0x0a)) at.push(i);
  }
  return at;
}

function replaceLength(bytes: Buffer, random: Random, make: () => string): Buffer {
  const headers = headerPositions(bytes);
  if (headers.length === 0) return bytes;
  const start = random.pick(headers);
  const end = bytes.indexOf('\r\n', start);
  return Buffer.concat([bytes.subarray(0, start + 1), Buffer.from(make()), bytes.subarray(end)]);
}

function mutate(bytes: Buffer, mutation: Mutation, random: Random): Buffer {
  switch (mutation) {
    case 'none':
    case 'split':
      return bytes;
    case 'bitflip': {
      const out = Buffer.from(bytes);
      const flips = 1 + random.int(3);
      for (let i = 0; i < flips; i++) {
        const at = random.int(out.length);
        out[at] = out[at]! ^ (1 << random.int(8));
      }
      return out;
    }
    case 'truncate':
      return bytes.subarray(0, random.int(bytes.length));
    case 'huge-length':
      return replaceLength(bytes, random, () =>
        random.pick([
          '536870912',
          '536870913',
          '2147483647',
          '2147483648',
          '9999999999999',
          '99999999999999999999',
        ]),
      );
    case 'negative-length':
      return replaceLength(bytes, random, () => random.pick(['-1', '-2', '-2147483648', '-0', '-']));
    case 'bad-type': {
      const headers = headerPositions(bytes);
      const out = Buffer.from(bytes);
      if (headers.length > 0)
        out[random.pick(headers)] = random.pick([0x3a, 0x2b, 0x2d, 0x00, 0xff, 0x25, 0x7e]);
      return out;
    }
    case 'inline-garbage': {
      const garbage = Buffer.alloc(1 + random.int(40));
      for (let i = 0; i < garbage.length; i++)
        garbage[i] = random.pick([0x22, 0x27, 0x5c, 0x20, 0x00, 0xff, 0x0d, 0x78, 0x61]);
      return Buffer.concat([garbage, Buffer.from(random.int(2) ? '\r\n' : '\n'), bytes]);
    }
  }
}

/* ------------------------------------------------------------------------------------------------------ */
/* The child process: the engine's RESP server alone, reporting its port and RSS on stdout.               */
/* ------------------------------------------------------------------------------------------------------ */

async function runChild(): Promise<void> {
  const engine = new Engine({ config: { loglevel: 'warning' } });
  const server = await RespServer.listen({ engine, port: 0 });
  process.stdout.write(`PORT ${server.port}\n`);
  setInterval(() => process.stdout.write(`RSS ${process.memoryUsage().rss}\n`), 50);
  // The parent closing our stdin (or dying) ends us.
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
}

/** A worker thread sending its share of the hostile frames (so the clean client's loop stays idle). */
interface HostileShare {
  role: 'hostile';
  port: number;
  frames: number;
  connections: number;
  seed: number;
}

async function runHostileShare(share: HostileShare): Promise<void> {
  let remaining = share.frames;
  const take = () => remaining-- > 0;
  const stats = { reconnects: 0 };
  await Promise.all(
    Array.from({ length: share.connections }, (_, i) =>
      hostileClient(share.port, new Random(share.seed * 7919 + i), take, stats),
    ),
  );
  parentPort!.postMessage(stats.reconnects);
}

const SENDER_THREADS = 4;

function sendFromThreads(port: number): Promise<number> {
  const shares = Array.from({ length: SENDER_THREADS }, (_, i) => {
    const share: HostileShare = {
      role: 'hostile',
      port,
      frames: Math.floor(STRESS_FRAMES / SENDER_THREADS) + (i === 0 ? STRESS_FRAMES % SENDER_THREADS : 0),
      connections: CONNECTIONS / SENDER_THREADS,
      seed: SEED * 31 + i,
    };
    const worker = new Worker(new URL(import.meta.url), { workerData: share });
    return new Promise<number>((resolve, reject) => {
      worker.once('message', (reconnects: number) => resolve(reconnects));
      worker.once('error', reject);
      worker.once('exit', (code) => code !== 0 && reject(new Error(`sender thread exited with ${code}`)));
    });
  });
  return Promise.all(shares).then((counts) => counts.reduce((a, b) => a + b, 0));
}

if (process.env.REDKIT_MUTATED_FRAMES_CHILD === '1') {
  await runChild();
} else if (!isMainThread && (workerData as HostileShare | undefined)?.role === 'hostile') {
  await runHostileShare(workerData as HostileShare);
} else {
  defineSuites();
}

/* ------------------------------------------------------------------------------------------------------ */

interface ChildServer {
  child: ChildProcessWithoutNullStreams;
  port: number;
  maxRss: () => number;
  stderr: () => string;
}

async function startChild(): Promise<ChildServer> {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url)], {
    env: { ...process.env, REDKIT_MUTATED_FRAMES_CHILD: '1' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  let maxRss = 0;
  let pending = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      pending += d.toString();
      let newline = pending.indexOf('\n');
      while (newline >= 0) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        if (line.startsWith('PORT ')) resolve(Number(line.slice(5)));
        else if (line.startsWith('RSS ')) maxRss = Math.max(maxRss, Number(line.slice(4)));
        newline = pending.indexOf('\n');
      }
    });
    child.once('exit', (code) => reject(new Error(`the server exited early (${code}): ${stderr}`)));
  });
  return { child, port, maxRss: () => maxRss, stderr: () => stderr };
}

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.off('error', reject);
      socket.setNoDelay(true);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** One of the 64 hostile clients: sends frames without waiting for replies, reconnecting when closed. */
async function hostileClient(
  port: number,
  random: Random,
  take: () => boolean,
  stats: { reconnects: number },
) {
  while (take()) {
    const socket = await openSocket(port);
    let closed = false;
    socket.on('data', () => {});
    socket.on('error', () => {});
    socket.on('close', () => {
      closed = true;
    });
    let sent = 0;
    // Fresh connections now and then: one stuck inside a huge claimed bulk would swallow the rest.
    const lifetime = 50 + random.int(400);
    do {
      const frame = makeFrame(random, random.int(8) === 0 ? STRESS_ONLY : CORPUS);
      if (frame.mutation === 'split') {
        for (let i = 0; i < frame.bytes.length; i++) socket.write(frame.bytes.subarray(i, i + 1));
      } else socket.write(frame.bytes);
      if (frame.mutation === 'huge-length' && random.int(2) === 0) break;
      if (++sent % 8 === 0) await new Promise((r) => setImmediate(r));
      if (socket.writableLength > 1 << 20) await new Promise((r) => setTimeout(r, 5));
    } while (!closed && sent < lifetime && take());
    socket.destroy();
    stats.reconnects++;
  }
}

function defineSuites(): void {
  describe('mutated protocol frames: the server stays up', () => {
    let server: ChildServer;
    before(async () => {
      server = await startChild();
    });
    after(() => {
      server?.child.stdin.end();
      server?.child.kill('SIGKILL');
    });

    it(`${STRESS_FRAMES} mutated frames over ${CONNECTIONS} connections (seed ${SEED})`, async (t) => {
      const started = performance.now();
      let sending = true;
      const all = sendFromThreads(server.port).finally(() => {
        sending = false;
      });
      // The clean client: PING after PING, each must be answered (generously: within 10 s).
      const clean = await RawClient.connect(server.port);
      const latencies: number[] = [];
      let lastFlush = performance.now();
      while (sending) {
        const t0 = performance.now();
        assert.equal((await clean.command(['PING'], 10_000)).toString(), '+PONG\r\n');
        latencies.push(performance.now() - t0);
        // The hostile frames write keys; keep the dataset small so RSS measures the server, not the data.
        if (t0 - lastFlush > 1000) {
          await clean.command(['FLUSHALL'], 10_000);
          lastFlush = t0;
        }
        await new Promise((r) => setTimeout(r, 2));
      }
      const reconnects = await all;
      const seconds = (performance.now() - started) / 1000;
      assert.equal((await clean.command(['PING'], 10_000)).toString(), '+PONG\r\n');
      clean.close();
      assert.equal(server.child.exitCode, null, 'the server process is alive');
      assert.equal(server.child.signalCode, null);
      await new Promise((r) => setTimeout(r, 120)); // one more RSS report
      latencies.sort((a, b) => a - b);
      const rssMb = server.maxRss() / 1024 / 1024;
      t.diagnostic(
        `frames=${STRESS_FRAMES} seconds=${seconds.toFixed(1)} frames/s=${Math.round(STRESS_FRAMES / seconds)} ` +
          `reconnects=${reconnects} pings=${latencies.length} ping p50=${percentile(latencies, 50).toFixed(2)}ms ` +
          `p99=${percentile(latencies, 99).toFixed(2)}ms max=${percentile(latencies, 100).toFixed(2)}ms ` +
          `max RSS=${rssMb.toFixed(0)}MB seed=${SEED}`,
      );
      assert.ok(latencies.length > 0);
      assert.ok(rssMb < 1024, `RSS stayed bounded (max ${rssMb.toFixed(0)} MB)`);
      assert.doesNotMatch(server.stderr(), /uncaught|Error|exception/i, 'nothing on the server’s stderr');
    });
  });

  const missing = !findRedisServer();
  describe('mutated protocol frames: same replies and closes as redis-server', {
    skip: missing ? 'redis-server is not installed' : false,
  }, () => {
    let redis: RedisServerHandle | null = null;
    let engineServer: RespServer | undefined;
    before(async () => {
      // A password keeps other test files' stray connections (a port reused between them) out of the data.
      redis = await startRedisServer();
      const admin = await RawClient.connect(redis!.port);
      assert.equal((await admin.command(['CONFIG', 'SET', 'requirepass', PASSWORD])).toString(), '+OK\r\n');
      admin.close();
      engineServer = await RespServer.listen({
        port: 0,
        engine: new Engine({ config: { requirepass: PASSWORD } }),
      });
    });
    after(async () => {
      await redis?.stop();
      await engineServer?.close();
      engineServer?.engine.close();
    });

    it(`${DIFFERENTIAL_FRAMES} frames, one fresh connection each (seed ${SEED})`, async (t) => {
      const WORKERS = 16; // one database each, so workers cannot see each other's keys
      const differences: string[] = [];
      let remaining = DIFFERENTIAL_FRAMES;
      const run = async (worker: number) => {
        const random = new Random(SEED * 104729 + worker);
        while (remaining-- > 0) {
          const frame = makeFrame(random, CORPUS);
          const [a, b] = (await exchange([redis!.port, engineServer!.port], worker, frame)) as [
            Outcome,
            Outcome,
          ];
          if (process.env.MUTATED_TRACE) {
            traces.push(
              `W${worker} ${frame.mutation} ${JSON.stringify(frame.bytes.toString('latin1'))} => ${JSON.stringify(a.bytes)} ${a.closed} | ${JSON.stringify(b.bytes)} ${b.closed}`,
            );
          }
          if (a.bytes !== b.bytes || a.closed !== b.closed) {
            differences.push(
              `${frame.mutation} ${JSON.stringify(frame.bytes.toString('latin1'))}\n` +
                `  redis:  ${JSON.stringify(a.bytes)} closed=${a.closed}\n  engine: ${JSON.stringify(b.bytes)} closed=${b.closed}`,
            );
          }
        }
      };
      const traces: string[] = [];
      await Promise.all(Array.from({ length: WORKERS }, (_, w) => run(w)));
      if (process.env.MUTATED_TRACE) writeFileSync(process.env.MUTATED_TRACE, traces.join('\n'));
      t.diagnostic(`frames=${DIFFERENTIAL_FRAMES} differences=${differences.length} seed=${SEED}`);
      assert.equal(differences.length, 0, differences.slice(0, 5).join('\n'));
    });
  });
}

type Outcome = { bytes: string; closed: boolean };

const PASSWORD = 'mutated-frames';
const SENTINEL = '@@end-of-frame@@';
const SENTINEL_REQUEST = Buffer.from(multibulk(['ECHO', SENTINEL]));

/** One fresh connection in a database, recording what the server sends and whether it closes. */
class Probe {
  data = '';
  closed = false;
  private wake: (() => void) | undefined;

  private constructor(readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.data += d.toString('latin1');
      this.wake?.();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
      this.wake?.();
    });
  }

  static async open(port: number, db: number): Promise<Probe> {
    const probe = new Probe(await openSocket(port));
    probe.socket.write(multibulk(['AUTH', PASSWORD]) + multibulk(['SELECT', String(db)]));
    await probe.waitFor(() => probe.data.length >= 10 || probe.closed, 2000);
    assert.equal(probe.data, '+OK\r\n+OK\r\n');
    probe.data = '';
    return probe;
  }

  send(frame: Frame): void {
    if (frame.mutation === 'split') {
      for (let i = 0; i < frame.bytes.length; i++) this.socket.write(frame.bytes.subarray(i, i + 1));
    } else this.socket.write(frame.bytes);
    this.socket.write(SENTINEL_REQUEST);
    // End of input: the server answers what it can, then closes; no timing decides what it processed.
    this.socket.end();
  }

  /** Waits until `done` or `ms`; a late timer first lets pending socket events in (a busy loop). */
  waitFor(done: () => boolean, ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(() => setImmediate(() => setImmediate(finish)), ms);
      this.wake = () => {
        if (done()) finish();
      };
      this.wake();
    });
  }
}

/**
 * Sends one frame to both servers on fresh connections (database `db`), followed by ECHO of a sentinel
 * and the end of input; waits for each server to close. The sentinel's reply shows whether the frame
 * left the parser ready for more (a frame that leaves it inside a bulk swallows the sentinel).
 */
async function exchange(ports: [number, number], db: number, frame: Frame): Promise<Outcome[]> {
  const probes = await Promise.all(ports.map((port) => Probe.open(port, db)));
  for (const probe of probes) probe.send(frame);
  await Promise.all(probes.map((probe) => probe.waitFor(() => probe.closed, 10_000)));
  for (const probe of probes) probe.socket.destroy();
  return probes.map((probe) => ({ bytes: probe.data, closed: probe.closed }));
}
