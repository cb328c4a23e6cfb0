import { differential } from '@redkit/test-utils';

differential('WAIT and ROLE on a node without replicas', (s) => {
  s.test('ROLE and WAIT answer as a master nobody follows', async (d) => {
    await d.same('ROLE');
    await d.same('ROLE', 'x');
    await d.same('SET', 'k', 'v');
    await d.same('WAIT', '0', '0');
    await d.same('WAIT', '-1', '0');
    await d.same('WAIT', '0', '100000');
    const waiting = d.start('WAIT', '1', '30');
    await waiting.same();
    for (const [replicas, timeout] of [
      ['x', '0'],
      ['1', '-1'],
      ['1', 'x'],
      ['1', '1.5'],
      ['99999999999999999999', '0'],
      ['1', '99999999999999999999'],
    ]) {
      await d.same('WAIT', replicas!, timeout!);
    }
    await d.same('WAIT', '1');
    await d.same('MULTI');
    await d.same('WAIT', '1', '0');
    await d.same('EXEC');
    await d.same('EVAL', "return redis.call('WAIT', 1, 0)", '0');
    await d.same('EVAL', "return redis.call('ROLE')", '0');
    await d.same('COMMAND', 'INFO', 'wait', 'role');
  });

  s.test('a WAIT without timeout waits until CLIENT UNBLOCK', async (d) => {
    const admin = await d.pair();
    const ids = await Promise.all([d.redis.command(['CLIENT', 'ID']), d.engine.command(['CLIENT', 'ID'])]);
    const [redisId, engineId] = ids.map((frame) => frame.toString('latin1').slice(1, -2));
    const waiting = d.start('WAIT', '1', '0');
    await new Promise((resolve) => setTimeout(resolve, 20));
    await Promise.all([
      admin.redis.command(['CLIENT', 'UNBLOCK', redisId!]),
      admin.engine.command(['CLIENT', 'UNBLOCK', engineId!]),
    ]);
    await waiting.same();
    const failing = d.start('WAIT', '2', '0');
    await new Promise((resolve) => setTimeout(resolve, 20));
    await Promise.all([
      admin.redis.command(['CLIENT', 'UNBLOCK', redisId!, 'ERROR']),
      admin.engine.command(['CLIENT', 'UNBLOCK', engineId!, 'ERROR']),
    ]);
    await failing.same();
    admin.close();
  });
});
