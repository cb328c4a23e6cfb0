import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Engine, RespServer } from '@redkit/engine';
import { encodeCommand, parseFrame, RawClient } from '@redkit/test-utils';

/** Many clients and processes at once against the engine's server: no lost update, no crossed reply. */
describe('concurrency against the engine server', () => {
  let server: RespServer;
  before(async () => {
    server = await RespServer.listen({ port: 0, engine: new Engine() });
  });
  after(async () => {
    await server.close();
    server.engine.close();
  });

  it('50 clients pipelining 400 INCRs each: every increment counted, every reply in order', async () => {
    const clients = await Promise.all(Array.from({ length: 50 }, () => RawClient.connect(server.port)));
    await Promise.all(
      clients.map(async (client, i) => {
        const frames: Buffer[] = [];
        for (let j = 0; j < 400; j++)
          frames.push(encodeCommand(['INCR', 'counter']), encodeCommand(['ECHO', `${i}:${j}`]));
        client.write(Buffer.concat(frames));
        let last = 0;
        for (let j = 0; j < 400; j++) {
          const n = parseFrame(await client.readFrame()) as number;
          assert.ok(n > last, 'a client sees its own increments grow');
          last = n;
          assert.equal(parseFrame(await client.readFrame()), `${i}:${j}`);
        }
      }),
    );
    const check = await RawClient.connect(server.port);
    assert.equal(parseFrame(await check.command(['GET', 'counter'])), '20000');
    for (const c of [...clients, check]) c.close();
  });

  it('4 processes with 10 clients each increment and push concurrently', async () => {
    const worker = fileURLToPath(new URL('./concurrency-worker.js', import.meta.url));
    const exits = Array.from(
      { length: 4 },
      () =>
        new Promise<number | null>((resolve) => {
          const child = fork(worker, [String(server.port), '10', '250']);
          child.on('exit', (code) => resolve(code));
        }),
    );
    assert.deepEqual(await Promise.all(exits), [0, 0, 0, 0]);
    const check = await RawClient.connect(server.port);
    assert.equal(parseFrame(await check.command(['GET', 'processes'])), String(4 * 10 * 250));
    assert.equal(parseFrame(await check.command(['LLEN', 'log'])), 4 * 10 * 250);
    check.close();
  });

  it('20 blocked clients are each served exactly one element', async () => {
    const waiters = await Promise.all(Array.from({ length: 20 }, () => RawClient.connect(server.port)));
    const replies = waiters.map((w) => w.command(['BLPOP', 'jobs', '5']));
    await new Promise((r) => setTimeout(r, 50));
    const pusher = await RawClient.connect(server.port);
    for (let i = 0; i < 20; i++) await pusher.command(['RPUSH', 'jobs', `job-${i}`]);
    const got = (await Promise.all(replies)).map((r) => (parseFrame(r) as string[])[1]);
    assert.deepEqual(
      got,
      Array.from({ length: 20 }, (_, i) => `job-${i}`),
      'first blocked, first served',
    );
    for (const c of [...waiters, pusher]) c.close();
  });

  it('clients that disconnect abruptly mid-command leave the others and the server unharmed', async () => {
    const healthy = await RawClient.connect(server.port);
    for (let i = 0; i < 30; i++) {
      const c = await RawClient.connect(server.port);
      c.write('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$100\r\npartial');
      if (i % 3 === 0) c.write(encodeCommand(['BLPOP', 'never', '0']));
      c.close();
    }
    assert.equal(String(await healthy.command(['PING'])), '+PONG\r\n');
    healthy.close();
  });
});
