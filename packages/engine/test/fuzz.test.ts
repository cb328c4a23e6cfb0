import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Engine, EngineClient, ErrorReply, ManualClock, RespServer } from '@redkit/engine';
import { RawClient } from '@redkit/test-utils';
import fc from 'fast-check';
import { TRICKY_ARGUMENTS } from './tricky-arguments.js';

/**
 * Robustness: every command with random arguments, and random bytes on the wire. Replies may be errors,
 * but never an internal error, a crash or a hung connection.
 */
const SKIP = new Set([
  'debug',
  'shutdown',
  'quit',
  'reset',
  'monitor',
  'subscribe',
  'psubscribe',
  'ssubscribe',
  'client',
  'multi',
  'exec',
  'function',
]);

describe('fuzz: random arguments to every command (in-process)', () => {
  it('never answers an internal error and keeps serving', async () => {
    // SAVE, BGSAVE and the like write their files here, not in the working directory.
    const dir = mkdtempSync(join(tmpdir(), 'redkit-fuzz-'));
    const engine = new Engine({ clock: new ManualClock(), config: { dir } });
    const names = [...engine.commands.all()].map((s) => s.name).filter((n) => !SKIP.has(n));
    const client = new EngineClient(engine);
    const admin = new EngineClient(engine);
    const seed = (): void => {
      client.callSync('FLUSHALL');
      client.callSync('SET', 'k', '10');
      client.callSync('HSET', 'h', 'f', 'v');
      client.callSync('RPUSH', 'l', 'a', 'b', 'c');
      client.callSync('SADD', 's', '1', 'x');
      client.callSync('ZADD', 'z', '1', 'a', '2', 'b');
    };
    seed();
    const argument = fc.constantFrom(...TRICKY_ARGUMENTS);
    let calls = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...names),
        fc.array(argument, { maxLength: 7 }),
        async (name, args) => {
          if (++calls % 50 === 0) seed();
          const pending = client.call(name, ...args);
          // A blocking command on an empty key waits: time moves instead, and a wait without a timeout
          // (0) must still be unblockable.
          (engine.clock as ManualClock).advance(600_000);
          let reply = await Promise.race([pending, new Promise((r) => setTimeout(() => r('timeout'), 200))]);
          const call = `${name} ${JSON.stringify(args)}`;
          if (reply === 'timeout') {
            assert.equal(admin.callSync('CLIENT', 'UNBLOCK', String(client.session.id)), 1, `${call} hung`);
            reply = await pending;
          }
          if (reply instanceof ErrorReply) assert.doesNotMatch(reply.message, /internal error/, call);
        },
      ),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 3000) },
    );
    assert.ok(client.callSync('PING'));
    engine.close();
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('fuzz: random bytes on the wire', () => {
  it('answers or closes, and keeps serving other clients', async () => {
    const server = await RespServer.listen({ port: 0, engine: new Engine() });
    const healthy = await RawClient.connect(server.port);
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), fc.boolean(), async (bytes, framed) => {
        const c = await RawClient.connect(server.port);
        const junk = Buffer.from(bytes);
        c.write(
          framed
            ? Buffer.concat([
                Buffer.from(`*2\r\n$4\r\nECHO\r\n$${junk.length}\r\n`),
                junk,
                Buffer.from('\r\n'),
              ])
            : junk,
        );
        await c.drain(5);
        c.close();
        assert.equal(String(await healthy.command(['PING'])), '+PONG\r\n');
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 300) },
    );
    healthy.close();
    await server.close();
    server.engine.close();
  });
});
