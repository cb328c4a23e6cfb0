import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toMilliseconds } from './duration.js';
import { RedkitConfigError } from './errors.js';
import { clusterSlot, escapeKeyPart, Keys } from './keys.js';

describe('durations', () => {
  it('reads numbers as milliseconds and text with units', () => {
    assert.equal(toMilliseconds(250), 250);
    assert.equal(toMilliseconds('250ms'), 250);
    assert.equal(toMilliseconds('5s'), 5000);
    assert.equal(toMilliseconds('5m'), 300_000);
    assert.equal(toMilliseconds('1h30m'), 5_400_000);
    assert.equal(toMilliseconds('1.5h'), 5_400_000);
    assert.equal(toMilliseconds('1d'), 86_400_000);
    assert.equal(toMilliseconds('2w'), 1_209_600_000);
  });

  it('refuses anything else with a message that shows the accepted forms', () => {
    for (const bad of ['', '5', '5 minutes', 'm5', '-5s', '5x', '1h 30m']) {
      assert.throws(
        () => toMilliseconds(bad, 'ttl'),
        (e: unknown) => e instanceof RedkitConfigError && /ttl '.*' is not a duration: use/.test(e.message),
      );
    }
    assert.throws(() => toMilliseconds(-1), RedkitConfigError);
    assert.throws(() => toMilliseconds(Number.NaN), RedkitConfigError);
  });
});

describe('keys', () => {
  it('builds namespaced keys from escaped parts', () => {
    const keys = new Keys('shop');
    assert.equal(keys.of('product', 42), 'shop:product:42');
    assert.equal(keys.of('product', '1:admin'), 'shop:product:1%3Aadmin');
    assert.notEqual(
      keys.of('user', '1:admin'),
      keys.of('user', '1', 'admin'),
      'a part cannot forge another key',
    );
    assert.equal(escapeKeyPart('{tag}%'), '%7Btag%7D%25');
  });

  it('puts grouped keys in one Cluster slot through a hash tag', () => {
    const order = new Keys('shop').inSlot('order', '7');
    const [a, b] = [order.of('lock'), order.of('fence')];
    assert.equal(a, 'shop:{order:7}:lock');
    assert.equal(clusterSlot(a), clusterSlot(b));
    assert.throws(() => new Keys('a{b}'), RedkitConfigError);
  });

  it('computes Cluster slots as Redis does', () => {
    // Values of CLUSTER KEYSLOT on a real server.
    assert.equal(clusterSlot('foo'), 12182);
    assert.equal(clusterSlot('bar'), 5061);
    assert.equal(clusterSlot('hello'), 866);
    assert.equal(clusterSlot('{user1000}.following'), clusterSlot('{user1000}.followers'));
    assert.equal(clusterSlot('foo{}{bar}'), 8363, 'an empty tag hashes the whole key');
    assert.equal(clusterSlot('{}foo'), 9500);
    assert.equal(clusterSlot('a{b}c'), 3300);
  });
});
