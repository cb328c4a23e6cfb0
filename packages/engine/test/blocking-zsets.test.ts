import { type DiffPair, differential } from '@redkit/test-utils';

/** Gives both servers time to park a command just sent on another connection. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 30));

/** Opens `n` extra connection pairs. */
async function clients(d: DiffPair, n: number): Promise<DiffPair[]> {
  return Promise.all(Array.from({ length: n }, () => d.pair()));
}

differential('blocking sorted set pops', (s) => {
  s.test('served at once when a key holds members', async (d) => {
    await d.same('ZADD', 'b', '1', 'x', '2', 'y');
    await d.same('ZADD', 'c', '5', 'z');
    await d.same('BZPOPMIN', 'a', 'b', 'c', '0');
    await d.same('BZPOPMAX', 'a', 'b', 'c', '0');
    await d.same('BZPOPMAX', 'a', 'b', 'c', '0');
    await d.same('EXISTS', 'b');
    await d.same('ZADD', 'b', '1', 'x', '2', 'y', '3', 'w');
    await d.same('BZMPOP', '0', '2', 'a', 'b', 'MIN', 'COUNT', '2');
    await d.same('BZMPOP', '0', '2', 'a', 'b', 'MAX', 'COUNT', '10');
    await d.same('BZMPOP', '1', '2', 'a', 'c', 'MAX');
    await d.same('ZADD', 'b', '1', 'x', '2', 'y');
    await d.resp3();
    await d.same('BZPOPMIN', 'b', '0');
    await d.same('BZMPOP', '0', '1', 'b', 'MIN');
  });

  s.test('timeouts answer a null array', async (d) => {
    await d.same('BZPOPMIN', 'none', '0.05');
    await d.same('BZPOPMAX', 'none', 'other', '0.01');
    await d.same('BZMPOP', '0.02', '1', 'none', 'MIN');
    await d.same('BZMPOP', '0.02', '2', 'none', 'none2', 'MAX', 'COUNT', '3');
    await d.resp3();
    await d.same('BZPOPMIN', 'none', '0.01');
    await d.same('BZMPOP', '0.01', '1', 'none', 'MIN');
  });

  s.test('timeout and argument errors', async (d) => {
    for (const t of [
      '\x00\xff',
      '\x001',
      '1\x00',
      '-1',
      '-0.5',
      'x',
      '',
      ' 1',
      '1 ',
      'nan',
      'inf',
      '-inf',
      '1e400',
      '1e5000',
      '9.3e15',
      '0x',
      '1.5.5',
    ]) {
      await d.same('BZPOPMIN', 'k', t);
      await d.same('BZPOPMAX', 'k', 'j', t);
      await d.same('BZMPOP', t, '1', 'k', 'MIN');
    }
    await d.same('BZMPOP', '0', '0', 'k', 'MIN');
    await d.same('BZMPOP', '0', 'x', 'k', 'MIN');
    await d.same('BZMPOP', '0', '2', 'k', 'MIN');
    await d.same('BZMPOP', '0', '1', 'k', 'FOO');
    await d.same('BZMPOP', '0', '1', 'k', 'MIN', 'COUNT', '0');
    await d.same('BZMPOP', 'x', '1', 'k', 'MIN', 'COUNT', '0');
    await d.same('BZMPOP', 'x', '1', 'k', 'MIN', 'EXTRA');
    await d.same('SET', 'str', 'v');
    await d.same('BZPOPMIN', 'str', '0');
    await d.same('BZPOPMIN', 'nokey', 'str', '0');
    await d.same('BZPOPMIN', 'str', 'x');
    await d.same('BZMPOP', '0', '2', 'nokey', 'str', 'MIN');
    await d.same('BZMPOP', 'x', '2', 'nokey', 'str', 'MIN');
    await d.same('BZPOPMIN', 'k');
    await d.same('BZMPOP', '0', '1', 'k');
  });

  s.test('fractional and tiny timeouts that round to forever or to a millisecond', async (d) => {
    await d.same('BZPOPMIN', 'none', '0.0001');
    await d.same('BZPOPMIN', 'none', '0x1p-12');
    const [w] = await clients(d, 1);
    const blocked = w!.start('BZPOPMIN', 'k', '-0.0001');
    await settle();
    await d.same('ZADD', 'k', '1', 'a');
    await blocked.same();
    w!.close();
  });

  s.test('a blocked client wakes when a member arrives', async (d) => {
    const [w] = await clients(d, 1);
    const blocked = w!.start('BZPOPMIN', 'k1', 'k2', '0');
    await settle();
    await d.same('ZADD', 'k2', '3', 'c', '1', 'a');
    await blocked.same();
    await d.same('ZRANGE', 'k2', '0', '-1', 'WITHSCORES');
    const max = w!.start('BZPOPMAX', 'k3', 'k2', '0');
    await settle();
    await max.same();
    await d.same('EXISTS', 'k2');
    const multi = w!.start('BZMPOP', '0', '2', 'k4', 'k5', 'MAX', 'COUNT', '2');
    await settle();
    await d.same('ZADD', 'k5', '1', 'a', '2', 'b', '3', 'c');
    await multi.same();
    await d.same('ZRANGE', 'k5', '0', '-1');
    w!.close();
  });

  s.test('several clients are served in arrival order, one member each', async (d) => {
    const waiters = await clients(d, 3);
    const pending = [];
    for (const w of waiters) {
      pending.push(w.start('BZPOPMIN', 'q', '0'));
      await settle();
    }
    await d.same('ZADD', 'q', '3', 'c', '1', 'a', '2', 'b', '4', 'd');
    for (const p of pending) await p.same();
    await d.same('ZRANGE', 'q', '0', '-1', 'WITHSCORES');
    // Fewer members than waiters: the rest keep waiting.
    const more = [];
    for (const w of waiters) {
      more.push(w.start('BZPOPMAX', 'q', 'r', '0'));
      await settle();
    }
    await d.same('ZADD', 'q', '10', 'x');
    await more[0]!.same();
    await d.same('ZADD', 'r', '20', 'y', '30', 'z');
    await more[1]!.same();
    await more[2]!.same();
    await d.same('EXISTS', 'q', 'r');
    for (const w of waiters) w.close();
  });

  s.test('ZADD inside MULTI serves waiters after EXEC, in the order keys became ready', async (d) => {
    const [w1, w2] = await clients(d, 2);
    const p1 = w1!.start('BZPOPMIN', 'k1', '0');
    await settle();
    const p2 = w2!.start('BZPOPMIN', 'k2', '0');
    await settle();
    await d.same('MULTI');
    await d.same('ZADD', 'k2', '1', 'a');
    await d.same('ZADD', 'k1', '1', 'b');
    await d.same('EXEC');
    await p1.same();
    await p2.same();
    // Added then removed within one transaction: nothing to serve, the client keeps waiting.
    const p3 = w1!.start('BZPOPMIN', 'k3', '0');
    await settle();
    await d.same('MULTI');
    await d.same('ZADD', 'k3', '1', 'a');
    await d.same('ZREM', 'k3', 'a');
    await d.same('EXEC');
    await settle();
    await d.same('ZADD', 'k3', '2', 'later');
    await p3.same();
    w1!.close();
    w2!.close();
  });

  s.test('a key of another type does not wake the client', async (d) => {
    const [w] = await clients(d, 1);
    const blocked = w!.start('BZPOPMAX', 'k', '0');
    await settle();
    await d.same('SET', 'k', 'string');
    await settle();
    await d.same('DEL', 'k');
    await d.same('ZADD', 'k', '7', 'm');
    await blocked.same();
    w!.close();
  });

  s.test('blocking commands do not block inside MULTI', async (d) => {
    await d.same('MULTI');
    await d.same('BZPOPMIN', 'none', '0');
    await d.same('BZPOPMAX', 'none', '10');
    await d.same('BZMPOP', '0', '1', 'none', 'MIN');
    await d.same('ZADD', 'k', '1', 'a', '2', 'b');
    await d.same('BZPOPMIN', 'k', '0');
    await d.same('BZMPOP', '0', '1', 'k', 'MAX', 'COUNT', '5');
    await d.same('EXEC');
    await d.resp3();
    await d.same('MULTI');
    await d.same('BZPOPMIN', 'none', '0');
    await d.same('BZMPOP', '0', '1', 'none', 'MIN');
    await d.same('EXEC');
  });

  s.test('timeouts of several waiters, and RESP3 replies when served', async (d) => {
    const [w1, w2] = await clients(d, 2);
    await w1!.resp3();
    const short = w1!.start('BZPOPMIN', 'k', '0.05');
    const long = w2!.start('BZPOPMIN', 'k', '5');
    await short.same();
    await d.same('ZADD', 'k', '1.5', 'a');
    await long.same();
    const r3 = w1!.start('BZMPOP', '0', '1', 'k', 'MIN', 'COUNT', '2');
    await settle();
    await d.same('ZADD', 'k', '1', 'x', '2', 'y', '3', 'z');
    await r3.same();
    const r4 = w1!.start('BZPOPMAX', 'k', '0');
    await r4.same();
    w1!.close();
    w2!.close();
  });

  s.test('clients blocked in another database are not served by this one', async (d) => {
    const [w] = await clients(d, 1);
    await w!.same('SELECT', '1');
    const blocked = w!.start('BZPOPMIN', 'k', '0');
    await settle();
    await d.same('ZADD', 'k', '1', 'db0');
    await settle();
    await d.same('SELECT', '1');
    await d.same('ZADD', 'k', '2', 'db1');
    await blocked.same();
    await d.same('SELECT', '0');
    await d.same('ZRANGE', 'k', '0', '-1');
    w!.close();
  });
});

differential(
  'blocking pop keyspace events',
  (s) => {
    s.test('a served waiter pops with zpopmin/zpopmax and del events', async (d) => {
      const listener = await d.pair();
      await listener.same('PSUBSCRIBE', '__keyevent*__:*');
      const [w] = await clients(d, 1);
      const blocked = w!.start('BZPOPMAX', 'k', '0');
      await settle();
      await d.same('ZADD', 'k', '1', 'a');
      await blocked.same();
      for (let i = 0; i < 3; i++) await listener.sameNext();
      await d.same('ZADD', 'k', '1', 'a', '2', 'b');
      await listener.sameNext();
      await d.same('BZMPOP', '0', '1', 'k', 'MIN', 'COUNT', '5');
      await listener.sameNext();
      await listener.sameNext();
      listener.close();
      w!.close();
    });
  },
  {
    engine: { config: { 'notify-keyspace-events': 'KEA' } },
    redisArgs: ['--notify-keyspace-events', 'KEA'],
  },
);
