import assert from 'node:assert/strict';
import { networkInterfaces } from 'node:os';
import { describe, it } from 'node:test';
import { Engine, RespServer } from '@redkit/engine';
import {
  type DiffPair,
  differential,
  type ParsedReply,
  RawClient,
  showBytes,
  startRedisServer,
} from '@redkit/test-utils';

/**
 * Runs `body` with requirepass set on both servers; `u` is a fresh, unauthenticated pair, while `d`
 * (connected before the password was set) stays authenticated, as in Redis. The password is removed after.
 */
async function withPassword(d: DiffPair, body: (u: DiffPair) => Promise<void>): Promise<void> {
  await d.same('CONFIG', 'SET', 'requirepass', 'secret');
  const u = await d.pair();
  try {
    await body(u);
  } finally {
    u.close();
    await d.same('CONFIG', 'SET', 'requirepass', '');
  }
}

/** HELLO replies differ only in the client id: compare everything else. */
function sameHello(redis: ParsedReply, engine: ParsedReply): void {
  const strip = (r: ParsedReply) => {
    if (!Array.isArray(r) && !(r && typeof r === 'object' && 'map' in r)) return r;
    const items = Array.isArray(r) ? [...r] : [...(r as { map: ParsedReply[] }).map];
    const id = items.indexOf('id');
    if (id >= 0) items[id + 1] = 0;
    return items;
  };
  assert.deepEqual(strip(engine), strip(redis));
}

const many = (n: number) => `*${n}\r\n${'$1\r\na\r\n'.repeat(n)}`;

