import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { periodLabel, periodLabels } from './periods.js';

describe('periods', () => {
  it('labels ISO weeks, including year boundaries', () => {
    assert.equal(periodLabel('week', Date.UTC(2026, 10, 22)), '2026-W47');
    assert.equal(periodLabel('week', Date.UTC(2021, 0, 3)), '2020-W53');
    assert.equal(periodLabel('week', Date.UTC(2024, 11, 30)), '2025-W01');
    assert.equal(periodLabel('week', Date.UTC(2026, 0, 1)), '2026-W01');
  });

  it('labels minutes, hours, days and months in UTC', () => {
    const t = Date.UTC(2026, 10, 22, 14, 5, 30);
    assert.equal(periodLabel('minute', t), '2026-11-22T14:05');
    assert.equal(periodLabel('hour', t), '2026-11-22T14');
    assert.equal(periodLabel('day', t), '2026-11-22');
    assert.equal(periodLabel('month', t), '2026-11');
  });

  it('lists every period of a range', () => {
    assert.deepEqual(periodLabels('day', Date.UTC(2026, 10, 29), Date.UTC(2026, 11, 2, 5)), [
      '2026-11-29',
      '2026-11-30',
      '2026-12-01',
      '2026-12-02',
    ]);
    assert.deepEqual(periodLabels('month', Date.UTC(2026, 10, 30), Date.UTC(2027, 1, 1)), [
      '2026-11',
      '2026-12',
      '2027-01',
      '2027-02',
    ]);
    assert.deepEqual(periodLabels('day', Date.UTC(2026, 1, 2), Date.UTC(2026, 1, 1)), []);
  });
});
