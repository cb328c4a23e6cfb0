import assert from 'node:assert/strict';
import { differential } from '@redkit/test-utils';

differential('connection, transactions and pub/sub', (s) => {
  s.test('PING, ECHO, SELECT and unknown commands', async (d) => {
    await d.same('PING');
    await d.same('PING', 'hello');
    await d.same('PING', 'a', 'b');
    await d.same('ECHO', 'x\r\ny');
    await d.same('ECHO');
    await d.same('SELECT', '15');
    await d.same('SELECT', '16');
    await d.same('SELECT', '-1');
    await d.same('SELECT', 'x');
    await d.same('NOSUCH', 'a', 'b\r\nc');
    await d.same('NOSUCH');
    await d.same('PUBSUB', 'NOSUCH');
    await d.same('PUBSUB');
  });

  s.test('HELLO switches protocol and validates arguments', async (d) => {
    await d.same('HELLO', '1');
    await d.same('HELLO', '4');
    await d.same('HELLO', 'x');
    await d.same('HELLO', '3', 'BADOPT');
    await d.resp3();
    await d.same('PING');
    await d.same('ECHO', 'x');
  });

  s.test('MULTI/EXEC/DISCARD and queued-error rules', async (d) => {
    await d.same('EXEC');
    await d.same('DISCARD');
    await d.same('MULTI');
    await d.same('MULTI');
    await d.same('PING');
    await d.same('ECHO', 'a');
    await d.same('EXEC');
    await d.same('MULTI');
    await d.same('PING');
    await d.same('NOSUCH');
    await d.same('ECHO');
    await d.same('EXEC');
    await d.same('MULTI');
    await d.same('WATCH', 'k');
    await d.same('DISCARD');
  });

  s.test('subscriber mode, PUBLISH and PUBSUB introspection', async (d) => {
    const pub = await d.pair();
    await d.same('SUBSCRIBE', 'news', 'sport');
    await d.sameNext();
    await d.same('PING');
    await d.same('GET', 'x');
    await pub.same('PUBLISH', 'news', 'hello');
    await d.sameNext();
    await pub.same('PUBSUB', 'NUMSUB', 'news', 'none');
    await pub.sameUnordered('PUBSUB', 'CHANNELS');
    await d.same('PSUBSCRIBE', 'n*');
    await pub.same('PUBLISH', 'news', 'again');
    await d.sameNext();
    await d.sameNext();
    await pub.same('PUBSUB', 'NUMPAT');
    // Unsubscribing from all: Redis confirms each channel in its hash-table order.
    d.redis.write('*1\r\n$11\r\nUNSUBSCRIBE\r\n');
    d.engine.write('*1\r\n$11\r\nUNSUBSCRIBE\r\n');
    // Counts depend on that order, so compare the channels confirmed and the final count.
    const confirmations = async (c: typeof d.redis) => {
      const frames = [String(await c.readFrame()), String(await c.readFrame())];
      return [...frames.map((f) => f.split('\r\n')[4]).sort(), frames[1]!.split('\r\n')[5]];
    };
    assert.deepEqual(await confirmations(d.engine), await confirmations(d.redis));
    await d.same('PUNSUBSCRIBE');
    await d.same('PUNSUBSCRIBE');
    await d.same('PING');
    pub.close();
  });

  s.test('protocol errors close only the offending connection', async (d) => {
    const other = await d.pair();
    await d.sameRaw('*1\r\n$4\r\nPING\r\n*x\r\n');
    await other.same('PING');
    other.close();
  });
});