differential('auth: requirepass, AUTH, HELLO AUTH, protocol limits', (s) => {
  s.test('AUTH without a password configured', async (d) => {
    await d.same('AUTH', 'x');
    await d.same('AUTH', 'default', 'anything');
    await d.same('AUTH', 'nosuchuser', 'x');
    await d.same('AUTH', 'a', 'b', 'c');
    await d.same('AUTH');
    await d.same('PING');
  });

  s.test('unauthenticated clients get NOAUTH except for no_auth commands', async (d) => {
    await withPassword(d, async (u) => {
      await u.same('PING');
      await u.same('GET', 'k');
      await u.same('SET', 'k', 'v');
      await u.same('CONFIG', 'GET', 'requirepass');
      await u.same('CLIENT', 'ID');
      await u.same('SELECT', '1');
      await u.same('EVAL', 'return 1', '0');
      await u.same('SUBSCRIBE', 'ch');
      await u.same('MULTI');
      await u.same('EXEC');
      await u.same('DISCARD');
      // Unknown commands, unknown subcommands and wrong arity come first.
      await u.same('NOSUCH', 'a');
      await u.same('CONFIG', 'NOSUCH');
      await u.same('GET');
      await u.same('AUTH');
      await u.same('HELLO', '3');
      await u.same('HELLO');
      await u.same('HELLO', '4');
      await u.same('HELLO', 'x');
      await u.same('HELLO', '3', 'BAD');
      await u.same('HELLO', '3', 'AUTH', 'default');
      await u.same('HELLO', '3', 'AUTH', 'default', 'wrong');
      await u.same('HELLO', '2', 'SETNAME', 'bad name');
      await u.same('AUTH', 'wrong');
      await u.same('AUTH', 'default', 'wrong');
      await u.same('AUTH', 'someone', 'secret');
      await u.same('AUTH', 'a', 'b', 'c');
      await u.same('GET', 'k');
      await u.same('RESET');
      await u.same('GET', 'k');
      // d connected before the password was set: it stays authenticated.
      await d.same('SET', 'k', 'v');
      await u.same('AUTH', 'secret');
      await u.same('GET', 'k');
      await u.same('AUTH', 'wrong');
      await u.same('GET', 'k'); // a failed AUTH does not log out
      await u.same('AUTH', 'default', 'secret');
      await u.same('AUTH', 'secret');
      await u.same('RESET'); // logs out
      await u.same('GET', 'k');
      await u.same('QUIT');
    });
  });

  s.test('HELLO AUTH authenticates and switches protocol', async (d) => {
    await withPassword(d, async (u) => {
      await u.same('HELLO', '3', 'SETNAME', 'early');
      await u.compare(['HELLO', '3', 'AUTH', 'default', 'secret', 'SETNAME', 'conn'], sameHello);
      await u.same('GET', 'k');
      await u.same('CLIENT', 'GETNAME');
      await u.same('RESET');
      await u.same('GET', 'k');
      await u.compare(['HELLO', '2', 'AUTH', 'default', 'secret'], sameHello);
      await u.same('PING');
      const v = await d.pair();
      try {
        await v.compare(['HELLO', 'AUTH', 'default', 'secret'], sameHello);
        await v.same('PING');
      } finally {
        v.close();
      }
    });
  });

  s.test('NOAUTH inside MULTI and AUTH queued in a transaction', async (d) => {
    await withPassword(d, async (u) => {
      await u.same('MULTI');
      await u.same('AUTH', 'secret');
      await u.same('MULTI');
      await u.same('SET', 'a', '1');
      await u.same('AUTH', 'wrong');
      await u.same('AUTH', 'secret');
      await u.same('EXEC');
      await u.same('MULTI');
      await u.same('RESET');
      await u.same('MULTI');
      await u.same('EXEC');
    });
  });

  s.test('scripts cannot call AUTH', async (d) => {
    await withPassword(d, async (u) => {
      await u.same('EVAL', "return redis.pcall('auth', 'secret')", '0');
      await u.same('AUTH', 'secret');
      await u.same('EVAL', "return redis.pcall('get', 'k')", '0');
    });
  });

  s.test('CONFIG SET requirepass: new clients must authenticate, removing it frees everyone', async (d) => {
    await d.same('CONFIG', 'SET', 'requirepass', 'secret');
    const u = await d.pair();
    try {
      await u.same('GET', 'k');
      await d.same('CONFIG', 'SET', 'requirepass', '');
      await u.same('GET', 'k'); // the default user is nopass again
      await u.same('AUTH', 'secret');
      await u.same('AUTH', 'default', 'whatever');
    } finally {
      u.close();
      await d.same('CONFIG', 'SET', 'requirepass', '');
    }
  });

  s.test('unauthenticated multibulk over 10 arguments is a protocol error', async (d) => {
    await withPassword(d, async (u) => {
      await u.sameRaw(Buffer.from(many(11), 'latin1'));
    });
  });

  s.test('the header alone is refused', async (d) => {
    await withPassword(d, async (u) => {
      await u.sameRaw('*11\r\n');
    });
  });

  s.test('10 arguments and inline requests are within the limits', async (d) => {
    await withPassword(d, async (u) => {
      await u.sameRaw(many(10), 300);
      await u.sameRaw('a b c d e f g h i j k l\r\n', 300);
      await u.sameRaw('*0\r\n*-1\r\nPING\r\n', 300);
    });
  });

  s.test('unauthenticated bulk over 16384 bytes is a protocol error', async (d) => {
    await withPassword(d, async (u) => {
      await u.sameRaw(`*2\r\n$4\r\necho\r\n$16385\r\n`);
    });
  });

  s.test('a bulk of 16384 bytes is accepted', async (d) => {
    await withPassword(d, async (u) => {
      await u.same('ECHO', 'x'.repeat(16384));
    });
  });

  s.test('the limits end with AUTH, even pipelined', async (d) => {
    await withPassword(d, async (u) => {
      await u.sameRaw(`*2\r\n$4\r\nauth\r\n$6\r\nsecret\r\n${many(11)}*2\r\n$4\r\necho\r\n$16385\r\n`, 300);
    });
  });

  s.test('requests before the over-limit one are answered first', async (d) => {
    await withPassword(d, async (u) => {
      await u.sameRaw(`PING\r\n*1\r\n$4\r\nPING\r\n${many(12)}`);
    });
  });

  s.test('maxclients refuses the next connection', async (d) => {
    const count = async (c: RawClient) => {
      const info = (await c.command(['INFO', 'clients'])).toString();
      return /connected_clients:(\d+)/.exec(info)![1]!;
    };
    const [r, e] = [await count(d.redis), await count(d.engine)];
    assert.equal((await d.redis.command(['CONFIG', 'SET', 'maxclients', r])).toString(), '+OK\r\n');
    assert.equal((await d.engine.command(['CONFIG', 'SET', 'maxclients', e])).toString(), '+OK\r\n');
    try {
      const extra = await d.pair();
      const [a, b] = await Promise.all([extra.redis.readUntilClosed(), extra.engine.readUntilClosed()]);
      assert.equal(showBytes(b.bytes), showBytes(a.bytes));
      assert.equal(a.bytes.toString(), '-ERR max number of clients reached\r\n');
      assert.equal(b.closed, a.closed);
      extra.close();
    } finally {
      await d.same('CONFIG', 'SET', 'maxclients', '10000');
    }
  });

  s.test('timeout closes idle clients but not subscribers', async (d) => {
    await d.same('CONFIG', 'SET', 'timeout', '1');
    try {
      const idle = await d.pair();
      const subscriber = await d.pair();
      await subscriber.same('SUBSCRIBE', 'ch');
      // Keep d itself busy meanwhile, or it would time out too.
      let waiting = true;
      const closing = Promise.all([idle.redis.readUntilClosed(4000), idle.engine.readUntilClosed(4000)]);
      void closing.then(() => {
        waiting = false;
      });
      while (waiting) {
        await d.same('PING');
        await new Promise((r) => setTimeout(r, 200));
      }
      const [a, b] = await closing;
      assert.equal(a.closed, true);
      assert.equal(b.closed, true);
      assert.equal(b.bytes.length, 0);
      await subscriber.same('PING'); // as idle as the closed one, but subscribed
      idle.close();
      subscriber.close();
    } finally {
      await d.same('CONFIG', 'SET', 'timeout', '0');
    }
  });
});

