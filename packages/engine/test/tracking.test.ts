import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Engine, RespServer } from '@redkit/engine';
import { type DiffPair, differential } from '@redkit/test-utils';
import { BasicClientSideCache, createClient } from 'redis';

const show = (b: Buffer) => JSON.stringify(b.toString('latin1'));

/** Asserts that neither server sends anything more to this pair within `ms`. */
async function nothingMore(d: DiffPair, ms = 40): Promise<void> {
  const [a, b] = await Promise.all([d.redis.drain(ms), d.engine.drain(ms)]);
  assert.equal(show(b), show(a), 'unexpected extra frames');
  assert.equal(a.length, 0, `redis sent ${show(a)}`);
}

/** Each side's client id of a pair. */
async function idsOf(d: DiffPair): Promise<{ redis: number; engine: number }> {
  const [a, b] = await d.both('CLIENT', 'ID');
  return { redis: Number(a.toString().slice(1)), engine: Number(b.toString().slice(1)) };
}

/**
 * Sends a command naming a client id (each server its own) and compares the replies, with the ids in
 * them replaced by a placeholder.
 */
async function sameWithId(
  d: DiffPair,
  ids: { redis: number; engine: number },
  argv: (id: number) => string[],
): Promise<void> {
  const [a, b] = await Promise.all([d.redis.command(argv(ids.redis)), d.engine.command(argv(ids.engine))]);
  assert.equal(withoutId(b, ids.engine), withoutId(a, ids.redis), argv(0).join(' '));
}

const withoutId = (bytes: Buffer, id: number) => bytes.toString('latin1').split(`:${id}\r\n`).join(':ID\r\n');

async function sameNextWithId(d: DiffPair, ids: { redis: number; engine: number }): Promise<void> {
  const [a, b] = await Promise.all([d.redis.readFrame(2000), d.engine.readFrame(2000)]);
  assert.equal(withoutId(b, ids.engine), withoutId(a, ids.redis));
}

