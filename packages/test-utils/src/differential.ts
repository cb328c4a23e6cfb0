import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Engine, type EngineOptions, RespServer } from '@redkit/engine';
import { RawClient } from './raw-client.js';
import {
  findRedisServer,
  type RedisServerHandle,
  realRedisRequired,
  startRedisServer,
} from './redis-server.js';
import { type ParsedReply, parseFrame, showBytes } from './resp-frames.js';

type Arg = string | Buffer | number;

/**
 * One connection to real Redis and one to the engine's server, driven in lockstep. Every method sends
 * the same bytes to both and checks the replies: byte for byte, or as sets where Redis leaves the
 * order open.
 */
export class DiffPair {
  constructor(
    readonly redis: RawClient,
    readonly engine: RawClient,
    private readonly ports: { redis: number; engine: number },
  ) {}

  /** Sends to both and asserts the replies are identical bytes; returns the parsed reply. */
  async same(...argv: Arg[]): Promise<ParsedReply> {
    const [a, b] = await this.both(...argv);
    if (!a.equals(b)) {
      assert.fail(`${describeCommand(argv)}\n  redis:  ${showBytes(a)}\n  engine: ${showBytes(b)}`);
    }
    return parseFrame(a);
  }

  /** Asserts equal replies, ignoring the order of array elements at every level (SMEMBERS, HGETALL …). */
  async sameUnordered(...argv: Arg[]): Promise<ParsedReply> {
    const [a, b] = await this.both(...argv);
    const pa = normalise(parseFrame(a));
    const pb = normalise(parseFrame(b));
    assert.deepEqual(
      pb,
      pa,
      `${describeCommand(argv)}\n  redis:  ${showBytes(a)}\n  engine: ${showBytes(b)}`,
    );
    return parseFrame(a);
  }

  /** Asserts equal replies where a flat array holds pairs (HGETALL, ZRANGE WITHSCORES) in any order. */
  async samePairsUnordered(...argv: Arg[]): Promise<ParsedReply> {
    const [a, b] = await this.both(...argv);
    const pa = pairs(parseFrame(a));
    const pb = pairs(parseFrame(b));
    assert.deepEqual(
      pb,
      pa,
      `${describeCommand(argv)}\n  redis:  ${showBytes(a)}\n  engine: ${showBytes(b)}`,
    );
    return parseFrame(a);
  }

  /** Runs a custom comparison of the two parsed replies (random results, approximate numbers). */
  async compare(argv: Arg[], check: (redis: ParsedReply, engine: ParsedReply) => void): Promise<ParsedReply> {
    const [a, b] = await this.both(...argv);
    check(parseFrame(a), parseFrame(b));
    return parseFrame(a);
  }

  /** Sends to both and returns both raw replies without comparing. */
  async both(...argv: Arg[]): Promise<[redis: Buffer, engine: Buffer]> {
    return Promise.all([this.redis.command(argv), this.engine.command(argv)]);
  }

  /** Sends the same raw bytes to both and compares everything each sends back before closing. */
  async sameRaw(bytes: Buffer | string, timeoutMs = 1000): Promise<{ bytes: Buffer; closed: boolean }> {
    this.redis.write(bytes);
    this.engine.write(bytes);
    const [a, b] = await Promise.all([
      this.redis.readUntilClosed(timeoutMs),
      this.engine.readUntilClosed(timeoutMs),
    ]);
    assert.equal(showBytes(b.bytes), showBytes(a.bytes), `raw ${showBytes(Buffer.from(bytes))}`);
    assert.equal(b.closed, a.closed, `connection closed: redis ${a.closed}, engine ${b.closed}`);
    return a;
  }

  /** Sends a command whose reply comes later (a blocking command); await `.same()` on the result. */
  start(...argv: Arg[]): { same(): Promise<ParsedReply> } {
    const pa = this.redis.command(argv, 10_000);
    const pb = this.engine.command(argv, 10_000);
    return {
      same: async () => {
        const [a, b] = await Promise.all([pa, pb]);
        if (!a.equals(b))
          assert.fail(`${describeCommand(argv)}\n  redis:  ${showBytes(a)}\n  engine: ${showBytes(b)}`);
        return parseFrame(a);
      },
    };
  }