/** A non-loopback IPv4 address of this machine, to connect "from outside". */
function externalAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}

describe('auth: protected mode', () => {
  const external = externalAddress();
  it('refuses non-loopback clients with the DENIED error', {
    skip: !external && 'no external address',
  }, async () => {
    const redis = await startRedisServer(['--bind', `127.0.0.1 ${external}`, '--protected-mode', 'yes']);
    if (!redis) return;
    const server = await RespServer.listen({ port: 0, host: '0.0.0.0', engine: new Engine() });
    try {
      const [r, e] = await Promise.all([
        RawClient.connect(redis.port, external),
        RawClient.connect(server.port, external),
      ]);
      r.write('PING\r\n');
      e.write('PING\r\n');
      const [a, b] = await Promise.all([r.readUntilClosed(), e.readUntilClosed()]);
      assert.ok(a.bytes.toString().startsWith('-DENIED Redis is running in protected mode'));
      assert.equal(showBytes(b.bytes), showBytes(a.bytes));
      assert.equal(b.closed, a.closed);
      // Loopback clients are served; with a password or protected-mode no, everyone is.
      const local = await RawClient.connect(server.port);
      assert.equal((await local.command(['PING'])).toString(), '+PONG\r\n');
      assert.equal((await local.command(['CONFIG', 'SET', 'protected-mode', 'no'])).toString(), '+OK\r\n');
      const outside = await RawClient.connect(server.port, external);
      assert.equal((await outside.command(['PING'])).toString(), '+PONG\r\n');
      outside.close();
      local.close();
    } finally {
      await server.close();
      server.engine.close();
      await redis.stop();
    }
  });
});
