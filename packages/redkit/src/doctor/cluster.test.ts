import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  findRedisServer,
  type RedisClusterHandle,
  realRedisRequired,
  startRedisCluster,
} from '@redkit/test-utils';
import { Cluster } from 'ioredis';
import { createCluster } from 'redis';
import { connect } from '../client/connect.js';
import type { RedisPort } from '../client/port.js';
import { doctor } from './doctor.js';
import type { DoctorReport } from './report.js';

const status = (report: DoctorReport, id: string) =>
  report.checks.filter((c) => c.id === id).map((c) => c.status);

describe('redkit doctor on a 3-master Redis Cluster', {
  skip: !findRedisServer() && !realRedisRequired() ? 'redis-server is not installed' : false,
}, () => {
  let cluster: RedisClusterHandle | null;
  let client: Cluster;
  let redis: RedisPort;
  before(async () => {
    cluster = await startRedisCluster(3);
    client = new Cluster(cluster!.ports.map((port) => ({ host: '127.0.0.1', port })));
    redis = await connect(client);
    // Keys in every slot range: 300 cache entries with jittered TTLs, 30 without TTL, one 150 KB value.
    for (let i = 0; i < 300; i++) await redis.send('SET', `cache:item:${i}`, 'x', 'EX', 3600 + i);
    for (let i = 0; i < 30; i++) await redis.send('SET', `legacy:${i}`, 'x');
    await redis.send('SET', 'blob:1', 'b'.repeat(150 * 1024), 'EX', 60);
  });
  after(async () => {
    await client.quit();
    await cluster?.stop();
  });

  const assertCovered = (report: DoctorReport) => {
    assert.equal(report.cluster, true);
    assert.deepEqual(
      report.nodes.map((n) => n.address).sort(),
      cluster!.ports.map((p) => `127.0.0.1:${p}`).sort(),
    );
    assert.equal(report.scan.scanned, 331);
    assert.ok(
      report.nodes.every((n) => n.scanned > 0),
      'every master is scanned',
    );
    assert.deepEqual(status(report, 'cluster.state'), ['ok', 'ok', 'ok']);
    assert.deepEqual(status(report, 'server.ping'), ['ok', 'ok', 'ok']);
    assert.deepEqual(status(report, 'keys.no-ttl'), ['warn']);
    assert.match(report.checks.find((c) => c.id === 'keys.no-ttl')!.message, /^30 keys/);
    assert.deepEqual(status(report, 'keys.large-values'), ['warn']);
  };

  it('scans every master from one node URL (CLUSTER NODES)', async () => {
    assertCovered(await doctor(`redis://127.0.0.1:${cluster!.ports[1]}`));
  });

  it('scans every master of an ioredis Cluster client', async () => {
    const report = await doctor(redis);
    assertCovered(report);
    // Sampling splits the limit between the masters in proportion to their keys.
    const sampled = await doctor(redis, { sample: 60 });
    assert.equal(sampled.scan.partial, true);
    assert.ok(
      sampled.nodes.every((n) => n.scanned >= 15 && n.scanned <= 25),
      JSON.stringify(sampled.nodes),
    );
  });

  it('scans every master of a node-redis Cluster client', async () => {
    const nodeRedis = createCluster({ rootNodes: [{ url: `redis://127.0.0.1:${cluster!.ports[0]}` }] });
    await nodeRedis.connect();
    try {
      assertCovered(await doctor(await connect(nodeRedis)));
    } finally {
      await nodeRedis.close();
    }
  });
});
