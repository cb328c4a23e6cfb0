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
  s.test('AUTH without a configured password, HELLO AUTH/SETNAME, RESET', async (d) => {
    await d.same('AUTH', 'secret');
    await d.same('AUTH', 'default', 'anything');
    await d.same('AUTH', 'nobody', 'secret');
    await d.same('AUTH', 'a', 'b', 'c');
    await d.same('HELLO', '2', 'AUTH', 'nobody', 'x');
    await d.same('HELLO', '2', 'SETNAME', 'bad name');
    await d.same('HELLO', '2', 'AUTH', 'default');
    await d.same('CLIENT', 'GETNAME');
    await d.both('HELLO', '2', 'SETNAME', 'tester');
    await d.same('CLIENT', 'GETNAME');
    await d.same('SELECT', '3');
    await d.same('SET', 'k', 'in-db-3');
    await d.same('MULTI');
    await d.same('RESET');
    await d.same('GET', 'k');
    await d.same('CLIENT', 'GETNAME');
    await d.same('EXEC');
    await d.same('RESET', 'extra');
  });

  s.test('WATCH: a change by another client, an expiry, UNWATCH, and a clean EXEC', async (d) => {
    const other = await d.pair();
    await d.same('SET', 'balance', '10');
    await d.same('WATCH', 'balance', 'other');
    await other.same('INCRBY', 'balance', '5');
    await d.same('MULTI');
    await d.same('DECRBY', 'balance', '1');
    await d.same('EXEC');
    await d.same('GET', 'balance');

    await d.same('WATCH', 'balance');
    await d.same('UNWATCH');
    await other.same('INCR', 'balance');
    await d.same('MULTI');
    await d.same('INCR', 'balance');
    await d.same('EXEC');

    await d.same('WATCH', 'missing');
    await other.same('DEL', 'missing');
    await d.same('MULTI');
    await d.same('SET', 'missing', '1');
    await d.same('EXEC');

    await d.same('SET', 'short', '1', 'PX', '30');
    await d.same('WATCH', 'short');
    await new Promise((r) => setTimeout(r, 60));
    await d.same('MULTI');
    await d.same('GET', 'balance');
    await d.same('EXEC');

    await d.same('WATCH', 'balance');
    await d.same('MULTI');
    await d.same('SET', 'balance', '0');
    await d.same('EXEC');
    await other.same('INCR', 'balance');
    await d.same('MULTI');
    await d.same('GET', 'balance');
    await d.same('EXEC');
    other.close();
  });

  s.test('EXEC runs queued commands whose runtime errors do not abort the others', async (d) => {
    await d.same('SET', 'str', 'x');
    await d.same('MULTI');
    await d.same('INCR', 'str');
    await d.same('LPUSH', 'str', 'a');
    await d.same('SET', 'after', 'ok');
    await d.same('EXEC');
    await d.same('GET', 'after');
    await d.resp3();
    await d.same('MULTI');
    await d.same('HSET', 'h', 'f', 'v');
    await d.same('HGETALL', 'h');
    await d.same('EXEC');
  });

  s.test('pub/sub in RESP3: pushes, and commands allowed while subscribed', async (d) => {
    const pub = await d.pair();
    await d.resp3();
    await d.same('SUBSCRIBE', 'a');
    await d.same('GET', 'x');
    await d.same('PING');
    await pub.same('PUBLISH', 'a', 'm1');
    await d.sameNext();
    await d.same('UNSUBSCRIBE', 'a');
    await d.same('PUBSUB', 'SHARDCHANNELS');
    await d.same('PUBSUB', 'SHARDNUMSUB', 'a');
    await d.same('PUBSUB', 'HELP');
    pub.close();
  });
});
