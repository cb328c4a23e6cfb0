import assert from 'node:assert/strict';
import { type DiffPair, differential, framesUntilMarker, type ParsedReply } from '@redkit/test-utils';

type Arg = string | Buffer;

/** Replaces time-dependent values (idle times, delivery and seen times) so the rest compares exactly. */
function maskTimes(reply: ParsedReply): ParsedReply {
  if (Array.isArray(reply)) return maskList(reply);
  if (reply !== null && typeof reply === 'object' && 'map' in reply) return { map: maskList(reply.map) };
  return reply;
}

function maskList(items: ParsedReply[]): ParsedReply[] {
  const out = items.map(maskTimes);
  for (let i = 0; i + 1 < out.length; i++) {
    const k = out[i];
    if (k === 'idle' || k === 'seen-time') out[i + 1] = 'T';
    if (k === 'pending' && Array.isArray(out[i + 1])) {
      out[i + 1] = (out[i + 1] as ParsedReply[]).map((p) => {
        if (!Array.isArray(p)) return p;
        const copy = [...p];
        copy[copy.length - 2] = 'T';
        return copy;
      });
    }
  }
  return out;
}

/** Compares replies with time-dependent fields masked. */
async function sameTimeless(d: DiffPair, ...argv: Arg[]): Promise<ParsedReply> {
  return d.compare(argv, (a, b) => assert.deepEqual(maskTimes(b), maskTimes(a), argv.map(String).join(' ')));
}

/** XPENDING's extended form: [id, consumer, idle, deliveries] with the idle time masked. */
async function samePending(d: DiffPair, ...argv: Arg[]): Promise<ParsedReply> {
  const mask = (r: ParsedReply) =>
    Array.isArray(r) ? r.map((e) => (Array.isArray(e) ? [e[0], e[1], 'T', e[3]] : e)) : r;
  return d.compare(argv, (a, b) => assert.deepEqual(mask(b), mask(a), argv.map(String).join(' ')));
}

async function fill(d: DiffPair, key: string, n: number, from = 1): Promise<void> {
  for (let i = from; i < from + n; i++) await d.same('XADD', key, `${i}-1`, 'f', `v${i}`);
}

