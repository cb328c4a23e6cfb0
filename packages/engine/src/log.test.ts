import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Config } from './config.js';
import { configLogger, createLogger, formatLogLine, formatLogTime, logLevelEnabled } from './log.js';

describe('Redis-style logging', () => {
  it('formats lines as Redis: pid:M dd Mon yyyy hh:mm:ss.mmm <level char> message', () => {
    const at = new Date(2026, 0, 5, 7, 8, 9, 12).getTime();
    assert.equal(formatLogTime(at), '05 Jan 2026 07:08:09.012');
    assert.equal(formatLogLine('notice', 'Ready', at, 42), '42:M 05 Jan 2026 07:08:09.012 * Ready');
    assert.equal(formatLogLine('warning', 'x', at, 42).split(' ')[5], '#');
    assert.equal(formatLogLine('verbose', 'x', at, 42).split(' ')[5], '-');
    assert.equal(formatLogLine('debug', 'x', at, 42, 'C').slice(0, 5), '42:C ');
  });

  it('drops messages below loglevel', () => {
    assert.ok(logLevelEnabled('warning', 'notice'));
    assert.ok(!logLevelEnabled('verbose', 'notice'));
    assert.ok(logLevelEnabled('debug', 'debug'));
    const lines: string[] = [];
    const log = createLogger({ level: 'verbose', sink: (line) => lines.push(line) });
    log('debug', 'hidden');
    log('verbose', 'shown');
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /^\d+:M \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d\.\d{3} - shown\n$/);
  });

  it('follows CONFIG loglevel and logfile as they change', () => {
    const dir = mkdtempSync(join(tmpdir(), 'redkit-log-'));
    try {
      const file = join(dir, 'redis.log');
      const config = new Config({ logfile: file });
      const log = configLogger(config);
      log('notice', 'one');
      log('verbose', 'not at notice');
      config.set('loglevel', 'warning');
      log('notice', 'not at warning');
      log('warning', 'two');
      const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
      assert.deepEqual(
        lines.map((l) => l.slice(l.indexOf(' ', l.indexOf(':') + 20) + 1)),
        ['* one', '# two'],
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
