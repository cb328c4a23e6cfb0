import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createEngine, EngineClient, PushReply, type Reply } from '@redkit/engine';
import { differential, type ParsedReply } from '@redkit/test-utils';

/** ACL LOG entries without age-seconds and client-info (ids, addresses and ages differ). */
function logFields(reply: ParsedReply): ParsedReply {
  assert.ok(Array.isArray(reply), 'ACL LOG replies an array');
  return reply.map((entry) => {
    const items = entry as ParsedReply[];
    const out: ParsedReply[] = [];
    for (let i = 0; i < items.length; i += 2) {
      if (items[i] === 'age-seconds' || items[i] === 'client-info') continue;
      out.push(items[i]!, items[i + 1]!);
    }
    return out;
  });
}

/** The subscription fields of CLIENT INFO / CLIENT LIST lines (the rest holds ids, ports and ages). */
function subscriptionFields(reply: ParsedReply): string[] {
  return String(reply)
    .trim()
    .split('\n')
    .map((line) => line.match(/ flags=\S+ db=\d+ sub=\d+ psub=\d+ ssub=\d+ /)?.[0] ?? line);
}

/** INFO's pub/sub counters, as `name:value` lines. */
function pubsubStats(reply: ParsedReply): string[] {
  return String(reply)
    .split('\r\n')
    .filter((line) => line.startsWith('pubsub'));
}

