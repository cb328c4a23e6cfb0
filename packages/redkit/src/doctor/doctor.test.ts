import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Engine, RespServer } from '@redkit/engine';
import {
  findRedisServer,
  type RedisServerHandle,
  realRedisRequired,
  startRedisServer,
} from '@redkit/test-utils';
import { connect } from '../client/connect.js';
import type { RedisCommand, RedisPort } from '../client/port.js';
import type { Check } from './checks.js';
import { doctor } from './doctor.js';
import { formatReport } from './format.js';
import type { DoctorReport } from './report.js';

const noRedis = !findRedisServer() && !realRedisRequired();

function check(report: DoctorReport, id: string): Check {
  const found = report.checks.find((c) => c.id === id);
  assert.ok(found, `no check ${id} in ${report.checks.map((c) => c.id).join(', ')}`);
  return found;
}

/** Every anti-pattern of the seeds at once. */
async function seedAntiPatterns(redis: RedisPort): Promise<void> {
  await redis.send('FLUSHALL');
  const noTtl = Array.from(
    { length: 50 },
    (_, i) => ['SET', `legacy:user:${i}`, 'x'] as [string, string, string],
  );
  await redis.pipeline(noTtl);
  await redis.send('SET', 'blob:report', 'r'.repeat(200 * 1024), 'EX', 3600);
  for (let chunk = 0; chunk < 12; chunk++) {
    const fields = Array.from({ length: 1000 }, (_, i) => [`f${chunk * 1000 + i}`, 'v']).flat();
    await redis.send('HSET', 'big:hash', ...fields);
  }
  await redis.send('EXPIRE', 'big:hash', 3600);
  await redis.send('KEYS', '*');
}

/** A well-kept cache: every key with a jittered TTL, a memory limit and an evicting policy. */
async function seedClean(redis: RedisPort): Promise<void> {
  await redis.send('FLUSHALL');
  await redis.send('CONFIG', 'SET', 'maxmemory', '512mb');
  await redis.send('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru');
  const writes = Array.from(
    { length: 300 },
    (_, i): RedisCommand => ['SET', `cache:product:${i}`, `{"id":${i}}`, 'EX', 3600 + ((i * 37) % 600)],
  );
  await redis.pipeline(writes);
  await redis.send('HSET', 'session:abc', 'user', '42');
  await redis.send('EXPIRE', 'session:abc', 86_400);
  await redis.send('CONFIG', 'RESETSTAT');
}