  /** Reads the next frame (a push message) from both and asserts they are the same. */
  async sameNext(timeoutMs = 2000): Promise<ParsedReply> {
    const [a, b] = await Promise.all([this.redis.readFrame(timeoutMs), this.engine.readFrame(timeoutMs)]);
    if (!a.equals(b)) assert.fail(`next frame\n  redis:  ${showBytes(a)}\n  engine: ${showBytes(b)}`);
    return parseFrame(a);
  }

  /** Switches both connections to RESP3 (the HELLO replies differ in the client id, so are not compared). */
  async resp3(): Promise<void> {
    await this.both('HELLO', '3');
  }

  /** Another pair of connections to the same two servers. */
  async pair(): Promise<DiffPair> {
    return openPair(this.ports);
  }

  close(): void {
    this.redis.close();
    this.engine.close();
  }
}

async function openPair(ports: { redis: number; engine: number }): Promise<DiffPair> {
  const [r, e] = await Promise.all([RawClient.connect(ports.redis), RawClient.connect(ports.engine)]);
  return new DiffPair(r, e, ports);
}

export interface DifferentialSuite {
  /** A test that starts with both servers empty (FLUSHALL) and a fresh pair of connections. */
  test(name: string, body: (d: DiffPair) => Promise<void>): void;
  /** The engine behind the engine's server (for white-box checks). */
  readonly engine: () => Engine;
}

/**
 * Declares a differential suite: a real redis-server and the engine's server, started once for the
 * file. Without redis-server the suite is skipped loudly (or fails under CI).
 */
export function differential(
  name: string,
  define: (suite: DifferentialSuite) => void,
  options: { engine?: EngineOptions; redisArgs?: string[] } = {},
): void {
  let redis: RedisServerHandle | null = null;
  let server: RespServer | undefined;
  let ports = { redis: 0, engine: 0 };
  const pairs: DiffPair[] = [];
  const missing = !hasRedisSync();
  if (missing) {
    console.warn(
      `\n!!! SKIPPING differential suite "${name}": redis-server is not installed (apt-get install redis-server)\n`,
    );
  }
  describe(name, { skip: missing ? 'redis-server not installed' : false }, () => {
    before(async () => {
      redis = await startRedisServer(options.redisArgs);
      if (!redis) throw new Error('redis-server vanished');
      server = await RespServer.listen({ port: 0, engine: new Engine(options.engine) });
      ports = { redis: redis.port, engine: server.port };
    });
    after(async () => {
      for (const p of pairs) p.close();
      await server?.close();
      server?.engine.close();
      await redis?.stop();
    });
    define({
      engine: () => server!.engine,
      test(testName, body) {
        it(testName, async () => {
          const d = await openPair(ports);
          pairs.push(d);
          await d.both('FLUSHALL');
          try {
            await body(d);
          } finally {
            d.close();
          }
        });
      },
    });
  });
}

let redisPresent: boolean | undefined;
function hasRedisSync(): boolean {
  if (redisPresent !== undefined) return redisPresent;
  if (realRedisRequired()) return (redisPresent = true); // a missing server then fails in before()
  redisPresent = findRedisServer() !== null;
  return redisPresent;
}

function describeCommand(argv: Arg[]): string {
  return argv.map((a) => (Buffer.isBuffer(a) ? showBytes(a) : JSON.stringify(String(a)))).join(' ');
}

function normalise(reply: ParsedReply): ParsedReply {
  if (Array.isArray(reply)) {
    const items = reply.map(normalise);
    return items.sort((x, y) => (JSON.stringify(x, big) < JSON.stringify(y, big) ? -1 : 1));
  }
  if (reply && typeof reply === 'object') {
    if ('set' in reply) return { set: normalise(reply.set) as ParsedReply[] };
    if ('map' in reply) return { map: pairs(reply.map) as ParsedReply[] };
  }
  return reply;
}

function pairs(reply: ParsedReply): ParsedReply {
  if (!Array.isArray(reply)) return reply;
  const out: ParsedReply[][] = [];
  for (let i = 0; i < reply.length; i += 2) out.push([reply[i]!, reply[i + 1]!]);
  return out.sort((x, y) => (JSON.stringify(x, big) < JSON.stringify(y, big) ? -1 : 1));
}

function big(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? `${value}n` : value;
}
