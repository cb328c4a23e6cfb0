import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Engine, RespServer } from '@redkit/engine';
import { type RedisServerHandle, startRedisServer } from '@redkit/test-utils';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { RedisCommandError } from '../errors.js';
import { connect } from './connect.js';
import { LuaScript, type RedisPort } from './port.js';

/** Every backend must behave the same through the port: the embedded engine, and both client libraries. */
const backends: Array<[name: string, open: () => Promise<RedisPort>]> = [];
let redis: RedisServerHandle | null = null;
let engineServer: RespServer;
const owned: Array<{ quit(): Promise<unknown> } | { close(): Promise<unknown> }> = [];

before(async () => {
  redis = await startRedisServer();
  engineServer = await RespServer.listen({ port: 0, engine: new Engine() });
});
after(async () => {
  for (const c of owned) await ('quit' in c ? c.quit() : c.close()).catch(() => {});
  await engineServer.close();
  engineServer.engine.close();
  await redis?.stop();
});

backends.push(['embedded engine', () => connect()]);
backends.push(['ioredis → engine server', () => connect(`redis://127.0.0.1:${engineServer.port}`)]);
backends.push(['ioredis → redis-server (URL)', () => connect(`redis://127.0.0.1:${redis!.port}`)]);
backends.push([
  'ioredis → redis-server (wrapped client)',
  async () => {
    const client = new Redis({ port: redis!.port });
    owned.push(client);
    return connect(client);
  },
]);
backends.push([
  'node-redis → redis-server (wrapped client)',
  async () => {
    const client = createClient({ socket: { port: redis!.port } });
    client.on('error', () => {});
    owned.push(client);
    return connect(client);
  },
]);

for (const [name, open] of backends) {
  describe(`client port: ${name}`, () => {
    let port: RedisPort;
    before(async () => {
      port = await open();
      await port.send('FLUSHALL');
    });
    after(() => port.close());

    it('sends commands with UTF-8 text and binary data', async () => {
      assert.equal(await port.send('SET', 'greeting', 'héllo wörld'), 'OK');
      assert.equal(await port.send('GET', 'greeting'), 'héllo wörld');
      assert.equal(await port.send('STRLEN', 'greeting'), 13);
      const bytes = Buffer.from([0, 1, 254, 255, 13, 10]);
      await port.send('SET', 'binary', bytes);
      assert.deepEqual(await port.sendBuffer('GET', 'binary'), bytes);
      assert.equal(await port.send('GET', 'missing'), null);
      assert.equal(await port.send('INCRBY', 'n', 5), 5);
      await port.send('HSET', 'h', 'a', '1');
      assert.deepEqual(await port.send('HGETALL', 'h'), ['a', '1']);
      await port.ping();
    });

    it("rejects error replies with RedisCommandError carrying Redis's code", async () => {
      await assert.rejects(port.send('INCR', 'greeting'), (e: unknown) => {
        assert.ok(e instanceof RedisCommandError);
        assert.equal(e.code, 'ERR');
        assert.match(e.message, /not an integer/);
        return true;
      });
      await port.send('LPUSH', 'list', 'x');
      await assert.rejects(
        port.send('GET', 'list'),
        (e: unknown) => e instanceof RedisCommandError && e.code === 'WRONGTYPE',
      );
    });

    it('pipelines and transactions return each reply or error in place', async () => {
      const piped = await port.pipeline([
        ['SET', 'p', '1'],
        ['INCR', 'p'],
        ['INCR', 'greeting'],
        ['GET', 'p'],
      ]);
      assert.deepEqual(piped.slice(0, 2), ['OK', 2]);
      assert.ok(piped[2] instanceof RedisCommandError);
      assert.equal(piped[3], '2');
      const tx = await port.transaction([
        ['INCR', 't'],
        ['INCR', 't'],
        ['LPUSH', 'greeting', 'x'],
      ]);
      assert.deepEqual(tx.slice(0, 2), [1, 2]);
      assert.ok(tx[2] instanceof RedisCommandError);
    });

    it('runs scripts with EVALSHA, loading them with EVAL only on NOSCRIPT', async (t) => {
      const probe = await port.send('SCRIPT', 'FLUSH').catch((e: Error) => e);
      if (probe instanceof Error && /unknown command/.test(probe.message))
        return t.skip('no scripting on this backend yet');
      const script = new LuaScript("return redis.call('INCRBY', KEYS[1], ARGV[1])");
      assert.equal(await port.runScript(script, ['s'], [2]), 2);
      assert.deepEqual(await port.send('SCRIPT', 'EXISTS', script.sha), [1]);
      assert.equal(await port.runScript(script, ['s'], [3]), 5);
    });

    it('subscribes to channels and patterns, with binary messages intact', async () => {
      const received: Array<[string, string]> = [];
      const got = (n: number) =>
        new Promise<void>((resolve) => {
          const check = () => (received.length >= n ? resolve() : setTimeout(check, 5));
          check();
        });
      const direct = await port.subscribe(['news'], (channel, message) =>
        received.push([channel, message.toString('hex')]),
      );
      const patterned = await port.subscribe(
        ['ne*'],
        (channel, message) => received.push([`p:${channel}`, message.toString('hex')]),
        {
          pattern: true,
        },
      );
      assert.equal(await port.send('PUBLISH', 'news', Buffer.from([0, 255, 10])), 2);
      await got(2);
      assert.deepEqual(received.sort(), [
        ['news', '00ff0a'],
        ['p:news', '00ff0a'],
      ]);
      await direct.close();
      await patterned.close();
      assert.equal(await port.send('PUBLISH', 'news', 'x'), 0);
    });

    it('gives dedicated connections for blocking reads', async () => {
      const blocking = await port.duplicate();
      const popped = blocking.send('BLPOP', 'jobs', 5);
      await new Promise((r) => setTimeout(r, 30));
      await port.send('RPUSH', 'jobs', 'job-1');
      assert.deepEqual(await popped, ['jobs', 'job-1']);
      await blocking.close();
    });
  });
}
