import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Engine, ManualClock } from '@redkit/engine';
import {
  findRedisServer,
  type RedisServerHandle,
  realRedisRequired,
  startRedisServer,
} from '@redkit/test-utils';
import { connect } from '../client/connect.js';
import type { RedisPort } from '../client/port.js';
import { LockLostError, LockTimeoutError } from './errors.js';
import { Redlock } from './redlock.js';

const KEY = 'lock:{res}';

describe('Redlock over five embedded engines', () => {
  // Each server has its own clock, some far apart: fencing tokens must not depend on them agreeing.
  const clocks = [5e9, 0, 1e6, 0, 0].map((skew) => new ManualClock(1_700_000_000_000 + skew));
  const engines = clocks.map((clock) => new Engine({ clock }));
  let nodes: RedisPort[];
  before(async () => {
    nodes = await Promise.all(engines.map((engine) => connect(engine)));
  });
  after(async () => {
    for (const node of nodes) await node.close();
    for (const engine of engines) engine.close();
  });
  const holdElsewhere = async (indexes: number[]) => {
    for (const i of indexes) await nodes[i]!.send('SET', KEY, 'another-owner', 'PX', 60_000);
  };
  const clear = async () => {
    for (const node of nodes) await node.send('DEL', KEY);
  };

  it('acquires with a majority, and its validity is the TTL minus time spent and drift', async () => {
    const redlock = new Redlock(nodes, { ttl: '10s' });
    await holdElsewhere([0, 1]);
    const handle = await redlock.acquire('res', { timeout: 0 });
    assert.ok(handle.remainingMs() <= 10_000 - 102 && handle.remainingMs() > 9_000);
    for (const i of [2, 3, 4]) assert.equal(await nodes[i]!.send('GET', KEY), handle.owner);
    assert.equal(await handle.release(), true);
    for (const i of [2, 3, 4]) assert.equal(await nodes[i]!.send('GET', KEY), null);
    assert.equal(await nodes[0]!.send('GET', KEY), 'another-owner', 'release is compare-and-delete');
    await clear();
  });

  it('without a majority it fails, says what each server answered, and releases everywhere', async () => {
    const redlock = new Redlock(nodes, { ttl: '10s', retry: { minDelay: 2, maxDelay: 5 } });
    await holdElsewhere([0, 1, 2]);
    await assert.rejects(redlock.acquire('res', { timeout: 20 }), (error: unknown) => {
      assert.ok(error instanceof LockTimeoutError);
      assert.match(error.message, /2 of 5 servers granted it \(3 needed\), 3 were held by another owner/);
      return true;
    });
    assert.equal(await nodes[3]!.send('GET', KEY), null, 'the minority it got was given back');
    assert.equal(await nodes[4]!.send('GET', KEY), null);
    await clear();
  });

  it('fencing tokens increase across holders with different majorities and disagreeing clocks', async () => {
    const redlock = new Redlock(nodes, { ttl: '10s' });
    // A gets {0,1,2}: node 0's clock is far ahead, so A's token is large.
    await holdElsewhere([3, 4]);
    const a = await redlock.acquire('res', { timeout: 0 });
    await a.release();
    await clear();
    // B gets {2,3,4}, whose counters alone are far behind A's token: node 2 was raised to it.
    await holdElsewhere([0, 1]);
    const b = await redlock.acquire('res', { timeout: 0 });
    assert.ok(b.fencingToken > a.fencingToken, `${b.fencingToken} > ${a.fencingToken}`);
    await b.release();
    await clear();
  });

  it('extension needs a majority too; a lost majority aborts the signal', async () => {
    const redlock = new Redlock(nodes, { ttl: '10s' });
    const handle = await redlock.acquire('res');
    await holdElsewhere([0, 1]);
    await handle.extend();
    await holdElsewhere([2]);
    await assert.rejects(handle.extend(), (e: unknown) => e instanceof LockLostError && e.reason === 'taken');
    assert.equal(handle.signal.aborted, true);
    await clear();
  });
});

const noRedis = !findRedisServer() && !realRedisRequired();

describe('Redlock over five redis-servers', {
  skip: noRedis ? 'redis-server is not installed' : false,
}, () => {
  const servers: RedisServerHandle[] = [];
  const nodes: RedisPort[] = [];
  const pids: number[] = [];
  before(async () => {
    for (let i = 0; i < 5; i++) {
      const server = (await startRedisServer())!;
      servers.push(server);
      const node = await connect(`redis://127.0.0.1:${server.port}`);
      nodes.push(node);
      pids.push(Number(/process_id:(\d+)/.exec((await node.send('INFO', 'server')) as string)![1]));
    }
  });
  after(async () => {
    for (const pid of pids) process.kill(pid, 'SIGCONT');
    for (const node of nodes) await node.close();
    for (const server of servers) await server.stop();
  });

  it('for all 32 patterns of available servers, acquires exactly when a majority is free', async () => {
    // Generous for a loaded test machine: a paused server costs this much per attempt and release.
    const redlock = new Redlock(nodes, { ttl: '10s', nodeTimeout: 150 });
    let lastToken = 0;
    for (let pattern = 0; pattern < 32; pattern++) {
      const available = [0, 1, 2, 3, 4].filter((i) => pattern & (1 << i));
      const unavailable = [0, 1, 2, 3, 4].filter((i) => !(pattern & (1 << i)));
      // An unavailable server is either held by another owner or paused (it answers nothing).
      const paused = unavailable.filter((i) => (i + pattern) % 2 === 0);
      const held = unavailable.filter((i) => (i + pattern) % 2 === 1);
      for (const i of held) await nodes[i]!.send('SET', KEY, 'another-owner', 'PX', 60_000);
      for (const i of paused) process.kill(pids[i]!, 'SIGSTOP');

      const handle = await redlock.tryAcquire('res');
      const label = `pattern ${pattern.toString(2).padStart(5, '0')} (held ${held}, paused ${paused})`;
      assert.equal(handle !== null, available.length >= 3, label);
      if (handle) {
        assert.ok(handle.remainingMs() > 9_000, label);
        assert.ok(handle.fencingToken > lastToken, `${label}: fencing token increases`);
        lastToken = handle.fencingToken;
        for (const i of available) assert.equal(await nodes[i]!.send('GET', KEY), handle.owner, label);
        assert.equal(await handle.release(), true, label);
      }
      for (const i of paused) process.kill(pids[i]!, 'SIGCONT');
      // Everywhere, the paused servers included once they ran what queued up, our key is gone.
      for (const i of [...available, ...paused]) assert.equal(await nodes[i]!.send('GET', KEY), null, label);
      for (const i of held) assert.equal(await nodes[i]!.send('GET', KEY), 'another-owner', label);
      for (const node of nodes) await node.send('DEL', KEY);
    }
  });

  it('names servers that did not answer in its timeout error', async () => {
    const redlock = new Redlock(nodes, { ttl: '10s', nodeTimeout: 100 });
    for (const pid of pids.slice(0, 3)) process.kill(pid, 'SIGSTOP');
    try {
      await assert.rejects(
        redlock.acquire('res', { timeout: 150 }),
        /[345] did not answer \(no answer within 100 ms\)/,
      );
    } finally {
      for (const pid of pids.slice(0, 3)) process.kill(pid, 'SIGCONT');
    }
    for (const node of nodes) assert.equal(await node.send('GET', KEY), null);
  });
});
