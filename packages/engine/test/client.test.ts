import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  Engine,
  EngineClient,
  ErrorReply,
  ManualClock,
  MapReply,
  NULL_ARRAY,
  type Reply,
  SetReply,
  StatusReply,
  VerbatimReply,
} from '@redkit/engine';
import { type DiffPair, differential, encodeCommand, type ParsedReply } from '@redkit/test-utils';

/** CLIENT LIST / CLIENT INFO text (RESP2 bulk or RESP3 verbatim) as one field map per line. */
function clientLines(reply: ParsedReply | Reply | undefined): Array<Map<string, string>> {
  let text: string;
  if (typeof reply === 'string') text = reply;
  else if (reply instanceof VerbatimReply) text = reply.text;
  else if (reply && typeof reply === 'object' && 'verbatim' in reply) text = reply.verbatim.slice(4);
  else throw new Error(`not a client list: ${JSON.stringify(reply)}`);
  assert.ok(text === '' || text.endsWith('\n'), 'each line ends with a newline');
  return text
    .split('\n')
    .filter(Boolean)
    .map(
      (line) =>
        new Map(line.split(' ').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])),
    );
}

/** Fields whose values depend only on the client's state, not on the server process. */
const STATE_FIELDS = ['name', 'flags', 'db', 'sub', 'psub', 'ssub', 'multi', 'cmd', 'user', 'redir', 'resp'];

/** Same field names in the same order; equal values for the state fields. */
function assertSameClients(redis: ParsedReply, engine: ParsedReply, what: string): void {
  const a = clientLines(redis);
  const b = clientLines(engine);
  assert.equal(b.length, a.length, `${what}: number of clients`);
  for (let i = 0; i < a.length; i++) {
    assert.deepEqual([...b[i]!.keys()], [...a[i]!.keys()], `${what}: field names and order`);
    for (const field of STATE_FIELDS) assert.equal(b[i]!.get(field), a[i]!.get(field), `${what}: ${field}`);
  }
}

/** Runs a command whose arguments differ per server (client ids, addresses) and compares the replies. */
async function sameEach(d: DiffPair, redisArgv: string[], engineArgv: string[]): Promise<void> {
  const [a, b] = await Promise.all([d.redis.command(redisArgv), d.engine.command(engineArgv)]);
  assert.equal(b.toString('latin1'), a.toString('latin1'), `${redisArgv.join(' ')}`);
}

/** The value of a field in each server's CLIENT INFO for this pair. */
async function infoField(d: DiffPair, field: string): Promise<[string, string]> {
  const [a, b] = await d.both('CLIENT', 'INFO');
  const parse = (buf: Buffer) => clientLines(buf.toString('latin1').split('\r\n')[1]!)[0]!.get(field)!;
  return [parse(a), parse(b)];
}

