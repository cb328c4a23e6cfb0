import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Engine } from '../engine.js';
import { ManualClock } from '../keyspace/clock.js';
import {
  idleTooLong,
  isLoopbackAddress,
  protectedModeRefuses,
  unauthenticatedPartialError,
  unauthenticatedRequestError,
} from './access.js';

describe('auth: protected mode decision', () => {
  it('decides by address, password and setting', () => {
    const engine = new Engine({ clock: new ManualClock(0) });
    assert.equal(protectedModeRefuses(engine, '127.0.0.1'), false);
    assert.equal(protectedModeRefuses(engine, '::1'), false);
    assert.equal(protectedModeRefuses(engine, '::ffff:127.0.0.1'), false);
    assert.equal(protectedModeRefuses(engine, undefined), false);
    assert.equal(protectedModeRefuses(engine, '10.1.2.3'), true);
    assert.equal(protectedModeRefuses(engine, '127.0.0.2'), true); // Redis accepts only 127.0.0.1 and ::1
    assert.equal(protectedModeRefuses(engine, 'fe80::1'), true);
    engine.config.set('requirepass', 'pw');
    assert.equal(protectedModeRefuses(engine, '10.1.2.3'), false);
    engine.config.set('requirepass', '');
    engine.config.set('protected-mode', 'no');
    assert.equal(protectedModeRefuses(engine, '10.1.2.3'), false);
    assert.equal(isLoopbackAddress('192.0.2.1'), false);
    engine.close();
  });
});

describe('auth: limits and idle timeout (unit)', () => {
  it('unauthenticated request limits', () => {
    assert.equal(unauthenticatedRequestError(Array(10).fill('a')), undefined);
    assert.match(unauthenticatedRequestError(Array(11).fill('a'))!, /multibulk length/);
    assert.equal(unauthenticatedRequestError(['echo', 'x'.repeat(16384)]), undefined);
    assert.match(unauthenticatedRequestError(['echo', 'x'.repeat(16385)])!, /bulk length/);
    assert.match(unauthenticatedPartialError(11, -1)!, /multibulk length/);
    assert.match(unauthenticatedPartialError(2, 16385)!, /unauthenticated bulk length/);
    assert.equal(unauthenticatedPartialError(0, -1), undefined);
  });

  it('idle clients time out after `timeout` whole seconds, subscribers and blocked clients never', () => {
    const clock = new ManualClock(1_000_000);
    const engine = new Engine({ clock, config: { timeout: '2' } });
    const transport = { push() {}, resume() {}, close() {} };
    const session = engine.createSession(transport);
    assert.equal(idleTooLong(session, clock.now() + 2999), false);
    assert.equal(idleTooLong(session, clock.now() + 3000), true);
    session.blocked = true;
    assert.equal(idleTooLong(session, clock.now() + 10_000), false);
    session.blocked = false;
    session.channels.add('ch');
    assert.equal(idleTooLong(session, clock.now() + 10_000), false);
    session.channels.clear();
    engine.config.set('timeout', '0');
    assert.equal(idleTooLong(session, clock.now() + 10_000_000), false);
    engine.close();
  });

  it('sessions start unauthenticated when requirepass is set', () => {
    const engine = new Engine({ clock: new ManualClock(0), config: { requirepass: 'pw' } });
    const session = engine.createSession({ push() {}, resume() {}, close() {} });
    assert.equal(session.authenticated, false);
    assert.equal(
      (session.execute(['get', 'k']) as { message: string }).message,
      'NOAUTH Authentication required.',
    );
    assert.equal((session.execute(['auth', 'pw']) as { status: string }).status, 'OK');
    assert.equal(session.execute(['get', 'k']), null);
    engine.close();
  });
});
