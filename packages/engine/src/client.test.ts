import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createEngine, EngineClient } from './client.js';
import { ManualClock } from './keyspace/clock.js';
import { ErrorReply, NULL_ARRAY, StatusReply } from './resp/reply.js';

describe('EngineClient (in-process, no socket)', () => {
  it('runs commands with the same replies as over the wire', async () => {
    const client = new EngineClient(createEngine());
    assert.deepEqual(await client.call('SET', 'k', 'v'), new StatusReply('OK'));
    assert.equal(await client.call('GET', 'k'), 'v');
    assert.equal(await client.call('INCR', 'n'), 1);
    const err = await client.call('INCR', 'k');
    assert.ok(err instanceof ErrorReply);
    assert.equal(err.message, 'ERR value is not an integer or out of range');
    client.engine.close();
  });

  it('sends strings as UTF-8 bytes and takes Buffers as they are', async () => {
    const client = new EngineClient(createEngine());
    await client.call('SET', 'k', 'héllo');
    assert.equal(await client.call('STRLEN', 'k'), 6);
    const bytes = Buffer.from([0, 255, 13, 10]);
    await client.call('SET', bytes, bytes);
    assert.deepEqual(Buffer.from((await client.call('GET', bytes)) as string, 'latin1'), bytes);
    client.engine.close();
  });

  it('expires keys on the injected clock, lazily and actively', async () => {
    const clock = new ManualClock();
    const engine = createEngine({ clock });
    const client = new EngineClient(engine);
    client.callSync('SET', 'a', '1', 'PX', '100');
    client.callSync('SET', 'b', '1', 'PX', '100');
    assert.equal(client.callSync('PTTL', 'a'), 100);
    clock.advance(99);
    assert.equal(client.callSync('GET', 'a'), '1');
    clock.advance(1);
    assert.equal(client.callSync('GET', 'a'), null);
    assert.equal(engine.databases[0]!.data.has('b'), true, 'not yet removed: no access, no sweep');
    engine.expireNow();
    assert.equal(engine.databases[0]!.data.has('b'), false);
    assert.equal(engine.stats.expiredKeys, 2);
    engine.close();
  });

  it('blocks and wakes on the injected clock without sleeping', async () => {
    const clock = new ManualClock();
    const engine = createEngine({ clock });
    const waiter = new EngineClient(engine);
    const pusher = new EngineClient(engine);
    const served = waiter.call('BLPOP', 'q', '0');
    const timedOut = new EngineClient(engine).call('BLPOP', 'other', '1.5');
    await pusher.call('RPUSH', 'q', 'job');
    assert.deepEqual(await served, ['q', 'job']);
    clock.advance(1500);
    assert.equal(await timedOut, NULL_ARRAY);
    engine.close();
  });

  it('queues calls made while a blocking call waits, and keeps their order', async () => {
    const engine = createEngine({ clock: new ManualClock() });
    const client = new EngineClient(engine);
    const first = client.call('BLPOP', 'q', '0');
    const second = client.call('PING');
    await new EngineClient(engine).call('LPUSH', 'q', 'x');
    assert.deepEqual(await first, ['q', 'x']);
    assert.deepEqual(await second, new StatusReply('PONG'));
    engine.close();
  });

  it('delivers pub/sub messages as pushes', async () => {
    const engine = createEngine();
    const subscriber = new EngineClient(engine);
    const messages: unknown[] = [];
    subscriber.onPush = (reply) => messages.push(reply);
    await subscriber.call('SUBSCRIBE', 'news');
    assert.equal(await new EngineClient(engine).call('PUBLISH', 'news', 'hi'), 1);
    assert.equal(messages.length, 2);
    engine.close();
  });
});