differential('CLIENT', (s) => {
  s.test('CLIENT ID, SETNAME, GETNAME and their errors', async (d) => {
    await d.compare(['CLIENT', 'ID'], (r, e) => {
      assert.equal(typeof r, 'number');
      assert.equal(typeof e, 'number');
    });
    await d.same('CLIENT', 'GETNAME');
    await d.same('CLIENT', 'SETNAME', 'worker-1');
    await d.same('CLIENT', 'GETNAME');
    await d.same('CLIENT', 'SETNAME', 'a b');
    await d.same('CLIENT', 'SETNAME', 'a\nb');
    await d.same('CLIENT', 'SETNAME', 'caf\xe9');
    await d.same('CLIENT', 'SETNAME', '\x7f');
    await d.same('CLIENT', 'GETNAME');
    await d.same('CLIENT', 'SETNAME', '');
    await d.same('CLIENT', 'GETNAME');
    await d.same('CLIENT', 'SETNAME');
    await d.same('CLIENT', 'SETNAME', 'a', 'b');
    await d.same('CLIENT', 'GETNAME', 'x');
    await d.same('CLIENT', 'ID', 'x');
    await d.same('CLIENT');
    await d.same('CLIENT', 'NOSUCH');
    await d.resp3();
    await d.same('CLIENT', 'GETNAME');
    await d.same('CLIENT', 'SETNAME', 'n');
    await d.same('CLIENT', 'GETNAME');
  });

  s.test('CLIENT INFO and CLIENT LIST have Redis 7.0 fields in order', async (d) => {
    await d.compare(['CLIENT', 'INFO'], (r, e) => assertSameClients(r, e, 'CLIENT INFO'));
    await d.same('CLIENT', 'SETNAME', 'me');
    await d.same('SELECT', '4');
    await d.compare(['CLIENT', 'INFO'], (r, e) =>
      assertSameClients(r, e, 'CLIENT INFO after SETNAME/SELECT'),
    );
    await d.compare(['CLIENT', 'LIST'], (r, e) => assertSameClients(r, e, 'CLIENT LIST'));
    const other = await d.pair();
    await other.same('CLIENT', 'SETNAME', 'sub');
    await other.same('SUBSCRIBE', 'a', 'b');
    await other.sameNext();
    await other.same('PSUBSCRIBE', 'p*');
    await d.compare(['CLIENT', 'LIST'], (r, e) => assertSameClients(r, e, 'CLIENT LIST with a subscriber'));
    await d.compare(['CLIENT', 'LIST', 'TYPE', 'pubsub'], (r, e) => assertSameClients(r, e, 'TYPE pubsub'));
    await d.compare(['CLIENT', 'LIST', 'TYPE', 'NORMAL'], (r, e) => assertSameClients(r, e, 'TYPE normal'));
    await d.same('CLIENT', 'LIST', 'TYPE', 'master');
    await d.same('CLIENT', 'LIST', 'TYPE', 'replica');
    await d.same('CLIENT', 'LIST', 'TYPE', 'slave');
    await d.same('CLIENT', 'LIST', 'TYPE', 'foo');
    await d.same('CLIENT', 'LIST', 'TYPE');
    await d.same('CLIENT', 'LIST', 'TYPE', 'normal', 'x');
    await d.same('CLIENT', 'LIST', 'ID');
    await d.same('CLIENT', 'LIST', 'ID', 'abc');
    await d.same('CLIENT', 'LIST', 'ID', '1', 'abc');
    await d.same('CLIENT', 'LIST', 'ID', '999999');
    await d.same('CLIENT', 'LIST', 'foo');
    const [rid, eid] = await d.both('CLIENT', 'ID');
    const id = (b: Buffer) => b.toString().slice(1, -2);
    const [ra, ea] = await Promise.all([
      d.redis.command(['CLIENT', 'LIST', 'ID', id(rid), '999999']),
      d.engine.command(['CLIENT', 'LIST', 'ID', id(eid), '999999']),
    ]);
    const text = (b: Buffer) => b.toString('latin1').split('\r\n')[1]!;
    assertSameClients(text(ra), text(ea), 'LIST ID');
    await d.same('MULTI');
    await d.same('PING');
    await d.same('ECHO', 'x');
    await d.same('EXEC');
    await d.resp3();
    await d.compare(['CLIENT', 'INFO'], (r, e) => {
      assert.ok(typeof e === 'object' && e !== null && 'verbatim' in e, 'a verbatim string in RESP3');
      assertSameClients(r, e, 'RESP3 CLIENT INFO');
    });
    await d.compare(['CLIENT', 'LIST', 'TYPE', 'pubsub'], (r, e) => assertSameClients(r, e, 'RESP3 LIST'));
    other.close();
  });

  s.test('CLIENT LIST flags follow the client state', async (d) => {
    const other = await d.pair();
    const [rid, eid] = await other.both('CLIENT', 'ID');
    const id = (b: Buffer) => b.toString().slice(1, -2);
    const compareOther = async (what: string) => {
      const [a, b] = await Promise.all([
        d.redis.command(['CLIENT', 'LIST', 'ID', id(rid)]),
        d.engine.command(['CLIENT', 'LIST', 'ID', id(eid)]),
      ]);
      const text = (buf: Buffer) => buf.toString('latin1').split('\r\n')[1]!;
      assertSameClients(text(a), text(b), what);
    };
    await other.same('WATCH', 'w');
    await other.same('SET', 'w', '1');
    await compareOther('dirty WATCH');
    await other.same('MULTI');
    await compareOther('MULTI with a dirty WATCH');
    await other.same('DISCARD');
    await other.same('CLIENT', 'NO-EVICT', 'on');
    await compareOther('NO-EVICT on');
    const [redisFlags, engineFlags] = await infoField(other, 'flags');
    assert.equal(engineFlags, redisFlags);
    await other.same('CLIENT', 'NO-EVICT', 'OFF');
    await compareOther('NO-EVICT off');
    await other.same('CLIENT', 'NO-EVICT', 'maybe');
    await other.same('CLIENT', 'NO-EVICT');
    other.close();
  });

  s.test('CLIENT KILL by option and in the old form', async (d) => {
    for (const args of [
      ['1.2.3.4:5'],
      ['ID'],
      ['ID', '0'],
      ['ID', '-1'],
      ['ID', 'abc'],
      ['ID', '5', 'foo'],
      ['TYPE', 'foo'],
      ['USER', 'nobody'],
      ['SKIPME', 'maybe'],
      ['ID', '999999'],
      ['LADDR', 'x'],
      ['ADDR', 'x', 'SKIPME', 'no'],
      ['TYPE', 'master'],
      ['USER', 'default', 'TYPE', 'pubsub'],
      ['foo', 'bar'],
    ]) {
      await d.same('CLIENT', 'KILL', ...args);
    }
    await d.same('CLIENT', 'KILL');
    // Kill another connection by id: the ids differ between the two servers.
    const victim = await d.pair();
    const [rid, eid] = await victim.both('CLIENT', 'ID');
    const id = (b: Buffer) => b.toString().slice(1, -2);
    await sameEach(d, ['CLIENT', 'KILL', 'ID', id(rid)], ['CLIENT', 'KILL', 'ID', id(eid)]);
    await sameEach(d, ['CLIENT', 'KILL', 'ID', id(rid)], ['CLIENT', 'KILL', 'ID', id(eid)]);
    await victim.sameRaw('*1\r\n$4\r\nPING\r\n', 300);
    // By type: pubsub clients only; the caller is skipped by default.
    const sub = await d.pair();
    await sub.same('SUBSCRIBE', 'x');
    await d.same('CLIENT', 'KILL', 'TYPE', 'pubsub');
    await d.same('CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
    await sub.sameRaw('*1\r\n$4\r\nPING\r\n', 300);
    // By the victim's address, old form: OK, and the connection is gone.
    const old = await d.pair();
    const [raddr, eaddr] = await old.both('CLIENT', 'INFO');
    const addr = (b: Buffer) => clientLines(b.toString('latin1').split('\r\n')[1]!)[0]!.get('addr')!;
    await sameEach(d, ['CLIENT', 'KILL', addr(raddr)], ['CLIENT', 'KILL', addr(eaddr)]);
    await old.sameRaw('*1\r\n$4\r\nPING\r\n', 300);
    // Killing oneself (the old form does not skip the caller): the reply comes, then the connection closes.
    const self = await d.pair();
    const [rself, eself] = await self.both('CLIENT', 'INFO');
    self.redis.write(encodeCommand(['CLIENT', 'KILL', addr(rself)]));
    self.engine.write(encodeCommand(['CLIENT', 'KILL', addr(eself)]));
    const [a, b] = await Promise.all([self.redis.readUntilClosed(500), self.engine.readUntilClosed(500)]);
    assert.equal(b.bytes.toString(), a.bytes.toString());
    assert.equal(a.bytes.toString(), '+OK\r\n');
    assert.equal(b.closed, a.closed);
  });

  s.test('CLIENT REPLY OFF, SKIP and ON', async (d) => {
    const pipeline =
      '*3\r\n$6\r\nCLIENT\r\n$5\r\nREPLY\r\n$3\r\nOFF\r\n' +
      '*2\r\n$4\r\nECHO\r\n$1\r\na\r\n' +
      '*3\r\n$6\r\nCLIENT\r\n$5\r\nREPLY\r\n$4\r\nSKIP\r\n' +
      '*3\r\n$6\r\nCLIENT\r\n$5\r\nREPLY\r\n$2\r\nON\r\n' +
      '*3\r\n$6\r\nCLIENT\r\n$5\r\nREPLY\r\n$4\r\nSKIP\r\n' +
      '*2\r\n$4\r\nECHO\r\n$1\r\nb\r\n' +
      '*2\r\n$4\r\nECHO\r\n$1\r\nc\r\n';
    d.redis.write(pipeline);
    d.engine.write(pipeline);
    await d.sameNext(); // +OK of CLIENT REPLY ON
    await d.sameNext(); // c (b was skipped)
    await d.same('CLIENT', 'REPLY', 'foo');
    await d.same('CLIENT', 'REPLY');
    await d.same('CLIENT', 'REPLY', 'ON');
    await d.same('PING');
  });

  s.test('CLIENT UNBLOCK answers a blocked client as on timeout or with an error', async (d) => {
    await d.both('CONFIG', 'RESETSTAT');
    const blocked = await d.pair();
    const [rid, eid] = await blocked.both('CLIENT', 'ID');
    const id = (b: Buffer) => b.toString().slice(1, -2);
    await d.same('CLIENT', 'UNBLOCK', 'abc');
    await d.same('CLIENT', 'UNBLOCK', '1', 'foo');
    await d.same('CLIENT', 'UNBLOCK', 'abc', 'foo');
    await d.same('CLIENT', 'UNBLOCK', '1', 'timeout', 'x');
    await d.same('CLIENT', 'UNBLOCK', '999999');
    await d.same('CLIENT', 'UNBLOCK');
    await sameEach(d, ['CLIENT', 'UNBLOCK', id(rid)], ['CLIENT', 'UNBLOCK', id(eid)]); // not blocked: 0
    let pending = blocked.start('BZPOPMIN', 'nokey', '0');
    await new Promise((r) => setTimeout(r, 50));
    await d.compare(['CLIENT', 'LIST', 'TYPE', 'normal'], (r, e) =>
      assertSameClients(r, e, 'with a blocked client'),
    );
    await sameEach(d, ['CLIENT', 'UNBLOCK', id(rid)], ['CLIENT', 'UNBLOCK', id(eid)]);
    await pending.same();
    pending = blocked.start('BZPOPMIN', 'nokey', '0');
    await new Promise((r) => setTimeout(r, 50));
    await sameEach(d, ['CLIENT', 'UNBLOCK', id(rid), 'ERROR'], ['CLIENT', 'UNBLOCK', id(eid), 'error']);
    await pending.same();
    await sameEach(d, ['CLIENT', 'UNBLOCK', id(rid), 'TIMEOUT'], ['CLIENT', 'UNBLOCK', id(eid), 'TIMEOUT']);
    await d.same('INFO', 'errorstats');
    await d.compare(['INFO', 'commandstats'], (r, e) => {
      const line = (reply: ParsedReply) => {
        const text = typeof reply === 'string' ? reply : '';
        const found = text.split('\r\n').find((l) => l.startsWith('cmdstat_bzpopmin:'))!;
        return found.replace(/usec=\d+,usec_per_call=[\d.]+,/, '');
      };
      assert.equal(line(e), line(r));
    });
    blocked.close();
  });

  s.test('CLIENT PAUSE, UNPAUSE, tracking queries and HELP', async (d) => {
    for (const args of [
      ['PAUSE'],
      ['PAUSE', 'abc'],
      ['PAUSE', '-1'],
      ['PAUSE', '10', 'foo'],
      ['PAUSE', '1', 'all', 'x'],
      ['PAUSE', 'abc', 'foo'],
    ]) {
      await d.same('CLIENT', ...args);
    }
    await d.same('CLIENT', 'PAUSE', '0');
    await d.same('CLIENT', 'PAUSE', '0', 'WRITE');
    await d.same('CLIENT', 'UNPAUSE');
    await d.same('CLIENT', 'UNPAUSE', 'x');
    await d.same('CLIENT', 'GETREDIR');
    await d.same('CLIENT', 'TRACKINGINFO');
    await d.same('CLIENT', 'CACHING', 'yes');
    await d.same('CLIENT', 'CACHING');
    await d.same('CLIENT', 'HELP');
    await d.same('CLIENT', 'help', 'x');
    await d.resp3();
    await d.same('CLIENT', 'TRACKINGINFO');
    await d.same('CLIENT', 'HELP');
    await d.same('CLIENT', 'PAUSE', '0');
  });
});

// ---------------------------------------------------------------------------------------------------
// Unit tests against the engine

describe('CLIENT values', () => {
  it('CLIENT LIST describes every in-process client with its state', async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const engine = new Engine({ clock });
    const a = new EngineClient(engine);
    const b = new EngineClient(engine);
    a.callSync('CLIENT', 'SETNAME', 'alpha');
    clock.advance(5000);
    b.callSync('SELECT', '2');
    b.callSync('MULTI');
    b.callSync('SET', 'k', 'v');
    b.callSync('GET', 'k');
    clock.advance(2000);
    const lines = clientLines(a.callSync('CLIENT', 'LIST'));
    assert.equal(lines.length, 2);
    const [la, lb] = lines as [Map<string, string>, Map<string, string>];
    assert.equal(la.get('id'), String(a.session.id));
    assert.equal(la.get('name'), 'alpha');
    assert.equal(la.get('age'), '7');
    assert.equal(la.get('idle'), '0');
    assert.equal(la.get('cmd'), 'client|list');
    assert.equal(la.get('argv-mem'), '10');
    assert.equal(lb.get('db'), '2');
    assert.equal(lb.get('flags'), 'x');
    assert.equal(lb.get('multi'), '2');
    assert.equal(lb.get('multi-mem'), '9');
    assert.equal(lb.get('idle'), '2');
    assert.equal(lb.get('cmd'), 'multi');
    assert.equal(lb.get('addr'), '?:0');
    assert.equal(lb.get('resp'), '2');
    assert.equal(la.has('lib-name'), false);
    engine.close();
  });

  it('CLIENT SETINFO (Redis 7.2) records the library, shown in CLIENT INFO', () => {
    const engine = new Engine();
    const c = new EngineClient(engine);
    assert.deepEqual(c.callSync('CLIENT', 'SETINFO', 'LIB-NAME', 'redkit-test'), new StatusReply('OK'));
    assert.deepEqual(c.callSync('CLIENT', 'SETINFO', 'lib-ver', '1.2.3'), new StatusReply('OK'));
    const info = clientLines(c.callSync('CLIENT', 'INFO'))[0]!;
    assert.equal(info.get('lib-name'), 'redkit-test');
    assert.equal(info.get('lib-ver'), '1.2.3');
    assert.equal([...info.keys()].at(-3), 'resp');
    assert.equal(
      (c.callSync('CLIENT', 'SETINFO', 'LIB-NAME', 'a b') as ErrorReply).message,
      'ERR LIB-NAME cannot contain spaces, newlines or special characters.',
    );
    assert.equal(
      (c.callSync('CLIENT', 'SETINFO', 'other', 'x') as ErrorReply).message,
      "ERR Unrecognized option 'other'",
    );
    assert.equal(
      (c.callSync('CLIENT', 'SETINFO', 'lib-name') as ErrorReply).message,
      "ERR wrong number of arguments for 'client|setinfo' command",
    );
    engine.close();
  });

  it('CLIENT KILL closes other in-process clients and marks the caller to close after its reply', async () => {
    const engine = new Engine();
    const a = new EngineClient(engine);
    const b = new EngineClient(engine);
    const sub = new EngineClient(engine);
    await sub.call('SUBSCRIBE', 'x');
    assert.equal(a.callSync('CLIENT', 'KILL', 'TYPE', 'pubsub'), 1);
    assert.equal(sub.session.closed, true);
    assert.equal(engine.pubsub.channels.size, 0);
    assert.equal(a.callSync('CLIENT', 'KILL', 'ID', String(b.session.id)), 1);
    assert.equal(b.session.closed, true);
    assert.equal(a.callSync('CLIENT', 'KILL', 'ID', String(a.session.id)), 0, 'SKIPME yes by default');
    assert.equal(a.callSync('CLIENT', 'KILL', 'ID', String(a.session.id), 'SKIPME', 'no'), 1);
    assert.equal(a.session.closeAfterReply, true);
    engine.close();
  });

  it('CLIENT UNBLOCK resumes a blocked in-process client with the timeout reply or an error', async () => {
    const engine = new Engine();
    const a = new EngineClient(engine);
    const b = new EngineClient(engine);
    const pending = b.call('BZPOPMIN', 'k', '0');
    assert.equal(b.session.blocked, true);
    assert.equal(clientLines(a.callSync('CLIENT', 'INFO')).length, 1);
    assert.equal(clientLines(a.callSync('CLIENT', 'LIST', 'ID', String(b.session.id)))[0]!.get('flags'), 'b');
    assert.equal(a.callSync('CLIENT', 'UNBLOCK', String(b.session.id)), 1);
    assert.equal(await pending, NULL_ARRAY);
    const again = b.call('BZPOPMIN', 'k', '0');
    assert.equal(a.callSync('CLIENT', 'UNBLOCK', String(b.session.id), 'ERROR'), 1);
    assert.deepEqual(await again, new ErrorReply('UNBLOCKED client unblocked via CLIENT UNBLOCK'));
    assert.equal(engine.stats.errors.get('UNBLOCKED'), 1);
    assert.equal(a.callSync('CLIENT', 'UNBLOCK', String(b.session.id)), 0);
    engine.close();
  });

  it('CLIENT REPLY OFF silences replies until ON; SKIP drops one', () => {
    const engine = new Engine();
    const c = new EngineClient(engine);
    assert.equal(c.callSync('CLIENT', 'REPLY', 'OFF'), undefined);
    assert.equal(c.callSync('ECHO', 'a'), undefined);
    assert.equal(c.callSync('CLIENT', 'REPLY', 'SKIP'), undefined);
    assert.deepEqual(c.callSync('CLIENT', 'REPLY', 'ON'), new StatusReply('OK'));
    assert.equal(c.callSync('CLIENT', 'REPLY', 'SKIP'), undefined);
    assert.equal(c.callSync('ECHO', 'b'), undefined);
    assert.equal(c.callSync('ECHO', 'c'), 'c');
    engine.close();
  });

  it('CLIENT NO-EVICT, GETREDIR, TRACKINGINFO and the e flag', () => {
    const engine = new Engine();
    const c = new EngineClient(engine);
    c.callSync('CLIENT', 'NO-EVICT', 'ON');
    assert.equal(c.session.noEvict, true);
    assert.equal(clientLines(c.callSync('CLIENT', 'INFO'))[0]!.get('flags'), 'e');
    assert.equal(c.callSync('CLIENT', 'GETREDIR'), -1);
    assert.deepEqual(
      c.callSync('CLIENT', 'TRACKINGINFO'),
      new MapReply(['flags', new SetReply(['off']), 'redirect', -1, 'prefixes', []]),
    );
    engine.close();
  });
});