for (const backend of ['engine RESP server', 'redis-server'] as const) {
  describe(`redkit doctor on the ${backend}`, {
    skip: backend === 'redis-server' && noRedis ? 'redis-server is not installed' : false,
  }, () => {
    let server: RedisServerHandle | null = null;
    let engine: Engine | undefined;
    let resp: RespServer | undefined;
    let url: string;
    let redis: RedisPort;

    before(async () => {
      if (backend === 'redis-server') {
        server = await startRedisServer();
        url = `redis://127.0.0.1:${server!.port}`;
      } else {
        engine = new Engine();
        resp = await RespServer.listen({ engine, port: 0, host: '127.0.0.1' });
        url = `redis://127.0.0.1:${resp.port}`;
      }
      redis = await connect(url);
    });
    after(async () => {
      await redis.close();
      await server?.stop();
      await resp?.close();
      engine?.close();
    });
    beforeEach(async () => {
      await redis.send('FLUSHALL');
      await redis.send('CONFIG', 'SET', 'maxmemory', '0');
      await redis.send('CONFIG', 'SET', 'maxmemory-policy', 'noeviction');
      await redis.send('CONFIG', 'RESETSTAT');
    });

    it('flags each seeded anti-pattern in the JSON report', async () => {
      await seedAntiPatterns(redis);
      const report = await doctor(url);
      const json = JSON.parse(JSON.stringify(report)) as DoctorReport;

      const noTtl = check(json, 'keys.no-ttl');
      assert.equal(noTtl.status, 'warn');
      assert.match(noTtl.message, /legacy:user:\* \(50 keys/);
      const prefixes = (noTtl.details as { prefixes: Array<{ prefix: string; keys: number; bytes: number }> })
        .prefixes;
      assert.deepEqual(prefixes, [{ prefix: 'legacy:user:*', keys: 50, bytes: prefixes[0]!.bytes }]);

      const large = check(json, 'keys.large-values');
      assert.equal(large.status, 'warn');
      assert.match(large.message, /blob:report \(200 KB\)/);

      const big = check(json, 'keys.big-keys');
      assert.equal(big.status, 'warn');
      assert.match(big.message, /big:hash \(hash, 12,000 elements/);
      assert.match(big.advice!, /HSCAN/);

      const dangerous = check(json, 'commands.dangerous');
      assert.equal(dangerous.status, 'warn');
      assert.match(dangerous.message, /KEYS ran 1 time/);
      assert.match(dangerous.message, /FLUSHALL ran 1 time/);

      assert.equal(check(json, 'memory.maxmemory').status, 'warn');
      assert.match(check(json, 'memory.maxmemory').message, /no maxmemory/);
      assert.equal(check(json, 'persistence').status, 'warn');

      // Health checks that have nothing to say here pass.
      for (const id of ['server.ping', 'memory.evictions', 'clients.connections', 'keys.expiry-stampede'])
        assert.equal(check(json, id).status, 'ok', id);

      // The --bigkeys / --memkeys figures.
      assert.equal(json.scan.scanned, 52);
      assert.equal(json.scan.biggestByType.hash?.key, 'big:hash');
      assert.equal(json.scan.biggestByType.string?.key, 'blob:report');
      assert.equal(json.scan.topKeys[0]?.key, 'big:hash');
      assert.ok(json.scan.topKeys[0]!.bytes > 100_000);
      assert.equal(json.scan.memoryMeasure, 'memory-usage');

      // Only warnings: exit code 0, unless --strict.
      assert.equal(json.status, 'warn');
      assert.equal(json.exitCode, 0);
      assert.equal((await doctor(url, { strict: true })).exitCode, 1);
      // Allowed keys are not flagged.
      const allowed = await doctor(url, { allowNoTtl: ['legacy:*'] });
      assert.equal(check(allowed, 'keys.no-ttl').status, 'ok');
      assert.match(check(allowed, 'keys.no-ttl').message, /50 more are allowed/);

      const text = formatReport(report);
      assert.match(text, /▲ warn {2}Keys without TTL/);
      assert.match(text, /legacy:user:\*\s+50/);
      assert.match(text, /WARN: .*exit code 0/);
    });

    it('a clean server passes with exit code 0, even with --strict', async () => {
      await seedClean(redis);
      const report = await doctor(url, { strict: true });
      const notOk = report.checks.filter((c) => c.status !== 'ok' && c.status !== 'unknown');
      assert.deepEqual(notOk, []);
      assert.equal(report.status, 'ok');
      assert.equal(report.exitCode, 0);
      assert.equal(report.scan.scanned, 301);
      assert.equal(report.scan.prefixes[0]?.prefix, 'cache:product:*');
      assert.equal(report.scan.prefixes[0]?.keys, 300);
      assert.match(check(report, 'memory.policy').message, /allkeys-lru fits/);
    });

    it('fails (exit code 1) when memory is at its limit under noeviction', async () => {
      await seedClean(redis);
      await redis.send('CONFIG', 'SET', 'maxmemory-policy', 'noeviction');
      // Just above what the server already uses: full, whatever its baseline.
      const used = Number(/used_memory:(\d+)/.exec(String(await redis.send('INFO', 'memory')))![1]);
      await redis.send('CONFIG', 'SET', 'maxmemory', String(Math.ceil(used * 1.02)));
      try {
        const report = await doctor(url);
        const usage = check(report, 'memory.usage');
        assert.equal(usage.status, 'fail');
        assert.match(usage.advice!, /noeviction refuses every write/);
        assert.equal(check(report, 'memory.policy').status, 'warn'); // a cache under noeviction
        assert.equal(report.exitCode, 1);
      } finally {
        await redis.send('CONFIG', 'SET', 'maxmemory', '0');
      }
    });

    it('warns about keys that all expire in the same second, and about queues under allkeys-lru', async () => {
      await redis.send('CONFIG', 'SET', 'maxmemory', '512mb');
      await redis.send('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru');
      await redis.pipeline(Array.from({ length: 200 }, (_, i) => ['SET', `feed:item:${i}`, 'x', 'EX', 3600]));
      await redis.send('RPUSH', 'jobs', 'a', 'b');
      const report = await doctor(url, { allowNoTtl: ['jobs'] });
      const stampede = check(report, 'keys.expiry-stampede');
      assert.equal(stampede.status, 'warn');
      assert.match(stampede.message, /feed:item:\* \(200 of 200/);
      const policy = check(report, 'memory.policy');
      assert.equal(policy.status, 'warn');
      assert.match(policy.message, /may evict 1 lists\/streams without TTL/);
    });

    it('samples a big keyspace (--sample) and extrapolates; scans every database', async () => {
      for (let i = 0; i < 4; i++) {
        await redis.pipeline(
          Array.from({ length: 500 }, (_, j) => ['SET', `event:${i * 500 + j}`, 'x', 'EX', 600 + j]),
        );
      }
      const dedicated = await redis.duplicate();
      await dedicated.send('SELECT', 3);
      await dedicated.send('SET', 'other:db', 'x', 'EX', 60);
      await dedicated.close();

      const seen: number[] = [];
      const report = await doctor(url, {
        sample: 201,
        scanCount: 50,
        onProgress: (p) => seen.push(p.scanned),
      });
      assert.equal(report.scan.partial, true);
      assert.deepEqual(
        report.scan.databases.map((d) => [d.db, d.keys]),
        [
          [0, 2000],
          [3, 1],
        ],
      );
      assert.equal(report.scan.scanned, 201);
      assert.equal(
        report.scan.prefixes.find((p) => p.prefix === '(no prefix)'),
        undefined,
      );
      const events = report.scan.prefixes.find((p) => p.prefix === 'event:*');
      assert.ok(events && Math.abs(events.keys - 2000) <= 10, `extrapolated ${events?.keys}`);
      assert.equal(seen.at(-1), 201);
      assert.ok(seen.length >= 4, 'progress is reported per batch');

      const onlyDb3 = await doctor(url, { databases: [3] });
      assert.equal(onlyDb3.scan.scanned, 1);
      assert.equal(onlyDb3.scan.prefixes[0]?.prefix, 'other:*');
    });

    if (backend === 'redis-server') {
      it('fails on OOM errors, and reports CONFIG as unknown when it is denied', async () => {
        await redis.send('CONFIG', 'SET', 'maxmemory', '1');
        await assert.rejects(redis.send('SET', 'k', 'v'), /OOM/);
        await redis.send('CONFIG', 'SET', 'maxmemory', '0');
        await redis.send('ACL', 'SETUSER', 'doctor', 'on', '>s3cret', '~*', '&*', '+@all', '-config');
        try {
          const report = await doctor(`redis://doctor:s3cret@127.0.0.1:${server!.port}`);
          assert.equal(report.target, `redis://doctor:***@127.0.0.1:${server!.port}`);
          assert.equal(check(report, 'memory.evictions').status, 'fail');
          assert.match(check(report, 'memory.evictions').message, /1 commands were refused with OOM/);
          // maxmemory and its policy come from INFO; RDB snapshot rules only CONFIG knows.
          assert.equal(check(report, 'memory.maxmemory').status, 'warn');
          const persistence = check(report, 'persistence');
          assert.equal(persistence.status, 'unknown');
          assert.match(persistence.message, /save is unknown: CONFIG GET failed \(NOPERM/);
          assert.equal(report.exitCode, 1);
        } finally {
          await redis.send('ACL', 'DELUSER', 'doctor');
        }
      });
    }
  });
}

describe('redkit doctor in process and against nothing', () => {
  it('examines an engine through connect(engine)', async () => {
    const engine = new Engine();
    const redis = await connect(engine);
    await seedClean(redis);
    const report = await doctor(redis);
    assert.equal(report.exitCode, 0);
    assert.equal(report.nodes[0]?.server, 'redkit');
    assert.equal(check(report, 'memory.fragmentation').status, 'unknown');
    await redis.close();
    engine.close();
  });

  it('reports an unreachable server as a failing PING instead of throwing', async () => {
    const engine = new Engine();
    const resp = await RespServer.listen({ engine, port: 0, host: '127.0.0.1' });
    const port = resp.port;
    await resp.close();
    engine.close();
    const report = await doctor(`redis://127.0.0.1:${port}`);
    assert.equal(report.exitCode, 1);
    assert.equal(report.checks.length, 1);
    assert.equal(check(report, 'server.ping').status, 'fail');
  });
});
