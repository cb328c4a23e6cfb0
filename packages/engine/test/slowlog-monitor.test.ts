import assert from 'node:assert/strict';
import { type DiffPair, differential, framesUntilMarker, type ParsedReply } from '@redkit/test-utils';

/** A monitor line without what differs between the servers: the time and the client's port. */
const monitorLine = (frame: string) =>
  frame.replace(/^\+\d+\.\d{6} /, '+T ').replace(/127\.0\.0\.1:\d+/, '127.0.0.1:P');

/** What two monitors saw until `ECHO marker`, compared line by line. */
async function sameMonitorLines(m: DiffPair): Promise<string[]> {
  const [redis, engine] = await Promise.all([framesUntilMarker(m.redis), framesUntilMarker(m.engine)]);
  assert.deepEqual(engine.map(monitorLine), redis.map(monitorLine));
  return redis.map(monitorLine);
}

/** SLOWLOG GET entries without ids, times, durations and ports; checks those are well-formed. */
function entries(reply: ParsedReply): ParsedReply[] {
  const now = Date.now() / 1000;
  let lastId = Number.POSITIVE_INFINITY;
  return (reply as ParsedReply[][]).map(([id, time, duration, argv, peer, name]) => {
    assert.ok((id as number) < lastId, 'ids decrease');
    lastId = id as number;
    assert.ok(Math.abs((time as number) - now) < 60, 'time is now');
    assert.ok((duration as number) >= 0);
    return [argv!, String(peer).replace(/127\.0\.0\.1:\d+/, '127.0.0.1:P'), name!];
  });
}

async function sameSlowlog(d: DiffPair, ...argv: string[]): Promise<void> {
  await d.compare(['SLOWLOG', 'GET', ...argv], (redis, engine) =>
    assert.deepEqual(entries(engine), entries(redis)),
  );
}

