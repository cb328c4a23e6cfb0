import assert from 'node:assert/strict';
import { differential, type ParsedReply } from '@redkit/test-utils';

/** A RESP2 flat map or a RESP3 map, as [key, value] pairs. */
function pairsOf(reply: ParsedReply): Array<[ParsedReply, ParsedReply]> {
  const flat = Array.isArray(reply) ? reply : (reply as { map: ParsedReply[] }).map;
  assert.ok(Array.isArray(flat), `not a map: ${JSON.stringify(reply)}`);
  const out: Array<[ParsedReply, ParsedReply]> = [];
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i]!, flat[i + 1]!]);
  return out;
}

/** The µs values Redis's LATENCY HISTOGRAM can print (tops of the hdr buckets at 2^10 .. 2^30 ns). */
const LEVELS = new Set([
  1, 2, 4, 8, 16, 33, 66, 132, 264, 528, 1056, 2113, 4227, 8454, 16908, 33816, 67633, 135266, 270532, 541065,
  1073741,
]);

/**
 * One LATENCY HISTOGRAM reply reduced to what does not depend on timing: command → calls, after checking
 * that every histogram is well formed (known buckets, rising cumulative counts ending at calls).
 */
function histogramCalls(reply: ParsedReply): Map<string, number> {
  const out = new Map<string, number>();
  for (const [name, body] of pairsOf(reply)) {
    const fields = pairsOf(body);
    assert.deepEqual(
      fields.map(([k]) => k),
      ['calls', 'histogram_usec'],
    );
    const calls = fields[0]![1] as number;
    let previousCount = 0;
    let previousLevel = 0;
    for (const [level, count] of pairsOf(fields[1]![1])) {
      assert.ok(LEVELS.has(level as number), `bucket ${String(level)}`);
      assert.ok((level as number) > previousLevel && (count as number) > previousCount);
      previousLevel = level as number;
      previousCount = count as number;
    }
    assert.equal(previousCount, calls, `${String(name)}: cumulative count ends at calls`);
    out.set(String(name), calls);
  }
  return out;
}

