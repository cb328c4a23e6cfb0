import { type DiffPair, differential } from '@redkit/test-utils';

/** Gives both servers time to park a command just sent on another connection. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 30));

async function clients(d: DiffPair, n: number): Promise<DiffPair[]> {
  return Promise.all(Array.from({ length: n }, () => d.pair()));
}

async function fill(d: DiffPair, key: string, n: number, from = 1): Promise<void> {
  for (let i = from; i < from + n; i++) await d.same('XADD', key, `${i}-1`, 'f', `v${i}`);
}

differential('stream reads and blocking', (s) => {
  s.test('XREAD without blocking', async (d) => {
    await fill(d, 's', 5);
    await fill(d, 't', 2, 3);
    await d.same('XREAD', 'STREAMS', 's', '0');
    await d.same('XREAD', 'STREAMS', 's', '3-1');
    await d.same('XREAD', 'STREAMS', 's', '5-1');
    await d.same('XREAD', 'STREAMS', 's', '$');
    await d.same('XREAD', 'COUNT', '2', 'STREAMS', 's', 't', '0', '0');
    await d.same('XREAD', 'COUNT', '0', 'STREAMS', 's', 't', '2', '3');
    await d.same('XREAD', 'COUNT', '-3', 'STREAMS', 's', 'none', 't', '2', '0', '4-1');
    await d.same('XREAD', 'COUNT', '1', 'COUNT', '2', 'STREAMS', 's', '0');
    await d.same('XREAD', 'STREAMS', 'none', '0');
    await d.same('XREAD', 'STREAMS', 's', 's', '0', '4');
    await d.same('XREAD', 'streams', 's', '18446744073709551615-18446744073709551615');
    await d.same('XDEL', 's', '5-1');
    await d.same('XREAD', 'STREAMS', 's', '4-1');
    await d.same('XREAD', 'STREAMS', 's', 't', '0');
    await d.same('XREAD', 'STREAMS', 's', 'x');
    await d.same('XREAD', 'STREAMS', 's', '>');
    await d.same('XREAD', 'STREAMS', 's', '-');
    await d.same('XREAD', 'STREAMS', 's', '+');
    await d.same('XREAD', 'COUNT', 'x', 'STREAMS', 's', '0');
    await d.same('XREAD', 'BLOCK', 'x', 'STREAMS', 's', '0');
    await d.same('XREAD', 'BLOCK', '-1', 'STREAMS', 's', '0');
    await d.same('XREAD', 'BLOCK', '1.5', 'STREAMS', 's', '0');
    await d.same('XREAD', 'GROUP', 'g', 'c', 'STREAMS', 's', '0');
    await d.same('XREAD', 'NOACK', 'STREAMS', 's', '0');
    await d.same('XREAD', 'FOO', 'STREAMS', 's', '0');
    await d.same('XREAD', 'COUNT', '1', 'BLOCK', '1');
    await d.same('XREAD', 'STREAMS');
    await d.same('SET', 'str', 'x');
    await d.same('XREAD', 'STREAMS', 'str', '0');
    await d.same('XREAD', 'STREAMS', 's', 'str', '0', '0');
    await d.resp3();
    await d.same('XREAD', 'STREAMS', 's', 't', '0', '0');
    await d.same('XREAD', 'STREAMS', 'none', '0');
  });

  s.test('served at once or timing out', async (d) => {
    await fill(d, 's', 2);
    await d.same('XREAD', 'BLOCK', '0', 'STREAMS', 's', '0');
    await d.same('XREAD', 'BLOCK', '20', 'STREAMS', 's', '$');
    await d.same('XREAD', 'BLOCK', '20', 'STREAMS', 'none', 's', '0', '2-1');
    await d.same('XGROUP', 'CREATE', 's', 'g', '$');
    await d.same('XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '20', 'STREAMS', 's', '>');
    await d.same('XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 's', '0');
    await d.same('MULTI');
    await d.same('XREAD', 'BLOCK', '0', 'STREAMS', 's', '$');
    await d.same('XREAD', 'BLOCK', '0', 'STREAMS', 's', '0');
    await d.same('EXEC');
    await d.resp3();
    await d.same('XREAD', 'BLOCK', '20', 'STREAMS', 's', '$');
    await d.same('XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '20', 'STREAMS', 's', '>');
  });

  s.test('XREAD BLOCK woken by XADD, in arrival order', async (d) => {
    await fill(d, 's', 1);
    const [a, b, c] = await clients(d, 3);
    const ra = a!.start('XREAD', 'BLOCK', '0', 'STREAMS', 's', '$');
    await settle();
    const rb = b!.start('XREAD', 'BLOCK', '5000', 'STREAMS', 'x', 's', '$', '1-1');
    await settle();
    const rc = c!.start('XREAD', 'COUNT', '1', 'BLOCK', '0', 'STREAMS', 's', '0');
    await rc.same();
    await d.same('XADD', 's', '2-1', 'a', 'b');
    await ra.same();
    await rb.same();
    for (const p of [a, b, c]) p!.close();
  });

  s.test('blocked on a missing key, several keys, and the $ ID', async (d) => {
    const [a, b] = await clients(d, 2);
    const ra = a!.start('XREAD', 'BLOCK', '0', 'STREAMS', 'k1', 'k2', '$', '$');
    await settle();
    const rb = b!.start('XREAD', 'COUNT', '5', 'BLOCK', '0', 'STREAMS', 'k2', '0-5');
    await settle();
    await d.same('LPUSH', 'k1', 'x');
    await d.same('DEL', 'k1');
    await d.same('XADD', 'k2', '0-3', 'f', 'v');
    await ra.same();
    await d.same('XADD', 'k2', '0-6', 'f', 'v');
    await rb.same();
    for (const p of [a, b]) p!.close();
  });

  s.test('XREADGROUP BLOCK: consumers share new entries', async (d) => {
    await d.same('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM');
    const [a, b, c] = await clients(d, 3);
    const ra = a!.start('XREADGROUP', 'GROUP', 'g', 'alice', 'BLOCK', '0', 'STREAMS', 's', '>');
    await settle();
    const rb = b!.start('XREADGROUP', 'GROUP', 'g', 'bob', 'COUNT', '1', 'BLOCK', '0', 'STREAMS', 's', '>');
    await settle();
    const rc = c!.start('XREADGROUP', 'GROUP', 'g', 'carol', 'NOACK', 'BLOCK', '0', 'STREAMS', 's', '>');
    await settle();
    await d.same('XADD', 's', '1-1', 'f', 'v');
    await ra.same();
    await d.same('XADD', 's', '2-1', 'f', 'v');
    await rb.same();
    await d.same('XADD', 's', '3-1', 'f', 'v');
    await rc.same();
    await d.same('XPENDING', 's', 'g');
    await d.same('XINFO', 'GROUPS', 's');
    for (const p of [a, b, c]) p!.close();
  });

  s.test('XREADGROUP BLOCK and a destroyed group', async (d) => {
    await d.same('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM');
    await d.same('XGROUP', 'CREATE', 's', 'h', '$');
    const [a, b] = await clients(d, 2);
    const ra = a!.start('XREADGROUP', 'GROUP', 'g', 'alice', 'BLOCK', '0', 'STREAMS', 's', '>');
    await settle();
    const rb = b!.start('XREADGROUP', 'GROUP', 'h', 'bob', 'BLOCK', '0', 'STREAMS', 's', '>');
    await settle();
    await d.same('XGROUP', 'DESTROY', 's', 'g');
    await ra.same();
    await d.same('XADD', 's', '1-1', 'f', 'v');
    await rb.same();
    for (const p of [a, b]) p!.close();
  });

  s.test('RESP3 blocked replies and timeouts', async (d) => {
    const [a, b] = await clients(d, 2);
    await a!.resp3();
    await b!.resp3();
    await d.same('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM');
    const ra = a!.start('XREAD', 'BLOCK', '0', 'STREAMS', 's', '$');
    await settle();
    const rb = b!.start('XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 's', '>');
    await settle();
    await d.same('XADD', 's', '1-1', 'f', 'v');
    await ra.same();
    await rb.same();
    await a!.same('XREAD', 'BLOCK', '10', 'STREAMS', 's', '$');
    for (const p of [a, b]) p!.close();
  });

  s.test('a timed-out XREADGROUP and consumer creation', async (d) => {
    await d.same('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM');
    await d.same('XREADGROUP', 'GROUP', 'g', 'ghost', 'BLOCK', '20', 'STREAMS', 's', '>');
    await d.same('XREADGROUP', 'GROUP', 'g', 'ghost2', 'STREAMS', 's', '>');
    await d.same('XINFO', 'GROUPS', 's');
  });

  s.test('blocked readers across DEL, type changes and re-creation', async (d) => {
    await d.same('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM');
    await d.same('XADD', 't', '5-1', 'f', 'v');
    const [a, b] = await clients(d, 2);
    const ra = a!.start('XREADGROUP', 'GROUP', 'g', 'alice', 'BLOCK', '0', 'STREAMS', 's', '>');
    await settle();
    const rb = b!.start('XREAD', 'BLOCK', '0', 'STREAMS', 't', 't', '$', '0');
    await settle();
    await d.same('DEL', 's', 't');
    await d.same('SET', 't', 'x');
    await d.same('DEL', 't');
    await d.same('XADD', 't', '1-1', 'f', 'v');
    await d.same('XADD', 't', '6-1', 'f', 'v');
    await rb.same();
    await d.same('XADD', 's', '1-1', 'f', 'v');
    await ra.same();
    for (const p of [a, b]) p!.close();
  });

  s.test('a blocked XREAD served after XDEL of the new entry', async (d) => {
    await d.same('XADD', 's', '1-1', 'f', 'v');
    const [a] = await clients(d, 1);
    const ra = a!.start('XREAD', 'BLOCK', '0', 'STREAMS', 's', '$');
    await settle();
    await d.same('MULTI');
    await d.same('XADD', 's', '2-1', 'f', 'v');
    await d.same('XDEL', 's', '2-1');
    await d.same('EXEC');
    await ra.same();
    a!.close();
  });

  s.test('big entries, node limits and XREADGROUP history', async (d) => {
    const big = 'x'.repeat(1000);
    for (let i = 1; i <= 30; i++) await d.same('XADD', 's', `${i}-1`, 'f', big, 'g', String(i));
    await d.same('XINFO', 'STREAM', 's');
    await d.same('XTRIM', 's', 'MAXLEN', '~', '10');
    await d.same('XINFO', 'STREAM', 's');
    await d.same('CONFIG', 'SET', 'stream-node-max-entries', '5');
    for (let i = 31; i <= 60; i++) await d.same('XADD', 'm', `${i}-1`, 'f', String(i));
    await d.same('XTRIM', 'm', 'MAXLEN', '~', '12');
    await d.same('XTRIM', 'm', 'MINID', '~', '49');
    await d.same('XDEL', 'm', '50-1', '51-1', '52-1', '53-1', '54-1');
    await d.same('XINFO', 'STREAM', 'm');
    await d.same('CONFIG', 'SET', 'stream-node-max-entries', '100');
    await d.same('XGROUP', 'CREATE', 'm', 'g', '0');
    await d.same('XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 'm', '>');
    await d.same('XDEL', 'm', '56-1', '58-1');
    await d.same('XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', '3', 'STREAMS', 'm', '0');
    await d.same('XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 'm', '57-1');
    await d.same('XAUTOCLAIM', 'm', 'g', 'd', '0', '0', 'COUNT', '2');
    await d.same('XAUTOCLAIM', 'm', 'g', 'd', '0', '0', 'COUNT', '2');
    await d.same('XINFO', 'GROUPS', 'm');
    await d.resp3();
    await d.same('XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 'm', '0');
  });

  s.test('group readers released when the stream is deleted or replaced', async (d) => {
    await d.same('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM');
    const [a, b, c] = await clients(d, 3);
    const ra = a!.start('XREADGROUP', 'GROUP', 'g', 'alice', 'BLOCK', '0', 'STREAMS', 's', '>');
    await settle();
    const rb = b!.start('XREAD', 'BLOCK', '0', 'STREAMS', 's', '$');
    await settle();
    await d.same('SET', 's', 'x');
    await ra.same();
    await d.same('DEL', 's');
    await d.same('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM');
    const rc = c!.start('XREADGROUP', 'GROUP', 'g', 'carol', 'BLOCK', '0', 'STREAMS', 's', '>');
    await settle();
    await d.same('DEL', 's');
    await rc.same();
    await d.same('XADD', 's', '1-1', 'f', 'v');
    await rb.same();
    for (const p of [a, b, c]) p!.close();
  });

  s.test('group readers released by FLUSHDB and FLUSHALL; plain readers keep waiting', async (d) => {
    const [a, b, c] = await clients(d, 3);
    for (const flush of [['FLUSHDB'], ['FLUSHALL', 'SYNC']]) {
      await d.same('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM');
      const ra = a!.start('XREADGROUP', 'GROUP', 'g', 'alice', 'BLOCK', '0', 'STREAMS', 's', '>');
      await settle();
      const rb = b!.start('XREAD', 'BLOCK', '0', 'STREAMS', 's', '$');
      await settle();
      await d.same(...flush);
      await ra.same();
      await d.same('XADD', 's', '1-1', 'f', 'v');
      await rb.same();
      await d.same('DEL', 's');
    }
    for (const p of [a, b, c]) p!.close();
  });
});
