import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { freePort, RawClient } from '@redkit/test-utils';
import { ConfigFileError, parseConfig, readConfigFile, splitArgs } from './config-file.js';

describe('redis.conf files', () => {
  it('splits arguments as Redis does: quotes, escapes, and a quote that must end its argument', () => {
    assert.deepEqual(splitArgs('save 900 1'), ['save', '900', '1']);
    assert.deepEqual(splitArgs('  requirepass "a b\\x41\\n\\"" '), ['requirepass', 'a bA\n"']);
    assert.deepEqual(splitArgs("logfile 'it\\'s'"), ['logfile', "it's"]);
    assert.deepEqual(splitArgs('save ""'), ['save', '']);
    assert.equal(splitArgs('dir "unclosed'), null);
    assert.equal(splitArgs('dir "closed"tail'), null);
  });

  it('reads directives, comments and includes; save lines add up, other directives are replaced', () => {
    const dir = mkdtempSync(join(tmpdir(), 'redkit-conf-'));
    writeFileSync(join(dir, 'extra.conf'), 'maxmemory 10mb\n');
    const main = join(dir, 'redis.conf');
    writeFileSync(
      main,
      `# a comment\n\nport 7000\nSAVE 900 1\nsave 300 10\nmaxmemory 1mb\ninclude ${join(dir, 'extra.conf')}\nappendonly yes\n`,
    );
    assert.deepEqual(readConfigFile(main), {
      port: '7000',
      save: '900 1 300 10',
      maxmemory: '10mb',
      appendonly: 'yes',
    });
  });

  it('names the line and the reason of a bad directive, as redis-server does', () => {
    assert.throws(
      () => parseConfig('port 6379\nappendonly\n', 'x.conf'),
      (error: unknown) =>
        error instanceof ConfigFileError &&
        error.message.includes('at line 2') &&
        error.message.includes(">>> 'appendonly'") &&
        error.message.includes('Bad directive or wrong number of arguments'),
    );
  });

  it('redkit serve takes the file first, and flags win over it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'redkit-conf-'));
    const port = await freePort();
    const file = join(dir, 'redis.conf');
    writeFileSync(file, `port ${port}\nnotify-keyspace-events KEA\nmaxmemory-policy allkeys-lru\n`);
    const cli = new URL('./cli.js', import.meta.url).pathname;
    const child = spawn(process.execPath, [cli, 'serve', file, '--maxmemory-policy', 'volatile-ttl'], {
      stdio: 'ignore',
    });
    try {
      let client: RawClient | undefined;
      for (let i = 0; i < 100 && !client; i++) {
        client = await RawClient.connect(port).catch(() => undefined);
        if (!client) await new Promise((r) => setTimeout(r, 50));
      }
      assert.ok(client, 'the server listens on the port from the file');
      const events = (await client.command(['CONFIG', 'GET', 'notify-keyspace-events'])).toString();
      const policy = (await client.command(['CONFIG', 'GET', 'maxmemory-policy'])).toString();
      client.close();
      assert.match(events, /AKE|KEA|\$3\r\n[AKE]{3}/);
      assert.match(policy, /volatile-ttl/);
    } finally {
      child.kill('SIGKILL');
    }
    assert.throws(() =>
      execFileSync(process.execPath, [cli, 'serve', join(dir, 'missing.conf')], { stdio: 'pipe' }),
    );
  });
});