differential(
  'LATENCY',
  (s) => {
    s.test('HELP and argument errors', async (d) => {
      await d.same('LATENCY', 'HELP');
      await d.same('latency', 'help');
      await d.same('LATENCY');
      await d.same('LATENCY', 'NOSUCH');
      await d.same('LATENCY', 'HELP', 'x');
      await d.same('LATENCY', 'HISTORY');
      await d.same('LATENCY', 'HISTORY', 'a', 'b');
      await d.same('LATENCY', 'GRAPH');
      await d.same('LATENCY', 'GRAPH', 'a', 'b');
      await d.same('LATENCY', 'LATEST', 'x');
      await d.same('LATENCY', 'DOCTOR', 'x');
      await d.same('LATENCY', 'GRAPH', 'command');
      await d.same('LATENCY', 'GRAPH', 'no such\r\nevent');
      await d.same('LATENCY', 'GRAPH', 'fast-command');
    });

    s.test('the monitor off: empty LATEST, HISTORY, RESET and the DOCTOR refusal', async (d) => {
      await d.same('CONFIG', 'SET', 'latency-monitor-threshold', '0');
      await d.same('LATENCY', 'RESET');
      await d.same('LATENCY', 'LATEST');
      await d.same('LATENCY', 'HISTORY', 'command');
      await d.same('LATENCY', 'HISTORY', 'nosuch');
      await d.same('LATENCY', 'RESET');
      await d.same('LATENCY', 'RESET', 'command', 'fast-command', 'nosuch');
      await d.same('LATENCY', 'DOCTOR');
      // On, but nothing seen yet: the "no spike" sentence.
      await d.same('CONFIG', 'SET', 'latency-monitor-threshold', '1000');
      await d.same('LATENCY', 'DOCTOR');
      await d.same('LATENCY', 'LATEST');
      await d.resp3();
      await d.same('LATENCY', 'DOCTOR');
      await d.same('LATENCY', 'LATEST');
      await d.same('LATENCY', 'HISTORY', 'command');
      await d.same('LATENCY', 'GRAPH', 'command');
      await d.same('CONFIG', 'SET', 'latency-monitor-threshold', '0');
      await d.same('LATENCY', 'DOCTOR');
    });

    s.test('HISTOGRAM: commands with calls, their call counts and well-formed buckets', async (d) => {
      const sameCalls = (...argv: string[]) =>
        d.compare(argv, (redis, engine) =>
          assert.deepEqual([...histogramCalls(engine)], [...histogramCalls(redis)]),
        );
      await d.same('CONFIG', 'RESETSTAT');
      await sameCalls('LATENCY', 'HISTOGRAM');
      await d.same('LATENCY', 'HISTOGRAM', 'set', 'nosuch');
      await d.same('SET', 'k', 'v');
      for (let i = 0; i < 5; i++) await d.same('GET', 'k');
      await d.same('CONFIG', 'GET', 'maxmemory');
      await d.same('CONFIG', 'GET', 'hz');
      await d.same('GET');
      const sorted = (m: Map<string, number>) => [...m].sort(([a], [b]) => (a < b ? -1 : 1));
      const named = [
        'set',
        'GET',
        'nosuch',
        'config',
        'config|set',
        'CONFIG|GET',
        'get|x',
        'config|get|x',
        '',
      ];
      for (const protocol of [2, 3]) {
        if (protocol === 3) await d.resp3();
        await d.compare(['LATENCY', 'HISTOGRAM', ...named], (redis, engine) => {
          // Arguments' order, each container followed by its subcommands (in Redis's random dict order).
          const groups = (m: Map<string, number>) =>
            [...m.keys()].map((name) => name.split('|')[0]).filter((name, i, all) => name !== all[i - 1]);
          const e = histogramCalls(engine);
          const r = histogramCalls(redis);
          assert.deepEqual(groups(e), groups(r));
          assert.deepEqual(sorted(e), sorted(r), 'named commands and their calls');
        });
        await d.compare(['LATENCY', 'HISTOGRAM'], (redis, engine) => {
          // Redis lists every command in its dictionary's (random) order.
          assert.deepEqual(sorted(histogramCalls(engine)), sorted(histogramCalls(redis)));
        });
      }
      await d.same('CONFIG', 'RESETSTAT');
      await sameCalls('LATENCY', 'HISTOGRAM', 'get', 'config');
    });

    s.test('HISTOGRAM repeats a command named twice', async (d) => {
      await d.same('CONFIG', 'RESETSTAT');
      await d.same('ECHO', 'x');
      await d.compare(['LATENCY', 'HISTOGRAM', 'echo', 'ECHO'], (redis, engine) => {
        assert.deepEqual([...pairsOf(engine).map(([k]) => k)], [...pairsOf(redis).map(([k]) => k)]);
      });
    });

    s.test('COMMAND INFO and DOCS of LATENCY', async (d) => {
      for (const name of ['doctor', 'graph', 'histogram', 'history', 'latest', 'reset', 'help']) {
        await d.same('COMMAND', 'INFO', `latency|${name}`);
      }
      await d.compare(['COMMAND', 'INFO', 'latency'], (redis, engine) => {
        const sortSubs = (reply: ParsedReply) => {
          const entry = [...((reply as ParsedReply[])[0] as ParsedReply[])];
          entry[9] = [...(entry[9] as ParsedReply[])].sort((x, y) =>
            String((x as ParsedReply[])[0]) < String((y as ParsedReply[])[0]) ? -1 : 1,
          );
          return entry;
        };
        assert.deepEqual(sortSubs(engine), sortSubs(redis));
      });
    });

    // Needs the engine's call path to feed recordCommandLatency (call-log.ts): DEBUG SLEEP is a "command".
    s.test('samples: a slow command shows in LATEST, HISTORY, GRAPH and DOCTOR', async (d) => {
      await d.same('LATENCY', 'RESET');
      await d.same('CONFIG', 'SET', 'latency-monitor-threshold', '1');
      await d.same('DEBUG', 'SLEEP', '0.05');
      await d.compare(['LATENCY', 'LATEST'], (redis, engine) => {
        for (const reply of [redis, engine]) {
          assert.equal((reply as ParsedReply[]).length, 1, JSON.stringify(reply));
          const [event, time, latency, max] = (reply as ParsedReply[][])[0]!;
          assert.equal(event, 'command');
          assert.ok(typeof time === 'number' && Math.abs(time - Date.now() / 1000) < 5);
          assert.ok((latency as number) >= 50 && (max as number) >= 50, JSON.stringify(reply));
        }
      });
      await d.compare(['LATENCY', 'HISTORY', 'command'], (redis, engine) => {
        for (const reply of [redis, engine]) {
          assert.equal((reply as ParsedReply[]).length, 1);
          assert.ok(((reply as ParsedReply[][])[0]![1] as number) >= 50);
        }
      });
      await d.same('LATENCY', 'HISTORY', 'COMMAND');
      await d.same('LATENCY', 'GRAPH', 'COMMAND');
      await d.compare(['LATENCY', 'GRAPH', 'command'], (redis, engine) => {
        const shape = (text: ParsedReply) => String(text).replace(/\d+/g, 'N').split('\n').slice(0, 2);
        assert.deepEqual(shape(engine), shape(redis));
      });
      await d.compare(['LATENCY', 'DOCTOR'], (redis, engine) => {
        const shape = (text: ParsedReply) => String(text).replace(/\d+/g, 'N');
        assert.equal(shape(engine), shape(redis));
      });
      await d.same('LATENCY', 'RESET', 'Command', 'command');
      await d.same('LATENCY', 'LATEST');
      await d.same('CONFIG', 'SET', 'latency-monitor-threshold', '0');
    });
  },
  { engine: { config: { 'enable-debug-command': 'yes' } }, redisArgs: ['--enable-debug-command', 'yes'] },
);