/** Gives both servers a moment to notice a closed connection. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

differential('sharded pub/sub', (s) => {
  s.test('SSUBSCRIBE, SPUBLISH and SUNSUBSCRIBE: a namespace of their own, counted apart', async (d) => {
    const pub = await d.pair();
    try {
      await d.same('SSUBSCRIBE', 'a', 'b', 'a');
      for (let i = 0; i < 2; i++) await d.sameNext();
      await d.same('SUBSCRIBE', 'x');
      await d.same('PSUBSCRIBE', '*');
      await d.same('SSUBSCRIBE', 'c');
      await d.same('GET', 'k');
      await d.same('PING');
      await d.same('PING', 'hi');
      await d.same('PUBSUB', 'SHARDCHANNELS');
      await d.same('EVAL', "return redis.call('spublish', 'a', 'x')", '0');

      await pub.same('SPUBLISH', 'a', 'hi');
      await d.sameNext();
      // PUBLISH does not reach shard subscribers, and patterns see only PUBLISH.
      await pub.same('PUBLISH', 'a', 'hi2');
      await d.sameNext();
      await pub.same('PUBLISH', 'x', 'm');
      await d.sameNext();
      await d.sameNext();
      await pub.same('SPUBLISH', 'x', 'only shard subscribers');
      await pub.same('SPUBLISH', 'nobody', 'm');
      await pub.sameUnordered('PUBSUB', 'SHARDCHANNELS');
      await pub.sameUnordered('PUBSUB', 'SHARDCHANNELS', '[ab]');
      await pub.same('PUBSUB', 'SHARDCHANNELS', 'x');
      await pub.sameUnordered('PUBSUB', 'SHARDCHANNELS', '*');
      await pub.same('PUBSUB', 'SHARDNUMSUB', 'a', 'b', 'zz', 'x');
      await pub.same('PUBSUB', 'SHARDNUMSUB');
      await pub.same('PUBSUB', 'NUMSUB', 'a', 'x');
      await pub.same('PUBSUB', 'CHANNELS');
      await pub.same('PUBSUB', 'NUMPAT');
      await pub.compare(['INFO', 'stats'], (redis, engine) =>
        assert.deepEqual(pubsubStats(engine), pubsubStats(redis)),
      );

      await d.same('SUNSUBSCRIBE', 'b', 'zz');
      await d.sameNext();
      await d.same('UNSUBSCRIBE');
      await d.same('PUNSUBSCRIBE');
      // Still subscribed to shard channels: the subscribed context holds.
      await d.same('PING');
      await d.same('GET', 'k');
      await d.same('SUNSUBSCRIBE', 'c');
      await d.same('SUNSUBSCRIBE');
      await d.same('SUNSUBSCRIBE');
      await d.same('PING');
      await d.same('GET', 'k');
      await d.same('UNSUBSCRIBE');
      await pub.same('PUBSUB', 'SHARDCHANNELS');
      await pub.same('PUBSUB', 'SHARDNUMSUB', 'a', 'c');
      await pub.same('SPUBLISH', 'a', 'gone');
      await pub.compare(['INFO', 'stats'], (redis, engine) =>
        assert.deepEqual(pubsubStats(engine), pubsubStats(redis)),
      );
    } finally {
      pub.close();
    }
  });

  s.test('several subscribers, shard-only subscribed context, QUIT', async (d) => {
    const other = await d.pair();
    const pub = await d.pair();
    try {
      await d.same('SSUBSCRIBE', 'news');
      await other.same('SSUBSCRIBE', 'news', 'sport');
      await other.sameNext();
      await pub.same('SPUBLISH', 'news', 'both');
      await d.sameNext();
      await other.sameNext();
      await pub.same('SPUBLISH', 'sport', 'one');
      await other.sameNext();
      await pub.same('PUBSUB', 'SHARDNUMSUB', 'news', 'sport');
      await d.same('SET', 'k', 'v');
      await d.same('EVAL', 'return 1', '0');
      await d.same('PUBSUB', 'SHARDCHANNELS');
      await d.same('SPUBLISH', 'news', 'from a subscriber');
      await d.same('MULTI');
      await d.same('SUBSCRIBE', 'plain');
      await d.same('PSUBSCRIBE', 'p*');
      await d.same('UNSUBSCRIBE', 'plain');
      await d.same('PUNSUBSCRIBE', 'p*');
      const quit = await d.sameRaw('*1\r\n$4\r\nQUIT\r\n');
      assert.equal(quit.closed, true);
      await settle();
      await pub.same('PUBSUB', 'SHARDNUMSUB', 'news', 'sport');
      await pub.same('SPUBLISH', 'news', 'other only');
      await other.sameNext();
    } finally {
      other.close();
      pub.close();
    }
  });

  s.test('arity, PUBSUB syntax errors, SUNSUBSCRIBE of nothing', async (d) => {
    await d.same('SSUBSCRIBE');
    await d.same('SPUBLISH');
    await d.same('SPUBLISH', 'a');
    await d.same('SPUBLISH', 'a', 'b', 'c');
    await d.same('spublish', 'a', 'b');
    await d.same('PUBSUB', 'SHARDCHANNELS', 'a', 'b');
    await d.same('PUBSUB', 'shardChannels', 'a', 'b');
    await d.same('PUBSUB', 'CHANNELS', 'a', 'b');
    await d.same('PUBSUB', 'SHARDCHANNELS');
    await d.same('PUBSUB', 'SHARDCHANNELS', '*');
    await d.same('PUBSUB', 'SHARDNUMSUB');
    await d.same('PUBSUB', 'SHARDNUMSUB', 'a', 'a');
    await d.same('PUBSUB', 'HELP');
    await d.same('EVAL', "return redis.call('ssubscribe', 'x')", '0');
    await d.same('EVAL', "return redis.call('sunsubscribe', 'x')", '0');
    await d.same('EVAL', "return redis.call('spublish', 'x', 'y')", '0');
    // Subscribed to nothing: a confirmation with a null channel, and the client stays normal.
    await d.same('SUNSUBSCRIBE');
    await d.same('SUNSUBSCRIBE', 'never');
    await d.same('SUNSUBSCRIBE', 'x', 'y');
    await d.sameNext();
    await d.same('PING');
    await d.same('GET', 'k');
  });

  s.test('binary channels and messages', async (d) => {
    const pub = await d.pair();
    try {
      const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
      const channel = Buffer.from('ch\x00\r\n\xff', 'latin1');
      await d.same('SSUBSCRIBE', channel, '');
      await d.sameNext();
      await pub.same('SPUBLISH', channel, all);
      await d.sameNext();
      await pub.same('SPUBLISH', '', '\r\n');
      await d.sameNext();
      await pub.same('PUBSUB', 'SHARDNUMSUB', channel, '');
      await pub.same('PUBSUB', 'SHARDCHANNELS', 'ch?*');
      await d.same('SUNSUBSCRIBE', channel);
      await d.same('SUNSUBSCRIBE', '');
    } finally {
      pub.close();
    }
  });

  s.test('RESP3: pushes, and any command while subscribed', async (d) => {
    const pub = await d.pair();
    try {
      await d.resp3();
      await d.same('SSUBSCRIBE', 'a');
      await d.same('SUBSCRIBE', 'a');
      await d.same('GET', 'x');
      await d.same('PING');
      await pub.same('SPUBLISH', 'a', 'm1');
      await d.sameNext();
      await pub.same('PUBLISH', 'a', 'm2');
      await d.sameNext();
      await d.same('PUBSUB', 'SHARDNUMSUB', 'a');
      await d.same('PUBSUB', 'SHARDCHANNELS');
      await d.same('SUNSUBSCRIBE', 'a');
      await d.same('SUNSUBSCRIBE');
      await d.same('UNSUBSCRIBE');
      await d.same('PING');
    } finally {
      pub.close();
    }
  });

  s.test('MULTI: SSUBSCRIBE refused inside EXEC, SPUBLISH queued', async (d) => {
    const sub = await d.pair();
    try {
      await sub.same('SSUBSCRIBE', 'q');
      await d.same('MULTI');
      await d.same('SSUBSCRIBE', 'q');
      await d.same('SPUBLISH', 'q', 'm');
      await d.same('SPUBLISH', 'nobody', 'm');
      await d.same('EXEC');
      await sub.sameNext();
      await d.same('PUBSUB', 'SHARDNUMSUB', 'q');
      await d.compare(['CLIENT', 'INFO'], (redis, engine) =>
        assert.deepEqual(subscriptionFields(engine), subscriptionFields(redis)),
      );
      await d.same('MULTI');
      await d.same('SPUBLISH', 'q');
      await d.same('EXEC');
      // A lone confirmation inside EXEC is written into EXEC's array.
      await d.same('MULTI');
      await d.same('SUNSUBSCRIBE', 'q');
      await d.same('SUNSUBSCRIBE');
      await d.same('PUNSUBSCRIBE');
      await d.same('EXEC');
      await d.same('PING');
      await d.resp3();
      await d.same('MULTI');
      await d.same('SUNSUBSCRIBE');
      await d.same('SSUBSCRIBE', 'r');
      await d.same('SUBSCRIBE', 'plain');
      await d.same('UNSUBSCRIBE', 'plain');
      await d.same('EXEC');
      await d.same('PUBSUB', 'NUMSUB', 'plain');
      await d.same('PUBSUB', 'SHARDNUMSUB', 'r', 'q');
    } finally {
      sub.close();
    }
  });

  s.test('RESET and a closed connection drop shard subscriptions', async (d) => {
    const sub = await d.pair();
    try {
      await d.same('SSUBSCRIBE', 'r1', 'r2');
      await d.sameNext();
      await d.same('SUBSCRIBE', 'plain');
      await d.same('RESET');
      await d.same('PUBSUB', 'SHARDNUMSUB', 'r1', 'r2');
      await d.same('PUBSUB', 'NUMSUB', 'plain');
      await d.same('SPUBLISH', 'r1', 'm');
      await d.same('GET', 'k');
      await d.compare(['CLIENT', 'INFO'], (redis, engine) =>
        assert.deepEqual(subscriptionFields(engine), subscriptionFields(redis)),
      );
      await sub.same('SSUBSCRIBE', 'c1');
      sub.close();
      await settle();
      await d.same('PUBSUB', 'SHARDNUMSUB', 'c1');
      await d.same('PUBSUB', 'SHARDCHANNELS');
      await d.same('SPUBLISH', 'c1', 'm');
    } finally {
      sub.close();
    }
  });

  s.test('CLIENT INFO/LIST ssub= and flags, CLIENT LIST/KILL TYPE pubsub', async (d) => {
    const sub = await d.pair();
    const both = await d.pair();
    try {
      await sub.same('SSUBSCRIBE', 'a', 'b');
      await sub.sameNext();
      await both.same('SUBSCRIBE', 'x');
      await both.same('PSUBSCRIBE', 'y*');
      await both.same('SSUBSCRIBE', 'z');
      const sameClients = (argv: string[]) =>
        d.compare(argv, (redis, engine) =>
          assert.deepEqual(subscriptionFields(engine).sort(), subscriptionFields(redis).sort()),
        );
      await sameClients(['CLIENT', 'LIST']);
      await sameClients(['CLIENT', 'LIST', 'TYPE', 'pubsub']);
      await sameClients(['CLIENT', 'LIST', 'TYPE', 'normal']);
      await sub.same('SUNSUBSCRIBE', 'a');
      await sameClients(['CLIENT', 'LIST', 'TYPE', 'pubsub']);
      await d.same('CLIENT', 'KILL', 'TYPE', 'pubsub');
      await settle();
      await d.same('PUBSUB', 'SHARDCHANNELS');
      await d.same('PUBSUB', 'NUMPAT');
      await sameClients(['CLIENT', 'LIST']);
    } finally {
      sub.close();
      both.close();
    }
  });

  s.test('keyspace notifications stay on plain channels', async (d) => {
    const sub = await d.pair();
    try {
      await d.same('CONFIG', 'SET', 'notify-keyspace-events', 'KEA');
      await sub.same('SSUBSCRIBE', '__keyspace@0__:k', '__keyevent@0__:set', 'marker');
      await sub.sameNext();
      await sub.sameNext();
      await d.same('SET', 'k', 'v');
      await d.same('SPUBLISH', 'marker', 'after the write');
      // The first push after the write is the marker: no keyspace event reached a shard channel.
      await sub.sameNext();
    } finally {
      await d.same('CONFIG', 'SET', 'notify-keyspace-events', '');
      sub.close();
    }
  });

  s.test('ACL: shard channels checked against channel permissions, ACL LOG', async (d) => {
    await d.same('ACL', 'SETUSER', 'shard', 'on', 'nopass', '+@all', 'resetkeys', 'resetchannels', '&ok*');
    await d.same('ACL', 'SETUSER', 'nochan', 'on', 'nopass', '+@all', '~*', 'resetchannels');
    await d.same('ACL', 'LOG', 'RESET');
    const u = await d.pair();
    const v = await d.pair();
    try {
      await u.same('AUTH', 'shard', 'x');
      await u.same('SPUBLISH', 'okay', 'm');
      await u.same('SPUBLISH', 'denied', 'm');
      await u.same('SSUBSCRIBE', 'denied');
      await u.same('SSUBSCRIBE', 'ok1', 'denied', 'ok2');
      await u.same('SUNSUBSCRIBE', 'denied');
      await u.same('SSUBSCRIBE', 'ok1', 'ok2');
      await u.sameNext();
      await v.same('AUTH', 'nochan', 'x');
      await v.same('SPUBLISH', 'ok1', 'm');
      await v.same('SSUBSCRIBE', 'ok1');
      await v.same('SUNSUBSCRIBE');
      await d.same('ACL', 'DRYRUN', 'shard', 'SPUBLISH', 'denied', 'm');
      await d.same('ACL', 'DRYRUN', 'shard', 'SSUBSCRIBE', 'ok1', 'denied');
      await d.same('ACL', 'DRYRUN', 'shard', 'SPUBLISH', 'ok', 'm');
      await d.compare(['ACL', 'LOG'], (redis, engine) =>
        assert.deepEqual(logFields(engine), logFields(redis)),
      );
      // Narrowing the user's channels disconnects its shard subscriber.
      await d.same('ACL', 'SETUSER', 'shard', 'resetchannels', '&other');
      const raw = await u.sameRaw('*1\r\n$4\r\nPING\r\n');
      assert.equal(raw.closed, true);
    } finally {
      u.close();
      v.close();
      await d.same('ACL', 'DELUSER', 'shard', 'nochan');
      await d.same('ACL', 'LOG', 'RESET');
    }
  });

  s.test('COMMAND INFO, GETKEYS and DOCS of the shard commands', async (d) => {
    await d.same('COMMAND', 'INFO', 'ssubscribe', 'sunsubscribe', 'spublish');
    await d.same('COMMAND', 'INFO', 'pubsub|shardchannels', 'pubsub|shardnumsub');
    await d.same('COMMAND', 'GETKEYS', 'ssubscribe', 'a', 'b');
    await d.same('COMMAND', 'GETKEYS', 'spublish', 'a', 'm');
    await d.same('COMMAND', 'GETKEYSANDFLAGS', 'sunsubscribe', 'a');
    await d.same('COMMAND', 'GETKEYS', 'spublish', 'a');
    await d.resp3();
    await d.same('COMMAND', 'INFO', 'ssubscribe', 'sunsubscribe', 'spublish');
    await d.compare(['COMMAND', 'LIST', 'FILTERBY', 'ACLCAT', 'pubsub'], (redis, engine) =>
      assert.deepEqual([...(engine as string[])].sort(), [...(redis as string[])].sort()),
    );
    await d.compare(['COMMAND', 'DOCS', 'ssubscribe', 'spublish', 'sunsubscribe'], (redis, engine) => {
      const since = (reply: ParsedReply) => JSON.stringify(reply).match(/"since","[^"]+"/g);
      assert.deepEqual(since(engine), since(redis));
    });
  });
});

it('in-process clients receive smessage pushes', async () => {
  const engine = createEngine();
  const subscriber = new EngineClient(engine);
  const publisher = new EngineClient(engine);
  const pushes: Reply[] = [];
  subscriber.onPush = (reply) => pushes.push(reply);
  try {
    assert.equal(await subscriber.call('SSUBSCRIBE', 'ch'), undefined);
    assert.equal(await publisher.call('SPUBLISH', 'ch', 'hello'), 1);
    assert.equal(await publisher.call('PUBLISH', 'ch', 'not shard'), 0);
    assert.equal(publisher.callSync('SPUBLISH', 'other', 'x'), 0);
    assert.equal(await subscriber.call('SUNSUBSCRIBE'), undefined);
    assert.deepEqual(
      pushes.map((p) => (p instanceof PushReply ? p.items : p)),
      [
        ['ssubscribe', 'ch', 1],
        ['smessage', 'ch', 'hello'],
        ['sunsubscribe', 'ch', 0],
      ],
    );
    assert.equal(await publisher.call('SPUBLISH', 'ch', 'gone'), 0);
  } finally {
    subscriber.close();
    publisher.close();
    engine.close();
  }
});