differential('stream consumer groups', (s) => {
  s.test('XGROUP CREATE, SETID, DESTROY and errors', async (d) => {
    await d.same('XGROUP', 'CREATE', 's', 'g', '0');
    await d.same('XGROUP', 'CREATE', 's', 'g', '0', 'MKSTREAM');
    await d.same('EXISTS', 's');
    await d.same('XGROUP', 'CREATE', 's', 'g', '0', 'MKSTREAM');
    await d.same('XGROUP', 'CREATE', 's', 'g2', '$');
    await d.same('XGROUP', 'CREATE', 'n', 'g', '$', 'MKSTREAM');
    await fill(d, 's', 3);
    await d.same('XGROUP', 'CREATE', 's', 'g3', '$');
    await d.same('XGROUP', 'CREATE', 's', 'g4', '2-1', 'ENTRIESREAD', '2');
    await d.same('XGROUP', 'CREATE', 's', 'g5', '0', 'ENTRIESREAD', '-1');
    await d.same('XGROUP', 'CREATE', 's', 'g6', '0', 'ENTRIESREAD', '-2');
    await d.same('XGROUP', 'CREATE', 's', 'g6', '0', 'ENTRIESREAD', 'x');
    await d.same('XGROUP', 'CREATE', 's', 'g6', '0', 'ENTRIESREAD');
    await d.same('XGROUP', 'CREATE', 's', 'g6', '0', 'FOO');
    await d.same('XGROUP', 'CREATE', 's', 'g6', 'x');
    await d.same('XGROUP', 'CREATE', 's', 'g6', '-');
    await d.same('XGROUP', 'CREATE', 's', 'g6', '0', 'MKSTREAM', 'ENTRIESREAD', '1', 'MKSTREAM');
    await d.same('XGROUP', 'CREATE', 's', 'g6');
    await d.same('XGROUP', 'CREATE', 'none', 'g', '0');
    await d.same('XGROUP', 'CREATE', 'none', 'g', 'x', 'MKSTREAM');
    await d.same('EXISTS', 'none');
    await d.same('XINFO', 'GROUPS', 's');
    await d.same('XGROUP', 'SETID', 's', 'g', '2-1');
    await d.same('XGROUP', 'SETID', 's', 'g2', '$');
    await d.same('XGROUP', 'SETID', 's', 'g3', '1', 'ENTRIESREAD', '1');
    await d.same('XGROUP', 'SETID', 's', 'g4', '-');
    await d.same('XGROUP', 'SETID', 's', 'g4', 'x');
    await d.same('XGROUP', 'SETID', 's', 'g4', '0', 'ENTRIESREAD', '1', 'FOO');
    await d.same('XGROUP', 'SETID', 's', 'g4', '0', '1', '2');
    await d.same('XGROUP', 'SETID', 's', 'nog', '0');
    await d.same('XGROUP', 'SETID', 'none', 'g', '0');
    await d.same('XINFO', 'GROUPS', 's');
    await d.same('XGROUP', 'DESTROY', 's', 'g5');
    await d.same('XGROUP', 'DESTROY', 's', 'g5');
    await d.same('XGROUP', 'DESTROY', 'none', 'g5');
    await d.same('XGROUP', 'DESTROY', 's');
    await d.same('XGROUP', 'FOO', 's', 'g');
    await d.same('XGROUP', 'HELP');
    await d.same('XGROUP', 'HELP', 'x');
    await d.same('XGROUP');
    await d.same('SET', 'str', 'x');
    await d.same('XGROUP', 'CREATE', 'str', 'g', '0');
    await d.same('XGROUP', 'CREATE', 'str', 'g', '0', 'MKSTREAM');
    await d.same('XGROUP', 'DESTROY', 'str', 'g');
    await d.same('XGROUP', 'CREATE', Buffer.from('k\r\nx'), 'g', '0', 'MKSTREAM');
    await d.same('XGROUP', 'SETID', Buffer.from('k\r\nx'), Buffer.from('g\r\n'), '0');
    await d.resp3();
    await d.same('XINFO', 'GROUPS', 's');
  });

  s.test('XGROUP CREATECONSUMER and DELCONSUMER', async (d) => {
    await fill(d, 's', 3);
    await d.same('XGROUP', 'CREATE', 's', 'g', '0');
    await d.same('XGROUP', 'CREATECONSUMER', 's', 'g', 'alice');
    await d.same('XGROUP', 'CREATECONSUMER', 's', 'g', 'alice');
    await d.same('XGROUP', 'CREATECONSUMER', 's', 'g', 'bob');
    await d.same('XGROUP', 'CREATECONSUMER', 's', 'nog', 'bob');
    await d.same('XGROUP', 'CREATECONSUMER', 'none', 'g', 'bob');
    await d.same('XGROUP', 'CREATECONSUMER', 's', 'g');
    await sameTimeless(d, 'XINFO', 'CONSUMERS', 's', 'g');
    await d.same('XREADGROUP', 'GROUP', 'g', 'alice', 'COUNT', '2', 'STREAMS', 's', '>');
    await d.same('XGROUP', 'DELCONSUMER', 's', 'g', 'alice');
    await d.same('XGROUP', 'DELCONSUMER', 's', 'g', 'alice');
    await d.same('XGROUP', 'DELCONSUMER', 's', 'nog', 'alice');
    await d.same('XPENDING', 's', 'g');
    await sameTimeless(d, 'XINFO', 'CONSUMERS', 's', 'g');
    await d.same('XINFO', 'GROUPS', 's');
  });

  s.test('XREADGROUP new entries, history and NOACK', async (d) => {
    await fill(d, 's', 5);
    await d.same('XGROUP', 'CREATE', 's', 'g', '0');
    await d.same('XREADGROUP', 'GROUP', 'g', 'a', 'COUNT', '2', 'STREAMS', 's', '>');
    await d.same('XREADGROUP', 'GROUP', 'g', 'b', 'COUNT', '1', 'STREAMS', 's', '>');
    await d.same('XREADGROUP', 'GROUP', 'g', 'c', 'NOACK', 'STREAMS', 's', '>');
    await d.same('XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', '>');
    await d.same('XREADGROUP', 'GROUP', 'g', 'a', 'STREAMS', 's', '0');
    await d.same('XREADGROUP', 'GROUP', 'g', 'a', 'STREAMS', 's', '1-1');
    await d.same('XREADGROUP', 'GROUP', 'g', 'a', 'COUNT', '1', 'STREAMS', 's', '0');
    await d.same('XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', '0');
    await d.same('XREADGROUP', 'GROUP', 'g', 'new', 'STREAMS', 's', '0');
    await d.same('XDEL', 's', '1-1');
    await d.same('XREADGROUP', 'GROUP', 'g', 'a', 'STREAMS', 's', '0');
    await samePending(d, 'XPENDING', 's', 'g', '-', '+', '10');
    await d.same('XINFO', 'GROUPS', 's');
    await d.same('XADD', 's', '6-1', 'f', 'v6');
    await d.same('XGROUP', 'SETID', 's', 'g', '0');
    await d.same('XREADGROUP', 'GROUP', 'g', 'b', 'STREAMS', 's', '>');
    await samePending(d, 'XPENDING', 's', 'g', '-', '+', '10');
    await d.same('XPENDING', 's', 'g');
    await d.same('XINFO', 'GROUPS', 's');
    await d.resp3();
    await d.same('XREADGROUP', 'GROUP', 'g', 'b', 'STREAMS', 's', '0');
    await d.same('XREADGROUP', 'GROUP', 'g', 'b', 'STREAMS', 's', '>');
    await d.same('XPENDING', 's', 'g');
    await d.same('XINFO', 'GROUPS', 's');
  });

  s.test('XREADGROUP errors', async (d) => {
    await fill(d, 's', 2);
    await d.same('XGROUP', 'CREATE', 's', 'g', '0');
    await d.same('XREADGROUP', 'GROUP', 'g', 'a', 'STREAMS', 's', '$');
    await d.same('XREADGROUP', 'GROUP', 'nog', 'a', 'STREAMS', 's', '>');
    await d.same('XREADGROUP', 'GROUP', 'g', 'a', 'STREAMS', 'none', '>');
    await d.same('XREADGROUP', 'GROUP', 'g', 'a', 'STREAMS', 's', 'none', '>', '>');
    await d.same('XREADGROUP', 'GROUP', 'g', 'a', 'STREAMS', 's', 'x');
    await d.same('XREADGROUP', 'GROUP', 'g', 'a', 'STREAMS', 's');
    await d.same('XREADGROUP', 'GROUP', 'g', 'a', 'STREAMS', 's', '>', '>');
    await d.same('XREADGROUP', 'GROUP', 'g', 'a', 'COUNT', 'x', 'STREAMS', 's', '>');
    await d.same('XREADGROUP', 'GROUP', 'g', 'a', 'BLOCK', '-1', 'STREAMS', 's', '>');
    await d.same('XREADGROUP', 'GROUP', 'g', 'a', 'FOO', 'STREAMS', 's', '>');
    await d.same('XREADGROUP', 'COUNT', '1', 'STREAMS', 's', '>', 'x');
    await d.same('XREADGROUP', 'COUNT', '1', 'NOACK', 'STREAMS', 's', '>');
    await d.same('XREADGROUP', 'GROUP', 'g', 'STREAMS', 's', '>');
    await d.same('XREADGROUP', 'GROUP', Buffer.from('a\r\nb'), 'c', 'STREAMS', Buffer.from('k\nk'), '>');
    await d.same('SET', 'str', 'x');
    await d.same('XREADGROUP', 'GROUP', 'g', 'a', 'STREAMS', 'str', '>');
    await d.same('XREADGROUP', 'GROUP', 'g', 'a', 'STREAMS', 's', 'str', '>', '>');
    await d.same('XREADGROUP', 'GROUP', 'g', 'a', 'STREAMS', 's', '>');
    await d.same('XREADGROUP', 'GROUP', 'g', 'a', 'STREAMS', 's', '>');
    await d.same('XREADGROUP', 'GROUP', 'g', 'a', 'BLOCK', '10', 'STREAMS', 's', '>');
    await d.same('MULTI');
    await d.same('XREADGROUP', 'GROUP', 'g', 'a', 'BLOCK', '0', 'STREAMS', 's', '>');
    await d.same('EXEC');
  });

  s.test('XACK', async (d) => {
    await fill(d, 's', 4);
    await d.same('XGROUP', 'CREATE', 's', 'g', '0');
    await d.same('XREADGROUP', 'GROUP', 'g', 'a', 'STREAMS', 's', '>');
    await d.same('XACK', 's', 'g', '1-1', '2-1', '9-9');
    await d.same('XACK', 's', 'g', '1-1');
    await d.same('XACK', 's', 'g', 'x');
    await d.same('XACK', 's', 'g', '3-1', 'x');
    await d.same('XACK', 's', 'nog', 'x');
    await d.same('XACK', 'none', 'g', 'x');
    await d.same('XACK', 's', 'g');
    await d.same('SET', 'str', 'x');
    await d.same('XACK', 'str', 'g', '1-1');
    await d.same('XPENDING', 's', 'g');
    await d.same('XACK', 's', 'g', '3-1', '4-1');
    await d.same('XPENDING', 's', 'g');
  });

  s.test('XPENDING forms', async (d) => {
    await fill(d, 's', 6);
    await d.same('XGROUP', 'CREATE', 's', 'g', '0');
    await d.same('XPENDING', 's', 'g');
    await d.same('XREADGROUP', 'GROUP', 'g', 'b', 'COUNT', '2', 'STREAMS', 's', '>');
    await d.same('XREADGROUP', 'GROUP', 'g', 'a', 'COUNT', '3', 'STREAMS', 's', '>');
    await d.same('XPENDING', 's', 'g');
    for (const args of [
      ['-', '+', '10'],
      ['-', '+', '2'],
      ['-', '+', '0'],
      ['-', '+', '-1'],
      ['2', '4', '10'],
      ['(2-1', '(4-1', '10'],
      ['-', '+', '10', 'a'],
      ['-', '+', '10', 'nobody'],
      ['IDLE', '0', '-', '+', '10'],
      ['IDLE', '100000', '-', '+', '10'],
      ['IDLE', '100000', '-', '+', '10', 'a'],
      ['-', '+', '10', 'a', 'ignored'],
    ]) {
      await samePending(d, 'XPENDING', 's', 'g', ...args);
    }
    for (const args of [
      ['-', '+'],
      ['-', '+', 'x'],
      ['x', '+', '10'],
      ['-', 'x', '10'],
      ['(+', '+', '10'],
      ['(18446744073709551615-18446744073709551615', '+', '10'],
      ['-', '(0-0', '10'],
      ['IDLE', 'x', '-', '+', '10'],
      ['IDLE', '10', '-', '+'],
      ['IDLE', '10', '-', '+', '10', 'a', 'b'],
    ]) {
      await d.same('XPENDING', 's', 'g', ...args);
    }
    await d.same('XPENDING', 's', 'nog');
    await d.same('XPENDING', 'none', 'g');
    await d.same('XPENDING', 'none', 'g', '-', '+', '10');
    await d.same('XPENDING', 'none', 'g', 'x', '+', '10');
    await d.same('SET', 'str', 'x');
    await d.same('XPENDING', 'str', 'g');
    await d.same('XCLAIM', 's', 'g', 'a', '0', '1-1', 'IDLE', '500000');
    await samePending(d, 'XPENDING', 's', 'g', 'IDLE', '100000', '-', '+', '10');
    await d.resp3();
    await d.same('XPENDING', 's', 'g');
    await samePending(d, 'XPENDING', 's', 'g', '-', '+', '10');
    await d.same('XACK', 's', 'g', '1-1', '2-1', '3-1', '4-1', '5-1');
    await d.same('XPENDING', 's', 'g');
  });

  s.test('XCLAIM', async (d) => {
    await fill(d, 's', 6);
    await d.same('XGROUP', 'CREATE', 's', 'g', '0');
    await d.same('XREADGROUP', 'GROUP', 'g', 'a', 'COUNT', '4', 'STREAMS', 's', '>');
    await d.same('XCLAIM', 's', 'g', 'b', '0', '1-1');
    await d.same('XCLAIM', 's', 'g', 'b', '3600000', '2-1');
    await d.same('XCLAIM', 's', 'g', 'b', '0', '2-1', '3-1', 'JUSTID');
    await d.same('XCLAIM', 's', 'g', 'c', '0', '2-1', 'RETRYCOUNT', '7');
    await d.same('XCLAIM', 's', 'g', 'c', '0', '3-1', 'IDLE', '1000000');
    await d.same('XCLAIM', 's', 'g', 'd', '500000', '3-1');
    await d.same('XCLAIM', 's', 'g', 'c', '0', '4-1', 'TIME', '1');
    await d.same('XCLAIM', 's', 'g', 'c', '0', '5-1');
    await d.same('XCLAIM', 's', 'g', 'c', '0', '5-1', 'FORCE');
    await d.same('XCLAIM', 's', 'g', 'c', '0', '6-1', 'FORCE', 'JUSTID');
    await d.same('XCLAIM', 's', 'g', 'c', '0', '9-9', 'FORCE');
    await d.same('XCLAIM', 's', 'g', 'c', '0', '1-1', 'LASTID', '5-1');
    await d.same('XINFO', 'GROUPS', 's');
    await samePending(d, 'XPENDING', 's', 'g', '-', '+', '10');
    await d.same('XDEL', 's', '1-1');
    await d.same('XCLAIM', 's', 'g', 'a', '0', '1-1', '2-1');
    await samePending(d, 'XPENDING', 's', 'g', '-', '+', '10');
    await d.same('XCLAIM', 's', 'g', 'c', 'x', '1-1');
    await d.same('XCLAIM', 's', 'g', 'c', '-5', '2-1', 'JUSTID');
    await d.same('XCLAIM', 's', 'g', 'c', '0', '2-1', 'IDLE', 'x');
    await d.same('XCLAIM', 's', 'g', 'c', '0', '2-1', 'TIME', 'x');
    await d.same('XCLAIM', 's', 'g', 'c', '0', '2-1', 'RETRYCOUNT', 'x');
    await d.same('XCLAIM', 's', 'g', 'c', '0', '2-1', 'LASTID', 'x');
    await d.same('XCLAIM', 's', 'g', 'c', '0', '2-1', 'FOO');
    await d.same('XCLAIM', 's', 'g', 'c', '0', '2-1', 'IDLE');
    await d.same('XCLAIM', 's', 'g', 'c', '0', 'x', '2-1');
    await d.same('XCLAIM', 's', 'nog', 'c', '0', '2-1');
    await d.same('XCLAIM', 'none', 'g', 'c', 'x', '2-1');
    await d.same('XCLAIM', 's', 'g', 'c', '0');
    await d.same('SET', 'str', 'x');
    await d.same('XCLAIM', 'str', 'g', 'c', '0', '1-1');
    await d.same('XCLAIM', 's', 'g', 'z', '0', '2-1', 'RETRYCOUNT', '-3', 'JUSTID');
    await d.same('XCLAIM', 's', 'g', 'z', '0', '2-1', 'TIME', '-5', 'JUSTID');
    await d.same('XCLAIM', 's', 'g', 'z', '0', '2-1', 'IDLE', '-5', 'RETRYCOUNT', '9223372036854775807');
    await samePending(d, 'XPENDING', 's', 'g', '-', '+', '10');
    await sameTimeless(d, 'XINFO', 'CONSUMERS', 's', 'g');
    await d.resp3();
    await d.same('XCLAIM', 's', 'g', 'a', '0', '2-1', '3-1');
  });

  s.test('XAUTOCLAIM', async (d) => {
    await fill(d, 's', 8);
    await d.same('XGROUP', 'CREATE', 's', 'g', '0');
    await d.same('XREADGROUP', 'GROUP', 'g', 'a', 'STREAMS', 's', '>');
    await d.same('XAUTOCLAIM', 's', 'g', 'b', '0', '0', 'COUNT', '2');
    await d.same('XAUTOCLAIM', 's', 'g', 'b', '0', '3-1', 'COUNT', '2', 'JUSTID');
    await d.same('XAUTOCLAIM', 's', 'g', 'b', '3600000', '0');
    await d.same('XDEL', 's', '5-1', '6-1');
    await d.same('XAUTOCLAIM', 's', 'g', 'c', '0', '(4-1', 'COUNT', '3');
    await d.same('XAUTOCLAIM', 's', 'g', 'c', '0', '-');
    await d.same('XAUTOCLAIM', 's', 'g', 'c', '0', '0', 'COUNT', '100');
    await samePending(d, 'XPENDING', 's', 'g', '-', '+', '10');
    await d.same('XAUTOCLAIM', 's', 'g', 'c', 'x', '0');
    await d.same('XAUTOCLAIM', 's', 'g', 'c', '-1', 'x');
    await d.same('XAUTOCLAIM', 's', 'g', 'c', '0', '(+');
    await d.same('XAUTOCLAIM', 's', 'g', 'c', '0', '(18446744073709551615-18446744073709551615');
    for (const count of ['0', '-1', 'x', '576460752303423487', '576460752303423488']) {
      await d.same('XAUTOCLAIM', 'none', 'g', 'c', '0', '0', 'COUNT', count);
    }
    await d.same('XAUTOCLAIM', 's', 'g', 'c', '0', '0', 'COUNT');
    await d.same('XAUTOCLAIM', 's', 'g', 'c', '0', '0', 'FOO');
    await d.same('XAUTOCLAIM', 's', 'nog', 'c', '0', '0');
    await d.same('XAUTOCLAIM', 'none', 'g', 'c', '0', '0');
    await d.same('SET', 'str', 'x');
    await d.same('XAUTOCLAIM', 'str', 'g', 'c', '0', '0');
    await d.resp3();
    await d.same('XAUTOCLAIM', 's', 'g', 'd', '0', '0', 'COUNT', '1');
  });

  s.test('XINFO', async (d) => {
    await fill(d, 's', 15);
    await d.same('XGROUP', 'CREATE', 's', 'g', '0');
    await d.same('XGROUP', 'CREATE', 's', 'a', '$');
    await d.same('XREADGROUP', 'GROUP', 'g', 'x', 'COUNT', '12', 'STREAMS', 's', '>');
    await d.same('XREADGROUP', 'GROUP', 'g', 'w', 'COUNT', '1', 'STREAMS', 's', '>');
    await d.same('XINFO', 'STREAM', 's');
    await sameTimeless(d, 'XINFO', 'STREAM', 's', 'FULL');
    await sameTimeless(d, 'XINFO', 'STREAM', 's', 'FULL', 'COUNT', '2');
    await sameTimeless(d, 'XINFO', 'STREAM', 's', 'FULL', 'COUNT', '0');
    await sameTimeless(d, 'XINFO', 'STREAM', 's', 'FULL', 'COUNT', '-1');
    await d.same('XINFO', 'STREAM', 's', 'FULL', 'COUNT', 'x');
    await d.same('XINFO', 'STREAM', 's', 'FULL', 'COUNT');
    await d.same('XINFO', 'STREAM', 's', 'FOO');
    await d.same('XINFO', 'STREAM', 's', 'FULL', 'FOO', '1');
    await d.same('XINFO', 'STREAM', 'none');
    await d.same('XINFO', 'GROUPS', 'none');
    await d.same('XINFO', 'CONSUMERS', 'none', 'g');
    await d.same('XINFO', 'CONSUMERS', 's', 'nog');
    await d.same('XINFO', 'GROUPS', 's');
    await sameTimeless(d, 'XINFO', 'CONSUMERS', 's', 'g');
    await d.same('XINFO', 'HELP');
    await d.same('XINFO', 'FOO', 's');
    await d.same('XINFO', 'GROUPS');
    await d.same('XINFO');
    await d.same('SET', 'str', 'x');
    await d.same('XINFO', 'STREAM', 'str');
    await d.same('XINFO', 'GROUPS', 'str');
    await d.same('XINFO', 'CONSUMERS', 'str', 'g');
    await d.same('XADD', 'e', '1-1', 'f', 'v');
    await d.same('XDEL', 'e', '1-1');
    await d.same('XINFO', 'STREAM', 'e');
    await sameTimeless(d, 'XINFO', 'STREAM', 'e', 'FULL');
    await d.resp3();
    await d.same('XINFO', 'STREAM', 's');
    await d.same('XINFO', 'STREAM', 'e');
    await sameTimeless(d, 'XINFO', 'STREAM', 's', 'FULL', 'COUNT', '3');
    await d.same('XINFO', 'GROUPS', 's');
    await sameTimeless(d, 'XINFO', 'CONSUMERS', 's', 'g');
    await d.same('XINFO', 'HELP');
  });

  s.test('lag and entries-read bookkeeping', async (d) => {
    await d.same('XGROUP', 'CREATE', 's', 'g', '0', 'MKSTREAM');
    await d.same('XINFO', 'GROUPS', 's');
    await fill(d, 's', 6);
    await d.same('XGROUP', 'CREATE', 's', 'h', '0');
    await d.same('XGROUP', 'CREATE', 's', 'i', '3-1');
    await d.same('XGROUP', 'CREATE', 's', 'j', '$');
    await d.same('XINFO', 'GROUPS', 's');
    await d.same('XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', '2', 'STREAMS', 's', '>');
    await d.same('XREADGROUP', 'GROUP', 'i', 'c', 'COUNT', '1', 'STREAMS', 's', '>');
    await d.same('XINFO', 'GROUPS', 's');
    await d.same('XDEL', 's', '4-1');
    await d.same('XINFO', 'GROUPS', 's');
    await d.same('XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', '3', 'STREAMS', 's', '>');
    await d.same('XREADGROUP', 'GROUP', 'h', 'c', 'STREAMS', 's', '>');
    await d.same('XINFO', 'GROUPS', 's');
    await d.same('XDEL', 's', '1-1');
    await d.same('XTRIM', 's', 'MAXLEN', '2');
    await d.same('XINFO', 'GROUPS', 's');
    await d.same('XADD', 's', '10-1', 'f', 'v');
    await d.same('XINFO', 'GROUPS', 's');
    await d.same('XGROUP', 'SETID', 's', 'g', '0', 'ENTRIESREAD', '3');
    await d.same('XGROUP', 'SETID', 's', 'h', '$');
    await d.same('XINFO', 'GROUPS', 's');
    await d.same('XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', '>');
    await d.same('XINFO', 'GROUPS', 's');
    await d.same('XTRIM', 's', 'MAXLEN', '0');
    await d.same('XINFO', 'GROUPS', 's');
    await d.same('XGROUP', 'CREATE', 's', 'k', '0');
    await d.same('XGROUP', 'SETID', 's', 'g', '0');
    await d.same('XINFO', 'GROUPS', 's');
    await d.same('XSETID', 's', '20-0', 'ENTRIESADDED', '50', 'MAXDELETEDID', '15-0');
    await d.same('XINFO', 'GROUPS', 's');
    await d.same('XINFO', 'STREAM', 's');
  });

  s.test('XAUTOCLAIM attempts, cursors and several streams', async (d) => {
    await fill(d, 's', 30);
    await d.same('XGROUP', 'CREATE', 's', 'g', '0');
    await d.same('XGROUP', 'CREATE', 's', 'ahead', '0', 'ENTRIESREAD', '40');
    await d.same('XREADGROUP', 'GROUP', 'g', 'a', 'STREAMS', 's', '>');
    await d.same('XAUTOCLAIM', 's', 'g', 'b', '3600000', '0', 'COUNT', '2');
    await d.same('XAUTOCLAIM', 's', 'g', 'b', '3600000', '21-1', 'COUNT', '1');
    await d.same('XAUTOCLAIM', 's', 'g', 'b', '3600000', '21-1', 'COUNT', '5', 'JUSTID');
    await d.same('XCLAIM', 's', 'g', 'b', '0', '5-1', '6-1', '7-1', 'IDLE', '7200000', 'JUSTID');
    await d.same('XAUTOCLAIM', 's', 'g', 'c', '3600000', '0', 'COUNT', '2');
    await d.same('XAUTOCLAIM', 's', 'g', 'c', '3600000', '7-1', 'COUNT', '2');
    await d.same('XINFO', 'GROUPS', 's');
    await fill(d, 't', 3);
    await d.same('XGROUP', 'CREATE', 't', 'g', '0');
    await d.same('XREADGROUP', 'GROUP', 'g', 'a', 'COUNT', '2', 'STREAMS', 's', 't', '0', '>');
    await d.same('XREADGROUP', 'GROUP', 'g', 'a', 'STREAMS', 't', 's', '>', '>');
    await d.same('XADD', 'f', '99999999999999-5', 'x', 'y');
    await d.same('XADD', 'f', '*', 'x', 'y');
    await d.same('XADD', 'f', '99999999999999-*', 'x', 'y');
  });

  s.test('COPY keeps groups', async (d) => {
    await fill(d, 's', 3);
    await d.same('XGROUP', 'CREATE', 's', 'g', '0');
    await d.same('XREADGROUP', 'GROUP', 'g', 'a', 'COUNT', '2', 'STREAMS', 's', '>');
    await d.same('COPY', 's', 'c');
    await d.same('XACK', 's', 'g', '1-1');
    await d.same('XPENDING', 'c', 'g');
    await d.same('XPENDING', 's', 'g');
    await d.same('XINFO', 'GROUPS', 'c');
    await d.same('XREADGROUP', 'GROUP', 'g', 'a', 'STREAMS', 'c', '>');
    await d.same('XINFO', 'GROUPS', 's');
  });
});

