import assert from 'node:assert/strict';
import { connect as connectSocket, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Engine, RespServer } from '@redkit/engine';
import {
  findRedisServer,
  RawClient,
  type RedisServerHandle,
  realRedisRequired,
  startRedisServer,
} from '@redkit/test-utils';

/** A subscriber that stops reading after its SUBSCRIBE is confirmed. */
async function stalledSubscriber(
  port: number,
  channel: string,
): Promise<{ socket: Socket; closed: Promise<void> }> {
  const socket = connectSocket(port, '127.0.0.1');
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('error', () => {});
  socket.write(`*2\r\n$9\r\nSUBSCRIBE\r\n$${channel.length}\r\n${channel}\r\n`);
  await new Promise<void>((resolve) => socket.once('data', () => resolve()));
  socket.pause();
  return { socket, closed };
}

const numsub = async (client: RawClient, channel: string) =>
  (await client.command(['PUBSUB', 'NUMSUB', channel])).toString().endsWith(':1\r\n') ? 1 : 0;

for (const backend of ['engine', 'redis-server'] as const) {
  const missing = backend === 'redis-server' && !findRedisServer() && !realRedisRequired();
  describe(`client-output-buffer-limit on ${backend}`, {
    skip: missing ? 'redis-server is not installed' : false,
  }, () => {
    let port = 0;
    let redis: RedisServerHandle | null = null;
    let engine: Engine | undefined;
    let server: RespServer | undefined;
    before(async () => {
      if (backend === 'redis-server') {
        redis = await startRedisServer();
        port = redis!.port;
      } else {
        engine = new Engine();
        server = await RespServer.listen({ engine, port: 0, host: '127.0.0.1' });
        port = server.port;
      }
    });
    after(async () => {
      await redis?.stop();
      await server?.close();
      engine?.close();
    });

    it('cuts off a subscriber that never reads at the hard limit; the publisher is not slowed', async () => {
      const publisher = await RawClient.connect(port);
      await publisher.command(['CONFIG', 'SET', 'client-output-buffer-limit', 'pubsub 1mb 256kb 60']);
      const subscriber = await stalledSubscriber(port, 'news');
      assert.equal(await numsub(publisher, 'news'), 1);
      const message = 'x'.repeat(64 * 1024);
      const started = performance.now();
      for (let i = 0; i < 400 && (await numsub(publisher, 'news')) === 1; i++) {
        await publisher.command(['PUBLISH', 'news', message]);
      }
      assert.equal(await numsub(publisher, 'news'), 0, 'the stalled subscriber was disconnected');
      // The stalled client reads again: it finds its connection closed by the server.
      subscriber.socket.resume();
      await subscriber.closed;
      assert.ok(performance.now() - started < 10_000);
      // Readers that keep up are not affected.
      const reader = await RawClient.connect(port);
      await reader.command(['SUBSCRIBE', 'news']);
      assert.match((await publisher.command(['PUBLISH', 'news', message])).toString(), /^:1\r\n$/);
      reader.close();
      publisher.close();
    });
  });
}
