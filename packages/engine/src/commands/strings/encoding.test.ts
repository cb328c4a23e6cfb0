import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Database } from '../../keyspace/database.js';
import { clearForcedEncoding, forceEncoding, stringEncoding } from './encoding.js';
import { isCanonicalInt64, smallInt, toInt64Value } from './integers.js';

const host = { now: () => 0, onExpired: () => {}, stats: { keyspaceHits: 0, keyspaceMisses: 0 } };

test('string encodings by content, as a fresh SET leaves them', () => {
  assert.equal(stringEncoding('0'), 'int');
  assert.equal(stringEncoding('-9223372036854775808'), 'int');
  assert.equal(stringEncoding('9223372036854775807'), 'int');
  assert.equal(stringEncoding('9223372036854775808'), 'embstr');
  assert.equal(stringEncoding('-0'), 'embstr');
  assert.equal(stringEncoding('01'), 'embstr');
  assert.equal(stringEncoding(' 1'), 'embstr');
  assert.equal(stringEncoding(''), 'embstr');
  assert.equal(stringEncoding('x'.repeat(44)), 'embstr');
  assert.equal(stringEncoding('x'.repeat(45)), 'raw');
});

test('forced encodings apply only while the key still holds that value', () => {
  const db = new Database(0, host);
  db.set('k', 'abcd');
  forceEncoding(db, 'k', 'abcd', 'raw');
  assert.equal(stringEncoding('abcd', db, 'k'), 'raw');
  assert.equal(stringEncoding('abcd'), 'embstr');
  assert.equal(stringEncoding('abcde', db, 'k'), 'embstr');
  db.set('f', '11');
  forceEncoding(db, 'f', '11', 'embstr');
  assert.equal(stringEncoding('11', db, 'f'), 'embstr');
  clearForcedEncoding(db, 'f');
  assert.equal(stringEncoding('11', db, 'f'), 'int');
  db.clear();
  db.set('k', 'abcd');
  assert.equal(stringEncoding('abcd', db, 'k'), 'embstr');
});

test('the forced table sweeps entries whose key changed', () => {
  const db = new Database(0, host);
  for (let i = 0; i < 10_000; i++) {
    const value = `v${i}`;
    db.set(`k${i}`, value);
    forceEncoding(db, `k${i}`, value, 'raw');
    db.delete(`k${i}`);
  }
  db.set('live', 'x');
  forceEncoding(db, 'live', 'x', 'raw');
  assert.equal(stringEncoding('x', db, 'live'), 'raw');
});

test('smallInt follows string2ll for up to 15 digits', () => {
  assert.equal(smallInt('0'), 0);
  assert.equal(smallInt('-1'), -1);
  assert.equal(smallInt('999999999999999'), 999999999999999);
  assert.equal(smallInt('-999999999999999'), -999999999999999);
  for (const bad of ['', '-', '-0', '01', '+1', ' 1', '1 ', '1.0', 'x', '1e3', '9999999999999999']) {
    assert.equal(smallInt(bad), undefined, bad);
  }
  assert.equal(toInt64Value('9223372036854775807'), 9223372036854775807n);
  assert.throws(() => toInt64Value('9223372036854775808'));
  assert.ok(isCanonicalInt64('-9223372036854775808'));
  assert.ok(!isCanonicalInt64('-9223372036854775809'));
});
