import assert from 'node:assert/strict';
import { type DiffPair, differential } from '@redkit/test-utils';

/** Lets both servers read a command just sent with start() before the next client acts. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 30));

/** Opens `n` more client pairs. */
async function clients(d: DiffPair, n: number): Promise<DiffPair[]> {
  return Promise.all(Array.from({ length: n }, () => d.pair()));
}

function closeAll(pairs: DiffPair[]): void {
  for (const p of pairs) p.close();
}

differential('blocking list commands', (s) => {
  s.test('BLPOP and BRPOP wait for a push', async (d) => {
    const [a, b] = await clients(d, 2);
    const left = a!.start('BLPOP', 'k', '0');
    await settle();
    await d.same('RPUSH', 'k', 'x', 'y', 'z');
    await left.same();
    const right = b!.start('BRPOP', 'k2', 'k', '0');
    await settle();
    await d.same('LRANGE', 'k', '0', '-1');
    await right.same();
    await d.same('LRANGE', 'k', '0', '-1');
    closeAll([a!, b!]);
  });

  s.test('first blocked, first served; one push serves as many clients as elements', async (d) => {
    const waiters = await clients(d, 4);
    const pending = [];
    for (const w of waiters) {
      pending.push(w.start('BLPOP', 'q', '0'));
      await settle();
    }
    await d.same('RPUSH', 'q', '1', '2', '3');
    for (const p of pending.slice(0, 3)) await p.same();
    await d.same('EXISTS', 'q');
    await d.same('LPUSH', 'q', '4', '5');
    await pending[3]!.same();
    await d.same('LRANGE', 'q', '0', '-1');
    closeAll(waiters);
  });

  s.test('clients blocked on several keys are served from the key that got data', async (d) => {
    const [a, b, c] = await clients(d, 3);
    const onK1 = a!.start('BLPOP', 'k1', '0');
    await settle();
    const onK2 = b!.start('BRPOP', 'k2', '0');
    await settle();
    const onBoth = c!.start('BLPOP', 'k1', 'k2', 'k1', '0');
    await settle();
    await d.same('MULTI');
    await d.same('RPUSH', 'k2', 'x');
    await d.same('RPUSH', 'k1', 'y');
    await d.same('RPUSH', 'k2', 'z');
    await d.same('EXEC');
    await onK2.same();
    await onK1.same();
    await onBoth.same();
    await d.same('EXISTS', 'k1', 'k2');
    closeAll([a!, b!, c!]);
  });

  s.test('timeouts: null array after the time passes, in RESP2 and RESP3', async (d) => {
    const [a, b] = await clients(d, 2);
    await d.same('SET', 'str', 'v');
    await a!.start('BLPOP', 'none', '0.1').same();
    await a!.start('BRPOP', 'none', 'str', '0.05').same();
    await a!.start('BLMOVE', 'none', 'dst', 'LEFT', 'RIGHT', '0.1').same();
    await a!.start('BRPOPLPUSH', 'none', 'dst', '0.1').same();
    await a!.start('BLMPOP', '0.1', '2', 'none', 'other', 'LEFT', 'COUNT', '2').same();
    await b!.resp3();
    await b!.start('BLPOP', 'none', '0.1').same();
    await b!.start('BLMOVE', 'none', 'dst', 'LEFT', 'RIGHT', '0.1').same();
    await b!.start('BLMPOP', '0.1', '1', 'none', 'LEFT').same();
    await d.same('EXISTS', 'dst');
    closeAll([a!, b!]);
  });

  s.test('a push before the timeout serves the client', async (d) => {
    const [a] = await clients(d, 1);
    const pop = a!.start('BLPOP', 'k', '5');
    await settle();
    await d.same('RPUSH', 'k', 'v');
    await pop.same();
    closeAll([a!]);
  });

  s.test('odd timeouts that mean "forever" block until served', async (d) => {
    const [a] = await clients(d, 1);
    for (const t of ['-0.001', '-0.0005', '-0', '0x0', '0.0']) {
      const pop = a!.start('BLPOP', 'k', t);
      await settle();
      await d.same('RPUSH', 'k', t);
      await pop.same();
    }
    closeAll([a!]);
  });

  s.test('served replies in RESP3', async (d) => {
    const [a] = await clients(d, 1);
    await a!.resp3();
    let pending = a!.start('BLPOP', 'k', '0');
    await settle();
    await d.same('RPUSH', 'k', 'v');
    await pending.same();
    pending = a!.start('BLMOVE', 'k', 'dst', 'LEFT', 'LEFT', '0');
    await settle();
    await d.same('RPUSH', 'k', 'w');
    await pending.same();
    pending = a!.start('BLMPOP', '0', '1', 'k', 'RIGHT', 'COUNT', '3');
    await settle();
    await d.same('RPUSH', 'k', '1', '2');
    await pending.same();
    closeAll([a!]);
  });

  s.test("BLMOVE's push can serve clients blocked on its destination", async (d) => {
    const [a, b, c] = await clients(d, 3);
    const mover = a!.start('BLMOVE', 'src', 'mid', 'LEFT', 'RIGHT', '0');
    await settle();
    const mover2 = b!.start('BRPOPLPUSH', 'mid', 'end', '0');
    await settle();
    const popper = c!.start('BLPOP', 'end', '0');
    await settle();
    await d.same('LPUSH', 'src', 'x');
    await mover.same();
    await mover2.same();
    await popper.same();
    await d.same('EXISTS', 'src', 'mid', 'end');
    closeAll([a!, b!, c!]);
  });

  s.test('BLMOVE onto its own source rotates, and serves others waiting on it', async (d) => {
    const [a, b] = await clients(d, 2);
    const rotate = a!.start('BLMOVE', 'k', 'k', 'LEFT', 'RIGHT', '0');
    await settle();
    const pop = b!.start('BLPOP', 'k', '0');
    await settle();
    await d.same('RPUSH', 'k', 'a');
    await rotate.same();
    await pop.same();
    await d.same('EXISTS', 'k');
    closeAll([a!, b!]);
  });

  s.test('BLMOVE to a destination of another type answers WRONGTYPE when served', async (d) => {
    const [a, b] = await clients(d, 2);
    await d.same('SET', 'str', 'v');
    const move = a!.start('BLMOVE', 'k', 'str', 'LEFT', 'LEFT', '0');
    await settle();
    const pop = b!.start('BLPOP', 'k', '0');
    await settle();
    await d.same('RPUSH', 'k', 'a', 'b');
    await move.same();
    await pop.same();
    await d.same('LRANGE', 'k', '0', '-1');
    closeAll([a!, b!]);
  });

  s.test('BLMPOP takes up to COUNT per client, in order', async (d) => {
    const [a, b, c] = await clients(d, 3);
    const first = a!.start('BLMPOP', '0', '2', 'x', 'y', 'LEFT', 'COUNT', '2');
    await settle();
    const second = b!.start('BLMPOP', '0', '1', 'y', 'RIGHT', 'COUNT', '2');
    await settle();
    const third = c!.start('BLMPOP', '0.2', '1', 'y', 'LEFT');
    await settle();
    await d.same('RPUSH', 'y', '1', '2', '3');
    await first.same();
    await second.same();
    await third.same();
    await d.same('EXISTS', 'y');
    closeAll([a!, b!, c!]);
  });

  s.test('a key set to another type keeps clients waiting', async (d) => {
    const [a] = await clients(d, 1);
    const pop = a!.start('BLPOP', 'k', '0');
    await settle();
    await d.same('SET', 'k', 'string');
    await d.same('SADD', 'k2', 'm');
    await d.same('RENAME', 'k2', 'k');
    await d.same('DEL', 'k');
    await d.same('RPUSH', 'k', 'now');
    await pop.same();
    closeAll([a!]);
  });

  s.test('a push popped in the same transaction serves nobody', async (d) => {
    const [a] = await clients(d, 1);
    const pop = a!.start('BLPOP', 'k', '0.2');
    await settle();
    await d.same('MULTI');
    await d.same('RPUSH', 'k', 'a');
    await d.same('LPOP', 'k');
    await d.same('EXEC');
    await pop.same();
    await d.same('EXISTS', 'k');
    closeAll([a!]);
  });

  s.test('LMOVE and RENAME into a waited-on key serve the waiter', async (d) => {
    const [a, b] = await clients(d, 2);
    await d.same('RPUSH', 'src', '1', '2');
    const pop = a!.start('BRPOP', 'k', '0');
    await settle();
    await d.same('LMOVE', 'src', 'k', 'LEFT', 'RIGHT');
    await pop.same();
    const pop2 = b!.start('BLPOP', 'k2', '0');
    await settle();
    await d.same('RENAME', 'src', 'k2');
    await pop2.same();
    closeAll([a!, b!]);
  });

  s.test('a client that disconnects while blocked consumes nothing', async (d) => {
    const [a, b] = await clients(d, 2);
    // Its reply never comes: the connection closes while it waits.
    const gone = a!
      .start('BLPOP', 'k', '0')
      .same()
      .catch(() => undefined);
    await settle();
    const pop = b!.start('BLPOP', 'k', '0');
    await settle();
    a!.close();
    await gone;
    await settle();
    await d.same('RPUSH', 'k', 'one', 'two');
    await pop.same();
    await d.same('LRANGE', 'k', '0', '-1');
    closeAll([b!]);
  });

  s.test('CLIENT UNBLOCK wakes a blocked list client', async (d) => {
    const [a] = await clients(d, 1);
    const [redisId, engineId] = await a!.both('CLIENT', 'ID');
    const id = (frame: Buffer) => frame.toString('latin1').slice(1).trim();
    for (const mode of [[], ['ERROR'], ['TIMEOUT']]) {
      const pop = a!.start('BLMOVE', 'k', 'd', 'LEFT', 'LEFT', '0');
      await settle();
      const [r, e] = await Promise.all([
        d.redis.command(['CLIENT', 'UNBLOCK', id(redisId), ...mode]),
        d.engine.command(['CLIENT', 'UNBLOCK', id(engineId), ...mode]),
      ]);
      assert.equal(e.toString('latin1'), r.toString('latin1'));
      await pop.same();
    }
    closeAll([a!]);
  });

  s.test('clients wait in their own database; SWAPDB can serve them', async (d) => {
    const [a, b] = await clients(d, 2);
    await a!.same('SELECT', '1');
    const pop = a!.start('BLPOP', 'k', '0');
    await settle();
    await d.same('RPUSH', 'k', 'db0');
    await d.same('SELECT', '1');
    await d.same('RPUSH', 'k', 'db1');
    await pop.same();
    await d.same('SELECT', '0');
    await d.same('LRANGE', 'k', '0', '-1');
    await b!.same('SELECT', '2');
    const pop2 = b!.start('BRPOP', 'k', '0');
    await settle();
    await d.same('SWAPDB', '0', '2');
    await pop2.same();
    await d.same('EXISTS', 'k');
    closeAll([a!, b!]);
  });

  s.test('list writes count changes (rdb_changes_since_last_save) as Redis does', async (d) => {
    const [a] = await clients(d, 1);
    const changes = async (): Promise<[number, number]> => {
      const [r, e] = await d.both('INFO', 'persistence');
      const read = (b: Buffer) => Number(/rdb_changes_since_last_save:(\d+)/.exec(b.toString('latin1'))![1]);
      return [read(r), read(e)];
    };
    const before = await changes();
    const commands: string[][] = [
      ['RPUSH', 'l', 'a', 'b', 'c', 'd', 'e', 'f', 'g'],
      ['LPUSHX', 'l', '1', '2'],
      ['LPOP', 'l', '3'],
      ['RPOP', 'l'],
      ['LTRIM', 'l', '0', '-1'],
      ['LTRIM', 'l', '1', '-2'],
      ['LREM', 'l', '0', 'e'],
      ['LSET', 'l', '0', 'x'],
      ['LINSERT', 'l', 'AFTER', 'x', 'y'],
      ['LMOVE', 'l', 'm', 'LEFT', 'LEFT'],
      ['RPOPLPUSH', 'l', 'm'],
      ['LMPOP', '1', 'm', 'LEFT', 'COUNT', '5'],
      ['BLPOP', 'l', '0'],
      ['RPUSH', 'l', 'z'],
      ['BLMOVE', 'l', 'm', 'LEFT', 'LEFT', '0'],
    ];
    for (const cmd of commands) await d.same(...cmd);
    for (const blocked of [
      ['BLPOP', 'q', '0'],
      ['BLMOVE', 'q', 'm', 'LEFT', 'LEFT', '0'],
      ['BLMPOP', '0', '1', 'q', 'LEFT', 'COUNT', '2'],
    ]) {
      const pending = a!.start(...blocked);
      await settle();
      await d.same('RPUSH', 'q', '1', '2', '3');
      await pending.same();
    }
    const after = await changes();
    assert.equal(after[1] - before[1], after[0] - before[0]);
    closeAll([a!]);
  });

  s.test('a blocked client runs nothing else until served', async (d) => {
    const [a] = await clients(d, 1);
    const pop = a!.start('BLPOP', 'k', '0');
    const ping = a!.start('PING');
    await settle();
    await d.same('RPUSH', 'k', 'v');
    await pop.same();
    await ping.same();
    closeAll([a!]);
  });
});
