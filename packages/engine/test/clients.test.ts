import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { Engine, RespServer } from '@redkit/engine';
import { findRedisServer, realRedisRequired } from '@redkit/test-utils';
import { Redis } from 'ioredis';
import { createClient } from 'redis';

/** Real client libraries and redis-cli against the engine's server: handshakes, pipelines, pub/sub. */
describe('clients against the engine server', () => {
  let server: RespServer;
  let port: number;
  before(async () => {
    server = await RespServer.listen({ port: 0, engine: new Engine() });
    port = server.port;
  });
  after(async () => {
    await server.close();
    server.engine.close();
  });

  it('ioredis: commands, pipeline, transaction, blocking pop and pub/sub', async () => {
    const redis = new Redis({ port, lazyConnect: true });
    await redis.connect();
    assert.equal(await redis.set('k', 'v'), 'OK');
    assert.equal(await redis.get('k'), 'v');
    const results = await redis.pipeline().incr('n').incr('n').hset('h', 'a', '1').hgetall('h').exec();
    assert.deepEqual(results, [
      [null, 1],
      [null, 2],
      [null, 1],
      [null, { a: '1' }],
    ]);
    assert.deepEqual(await redis.multi().set('x', '1').get('x').exec(), [
      [null, 'OK'],
      [null, '1'],
    ]);
    await assert.rejects(redis.incr('k'), /ERR value is not an integer or out of range/);

    const subscriber = new Redis({ port });
    const received = new Promise<[string, string]>((resolve) =>
      subscriber.on('message', (c, m) => resolve([c, m])),
    );
    await subscriber.subscribe('news');
    assert.equal(await redis.publish('news', 'hello'), 1);
    assert.deepEqual(await received, ['news', 'hello']);

    const blocker = new Redis({ port });
    const popped = blocker.blpop('queue', 5);
    await new Promise((r) => setTimeout(r, 20));
    await redis.rpush('queue', 'job');
    assert.deepEqual(await popped, ['queue', 'job']);
    for (const c of [redis, subscriber, blocker]) c.disconnect();
  });

  it('node-redis: RESP2 and RESP3, pipeline, pub/sub', async () => {
    for (const RESP of [2, 3] as const) {
      const client = createClient({ socket: { port }, RESP });
      client.on('error', () => {});
      await client.connect();
      await client.set('greeting', 'hello');
      assert.equal(await client.get('greeting'), 'hello');
      const replies = await client.multi().incr('counter').zAdd('z', { score: 1.5, value: 'a' }).exec();
      assert.equal(replies.length, 2);
      const subscriber = client.duplicate();
      subscriber.on('error', () => {});
      await subscriber.connect();
      const message = new Promise<string>((resolve) => void subscriber.subscribe('ch', (m) => resolve(m)));
      await new Promise((r) => setTimeout(r, 20));
      await client.publish('ch', `resp${RESP}`);
      assert.equal(await message, `resp${RESP}`);
      await subscriber.quit();
      await client.quit();
    }
  });

  it('redis-cli: ping and a pipeline of inline commands', {
    skip: !findRedisServer() && !realRedisRequired(),
  }, async () => {
    const run = promisify(execFile);
    const { stdout } = await run('redis-cli', ['-p', String(port), 'ping']);
    assert.equal(stdout.trim(), 'PONG');
    const set = await run('redis-cli', ['-p', String(port), 'set', 'cli', 'works']);
    assert.equal(set.stdout.trim(), 'OK');
    const get = await run('redis-cli', ['-p', String(port), 'get', 'cli']);
    assert.equal(get.stdout.trim(), 'works');
  });
});
