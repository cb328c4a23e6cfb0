import { differential } from '@redkit/test-utils';

differential('databases: SWAPDB, FLUSHDB, FLUSHALL, DBSIZE', (s) => {
  s.test('DBSIZE counts the keys of the selected database', async (d) => {
    await d.same('DBSIZE');
    await d.same('SET', 'a', '1');
    await d.same('RPUSH', 'l', 'x');
    await d.same('DBSIZE');
    await d.same('SELECT', '5');
    await d.same('DBSIZE');
    await d.same('SET', 'a', '1');
    await d.same('DBSIZE');
    await d.same('DBSIZE', 'x');
    await d.resp3();
    await d.same('DBSIZE');
  });

  s.test('FLUSHDB empties only the selected database; FLUSHALL empties all', async (d) => {
    await d.same('SET', 'a', '1');
    await d.same('SET', 'b', '1', 'EX', '100');
    await d.same('SELECT', '1');
    await d.same('SET', 'a', '1');
    await d.same('FLUSHDB');
    await d.same('DBSIZE');
    await d.same('SELECT', '0');
    await d.same('DBSIZE');
    await d.same('FLUSHDB', 'SYNC');
    await d.same('DBSIZE');
    await d.same('TTL', 'b');
    await d.same('SET', 'a', '1');
    await d.same('FLUSHDB', 'async');
    await d.same('DBSIZE');
    await d.same('SET', 'a', '1');
    await d.same('SELECT', '9');
    await d.same('SET', 'b', '2');
    await d.same('FLUSHALL');
    await d.same('DBSIZE');
    await d.same('SELECT', '0');
    await d.same('DBSIZE');
    await d.same('SET', 'a', '1');
    await d.same('FLUSHALL', 'ASYNC');
    await d.same('FLUSHALL', 'Sync');
    await d.same('DBSIZE');
    await d.same('FLUSHDB', 'foo');
    await d.same('FLUSHDB', 'ASYNC', 'SYNC');
    await d.same('FLUSHDB', 'SYNC', 'SYNC');
    await d.same('FLUSHALL', 'foo');
    await d.same('FLUSHALL', 'ASYNC', 'x');
    await d.same('FLUSHALL', '');
    await d.resp3();
    await d.same('FLUSHDB');
    await d.same('FLUSHALL');
  });

  s.test('SWAPDB exchanges contents; clients keep their database number', async (d) => {
    const other = await d.pair();
    await d.same('SET', 'a', 'in0');
    await d.same('EXPIRE', 'a', '100');
    await d.same('RPUSH', 'l', 'x');
    await other.same('SELECT', '1');
    await other.same('SET', 'b', 'in1');
    await d.same('SWAPDB', '0', '1');
    await d.same('GET', 'b');
    await d.same('GET', 'a');
    await d.same('DBSIZE');
    await other.same('GET', 'a');
    await other.same('TTL', 'a');
    await other.same('LRANGE', 'l', '0', '-1');
    await other.same('DBSIZE');
    await d.same('SWAPDB', '1', '0');
    await d.same('GET', 'a');
    await d.same('SWAPDB', '0', '0');
    await d.same('GET', 'a');
    await d.same('SWAPDB', '0', '15');
    await d.same('DBSIZE');
    await d.same('SELECT', '15');
    await d.same('DBSIZE');
    await d.same('SWAPDB', '15', '14');
    await d.same('DBSIZE');
    other.close();
  });

  s.test('SWAPDB errors', async (d) => {
    await d.same('SWAPDB', '0', 'x');
    await d.same('SWAPDB', 'x', '0');
    await d.same('SWAPDB', 'x', 'y');
    await d.same('SWAPDB', '0', '16');
    await d.same('SWAPDB', '16', '0');
    await d.same('SWAPDB', '-1', '0');
    await d.same('SWAPDB', '0', '4294967296');
    await d.same('SWAPDB', '2147483648', '0');
    await d.same('SWAPDB', '0', '1.0');
    await d.same('SWAPDB', '0', '');
    await d.same('SWAPDB', '0');
    await d.same('SWAPDB', '0', '1', '2');
  });

  s.test('FLUSHDB, FLUSHALL and SWAPDB fail the transactions of WATCHers of existing keys', async (d) => {
    const writer = await d.pair();
    const watchThen = async (key: string, db: string, action: () => Promise<unknown>) => {
      await d.same('SELECT', db);
      await d.same('WATCH', key);
      await action();
      await d.same('MULTI');
      await d.same('PING');
      await d.same('EXEC');
    };
    await d.same('SET', 'w', '1');
    await watchThen('w', '0', () => writer.same('FLUSHDB'));
    await watchThen('absent', '0', () => writer.same('FLUSHDB'));
    await d.same('SET', 'w', '1');
    await watchThen('w', '0', () => writer.same('FLUSHALL'));
    await writer.same('SELECT', '3');
    await writer.same('SET', 'w', '1');
    await watchThen('w', '0', () => writer.same('FLUSHDB'));
    await watchThen('w', '3', () => writer.same('FLUSHALL', 'ASYNC'));
    // SWAPDB: a key present on either side counts; a key absent from both does not.
    await writer.same('SELECT', '0');
    await writer.same('SET', 'x', '1');
    await watchThen('x', '0', () => writer.same('SWAPDB', '0', '1'));
    await watchThen('x', '2', () => writer.same('SWAPDB', '1', '2'));
    await watchThen('x', '5', () => writer.same('SWAPDB', '5', '6'));
    await watchThen('x', '2', () => writer.same('SWAPDB', '2', '2'));
    writer.close();
  });

  s.test('SWAPDB serves clients blocked on keys that now exist', async (d) => {
    const writer = await d.pair();
    await d.same('SELECT', '1');
    const blocked = d.start('BLPOP', 'q', '5');
    await writer.same('RPUSH', 'q', 'job');
    await new Promise((r) => setTimeout(r, 20));
    await writer.same('SWAPDB', '0', '1');
    await blocked.same();
    await writer.same('LLEN', 'q');
    await d.same('LLEN', 'q');
    writer.close();
  });
});
