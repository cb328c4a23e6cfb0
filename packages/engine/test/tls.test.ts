import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connect as tlsConnect } from 'node:tls';
import { Engine, RespServer, setEngineLogger, TlsConfigError } from '@redkit/engine';
import {
  encodeCommand,
  findRedisServer,
  frameEnd,
  freePort,
  makeTestCertificates,
  opensslAvailable,
  RawClient,
} from '@redkit/test-utils';
import { Redis } from 'ioredis';
import { createClient } from 'redis';

/**
 * TLS on the RESP server with Node's own TLS: a throwaway CA, server and client certificates made with
 * openssl; clients: a bare TLS socket, redis-cli --tls, ioredis and node-redis, with client certificates.
 */

const hasOpenssl = opensslAvailable();
if (!hasOpenssl)
  console.warn('\n!!! SKIPPING the TLS suites: openssl is not installed (apt-get install openssl)\n');
const redisCliTls =
  spawnSync('redis-cli', ['--help'], { encoding: 'utf8' }).stdout?.includes('--tls') === true &&
  spawnSync('redis-cli', ['--help'], { encoding: 'utf8' }).stdout?.includes('--cacert') === true;

let dir = '';
const file = (name: string) => join(dir, name);
const pem = (name: string) => readFileSync(file(name));

function makeCertificates(): void {
  dir = mkdtempSync(join(tmpdir(), 'redkit-tls-'));
  makeTestCertificates(dir);
}

const tlsConfig = (extra: Record<string, string> = {}) => ({
  'tls-cert-file': file('server.crt'),
  'tls-key-file': file('server.key'),
  'tls-ca-cert-file': file('ca.crt'),
  ...extra,
});

interface Identity {
  cert?: Buffer;
  key?: Buffer;
}
const clientIdentity = (): Identity => ({ cert: pem('client.crt'), key: pem('client.key') });
const rogueIdentity = (): Identity => ({ cert: pem('rogue.crt'), key: pem('rogue.key') });

/** Sends one command over TLS; resolves with the reply, or with 'closed' when the server refuses us. */
function tlsCommand(port: number, argv: string[], identity: Identity = clientIdentity()): Promise<string> {
  return new Promise((resolve) => {
    let data = Buffer.alloc(0);
    const socket = tlsConnect({
      port,
      host: '127.0.0.1',
      servername: 'localhost',
      ca: pem('ca.crt'),
      ...identity,
    });
    socket.on('secureConnect', () => socket.write(encodeCommand(argv)));
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      const end = frameEnd(data);
      if (end >= 0) {
        socket.destroy();
        resolve(data.subarray(0, end).toString('latin1'));
      }
    });
    socket.on('error', () => resolve('closed'));
    socket.on('close', () => resolve('closed'));
  });
}

async function startTls(
  config: Record<string, string>,
  options: { tcp?: boolean } = {},
): Promise<{ server: RespServer; logs: string[] }> {
  const engine = new Engine({ config });
  const logs: string[] = [];
  setEngineLogger(engine, (level, message) => logs.push(`${level} ${message}`));
  const server = await RespServer.listen({ engine, port: 0, tcp: options.tcp, tls: { port: 0 } });
  return { server, logs };
}

async function stop(server: RespServer): Promise<void> {
  await server.close();
  server.engine.close();
}

