import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { createEngine, EngineClient } from '../client.js';
import { ErrorReply } from '../resp/reply.js';

describe('scripts that run too long', () => {
  it('are stopped with an error after busy-reply-threshold, and the engine keeps serving', () => {
    const engine = createEngine();
    const client = new EngineClient(engine);
    client.callSync('CONFIG', 'SET', 'busy-reply-threshold', '100');
    for (const body of ['while true do end', 'local function f() return f() + 1 end return f()']) {
      const started = performance.now();
      const reply = client.callSync('EVAL', body, '0');
      assert.ok(reply instanceof ErrorReply);
      assert.match(
        reply.message,
        /^ERR Script killed after running longer than busy-reply-threshold \(100 ms\)/,
      );
      assert.ok(performance.now() - started < 2000);
    }
    assert.equal(client.callSync('EVAL', 'return 42', '0'), 42);
    engine.close();
  });

  it('are not limited when busy-reply-threshold is 0', () => {
    const engine = createEngine();
    const client = new EngineClient(engine);
    client.callSync('CONFIG', 'SET', 'busy-reply-threshold', '0');
    assert.equal(
      client.callSync('EVAL', 'local n = 0 for i = 1, 200000 do n = n + 1 end return n', '0'),
      200000,
    );
    engine.close();
  });
});

describe('hex literals beyond 32 bits', () => {
  it('mean the double they are in Lua 5.1, not a wrapped 32-bit integer', () => {
    const engine = createEngine();
    const client = new EngineClient(engine);
    assert.equal(client.callSync('EVAL', 'return tostring(3 * 0x100000000 + 5)', '0'), '12884901893');
    assert.equal(client.callSync('EVAL', 'return tostring(0x100000000 % 7)', '0'), '4');
    assert.equal(client.callSync('EVAL', "return '0x100000000' -- 0x100000000", '0'), '0x100000000');
    assert.equal(client.callSync('EVAL', 'return 0xFF', '0'), 255);
    engine.close();
  });
});

describe('scripts that build too much', () => {
  it('strings past 512 MB are refused before they are allocated; string.rep stays fast', () => {
    const client = new EngineClient(createEngine());
    const refused = [
      ["return #string.rep('x', 1e9)", /resulting string too large/],
      ["local s = 'x' for i = 1, 40 do s = s .. s end return #s", /string length overflow/],
    ] as const;
    for (const [body, error] of refused) {
      const reply = client.callSync('EVAL', body, '0');
      assert.ok(reply instanceof ErrorReply && error.test(reply.message), String(reply));
    }
    assert.equal(client.callSync('EVAL', "return string.rep('ab', 3, ',')", '0'), 'ab,ab,ab');
    assert.equal(client.callSync('EVAL', "return #string.rep('xyz', 1e7)", '0'), 3e7);
  });

  it('a table that outgrows the memory budget stops the script, not the process', () => {
    // A small heap makes the budget small, so the runaway script is caught within a second.
    const engineModule = new URL('../index.js', import.meta.url).href;
    const program = `
      const { createEngine, EngineClient } = await import(${JSON.stringify(engineModule)});
      const client = new EngineClient(createEngine());
      const reply = client.callSync('EVAL', 'local t = {} for i = 1, 1e9 do t[i] = i end return #t', '0');
      const after = client.callSync('EVAL', 'return 1', '0');
      console.log(JSON.stringify({ message: reply.message, after }));`;
    const out = execFileSync(process.execPath, [
      '--max-old-space-size=192',
      '--input-type=module',
      '-e',
      program,
    ]);
    const { message, after } = JSON.parse(out.toString()) as { message: string; after: number };
    assert.match(message, /^ERR not enough memory script: /);
    assert.equal(after, 1);
  });
});

describe('the read-only globals and libraries', () => {
  it('refuse every way of writing to them, as Redis 7.0 does, and nothing leaks into later scripts', () => {
    const engine = createEngine();
    const client = new EngineClient(engine);
    const error = (body: string) => {
      const reply = client.callSync('EVAL', body, '1', 'k', 'a');
      assert.ok(reply instanceof ErrorReply, body);
      return reply.message.replace(/ script: .*/, '');
    };
    // Replies as redis-server 7.0.15 gives them (a C function's error has no position prefix).
    assert.equal(error("rawset(_G, 'evil', 1)"), 'ERR Attempt to modify a readonly table');
    assert.equal(error("rawset(string, 'x', 1)"), 'ERR Attempt to modify a readonly table');
    assert.equal(error('setmetatable(string, nil)'), 'ERR Attempt to modify a readonly table');
    assert.equal(error('setmetatable(_G, nil)'), 'ERR Attempt to modify a readonly table');
    assert.equal(error('table.insert(redis, 1)'), 'ERR Attempt to modify a readonly table');
    assert.equal(
      error("getmetatable('').__index.zzz = 1"),
      'ERR user_script:1: Attempt to modify a readonly table',
    );
    for (const body of ['x = 5', 'KEYS = 1', 'string.upper = nil', 'redis.call = nil', 'cjson.encode = 1']) {
      assert.equal(error(body), 'ERR user_script:1: Attempt to modify a readonly table', body);
    }
    assert.match(error('return evil'), /nonexistent global variable 'evil'/);
    const check = [
      "KEYS[1] = 'x'",
      "table.insert(ARGV, 'y')",
      'local n = 0 for k in next, string do n = n + 1 end',
      'return {KEYS[1], #ARGV, n, type(string.upper), type(getmetatable(_G).__index), tostring(_G._G == _G)}',
    ].join(' ');
    assert.deepEqual(client.callSync('EVAL', check, '1', 'k', 'a'), [
      'x',
      2,
      15,
      'function',
      'function',
      'true',
    ]);
    // KEYS and ARGV were modified by the last script: the next one still gets its own.
    assert.deepEqual(client.callSync('EVAL', 'return {KEYS[1], #ARGV}', '1', 'k2', 'a', 'b'), ['k2', 2]);
    engine.close();
  });
});