differential(
  'stream keyspace notifications',
  (s) => {
    s.test('events and their order match Redis', async (d) => {
      const sub = await d.pair();
      await sub.same('PSUBSCRIBE', '__key*__:*');
      await sub.same('SUBSCRIBE', 'marker');
      const commands: string[][] = [
        ['XADD', 's', '1-1', 'f', 'v'],
        ['XADD', 's', '2-1', 'f', 'v'],
        ['XADD', 's', 'MAXLEN', '1', '3-1', 'f', 'v'],
        ['XADD', 's', 'MAXLEN', '5', '4-1', 'f', 'v'],
        ['XDEL', 's', '3-1', '9-9'],
        ['XDEL', 's', '9-9'],
        ['XTRIM', 's', 'MAXLEN', '0'],
        ['XTRIM', 's', 'MAXLEN', '0'],
        ['XADD', 's', '5-1', 'f', 'v'],
        ['XGROUP', 'CREATE', 's', 'g', '0'],
        ['XGROUP', 'CREATE', 'm', 'g', '0', 'MKSTREAM'],
        ['XGROUP', 'CREATECONSUMER', 's', 'g', 'c'],
        ['XGROUP', 'CREATECONSUMER', 's', 'g', 'c'],
        ['XREADGROUP', 'GROUP', 'g', 'new', 'STREAMS', 's', '>'],
        ['XCLAIM', 's', 'g', 'other', '0', '5-1'],
        ['XAUTOCLAIM', 's', 'g', 'third', '0', '0'],
        ['XACK', 's', 'g', '5-1'],
        ['XGROUP', 'SETID', 's', 'g', '0'],
        ['XGROUP', 'DELCONSUMER', 's', 'g', 'c'],
        ['XGROUP', 'DELCONSUMER', 's', 'g', 'c'],
        ['XGROUP', 'DESTROY', 's', 'g'],
        ['XGROUP', 'DESTROY', 's', 'g'],
        ['XSETID', 's', '10-1'],
        ['XADD', 'n', 'NOMKSTREAM', '*', 'f', 'v'],
      ];
      for (const cmd of commands) await d.same(...cmd);
      await d.same('PUBLISH', 'marker', 'end');
      const [fromRedis, fromEngine] = await Promise.all([
        framesUntilMarker(sub.redis),
        framesUntilMarker(sub.engine),
      ]);
      assert.ok(fromRedis.length > 10);
      assert.deepEqual(fromEngine, fromRedis);
      sub.close();
    });

    s.test('which commands invalidate WATCH', async (d) => {
      const setup: string[][] = [
        ['XADD', 's', '1-1', 'f', 'v'],
        ['XADD', 's', '2-1', 'f', 'v'],
        ['XGROUP', 'CREATE', 's', 'g', '0'],
        ['XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', '1', 'STREAMS', 's', '>'],
      ];
      const probes: string[][] = [
        ['XADD', 's', '9-1', 'f', 'v'],
        ['XDEL', 's', '1-1'],
        ['XTRIM', 's', 'MAXLEN', '0'],
        ['XSETID', 's', '9-9'],
        ['XGROUP', 'CREATE', 's', 'h', '0'],
        ['XGROUP', 'SETID', 's', 'g', '0'],
        ['XGROUP', 'DESTROY', 's', 'g'],
        ['XGROUP', 'CREATECONSUMER', 's', 'g', 'x'],
        ['XGROUP', 'DELCONSUMER', 's', 'g', 'c'],
        ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', '>'],
        ['XACK', 's', 'g', '1-1'],
        ['XCLAIM', 's', 'g', 'd', '0', '1-1'],
        ['XAUTOCLAIM', 's', 'g', 'd', '0', '0'],
      ];
      for (const probe of probes) {
        await d.same('FLUSHALL');
        for (const cmd of setup) await d.same(...cmd);
        await d.same('WATCH', 's');
        await d.same(...probe);
        await d.same('MULTI');
        await d.same('PING');
        await d.same('EXEC');
      }
    });

    s.test('a served blocked reader fires its events', async (d) => {
      const sub = await d.pair();
      const blocked = await d.pair();
      await sub.same('PSUBSCRIBE', '__keyevent*__:*');
      await sub.same('SUBSCRIBE', 'marker');
      await d.same('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM');
      const read = blocked.start('XREADGROUP', 'GROUP', 'g', 'fresh', 'BLOCK', '0', 'STREAMS', 's', '>');
      await new Promise((r) => setTimeout(r, 30));
      await d.same('XADD', 's', '1-1', 'f', 'v');
      await read.same();
      await d.same('PUBLISH', 'marker', 'end');
      const [fromRedis, fromEngine] = await Promise.all([
        framesUntilMarker(sub.redis),
        framesUntilMarker(sub.engine),
      ]);
      assert.deepEqual(fromEngine, fromRedis);
      sub.close();
      blocked.close();
    });
  },
  {
    redisArgs: ['--notify-keyspace-events', 'KEA'],
    engine: { config: { 'notify-keyspace-events': 'KEA' } },
  },
);