differential('SLOWLOG and MONITOR', (s) => {
  s.test('SLOWLOG: subcommands and their errors', async (d) => {
    await d.same('SLOWLOG', 'HELP');
    await d.same('SLOWLOG', 'RESET');
    await d.same('SLOWLOG', 'LEN');
    await d.same('SLOWLOG', 'GET');
    for (const count of ['-2', 'x', '1.5', '99999999999999999999', '']) await d.same('SLOWLOG', 'GET', count);
    await d.same('SLOWLOG', 'GET', '1', '2');
    await d.same('SLOWLOG', 'LEN', 'x');
    await d.same('SLOWLOG', 'RESET', 'x');
    await d.same('SLOWLOG', 'NOSUCH');
    await d.same('SLOWLOG');
    for (const name of ['monitor', 'slowlog|get', 'slowlog|len', 'slowlog|reset', 'slowlog|help']) {
      await d.same('COMMAND', 'INFO', name);
    }
  });

  s.test('SLOWLOG: what is logged and how', async (d) => {
    try {
      await d.same('CONFIG', 'SET', 'slowlog-log-slower-than', '0');
      await d.same('SLOWLOG', 'RESET');
      await d.same('SET', 'k', 'v');
      await d.same('CLIENT', 'SETNAME', 'logger');
      await d.same('GET', 'k');
      await d.same('MSET', ...Array.from({ length: 40 }, (_, i) => `k${i}`));
      await d.same('SET', 'long', 'x'.repeat(300));
      await d.same('SET', 'binary', '\x00\r\n\xff');
      // Secrets are redacted, even in commands that fail.
      await d.same('AUTH', 'secret');
      await d.same('AUTH', 'user', 'secret');
      await d.same('AUTH', 'a', 'b', 'c');
      await d.same('HELLO', '2', 'AUTH', 'user', 'secret');
      await d.same('ACL', 'SETUSER', 'bob', 'on', '>secret', '~*', '+@all');
      await d.same('ACL', 'DELUSER', 'bob');
      await d.same('CONFIG', 'SET', 'requirepass', '', 'maxmemory', '0');
      await d.same('CONFIG', 'SET', 'maxmemory', 'x', 'REQUIREPASS', 'secret');
      // Scripts: the script and each command it called (as the script client).
      await d.same(
        'EVAL',
        "redis.call('SET', KEYS[1], ARGV[1]) return redis.call('GET', KEYS[1])",
        '1',
        's',
        'v',
      );
      // Transactions: the commands EXEC ran; EXEC itself is not logged.
      await d.same('MULTI');
      await d.same('INCR', 'n');
      await d.same('INCR', 'n');
      await d.same('EXEC');
      // Refused commands never ran.
      await d.same('NOSUCHCOMMAND');
      await d.same('GET');
      await sameSlowlog(d, '-1');
      await d.same('SLOWLOG', 'LEN');
      await sameSlowlog(d, '3');
      await sameSlowlog(d, '0');
      // A blocked command is logged when it ends.
      const other = await d.pair();
      await d.same('SLOWLOG', 'RESET');
      const waiting = other.start('BLPOP', 'list', '0');
      await d.same('PING');
      await d.same('RPUSH', 'list', 'a');
      await waiting.same();
      await sameSlowlog(d);
      other.close();
      // slowlog-max-len keeps the newest; a threshold above every duration logs nothing; -1 turns it off.
      await d.same('CONFIG', 'SET', 'slowlog-max-len', '3');
      await d.same('ECHO', 'a');
      await d.same('SLOWLOG', 'LEN');
      await sameSlowlog(d);
      await d.same('CONFIG', 'SET', 'slowlog-log-slower-than', '100000000');
      await d.same('SLOWLOG', 'RESET');
      await d.same('PING');
      await d.same('SLOWLOG', 'LEN');
      await d.same('CONFIG', 'SET', 'slowlog-log-slower-than', '-1');
      await d.same('PING');
      await d.same('SLOWLOG', 'LEN');
    } finally {
      await d.both('CONFIG', 'SET', 'slowlog-log-slower-than', '10000', 'slowlog-max-len', '128');
      await d.both('SLOWLOG', 'RESET');
    }
  });

  s.test('MONITOR: every command, as Redis prints it', async (d) => {
    const m = await d.pair();
    await m.same('MONITOR');
    await d.same('SET', 'a b', 'x"y\\z');
    await d.same('SET', 'binary', '\x00\x01\t\r\n\x7f\x80\xff');
    await d.same('MULTI');
    await d.same('SET', 'k', '1');
    await d.same('INCR', 'k');
    await d.same('EXEC');
    await d.same('MULTI');
    await d.same('NOSUCHCOMMAND');
    await d.same('EXEC');
    await d.same(
      'EVAL',
      "redis.call('set', KEYS[1], '1') return redis.pcall('incr', 'nosuch', 'x')",
      '1',
      's',
    );
    await d.same(
      'FUNCTION',
      'LOAD',
      "#!lua name=mon\nredis.register_function('f', function(keys) return redis.call('GET', keys[1]) end)",
    );
    await d.same('FCALL', 'f', '1', 's');
    await d.same('FUNCTION', 'DELETE', 'mon');
    await d.same('AUTH', 'secret');
    await d.same('HELLO', '2', 'AUTH', 'user', 'secret');
    await d.same('CONFIG', 'GET', 'maxmemory');
    await d.same('ACL', 'WHOAMI');
    await d.same('BLPOP', 'nolist', '0.01');
    await d.same('SELECT', '3');
    await d.same('SET', 'in3', 'v');
    await d.same('SELECT', '0');
    await d.same('GET');
    await d.same('SUBSCRIBE', 'channel');
    await d.same('UNSUBSCRIBE');
    await d.same('ECHO', 'marker');
    await sameMonitorLines(m);
    m.close();
  });

  s.test('MONITOR: the monitoring client itself', async (d) => {
    await d.same('MULTI');
    await d.same('MONITOR');
    await d.same('EXEC');
    await d.same('MONITOR');
    // A second MONITOR is ignored without a reply: the next reply is PING's.
    await d.same('MONITOR', 'x');
    for (const client of [d.redis, d.engine]) client.write('*1\r\n$7\r\nMONITOR\r\n');
    await d.same('GET', 'k');
    await d.same('SET', 'k', 'v');
    await d.same('EVAL', 'return 1', '0');
    await d.compare(['CLIENT', 'INFO'], (redis, engine) => {
      assert.match(String(redis), / flags=O /);
      assert.match(String(engine), / flags=O /);
    });
    // It sees its own commands after their replies (CLIENT INFO's line, then PING's reply and line).
    for (const client of [d.redis, d.engine])
      client.write('*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$6\r\nmarker\r\n');
    assert.equal((await sameMonitorLines(d)).length, 3);
    // ECHO's own line, then RESET ends monitor mode.
    await Promise.all([d.redis.readFrame(), d.engine.readFrame()]);
    await d.same('RESET');
    await d.same('SET', 'k', 'v');
    // A monitor that quits gets QUIT's reply and nothing after it.
    await d.same('MONITOR');
    await d.sameRaw('*1\r\n$4\r\nQUIT\r\n');
  });
});
