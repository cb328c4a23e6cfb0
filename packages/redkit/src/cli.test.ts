import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('./cli.js', import.meta.url));

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const address = s.address();
      s.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function ping(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
    socket.on('data', (d) => {
      socket.destroy();
      resolve(d.toString());
    });
    socket.on('error', reject);
  });
}

describe('redkit serve', () => {
  it('serves RESP on the given port, says how to connect, and stops on SIGTERM', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [CLI, 'serve', '--port', String(port)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        output += d.toString();
        if (output.includes('redis-cli')) resolve();
      });
      child.on('exit', () => reject(new Error(`exited early: ${output}`)));
    });
    assert.match(output, new RegExp(`redis-cli -h 127\\.0\\.0\\.1 -p ${port}`));
    assert.equal(await ping(port), '+PONG\r\n');
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  });

  it('rejects a bad port with a clear message', () => {
    const result = spawnSync(process.execPath, [CLI, 'serve', '--port', '70000'], { encoding: 'utf8' });
    assert.notEqual(result.status, 0);
    assert.match(result.stderr, /must be a port number/);
  });

  it('explains a port already in use', async () => {
    const blocker = createServer().listen(0, '127.0.0.1');
    await new Promise((r) => blocker.once('listening', r));
    const address = blocker.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const result = spawnSync(process.execPath, [CLI, 'serve', '--port', String(port)], { encoding: 'utf8' });
    blocker.close();
    assert.equal(result.status, 1);
    assert.match(result.stderr, /already in use/);
  });
});

describe('redkit serve configuration flags', () => {
  it('takes any redis.conf parameter as --name value', async () => {
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [CLI, 'serve', '--port', String(port), '--notify-keyspace-events', 'KEA'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    await new Promise<void>((resolve) =>
      child.stdout.on('data', (d: Buffer) => d.includes('redis-cli') && resolve()),
    );
    const reply = await new Promise<string>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => socket.write('CONFIG GET notify-keyspace-events\r\n'));
      socket.on('data', (d) => {
        socket.destroy();
        resolve(d.toString());
      });
    });
    child.kill('SIGTERM');
    assert.match(reply, /AKE/);
  });

  it("refuses an unknown parameter with Redis's message", () => {
    const result = spawnSync(process.execPath, [CLI, 'serve', '--nosuch', '1'], { encoding: 'utf8' });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /bad configuration: Unknown option .* 'nosuch'/);
  });
});