describe('TLS', { skip: hasOpenssl ? false : 'openssl is not installed' }, () => {
  before(makeCertificates);
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('serves TLS only (port 0), requiring a client certificate by default', async () => {
    const { server, logs } = await startTls(tlsConfig(), { tcp: false });
    try {
      assert.equal(server.port, 0);
      assert.ok(server.tlsPort > 0);
      assert.equal(await tlsCommand(server.tlsPort, ['PING']), '+PONG\r\n');
      assert.equal(await tlsCommand(server.tlsPort, ['PING'], {}), 'closed', 'no client certificate');
      assert.equal(await tlsCommand(server.tlsPort, ['PING'], rogueIdentity()), 'closed', 'an untrusted one');
      assert.ok(logs.some((l) => l.startsWith('warning Error accepting a client connection: ')));
      // As Redis: CONFIG GET port is 0, tls-port the TLS port, and INFO's tcp_port falls back to it.
      const ports = await tlsCommand(server.tlsPort, ['CONFIG', 'GET', 'port']);
      assert.equal(ports, '*2\r\n$4\r\nport\r\n$1\r\n0\r\n');
      const tlsPort = String(server.tlsPort);
      assert.equal(
        await tlsCommand(server.tlsPort, ['CONFIG', 'GET', 'tls-port']),
        `*2\r\n$8\r\ntls-port\r\n$${tlsPort.length}\r\n${tlsPort}\r\n`,
      );
      assert.match(
        await tlsCommand(server.tlsPort, ['INFO', 'server']),
        new RegExp(`\r\ntcp_port:${tlsPort}\r\n`),
      );
    } finally {
      await stop(server);
    }
  });

  it('redis-cli --tls connects with its client certificate', {
    skip: redisCliTls ? false : 'redis-cli without TLS',
  }, async () => {
    const { server } = await startTls(tlsConfig(), { tcp: false });
    try {
      const run = (args: string[]) =>
        new Promise<string>((resolve) => {
          const child = spawn('redis-cli', [
            '--tls',
            '--cacert',
            file('ca.crt'),
            '-p',
            String(server.tlsPort),
            ...args,
          ]);
          let out = '';
          child.stdout.on('data', (d: Buffer) => (out += d.toString()));
          child.stderr.on('data', (d: Buffer) => (out += d.toString()));
          child.on('exit', () => resolve(out));
        });
      assert.equal(
        await run(['--cert', file('client.crt'), '--key', file('client.key'), 'SET', 'k', 'v']),
        'OK\n',
      );
      assert.equal(await run(['--cert', file('client.crt'), '--key', file('client.key'), 'GET', 'k']), 'v\n');
      assert.doesNotMatch(await run(['PING']), /PONG/, 'refused without a certificate');
    } finally {
      await stop(server);
    }
  });

  it('ioredis and node-redis connect with their tls options', async () => {
    const { server } = await startTls(tlsConfig(), { tcp: false });
    const tls = { ca: pem('ca.crt'), ...clientIdentity(), servername: 'localhost' };
    const ioredis = new Redis({ host: '127.0.0.1', port: server.tlsPort, tls, lazyConnect: true });
    const nodeRedis = createClient({
      socket: { host: '127.0.0.1', port: server.tlsPort, tls: true, ...tls },
    });
    try {
      await ioredis.connect();
      assert.equal(await ioredis.set('a', '1'), 'OK');
      await nodeRedis.connect();
      assert.equal(await nodeRedis.get('a'), '1');
      assert.equal(await nodeRedis.incr('a'), 2);
      assert.equal(await ioredis.get('a'), '2');
    } finally {
      ioredis.disconnect();
      await nodeRedis.close().catch(() => {});
      await stop(server);
    }
  });

  it('tls-auth-clients optional accepts no certificate but refuses an untrusted one; no needs no CA', async () => {
    const optional = await startTls(tlsConfig({ 'tls-auth-clients': 'optional' }), { tcp: false });
    try {
      assert.equal(await tlsCommand(optional.server.tlsPort, ['PING'], {}), '+PONG\r\n');
      assert.equal(await tlsCommand(optional.server.tlsPort, ['PING']), '+PONG\r\n');
      assert.equal(await tlsCommand(optional.server.tlsPort, ['PING'], rogueIdentity()), 'closed');
    } finally {
      await stop(optional.server);
    }
    const open = await startTls(
      { 'tls-cert-file': file('server.crt'), 'tls-key-file': file('server.key'), 'tls-auth-clients': 'no' },
      { tcp: false },
    );
    try {
      assert.equal(await tlsCommand(open.server.tlsPort, ['PING'], {}), '+PONG\r\n');
    } finally {
      await stop(open.server);
    }
  });

  it('serves plain TCP and TLS at once, on one dataset', async () => {
    const { server } = await startTls(tlsConfig());
    const plain = await RawClient.connect(server.port);
    try {
      assert.ok(server.port > 0 && server.tlsPort > 0);
      assert.equal((await plain.command(['SET', 'shared', 'yes'])).toString(), '+OK\r\n');
      assert.equal(await tlsCommand(server.tlsPort, ['GET', 'shared']), '$3\r\nyes\r\n');
      // tcp_port is the plain port for every client, as Redis reports server.port when it is set.
      const port = String(server.port);
      assert.match(
        await tlsCommand(server.tlsPort, ['INFO', 'server']),
        new RegExp(`\r\ntcp_port:${port}\r\n`),
      );
      assert.match(
        (await plain.command(['INFO', 'server'])).toString(),
        new RegExp(`\r\ntcp_port:${port}\r\n`),
      );
    } finally {
      plain.close();
      await stop(server);
    }
  });

  it('CONFIG SET tls-port moves the TLS listener, and 0 closes it; clients already in stay', async () => {
    const { server } = await startTls(tlsConfig());
    const plain = await RawClient.connect(server.port);
    try {
      const before = server.tlsPort;
      const moved = await freePort();
      assert.equal((await plain.command(['CONFIG', 'SET', 'tls-port', String(moved)])).toString(), '+OK\r\n');
      for (let i = 0; i < 100 && server.tlsPort !== moved; i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(server.tlsPort, moved);
      assert.equal(await tlsCommand(moved, ['PING']), '+PONG\r\n');
      assert.equal(await tlsCommand(before, ['PING']), 'closed', 'the old port no longer listens');
      assert.equal((await plain.command(['CONFIG', 'SET', 'tls-port', '0'])).toString(), '+OK\r\n');
      assert.equal(server.tlsPort, 0);
      assert.equal(await tlsCommand(moved, ['PING']), 'closed');
      assert.equal((await plain.command(['PING'])).toString(), '+PONG\r\n');
    } finally {
      plain.close();
      await stop(server);
    }
  });

  it('reads an encrypted key with tls-key-file-pass', async () => {
    const { server } = await startTls(
      tlsConfig({ 'tls-key-file': file('server-enc.key'), 'tls-key-file-pass': 's3cret' }),
      { tcp: false },
    );
    try {
      assert.equal(await tlsCommand(server.tlsPort, ['PING']), '+PONG\r\n');
    } finally {
      await stop(server);
    }
    await assert.rejects(
      startTls(tlsConfig({ 'tls-key-file': file('server-enc.key'), 'tls-key-file-pass': 'wrong' })),
      TlsConfigError,
    );
  });

  it("refuses to start on the configurations Redis refuses, with Redis's messages", async () => {
    await assert.rejects(startTls({}), { message: 'No tls-cert-file configured!' });
    await assert.rejects(startTls({ 'tls-cert-file': file('server.crt') }), {
      message: 'No tls-key-file configured!',
    });
    await assert.rejects(
      startTls({ 'tls-cert-file': file('server.crt'), 'tls-key-file': file('server.key') }),
      {
        message:
          'Either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-cluster, tls-replication or tls-auth-clients are enabled!',
      },
    );
    await assert.rejects(startTls(tlsConfig({ 'tls-protocols': 'TLSv1.2 bogus' })), /Invalid tls-protocols/);
  });

  it('tls-protocols limits the versions a client may use', async () => {
    const { server } = await startTls(tlsConfig({ 'tls-protocols': 'TLSv1.3' }), { tcp: false });
    try {
      assert.equal(await tlsCommand(server.tlsPort, ['PING']), '+PONG\r\n');
      const old = await new Promise<string>((resolve) => {
        const socket = tlsConnect({
          port: server.tlsPort,
          host: '127.0.0.1',
          servername: 'localhost',
          ca: pem('ca.crt'),
          ...clientIdentity(),
          maxVersion: 'TLSv1.2',
        });
        socket.on('secureConnect', () => resolve('connected'));
        socket.on('error', () => resolve('refused'));
      });
      assert.equal(old, 'refused');
    } finally {
      await stop(server);
    }
  });

  it('CONFIG SET of tls-* applies to new clients, and a bad value is refused and rolled back', async () => {
    const { server } = await startTls(tlsConfig(), { tcp: false });
    try {
      const port = server.tlsPort;
      assert.equal(
        await tlsCommand(port, ['CONFIG', 'SET', 'tls-cert-file', '/nonexistent']),
        "-ERR CONFIG SET failed (possibly related to argument 'tls-cert-file') - Unable to update TLS configuration. Check server logs.\r\n",
      );
      assert.equal(
        await tlsCommand(port, ['CONFIG', 'GET', 'tls-cert-file']),
        `*2\r\n$13\r\ntls-cert-file\r\n$${file('server.crt').length}\r\n${file('server.crt')}\r\n`,
      );
      assert.equal(await tlsCommand(port, ['PING'], {}), 'closed');
      assert.equal(await tlsCommand(port, ['CONFIG', 'SET', 'tls-auth-clients', 'no']), '+OK\r\n');
      assert.equal(await tlsCommand(port, ['PING'], {}), '+PONG\r\n');
    } finally {
      await stop(server);
    }
  });
});

describe('TLS, differential with redis-server', {
  skip:
    hasOpenssl && findRedisServer() && redisCliTls ? false : 'needs openssl and a TLS-enabled redis-server',
}, () => {
  let redisPort = 0;
  let redis: ReturnType<typeof spawn> | undefined;
  let engine: RespServer | undefined;
  before(async () => {
    makeCertificates();
    redisPort = await freePort();
    redis = spawn(
      findRedisServer()!,
      [
        '--port',
        '0',
        '--tls-port',
        String(redisPort),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--tls-cert-file',
        file('server.crt'),
        '--tls-key-file',
        file('server.key'),
        '--tls-ca-cert-file',
        file('ca.crt'),
      ],
      { stdio: 'ignore' },
    );
    for (let i = 0; i < 100 && (await tlsCommand(redisPort, ['PING'])) !== '+PONG\r\n'; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    engine = (await startTls(tlsConfig(), { tcp: false })).server;
  });
  after(async () => {
    redis?.kill('SIGKILL');
    if (engine) await stop(engine);
    rmSync(dir, { recursive: true, force: true });
  });

  it('same replies over TLS: ports, CONFIG SET errors, refusals', async () => {
    const both = async (argv: string[], identity?: Identity) => {
      const [a, b] = await Promise.all([
        tlsCommand(redisPort, argv, identity),
        tlsCommand(engine!.tlsPort, argv, identity),
      ]);
      return { redis: a, engine: b };
    };
    const same = async (argv: string[], identity?: Identity) => {
      const { redis: a, engine: b } = await both(argv, identity);
      assert.equal(b, a, argv.join(' '));
    };
    assert.deepEqual(await both(['PING']), { redis: '+PONG\r\n', engine: '+PONG\r\n' });
    await same(['CONFIG', 'GET', 'port']);
    await same(['CONFIG', 'SET', 'tls-cert-file', '/nonexistent']);
    await same(['CONFIG', 'SET', 'tls-protocols', 'TLSv1.2 bogus']);
    await same(['CONFIG', 'SET', 'tls-auth-clients', 'maybe']);
    await same(['PING'], {});
    await same(['PING'], rogueIdentity());
    await same(['CONFIG', 'SET', 'tls-auth-clients', 'optional']);
    assert.deepEqual(await both(['PING'], {}), { redis: '+PONG\r\n', engine: '+PONG\r\n' });
    await same(['PING'], rogueIdentity());
    await same(['CONFIG', 'SET', 'tls-auth-clients', 'yes', 'tls-protocols', 'TLSv1.2 TLSv1.3']);
    const info = await both(['INFO', 'server']);
    assert.match(info.redis, new RegExp(`\r\ntcp_port:${redisPort}\r\n`));
    assert.match(info.engine, new RegExp(`\r\ntcp_port:${engine!.tlsPort}\r\n`));
  });
});
