import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Engine, EngineClient, ErrorReply, OK } from '@redkit/engine';
import { differential } from '@redkit/test-utils';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const SPIN = 'local i = 0 while true do i = i + 1 end';
/** Writes, then runs for 600 ms by the server's own clock. */
const WRITE_THEN_SPIN = `redis.call('SET', KEYS[1], 'written')
local t = redis.call('TIME')
local start = t[1] * 1000000 + t[2]
repeat t = redis.call('TIME') until t[1] * 1000000 + t[2] - start > 600000
return 'done'`;

differential('busy scripts', (s) => {
  s.test('past busy-reply-threshold others get BUSY until SCRIPT KILL stops the script', async (d) => {
    await d.same('CONFIG', 'SET', 'busy-reply-threshold', '100');
    const other = await d.pair();
    await other.same('SCRIPT', 'KILL');
    const spinning = d.start('EVAL', SPIN, '0');
    await sleep(300);
    await other.same('GET', 'x');
    await other.same('PING');
    await other.same('EVAL', 'return 1', '0');
    await other.same('FUNCTION', 'KILL');
    await other.same('FUNCTION', 'STATS');
    await other.same('MULTI');
    await other.same('SET', 'x', '1');
    await other.same('EXEC');
    await other.same('DISCARD');
    await other.same('SCRIPT', 'KILL');
    await spinning.same();
    await other.same('SCRIPT', 'KILL');
    await other.same('GET', 'x');
    other.close();
  });

  s.test('a script that caught an error with pcall is still watched, and killed', async (d) => {
    await d.same('CONFIG', 'SET', 'busy-reply-threshold', '100');
    const other = await d.pair();
    const spinning = d.start('EVAL', `pcall(error, 'caught') ${SPIN}`, '0');
    await sleep(300);
    await other.same('GET', 'x');
    await other.same('SCRIPT', 'KILL');
    await spinning.same();
    other.close();
  });

  s.test('a script that already wrote cannot be killed; it ends on its own', async (d) => {
    await d.same('CONFIG', 'SET', 'busy-reply-threshold', '100');
    const other = await d.pair();
    const running = d.start('EVAL', WRITE_THEN_SPIN, '1', 'k');
    await sleep(300);
    await other.same('SCRIPT', 'KILL');
    await other.same('GET', 'k');
    await running.same();
    await other.same('GET', 'k');
    other.close();
  });

  s.test(
    'a busy function: FUNCTION STATS names it, SCRIPT KILL refuses, FUNCTION KILL stops it',
    async (d) => {
      await d.same('CONFIG', 'SET', 'busy-reply-threshold', '100');
      await d.same(
        'FUNCTION',
        'LOAD',
        `#!lua name=spin\nredis.register_function('spin', function() ${SPIN} end)`,
      );
      const other = await d.pair();
      const spinning = d.start('FCALL', 'spin', '0', 'a1');
      await sleep(300);
      const [redis, engine] = await other.both('FUNCTION', 'STATS');
      const withoutDuration = (reply: Buffer) =>
        reply.toString('latin1').replace(/:\d+\r\n\$7\r\nengines/, ':?');
      assert.equal(withoutDuration(engine), withoutDuration(redis));
      await other.same('SCRIPT', 'KILL');
      await other.same('HGET', 'h', 'f');
      await other.same('FUNCTION', 'KILL');
      await spinning.same();
      other.close();
    },
  );
});

it('in-process: an async call defers past the threshold; callSync stops the script instead', async () => {
  const engine = new Engine({ config: { 'busy-reply-threshold': '50' } });
  const client = new EngineClient(engine);
  const other = new EngineClient(engine);
  const spinning = client.call('EVAL', SPIN, '0');
  await sleep(150);
  const busy = other.callSync('GET', 'x');
  assert.ok(busy instanceof ErrorReply && busy.message.startsWith('BUSY'), String(busy));
  assert.ok(other.callSync('SCRIPT', 'KILL') !== undefined);
  const killed = await spinning;
  assert.ok(killed instanceof ErrorReply && killed.message.includes('Script killed by user'), String(killed));
  const stopped = other.callSync('EVAL', SPIN, '0');
  assert.ok(
    stopped instanceof ErrorReply && stopped.message.includes('busy-reply-threshold'),
    String(stopped),
  );
  assert.deepEqual(other.callSync('SET', 'x', '1'), OK);
  engine.close();
});