differential('client-side caching (CLIENT TRACKING)', (s) => {
  s.test('RESP3 default mode: reads are tracked, the next change invalidates once', async (d) => {
    const other = await d.pair();
    await d.resp3();
    await d.same('CLIENT', 'TRACKING', 'ON');
    await d.same('GET', 'k');
    await other.same('SET', 'k', '1');
    await d.sameNext();
    // Invalidated once: the key is forgotten until read again.
    await other.same('SET', 'k', '2');
    await nothingMore(d);
    await d.same('GET', 'k');
    await d.same('GET', 'k');
    await other.same('DEL', 'k');
    await d.sameNext();
    await other.same('DEL', 'k');
    await nothingMore(d);
    // Several keys of one command, a read that fails (WRONGTYPE is still a read), other databases.
    await d.same('MGET', 'a', 'b', 'c');
    await other.same('MSET', 'c', '1', 'a', '2');
    await d.sameNext();
    await d.sameNext();
    await other.same('LPUSH', 'l', 'x');
    await d.same('GET', 'l');
    await other.same('SELECT', '1');
    await other.same('RPUSH', 'l', 'y');
    await d.sameNext();
    // Writes never track, even of keys they read.
    await d.same('INCR', 'n');
    await other.same('SELECT', '0');
    await other.same('INCR', 'n');
    await nothingMore(d);
    // Binary keys.
    await d.same('STRLEN', 'b\r\n\x00\xff');
    await other.same('SET', 'b\r\n\x00\xff', 'v');
    await d.sameNext();
    other.close();
  });

  s.test(
    'invalidations of keys a client changes itself follow its reply, also after EXEC and EVAL',
    async (d) => {
      await d.resp3();
      await d.same('CLIENT', 'TRACKING', 'ON');
      await d.same('GET', 'k');
      await d.same('SET', 'k', 'v');
      await d.sameNext();
      await d.same('MULTI');
      await d.same('GET', 'k');
      await d.same('SET', 'k', '1');
      await d.same('GET', 'k');
      await d.same('SET', 'k', '2');
      await d.same('EXEC');
      await d.sameNext();
      await d.sameNext();
      await d.same('GET', 'k');
      await d.same('EVAL', "redis.call('set', KEYS[1], 'x') return redis.call('get', KEYS[1])", '1', 'k');
      await d.sameNext();
      // The GET inside the script was tracked for the caller.
      await d.same('SET', 'k', 'y');
      await d.sameNext();
      // EVAL_RO itself is not tracked, but the commands it runs are.
      await d.same('EVAL_RO', "return redis.call('get', KEYS[1])", '1', 'k');
      await d.same('SET', 'k', 'z');
      await d.sameNext();
      await nothingMore(d);
    },
  );

  s.test('FLUSHDB and FLUSHALL send a null invalidation to every tracking client', async (d) => {
    const other = await d.pair();
    const bcast = await d.pair();
    await d.resp3();
    await other.resp3();
    await bcast.resp3();
    await d.same('CLIENT', 'TRACKING', 'ON');
    await bcast.same('CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'zz');
    await d.same('GET', 'k');
    await other.same('FLUSHDB');
    await d.sameNext();
    await bcast.sameNext();
    await d.same('FLUSHALL');
    await d.sameNext();
    await bcast.sameNext();
    // The table was emptied: the key read before the flush is not reported again.
    await other.same('SET', 'k', '1');
    await nothingMore(d);
    await other.same('FLUSHALL', 'ASYNC');
    await d.sameNext();
    await bcast.sameNext();
    // Inside a transaction, after EXEC's reply.
    await d.same('MULTI');
    await d.same('FLUSHDB', 'SYNC');
    await d.same('PING');
    await d.same('EXEC');
    await d.sameNext();
    await bcast.sameNext();
    await nothingMore(other);
    other.close();
    bcast.close();
  });

  s.test('expiry invalidates like a change', async (d) => {
    const other = await d.pair();
    await d.resp3();
    await d.same('CLIENT', 'TRACKING', 'ON');
    await other.same('SET', 'k', 'v', 'PX', '200');
    await d.same('GET', 'k');
    await new Promise((r) => setTimeout(r, 300));
    await other.same('GET', 'k');
    await d.sameNext();
    other.close();
  });

  s.test('invalidations and keyspace notifications in Redis order', async (d) => {
    const other = await d.pair();
    await d.resp3();
    await d.same('CONFIG', 'SET', 'notify-keyspace-events', 'KEA');
    try {
      await d.same('CLIENT', 'TRACKING', 'ON');
      await other.same('SET', 'k', 'v', 'PX', '200');
      await d.same('GET', 'k');
      await d.same('GET', 'k2');
      await d.same('PSUBSCRIBE', '__keyspace@0__:k*');
      await new Promise((r) => setTimeout(r, 300));
      await other.same('GET', 'k');
      // Expiry: the 'expired' event, then the invalidation; a write: the invalidation first.
      await d.sameNext();
      await d.sameNext();
      await other.same('SET', 'k2', 'x');
      await d.sameNext();
      await d.sameNext();
    } finally {
      await other.same('CONFIG', 'SET', 'notify-keyspace-events', '');
      other.close();
    }
  });

  s.test('RESP2 with REDIRECT: messages on __redis__:invalidate to a subscribed client', async (d) => {
    const sink = await d.pair();
    const ids = await idsOf(sink);
    await sink.same('SUBSCRIBE', '__redis__:invalidate');
    await sameWithId(d, ids, (id) => ['CLIENT', 'TRACKING', 'ON', 'REDIRECT', String(id)]);
    await sameWithId(d, ids, () => ['CLIENT', 'GETREDIR']);
    await sameWithId(d, ids, () => ['CLIENT', 'TRACKINGINFO']);
    await d.same('GET', 'k');
    await d.same('SET', 'k', 'v');
    await sink.sameNext();
    await d.same('GET', 'k');
    await d.same('FLUSHALL');
    await sink.sameNext();
    await nothingMore(d);
    sink.close();
  });

  s.test('RESP2 without REDIRECT tracks but cannot be told; RESP3 redirect targets get pushes', async (d) => {
    const other = await d.pair();
    await d.same('CLIENT', 'TRACKING', 'ON');
    await d.same('GET', 'k');
    await other.same('SET', 'k', 'v');
    await nothingMore(d);
    // A RESP2 target that is not subscribed is not sent anything either.
    const ids = await idsOf(other);
    await sameWithId(d, ids, (id) => ['CLIENT', 'TRACKING', 'ON', 'REDIRECT', String(id)]);
    await d.same('GET', 'k');
    await d.same('SET', 'k', 'w');
    await nothingMore(other);
    // A RESP3 target gets the push without subscribing.
    await other.resp3();
    await d.same('GET', 'k');
    await d.same('SET', 'k', 'x');
    await other.sameNext();
    await nothingMore(d);
    other.close();
  });

  s.test('a redirect target that goes away: tracking-redir-broken', async (d) => {
    const sink = await d.pair();
    const ids = await idsOf(sink);
    await d.resp3();
    await sameWithId(d, ids, (id) => ['CLIENT', 'TRACKING', 'ON', 'REDIRECT', String(id)]);
    await d.same('GET', 'k');
    sink.close();
    await new Promise((r) => setTimeout(r, 100));
    await d.same('SET', 'k', 'v');
    await sameNextWithId(d, ids);
    await sameWithId(d, ids, () => ['CLIENT', 'TRACKINGINFO']);
    const [a, b] = await d.both('CLIENT', 'INFO');
    const flags = (x: Buffer) => /flags=(\S+)/.exec(x.toString())![1];
    assert.equal(flags(b), flags(a));
    await d.same('CLIENT', 'TRACKING', 'OFF');
    await d.same('CLIENT', 'TRACKINGINFO');
  });

  s.test('BCAST: every change under a prefix, batched per event-loop turn, sorted', async (d) => {
    const other = await d.pair();
    await d.resp3();
    await d.same('CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'b', 'PREFIX', 'a');
    await d.same('CLIENT', 'TRACKINGINFO');
    await other.same('SET', 'a1', '1');
    await d.sameNext();
    await other.same('SET', 'c1', '1');
    await nothingMore(d);
    await other.same('MSET', 'b2', '1', 'a9', '1', 'a2', '2', 'b1', '3', 'c', '4', 'a2', '5');
    await d.sameNext();
    await d.sameNext();
    await other.same('MULTI');
    await other.same('SET', 'a3', '1');
    await other.same('DEL', 'a1');
    await other.same('SET', 'x', '1');
    await other.same('EXEC');
    await d.sameNext();
    // Reads are not tracked in BCAST mode; its own writes are reported after its reply.
    await d.same('GET', 'zz');
    await d.same('SET', 'a5', '1');
    await d.sameNext();
    await other.same('SET', 'zz', '1');
    await nothingMore(d);
    other.close();
  });

  s.test('BCAST without prefixes sees every key; NOLOOP leaves out its own changes', async (d) => {
    const other = await d.pair();
    await d.resp3();
    await d.same('CLIENT', 'TRACKING', 'ON', 'BCAST', 'NOLOOP');
    await d.same('CLIENT', 'TRACKINGINFO');
    await d.same('SET', 'mine', '1');
    await nothingMore(d);
    await other.same('SET', 'theirs', '1');
    await d.sameNext();
    await other.same('MSET', 'q', '1', 'p', '2');
    await d.sameNext();
    // Re-enabling without NOLOOP clears it; the prefixes stay.
    await d.same('CLIENT', 'TRACKING', 'ON', 'BCAST');
    await d.same('CLIENT', 'TRACKINGINFO');
    await d.same('SET', 'mine', '2');
    await d.sameNext();
    await d.same('CLIENT', 'TRACKING', 'OFF');
    await other.same('SET', 'theirs', '2');
    await nothingMore(d);
    other.close();
  });

  s.test('NOLOOP in default mode', async (d) => {
    const other = await d.pair();
    await d.resp3();
    await d.same('CLIENT', 'TRACKING', 'ON', 'NOLOOP');
    await d.same('GET', 'k');
    await d.same('SET', 'k', '1');
    await nothingMore(d);
    // Its own change still made the server forget the key.
    await other.same('SET', 'k', '2');
    await nothingMore(d);
    await d.same('GET', 'k');
    await other.same('SET', 'k', '3');
    await d.sameNext();
    other.close();
  });

  s.test('OPTIN: only reads after CLIENT CACHING YES, for one command or one transaction', async (d) => {
    const other = await d.pair();
    await d.resp3();
    await d.same('CLIENT', 'TRACKING', 'ON', 'OPTIN');
    await d.same('GET', 'a');
    await other.same('SET', 'a', '1');
    await nothingMore(d);
    await d.same('CLIENT', 'CACHING', 'YES');
    await d.same('CLIENT', 'TRACKINGINFO');
    await d.same('GET', 'a');
    await d.same('CLIENT', 'TRACKINGINFO');
    await d.same('GET', 'b');
    await other.same('MSET', 'a', '2', 'b', '2');
    await d.sameNext();
    await nothingMore(d);
    // Any CLIENT subcommand keeps the flag; a transaction uses it for all its reads.
    await d.same('CLIENT', 'CACHING', 'YES');
    await d.same('CLIENT', 'GETREDIR');
    await d.same('MULTI');
    await d.same('GET', 'a');
    await d.same('GET', 'b');
    await d.same('EXEC');
    await d.same('GET', 'c');
    await other.same('MSET', 'a', '3', 'b', '3', 'c', '3');
    await d.sameNext();
    await d.sameNext();
    await nothingMore(d);
    await d.same('CLIENT', 'CACHING', 'NO');
    other.close();
  });

  s.test('OPTOUT: every read but the one after CLIENT CACHING NO', async (d) => {
    const other = await d.pair();
    await d.resp3();
    await d.same('CLIENT', 'TRACKING', 'ON', 'OPTOUT');
    await d.same('CLIENT', 'CACHING', 'NO');
    await d.same('CLIENT', 'TRACKINGINFO');
    await d.same('GET', 'a');
    await d.same('GET', 'b');
    await other.same('MSET', 'a', '1', 'b', '1');
    await d.sameNext();
    await nothingMore(d);
    await d.same('CLIENT', 'CACHING', 'YES');
    await d.same('CLIENT', 'TRACKING', 'OFF');
    await d.same('CLIENT', 'CACHING', 'NO');
    other.close();
  });

  s.test('CLIENT TRACKING errors', async (d) => {
    await d.same('CLIENT', 'TRACKING');
    await d.same('CLIENT', 'TRACKING', 'MAYBE');
    await d.same('CLIENT', 'TRACKING', 'ON', 'FOO');
    await d.same('CLIENT', 'TRACKING', 'ON', 'REDIRECT');
    await d.same('CLIENT', 'TRACKING', 'ON', 'REDIRECT', 'abc');
    await d.same('CLIENT', 'TRACKING', 'ON', 'REDIRECT', '99999');
    await d.same('CLIENT', 'TRACKING', 'ON', 'REDIRECT', '0');
    await d.same('CLIENT', 'TRACKING', 'ON', 'REDIRECT', '-1');
    await d.same('CLIENT', 'TRACKING', 'ON', 'PREFIX', 'a');
    await d.same('CLIENT', 'TRACKING', 'ON', 'OPTIN', 'OPTOUT');
    await d.same('CLIENT', 'TRACKING', 'ON', 'BCAST', 'OPTIN');
    await d.same('CLIENT', 'TRACKING', 'ON', 'BCAST', 'OPTOUT');
    await d.same('CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'a', 'PREFIX', 'a');
    await d.same('CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'ab', 'PREFIX', 'a');
    await d.same('CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', '', 'PREFIX', 'x');
    await d.same('CLIENT', 'TRACKINGINFO');
    await d.same('CLIENT', 'GETREDIR');
    await d.same('CLIENT', 'CACHING', 'YES');
    await d.same('CLIENT', 'CACHING', 'NO');
    await d.same('CLIENT', 'CACHING', 'MAYBE');
    await d.same('CLIENT', 'CACHING');
    await d.same('CLIENT', 'TRACKING', 'off', 'PREFIX', 'a', 'noloop');
    // Switching modes while on.
    await d.same('CLIENT', 'TRACKING', 'ON', 'OPTIN');
    await d.same('CLIENT', 'CACHING', 'NO');
    await d.same('CLIENT', 'CACHING', 'maybe');
    await d.same('CLIENT', 'TRACKING', 'ON', 'OPTOUT');
    await d.same('CLIENT', 'TRACKING', 'ON', 'BCAST');
    await d.same('CLIENT', 'TRACKING', 'ON');
    await d.same('CLIENT', 'TRACKINGINFO');
    await d.same('CLIENT', 'TRACKING', 'OFF');
    await d.same('CLIENT', 'TRACKING', 'ON', 'OPTOUT');
    await d.same('CLIENT', 'CACHING', 'YES');
    await d.same('CLIENT', 'TRACKING', 'OFF');
    await d.same('CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'ab', 'PREFIX', 'c');
    await d.same('CLIENT', 'TRACKING', 'ON');
    await d.same('CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'a');
    await d.same('CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'cd');
    await d.same('CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'b', 'NOLOOP');
    await d.same('CLIENT', 'TRACKINGINFO');
    await d.same('CLIENT', 'GETREDIR');
    // An overlap found after the first given prefix: Redis 7.0 answers the error, then OK, and goes on.
    await d.same('CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'x', 'PREFIX', 'y', 'PREFIX', 'yz');
    await d.sameNext();
    await d.same('CLIENT', 'TRACKINGINFO');
    await d.same('CLIENT', 'TRACKING', 'OFF');
    await d.same('CLIENT', 'TRACKINGINFO');
  });

  s.test('REDIRECT given twice, RESET turns tracking off', async (d) => {
    const other = await d.pair();
    const ids = await idsOf(other);
    await sameWithId(d, ids, (id) => [
      'CLIENT',
      'TRACKING',
      'ON',
      'REDIRECT',
      String(id),
      'REDIRECT',
      String(id),
    ]);
    await sameWithId(d, ids, (id) => ['CLIENT', 'TRACKING', 'ON', 'REDIRECT', String(id), 'REDIRECT', 'x']);
    await d.same('CLIENT', 'TRACKINGINFO');
    await d.same('CLIENT', 'TRACKING', 'ON', 'BCAST', 'NOLOOP');
    await d.same('RESET');
    await d.same('CLIENT', 'TRACKINGINFO');
    await d.same('CLIENT', 'GETREDIR');
    other.close();
  });

  s.test('INFO tracking fields and CLIENT LIST flags', async (d) => {
    const other = await d.pair();
    await d.resp3();
    const fields = async () => {
      const [a, b] = await d.both('INFO', 'everything');
      const pick = (x: Buffer) =>
        x
          .toString()
          .split('\r\n')
          .filter((l) => l.startsWith('tracking_'))
          .join('\n');
      assert.equal(pick(b), pick(a));
    };
    await fields();
    await d.same('CLIENT', 'TRACKING', 'ON');
    await d.same('MGET', 'a', 'b', 'c');
    await other.same('CLIENT', 'TRACKING', 'ON');
    await other.same('GET', 'a');
    await fields();
    await other.same('CLIENT', 'TRACKING', 'OFF');
    await other.same('CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'x', 'PREFIX', 'y');
    await fields();
    const flags = async (pair: DiffPair) => {
      const [a, b] = await pair.both('CLIENT', 'INFO');
      const grab = (x: Buffer) => /flags=(\S+).* redir=(\S+)/.exec(x.toString())!.slice(1).join(' ');
      assert.equal(grab(b), grab(a));
    };
    await flags(d);
    await flags(other);
    await d.same('SET', 'b', '1');
    await d.sameNext();
    await fields();
    other.close();
  });

  s.test('tracking-table-max-keys drops keys with an invalidation', async (d) => {
    await d.resp3();
    await d.same('CONFIG', 'SET', 'tracking-table-max-keys', '1');
    try {
      await d.same('CLIENT', 'TRACKING', 'ON');
      await d.same('GET', 'a');
      await d.same('GET', 'b');
      // Before the next command the table is brought back to one key: one of the two is invalidated.
      const [a, b] = await d.both('PING');
      const pushOf = (x: Buffer) => x.toString().replace(/\$1\r\n[ab]\r\n/, '$1\r\nKEY\r\n');
      assert.equal(pushOf(b), pushOf(a));
      await d.same('PING');
      await d.same('PING');
    } finally {
      await d.same('CONFIG', 'SET', 'tracking-table-max-keys', '1000000');
    }
  });
});

describe('node-redis client-side cache against the engine', () => {
  let server: RespServer;
  before(async () => {
    server = await RespServer.listen({ port: 0, engine: new Engine() });
  });
  after(async () => {
    await server.close();
    server.engine.close();
  });

  it('serves repeated reads from its cache until the server invalidates them', async () => {
    const cache = new BasicClientSideCache({ ttl: 0, maxEntries: 0 });
    const client = createClient({ socket: { port: server.port }, RESP: 3, clientSideCache: cache });
    const writer = createClient({ socket: { port: server.port } });
    await Promise.all([client.connect(), writer.connect()]);
    try {
      await writer.set('k', 'v1');
      assert.equal(await client.get('k'), 'v1');
      assert.equal(await client.get('k'), 'v1');
      assert.equal(cache.stats().hitCount, 1);
      await writer.set('k', 'v2');
      // The invalidation push reaches the client before the next reply it reads.
      for (let i = 0; i < 50 && cache.size() > 0; i++) await new Promise((r) => setTimeout(r, 5));
      assert.equal(await client.get('k'), 'v2');
      await writer.flushAll();
      for (let i = 0; i < 50 && cache.size() > 0; i++) await new Promise((r) => setTimeout(r, 5));
      assert.equal(await client.get('k'), null);
    } finally {
      await Promise.all([client.quit(), writer.quit()]);
    }
  });
});
