import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Engine } from './engine.js';
import { ManualClock } from './keyspace/clock.js';
import {
  LATENCY_SERIES_LENGTH,
  latencyGraph,
  latencyMonitor,
  latencyReport,
  latencyThreshold,
  recordCommandLatency,
} from './latency.js';

const START = 1_700_000_000_000;

function setup(threshold = '1') {
  const clock = new ManualClock(START);
  const engine = new Engine({ clock, config: { 'latency-monitor-threshold': threshold } });
  return { clock, engine, monitor: latencyMonitor(engine) };
}

describe('latency monitor', () => {
  it('records only spikes at or above the threshold, and nothing when off', () => {
    const off = setup('0');
    recordCommandLatency(off.engine, false, 500);
    assert.equal(off.monitor.events.size, 0);
    const { engine, monitor } = setup('10');
    assert.equal(latencyThreshold(engine), 10);
    recordCommandLatency(engine, false, 9.99);
    assert.equal(monitor.events.size, 0);
    recordCommandLatency(engine, true, 10.7);
    assert.deepEqual(monitor.latest(), [['fast-command', START / 1000, 10, 10]]);
    engine.config.set('latency-monitor-threshold', '0');
    assert.equal(latencyThreshold(engine), 0);
  });

  it('keeps the worst spike per second, 160 seconds of them, and the all-time maximum', () => {
    const { clock, engine, monitor } = setup();
    recordCommandLatency(engine, false, 30);
    recordCommandLatency(engine, false, 50);
    recordCommandLatency(engine, false, 20);
    assert.deepEqual(monitor.history('command'), [{ time: START / 1000, latency: 50 }]);
    for (let i = 1; i <= LATENCY_SERIES_LENGTH; i++) {
      clock.advance(1000);
      recordCommandLatency(engine, false, i);
    }
    const history = monitor.history('command');
    assert.equal(history.length, LATENCY_SERIES_LENGTH);
    assert.deepEqual(history[0], { time: START / 1000 + 1, latency: 1 });
    assert.deepEqual(history.at(-1), { time: START / 1000 + 160, latency: 160 });
    assert.deepEqual(monitor.latest(), [['command', START / 1000 + 160, 160, 160]]);
    assert.deepEqual(monitor.history('COMMAND'), []);
  });

  it('resets events by case-insensitive name, or all of them', () => {
    const { engine, monitor } = setup();
    recordCommandLatency(engine, false, 5);
    recordCommandLatency(engine, true, 5);
    assert.equal(monitor.reset(['COMMAND', 'nosuch', 'command']), 1);
    assert.equal(monitor.reset(), 1);
    assert.equal(monitor.events.size, 0);
  });

  it('draws the sparkline as Redis does', () => {
    const { clock, engine, monitor } = setup();
    recordCommandLatency(engine, false, 50);
    clock.advance(1000);
    recordCommandLatency(engine, false, 30);
    const series = monitor.events.get('command')!;
    // Captured from redis-server 7.0.15 with the same two samples.
    assert.equal(
      latencyGraph('command', series, START / 1000 + 1),
      `command - high 50 ms, low 30 ms (all time high 50 ms)\n${'-'.repeat(80)}\n# \n| \n| \n|_\n  \n10\nss\n`,
    );
    const single = setup();
    recordCommandLatency(single.engine, false, 50);
    assert.equal(
      latencyGraph('command', single.monitor.events.get('command')!, START / 1000),
      `command - high 50 ms, low 50 ms (all time high 50 ms)\n${'-'.repeat(80)}\n \n \n \n_\n \n0\ns\n`,
    );
  });

  it('wraps long graphs every 80 columns and labels ages in s, m, h and d', () => {
    const { clock, engine, monitor } = setup();
    for (let i = 0; i < 100; i++) {
      recordCommandLatency(engine, false, 1 + (i % 7));
      clock.advance(i === 50 ? 90_000_000 : 1000);
    }
    const text = latencyGraph('command', monitor.events.get('command')!, Math.floor(clock.now() / 1000));
    const lines = text.split('\n');
    assert.equal(lines[1], '-'.repeat(80));
    assert.equal(lines[2]!.length, 80);
    assert.ok(lines.includes(''), 'a blank line separates the bands');
    assert.ok(text.includes('d'));
    assert.ok(text.endsWith('\n'));
  });

  it('writes the doctor report as Redis words it', () => {
    const off = setup('0');
    assert.match(latencyReport(off.engine), /^I'm sorry, Dave, I can't do that\. .*latency-monitor\.\n$/);
    const { clock, engine } = setup();
    assert.match(latencyReport(engine), /^Dave, no latency spike was observed .*things over\.\n$/);
    recordCommandLatency(engine, false, 50);
    clock.advance(1000);
    recordCommandLatency(engine, false, 30);
    const report = latencyReport(engine);
    assert.ok(
      report.startsWith(
        "Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n" +
          '1. command: 2 latency spikes (average 40ms, mean deviation 10ms, period 0.50 sec). Worst all time event 50ms.\n' +
          '\nI have a few advices for you:\n\n' +
          "- Your current Slow Log configuration only logs events that are slower than your configured latency monitor threshold. Please use 'CONFIG SET slowlog-log-slower-than 1000'.\n",
      ),
      report,
    );
    recordCommandLatency(engine, true, 3);
    const withFast = latencyReport(engine);
    assert.ok(
      withFast.includes(
        '\n2. fast-command: 1 latency spikes (average 3ms, mean deviation 0ms, period 1.00 sec).',
      ),
    );
    assert.ok(withFast.includes("  4) Check with 'redis-cli --intrinsic-latency 100'"));
    engine.config.set('slowlog-log-slower-than', '-1');
    assert.ok(
      latencyReport(engine).includes(
        "Try to enable the Slow Log Redis feature using the command 'CONFIG SET slowlog-log-slower-than 1000'.",
      ),
    );
  });

  it('rounds the period like printf (ties to even)', () => {
    const { clock, engine } = setup();
    for (let i = 0; i < 8; i++) {
      recordCommandLatency(engine, false, 5);
      clock.advance(1000);
    }
    // The oldest sample is 8 s old over 8 samples: 1.00; one more second gives 9/8 = 1.125 → "1.12".
    clock.advance(1000);
    assert.ok(latencyReport(engine).includes('period 1.12 sec'), latencyReport(engine));
  });
});
