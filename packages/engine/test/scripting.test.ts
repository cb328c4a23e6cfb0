import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Engine, EngineClient, ManualClock } from '@redkit/engine';
import { differential } from '@redkit/test-utils';
import { withCrc } from './payload-crc.js';

/** A clock that moves 1 ms every time it is read. */
class TickingClock extends ManualClock {
  override now(): number {
    this.advance(1);
    return super.now();
  }
}

test('time is frozen while a script runs', () => {
  const client = new EngineClient(new Engine({ clock: new TickingClock() }));
  client.callSync('SET', 'e', 'v', 'PX', '100000');
  const [first, second] = client.callSync(
    'EVAL',
    'return {redis.call("PTTL", "e"), redis.call("PTTL", "e")}',
    '0',
  ) as number[];
  assert.equal(first, second);
  const outside = [client.callSync('PTTL', 'e'), client.callSync('PTTL', 'e')] as number[];
  assert.notEqual(outside[0], outside[1]);
});

test('SELECT inside a script leaves the caller in its database', () => {
  const client = new EngineClient(new Engine());
  client.callSync('EVAL', 'redis.call("SELECT", "3") return redis.call("SET", "x", "1")', '0');
  assert.equal(client.callSync('EXISTS', 'x'), 0);
  client.callSync('SELECT', '3');
  assert.equal(client.callSync('EXISTS', 'x'), 1);
});

const SLIDING_WINDOW = `
local key = KEYS[1]
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', key, 0, now - window)
local count = redis.call('ZCARD', key)
if count < limit then
  redis.call('ZADD', key, now, ARGV[4])
  redis.call('PEXPIRE', key, window)
  return {1, limit - count - 1}
end
return {0, 0}
`;

const RELEASE_LOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`;

const INVALIDATE_TAG = `
local members = redis.call('SMEMBERS', KEYS[1])
local removed = 0
for _, key in ipairs(members) do removed = removed + redis.call('DEL', key) end
redis.call('DEL', KEYS[1])
return removed
`;

differential('scripting', (s) => {
  s.test('Lua values become replies', async (d) => {
    await d.same('EVAL', 'return 1', '0');
    await d.same('EVAL', 'return 3.99', '0');
    await d.same('EVAL', 'return -3.99', '0');
    await d.same('EVAL', 'return "text"', '0');
    await d.same('EVAL', 'return true', '0');
    await d.same('EVAL', 'return false', '0');
    await d.same('EVAL', 'return nil', '0');
    await d.same('EVAL', 'return {1, 2, nil, 3}', '0');
    await d.same('EVAL', 'return {1, {2, "x"}, true, false, "y"}', '0');
    await d.same('EVAL', 'return {}', '0');
    await d.same('EVAL', 'return {ok = "FINE"}', '0');
    await d.same('EVAL', 'return {ok = "a\\r\\nb"}', '0');
    await d.same('EVAL', 'return {err = "B"}', '0');
    await d.same('EVAL', 'return {err = "-B"}', '0');
    await d.same('EVAL', 'return redis.status_reply("GOOD")', '0');
    await d.same('EVAL', 'return redis.error_reply("My err")', '0');
    await d.same('EVAL', 'return redis.error_reply("myerr")', '0');
    await d.same('EVAL', 'return redis.error_reply("-CODE text")', '0');
    await d.same('EVAL', 'return redis.error_reply("")', '0');
    await d.same('EVAL', 'return redis.error_reply()', '0');
    await d.same('EVAL', 'return redis.status_reply(1)', '0');
    await d.same('EVAL', 'return 10 / 2', '0');
    await d.same('EVAL', 'return tostring(10 / 2) .. " " .. tostring(3.0) .. " " .. tostring(0.1)', '0');
    await d.same('EVAL', 'return tostring(123456789012) .. " " .. tostring(1 / 3)', '0');
    await d.same('EVAL', 'return tonumber("2000000000") * 3', '0');
    await d.same('EVAL', 'return {unpack({1, 2, 3})}', '0');
    await d.same('EVAL', 'return #{1, 2, nil, 4}', '0');
    for (const expr of [
      'string.format("%d", 3.7)',
      'string.format("%d|%5d|%-5d|%05d", -3.7, 42, 42, 42)',
      'string.format("%10d|%%|%s|%.2f", 1700000000123, "x", 3.14159)',
      '("%d"):format(7.9)',
      'string.format("%s %d", "a")',
      'tonumber("z", 99)',
      'tonumber()',
      'tonumber("abc")',
      'tostring(tonumber("0x10"))',
      'tostring(tonumber(" 12 "))',
      'math.floor(3.7)',
      'math.pow(2, 10)',
    ]) {
      await d.same('EVAL', `return ${expr}`, '0');
    }
  });

  s.test('KEYS, ARGV and numkeys', async (d) => {
    await d.same('EVAL', 'return {KEYS[1], KEYS[2], ARGV[1], #KEYS, #ARGV}', '2', 'a', 'b', 'c');
    await d.same('EVAL', 'return ARGV', '0', 'x\r\ny', Buffer.from([0, 0xff, 0x80, 0x0d]));
    await d.same('EVAL', 'return string.len(ARGV[1])', '0', Buffer.from([0, 0xff, 0x80]));
    await d.same('EVAL', 'return 1', '-1');
    await d.same('EVAL', 'return 1', '2', 'a');
    await d.same('EVAL', 'return 1', 'abc');
    await d.same('EVAL', 'return 1');
    await d.same('EVAL');
    await d.same('EVAL', 'return 1', '1.5', 'a');
    await d.same('EVAL', 'return 1', ' 1', 'a');
    await d.same('EVAL', 'return 1', '99999999999999999999');
    await d.same('EVAL', 'return 1', '-99999999999999999999');
    await d.same('EVAL', 'return KEYS', '3', 'a', 'b', 'c');
    await d.same('EVALSHA', 'abc', '0');
    await d.same('EVALSHA', 'abc', '-1');
    await d.same('EVALSHA', 'FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF', '0');
    await d.same('EVALSHA', 'ffffffffffffffffffffffffffffffffffffffff', '-1');
    await d.same('EVALSHA', 'ffffffffffffffffffffffffffffffffffffffff', 'x');
    await d.same('EVALSHA', 'ffffffffffffffffffffffffffffffffffffffff', '0');
  });

  s.test('redis.call runs commands and converts their replies', async (d) => {
    await d.same('EVAL', 'return redis.call("SET", KEYS[1], ARGV[1])', '1', 'k', 'v');
    await d.same('EVAL', 'return redis.call("GET", KEYS[1])', '1', 'k');
    await d.same('EVAL', 'return type(redis.call("GET", "missing"))', '0');
    await d.same('EVAL', 'return redis.call("PING")', '0');
    await d.same('EVAL', 'return redis.call("INCR", "n")', '0');
    await d.same('EVAL', 'return redis.call("SET", "f", 0.1)', '0');
    await d.same('GET', 'f');
    await d.same('EVAL', 'return redis.call("SET", "f", 10 / 2)', '0');
    await d.same('GET', 'f');
    await d.same('EVAL', 'return redis.call("INCRBYFLOAT", "g", "1.5")', '0');
    await d.same('EVAL', 'redis.call("HSET", "h", "a", "1") return redis.call("HGETALL", "h")', '0');
    await d.same('EVAL', 'return redis.call("HGETALL", "nokey")', '0');
    await d.same('EVAL', 'return redis.call("ZADD", "z", 1.5, "m")', '0');
    await d.same('EVAL', 'return redis.call("ZSCORE", "z", "m")', '0');
    await d.same('EVAL', 'return redis.call("BLPOP", "nolist", 0)', '0');
    await d.same('EVAL', 'return redis.call("SET", "s", "1", "GET")', '0');
    await d.same('EVAL', 'redis.call("SELECT", "1") return redis.call("SET", "in1", "x")', '0');
    await d.same('EXISTS', 'in1');
    await d.same('EVAL', 'return redis.pcall("LPUSH", "k", "v")', '0');
    await d.same('EVAL', 'local r = redis.pcall("NOSUCH") return r.err', '0');
    await d.same('EVAL', 'local ok, e = pcall(redis.call, "NOSUCH") return e', '0');
  });

  s.test('errors match Redis 7.0', async (d) => {
    await d.same('EVAL', 'return x', '0');
    await d.same('EVAL', 'return +', '0');
    await d.same('EVAL', 'error("boom")', '0');
    await d.same('EVAL', 'local a = 1\n\nerror("line3")', '0');
    await d.same('EVAL', 'error({err = "X custom"})', '0');
    await d.same('EVAL', 'return redis.call("nosuch")', '0');
    await d.same('EVAL', 'local function f() return redis.call("nosuch") end\nreturn f()', '0');
    await d.same('EVAL', 'return redis.call("get")', '0');
    await d.same('EVAL', 'return redis.call("get", "a", "b")', '0');
    await d.same('EVAL', 'return redis.call("multi")', '0');
    await d.same('EVAL', 'return redis.call("eval", "return 1", "0")', '0');
    await d.same('EVAL', 'return redis.call("subscribe", "x")', '0');
    await d.same('EVAL', 'return redis.call()', '0');
    await d.same('EVAL', 'return redis.call({})', '0');
    await d.same('EVAL', 'return redis.call("set", "a", {})', '0');
    await d.same('EVAL', 'redis.call("set", "k", "v") redis.call("lpush", "k", "v")', '0');
    await d.same('EVAL', 'return redis.sha1hex()', '0');
    await d.same('EVAL', 'return redis.setresp(4)', '0');
    await d.same('EVAL', 'return redis.setresp()', '0');
    await d.same('EVAL', 'return redis.log()', '0');
    await d.same('EVAL_RO', 'return redis.call("set", "a", "1")', '1', 'a');
    await d.same('EVAL_RO', 'return redis.call("get", "a")', '1', 'a');
  });

  s.test('the sandbox', async (d) => {
    for (const name of ['print', 'os', 'io', 'require', 'dofile', 'loadfile', 'module', 'debug', 'package']) {
      await d.same('EVAL', `return type(${name})`, '0');
    }
    for (const name of [
      'unpack',
      'loadstring',
      'pcall',
      'tostring',
      'string',
      'math',
      'table',
      'coroutine',
    ]) {
      await d.same('EVAL', `return type(${name})`, '0');
    }
    await d.same('EVAL', 'x = 1', '0');
    await d.same('EVAL', 'KEYS = 1', '0');
    await d.same('EVAL', 'string.x = 1 return 1', '0');
    await d.same('EVAL', 'redis.call = 1', '0');
    await d.same('EVAL', 'local t = {} t.x = 1 return t.x', '0');
    await d.same('EVAL', 'return type(math.pow)', '0');
  });

  s.test('redis library', async (d) => {
    await d.same('EVAL', 'return redis.sha1hex("")', '0');
    await d.same('EVAL', 'return redis.sha1hex(ARGV[1])', '0', Buffer.from([0, 0xff]));
    await d.same('EVAL', 'return redis.REDIS_VERSION', '0');
    await d.same('EVAL', 'return redis.REDIS_VERSION_NUM', '0');
    await d.same(
      'EVAL',
      'return {redis.LOG_DEBUG, redis.LOG_VERBOSE, redis.LOG_NOTICE, redis.LOG_WARNING}',
      '0',
    );
    await d.same('EVAL', 'return redis.log(redis.LOG_WARNING, "hello")', '0');
    await d.same('EVAL', 'redis.set_repl(redis.REPL_ALL) return 1', '0');
    await d.same('EVAL', 'redis.replicate_commands() return 1', '0');
    await d.same(
      'EVAL',
      'local t = {} for k in pairs(redis) do t[#t + 1] = k end table.sort(t) return t',
      '0',
    );
    for (const library of ['string', 'math', 'table', 'coroutine', 'bit', 'redis']) {
      await d.same(
        'EVAL',
        `local t = {} for k in pairs(${library}) do t[#t + 1] = k end table.sort(t) return t`,
        '0',
      );
    }
    for (const expr of [
      '_VERSION',
      '{math.frexp(8)}',
      '{math.frexp(-0.3)}',
      'math.atan2(1, 2) * 1000',
      'math.log10(1000)',
      'math.ldexp(1, 3)',
      'math.pow(2, 0.5) * 1000',
      'math.mod(7, 3)',
      'table.maxn({1, 2, [10] = 3})',
      'table.getn({1, 2, 3})',
      'table.setn({}, 1)',
      'table.foreach({5, 6}, function(k, v) if v == 6 then return k end end)',
      'table.foreachi({5, 6}, function(i, v) return v end)',
      'type(string.gfind)',
      'type(rawlen)',
      'type(math.type)',
      'type(table.pack)',
    ]) {
      await d.same('EVAL', `return ${expr}`, '0');
    }
    await d.same('EVAL', 'return redis.acl_check_cmd("get", "a")', '0');
    await d.same('EVAL', 'return redis.acl_check_cmd("get")', '0');
    await d.same('EVAL', 'return redis.acl_check_cmd("nosuch")', '0');
    await d.same('EVAL', 'return redis.acl_check_cmd("config", "nosub")', '0');
    await d.same('EVAL', 'return redis.acl_check_cmd()', '0');
    await d.same('EVAL', 'return redis.acl_check_cmd({})', '0');
    await d.same('EVAL', 'return redis.breakpoint()', '0');
    await d.same('EVAL', 'return redis.debug("x")', '0');
  });

  s.test('compile and runtime errors use Lua 5.1 wording', async (d) => {
    for (const body of [
      'x =',
      'if x then',
      'local 1 = 2',
      'return [[abc',
      'return a.b.c = 1',
      'return "abc',
      'for i=1 do end',
      'return 0x',
      'local t = nil return t.x',
      'local x return x + 1',
      'local t = {} return t.a.b',
      'local x return x .. "a"',
      'local x return #x',
      'local f return f()',
      'return redis.nosuch()',
      'local t = {} t:foo()',
      'return 1 < "x"',
      'return {} + 1',
      'return ("x")()',
      'return math.floor("a")',
      'return string.rep()',
    ]) {
      await d.same('EVAL', body, '0');
    }
  });

  s.test('cjson library', async (d) => {
    for (const expr of [
      'cjson.encode({1, 2, 3})',
      'cjson.encode({})',
      'cjson.encode({{}})',
      'cjson.encode({a = {b = "c/d\\n\\1"}})',
      'cjson.encode("\\127\\0\\8\\9\\10\\12\\13\\31 \\"\\\\")',
      'cjson.encode(ARGV[1])',
      'cjson.encode(1/3)',
      'cjson.encode(1e20)',
      'cjson.encode(2^53)',
      'cjson.encode(123456789012)',
      'cjson.encode(0.1)',
      'cjson.encode(1e-5)',
      'cjson.encode(-1.5e300)',
      'cjson.encode(nil)',
      'cjson.encode(cjson.null)',
      'cjson.encode({true, false})',
      'cjson.encode({[1] = 1, [3] = 2})',
      'cjson.encode({1, 2, nil, 4})',
      'cjson.encode({[1.5] = 1})',
      'cjson.encode({[-1] = 1})',
      'cjson.encode({a = cjson.null})',
      'cjson.encode({[1] = 1, [20] = 2})',
      'cjson.encode({[1] = 1, [2] = 2, [11] = 3})',
      'cjson.encode(function() end)',
      'cjson.encode({[true] = 1})',
      'cjson.encode(1/0)',
      'cjson.encode()',
      'cjson.decode("[1,2,3]")',
      'cjson.decode("{\\"a\\":[1,{\\"b\\":null}]}").a[2].b == cjson.null',
      'cjson.decode("\\"\\\\u00e9\\\\u20ac\\\\ud83d\\\\ude00\\"")',
      'cjson.decode("\\"\\\\/\\\\b\\\\f\\\\n\\\\r\\\\t\\"")',
      'cjson.decode(ARGV[2])',
      'cjson.decode("[1.5e3, 2]")',
      'cjson.decode("01")',
      'cjson.decode("0x10")',
      'cjson.decode("+1")',
      'cjson.decode("NaN")',
      'cjson.decode("true ")',
      'type(cjson.decode("null"))',
      'type(cjson.null)',
      'cjson.decode("")',
      'cjson.decode("{")',
      'cjson.decode("[1,")',
      'cjson.decode("[1 2]")',
      'cjson.decode("{\\"a\\" 1}")',
      'cjson.decode("{1:2}")',
      'cjson.decode("[1] x")',
      'cjson.decode("tru")',
      'cjson.decode("nul")',
      'cjson.decode("\\"abc")',
      'cjson.decode("{\\"a\\":1,}")',
      'cjson.decode("[1,]")',
      'cjson.decode("[.5]")',
      'cjson.decode("1e")',
      'cjson.decode("\\"\\\\x\\"")',
      'cjson.decode("\\"\\\\u12\\"")',
      'cjson.decode("\\"\\\\udc00\\"")',
      'cjson.decode("\\0a")',
      'cjson.decode({})',
      'cjson.decode()',
      'cjson.decode(string.rep("[", 1000))',
      'cjson.decode(string.rep("[", 1001))',
      '#cjson.encode(cjson.decode(string.rep("[", 1000) .. string.rep("]", 1000)))',
      'cjson._VERSION',
    ]) {
      await d.same('EVAL', `return ${expr}`, '0', Buffer.from([0x80, 0xff, 0x41]), '["x",{"k":"\u00ff"}]');
    }
    await d.same(
      'EVAL',
      'local t = {} local cur = t for i=1,1000 do cur[1] = {} cur = cur[1] end return cjson.encode(t)',
      '0',
    );
    await d.same('EVAL', 'cjson.x = 1', '0');
  });

  s.test('math.random is the Redis generator', async (d) => {
    await d.same(
      'EVAL',
      'math.randomseed(42) return {math.random(1000), math.random(5, 10), tostring(math.random())}',
      '0',
    );
    await d.same('EVAL', 'math.randomseed(-7) return {math.random(3.7), math.random(1, 1)}', '0');
    await d.same('EVAL', 'return math.random(0)', '0');
    await d.same('EVAL', 'return math.random(5, 1)', '0');
    await d.same('EVAL', 'return math.random(1, 2, 3)', '0');
    await d.same('EVAL', 'return math.randomseed()', '0');
  });

  s.test('cmsgpack library', async (d) => {
    for (const expr of [
      'cmsgpack.pack(1, -1, 127, 128, 255, 256, 65535, 65536, 4294967295, 4294967296, -32, -33, -128, -129, -32768, -32769, -2147483648, -2147483649)',
      'cmsgpack.pack(1.5, 0.1, 1/0, -1/0, 2^63, -2^63, 2^64)',
      'cmsgpack.pack(nil, true, false)',
      'cmsgpack.pack(string.rep("a", 31), string.rep("b", 32))',
      'cmsgpack.pack(string.rep("a", 255), string.rep("a", 256))',
      'cmsgpack.pack(string.rep("a", 70000))',
      'cmsgpack.pack(ARGV[1])',
      'cmsgpack.pack({})',
      'cmsgpack.pack({1, 2, 3})',
      'cmsgpack.pack({a = 1})',
      'cmsgpack.pack({[1.5] = 1})',
      'cmsgpack.pack({[0] = 1})',
      'cmsgpack.pack(function() end)',
      'cmsgpack.pack({{{{{{{{{{{{{{{{{{1}}}}}}}}}}}}}}}}}})',
      'cmsgpack.pack()',
      '{cmsgpack.unpack(cmsgpack.pack(1, "a", {1, 2}, {x = 1}, true, nil, 1.5))}',
      'cmsgpack.unpack(cmsgpack.pack({x = {1, {y = "z"}}})).x[2].y',
      'cmsgpack.unpack(cmsgpack.pack(-2^63, 2^64, 0.1, 4294967296))',
      '{cmsgpack.unpack(ARGV[2])}',
      'cmsgpack.unpack("\\205")',
      'cmsgpack.unpack("\\193")',
      'cmsgpack.unpack("\\196\\001a")',
      'cmsgpack.unpack("")',
      'cmsgpack.unpack()',
      '{cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3))}',
      '{cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3), 1)}',
      '{cmsgpack.unpack_one(cmsgpack.pack(1), 1)}',
      '{cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 2)}',
      '{cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 5, 1)}',
      'cmsgpack.unpack_one("a", 5)',
      'cmsgpack.unpack_limit("a", -1)',
      'cmsgpack._VERSION',
    ]) {
      await d.same(
        'EVAL',
        `return ${expr}`,
        '0',
        Buffer.from([0x80, 0xff, 0x41]),
        Buffer.from([0x93, 0xd9, 0x01, 0xff, 0xde, 0x00, 0x01, 0xa1, 0x6b, 0xc0, 0xcd, 0x12, 0x34]),
      );
    }
    await d.same(
      'EVAL',
      'local t = {} for k in pairs(cmsgpack) do t[#t + 1] = k end table.sort(t) return t',
      '0',
    );
    await d.same('EVAL', 'cmsgpack.x = 1', '0');
  });

  s.test('struct library', async (d) => {
    for (const expr of [
      'struct.pack(">i2", 258)',
      'struct.pack("<i4", -2)',
      'struct.pack("bBhHlLi", -1, 255, -2, 65535, -3, 7, 9)',
      'struct.pack("!4 b i", 1, 2)',
      'struct.pack("!b d", 1, 2)',
      'struct.pack("s", "ab")',
      'struct.pack("c5", "ab")',
      'struct.pack("c0", "abc")',
      'struct.pack("c", 1)',
      'struct.pack("f d", 1.5, 0.1)',
      'struct.pack(">f >d", 1.5, 0.1)',
      'struct.pack("x x b", 1)',
      'struct.pack("i3", 70000)',
      'struct.pack("I16", 1)',
      'struct.pack("i17", -1)',
      'struct.pack("i33", 1)',
      'struct.pack("y", 1)',
      'struct.pack("i")',
      'struct.pack("i", "x")',
      'struct.pack("!3 i", 1)',
      'struct.pack("i", 3.7)',
      'struct.pack("I4", -1)',
      'struct.pack("I1", 300)',
      'struct.size(">i4 b d")',
      'struct.size("!8 b d")',
      'struct.size("s")',
      'struct.size("c0")',
      '{struct.unpack(">i2 b", "\\1\\2\\3")}',
      '{struct.unpack("<i4", "\\254\\255\\255\\255")}',
      '{struct.unpack("s b", "ab\\0\\5")}',
      '{struct.unpack("b c0", "\\3abc")}',
      '{struct.unpack("c0", "abc")}',
      '{struct.unpack("i4", "ab")}',
      '{struct.unpack("b", "ab", 2)}',
      '{struct.unpack("b", "ab", 5)}',
      '{struct.unpack("f d", struct.pack("f d", 1.5, 0.1))}',
      '{struct.unpack("s", "abc")}',
      '{struct.unpack("I8", "\\255\\255\\255\\255\\255\\255\\255\\255")}',
      '{struct.unpack("i8", "\\255\\255\\255\\255\\255\\255\\255\\255")}',
      '{struct.unpack("c2", "a")}',
      '{struct.unpack("=i2", "\\1\\0")}',
      '{struct.unpack(">I3 x h", ARGV[1])}',
    ]) {
      await d.same('EVAL', `return ${expr}`, '0', Buffer.from([0x80, 0xff, 0x41, 0x00, 0xfe, 0xff]));
    }
    await d.same('EVAL', 'local t = {} for k in pairs(_G) do t[#t + 1] = k end table.sort(t) return t', '0');
  });

  s.test('bit library', async (d) => {
    for (const expr of [
      'bit.band()',
      'bit.band("x")',
      'bit.tohex(-1)',
      'bit.tohex(255, -4)',
      'bit.tohex(1, 12)',
      'bit.tobit(2^32 + 5)',
      'bit.tobit(2.5)',
      'bit.tobit(3.5)',
      'bit.lshift(1, 31)',
      'bit.rshift(-1, 28)',
      'bit.arshift(-256, 4)',
      'bit.rol(0x12345678, 12)',
      'bit.ror(0x12345678, 12)',
      'bit.bswap(0x12345678)',
      'bit.bor(1, 2, 4, 8)',
      'bit.band(0xff, 0x0f, 0x3)',
      'bit.bxor(5)',
      'bit.bnot(0)',
    ]) {
      await d.same('EVAL', `return ${expr}`, '0');
    }
    await d.same('EVAL', 'bit.x = 1', '0');
  });

  s.test('SCRIPT LOAD / EXISTS / FLUSH / KILL / HELP and EVALSHA', async (d) => {
    await d.same('SCRIPT', 'FLUSH');
    await d.same('SCRIPT', 'LOAD', 'return 1');
    await d.same('SCRIPT', 'LOAD', 'return +');
    await d.same('SCRIPT', 'EXISTS', 'e0e1f9fabfc9d4800c877a703b823ac0578ff8db', 'abc');
    await d.same('EVALSHA', 'e0e1f9fabfc9d4800c877a703b823ac0578ff8db', '0');
    await d.same('EVALSHA', 'E0E1F9FABFC9D4800C877A703B823AC0578FF8DB', '0');
    await d.same('EVALSHA_RO', 'e0e1f9fabfc9d4800c877a703b823ac0578ff8db', '0');
    await d.same('EVAL', 'return 2', '0');
    await d.same('SCRIPT', 'EXISTS', '7f923f79fe76194c868d7e1d0820de36700eb649');
    await d.same('SCRIPT', 'FLUSH', 'SYNC');
    await d.same('SCRIPT', 'FLUSH', 'ASYNC');
    await d.same('SCRIPT', 'FLUSH', 'x');
    await d.same('SCRIPT', 'FLUSH', 'SYNC', 'x');
    await d.same('SCRIPT', 'EXISTS', 'e0e1f9fabfc9d4800c877a703b823ac0578ff8db');
    await d.same('EVALSHA', 'e0e1f9fabfc9d4800c877a703b823ac0578ff8db', '0');
    await d.same('SCRIPT', 'EXISTS');
    await d.same('SCRIPT', 'LOAD');
    await d.same('SCRIPT', 'KILL');
    await d.same('SCRIPT', 'HELP');
    await d.same('SCRIPT', 'NOSUCH');
    await d.same('SCRIPT');
  });

  s.test('shebang flags', async (d) => {
    await d.same('EVAL', '#!lua\nreturn 1', '0');
    await d.same('EVAL', '#!lua\nerror("x")', '0');
    await d.same('EVAL', '#!lua flags=no-writes\nreturn redis.call("set", "a", "1")', '0');
    await d.same('EVAL', '#!lua flags=no-writes\nreturn redis.call("get", "a")', '0');
    await d.same(
      'EVAL',
      '#!lua  flags=no-writes,allow-oom,allow-stale,no-cluster,allow-cross-slot-keys\nreturn 2',
      '0',
    );
    await d.same('EVAL', '#!lua flags=\nreturn 3', '0');
    await d.same('EVAL', '#!notlua\nreturn 1', '0');
    await d.same('EVAL', '#!lua flags=bad\nreturn 1', '0');
    await d.same('EVAL', '#!lua foo=bar\nreturn 1', '0');
    await d.same('EVAL', '#!lua', '0');
    await d.same('EVAL_RO', '#!lua\nreturn 1', '0');
    await d.same('EVAL_RO', '#!lua flags=no-writes\nreturn 1', '0');
    await d.same('SCRIPT', 'LOAD', '#!lua flags=bad\nreturn 1');
  });

  s.test('FUNCTION LOAD / FCALL / LIST / DELETE / FLUSH / STATS', async (d) => {
    const lib = (name: string, body: string) => `#!lua name=${name}\n${body}`;
    await d.same('FUNCTION', 'FLUSH');
    for (const code of [
      'return 1',
      '#!lua\nreturn 1',
      '#!lua name=\nreturn 1',
      '#!lua name=a-b\nreturn 1',
      '#!js name=x\nreturn 1',
      '#!lua name=x foo=bar\nreturn 1',
      lib('x', 'return 1'),
      lib('x', 'return +'),
      lib('y', 'redis.call("ping")'),
      lib('y', 'x = 1'),
      lib('y', 'redis.register_function()'),
      lib('y', 'redis.register_function("a")'),
      lib('y', 'redis.register_function("a", 1)'),
      lib('y', 'redis.register_function(1, function() end)'),
      lib('y', 'redis.register_function("bad name", function() end)'),
      lib('y', 'redis.register_function{callback = function() end}'),
      lib('y', 'redis.register_function{function_name = "a"}'),
      lib('y', 'redis.register_function{function_name = "a", callback = function() end, foo = 1}'),
      lib('y', 'redis.register_function{function_name = "a", callback = function() end, flags = {"bad"}}'),
      lib(
        'y',
        'redis.register_function("f1", function() end)\nredis.register_function("F1", function() end)',
      ),
      lib('y', 'return redis.REDIS_VERSION'),
    ]) {
      await d.same('FUNCTION', 'LOAD', code);
    }
    await d.same(
      'FUNCTION',
      'LOAD',
      lib('x', 'redis.register_function("f", function(keys, args) return {keys, args} end)'),
    );
    await d.same('FUNCTION', 'LOAD', lib('x', 'redis.register_function("g", function() return 1 end)'));
    await d.same(
      'FUNCTION',
      'LOAD',
      'REPLACE',
      lib('x', 'redis.register_function("f", function(keys, args) return {keys, args} end)'),
    );
    await d.same('FUNCTION', 'LOAD', 'foo', lib('x', 'return 1'));
    await d.same('FCALL', 'f', '2', 'k1', 'k2', 'a1');
    await d.same('FCALL', 'F', '0');
    await d.same('FCALL', 'f', '-1');
    await d.same('FCALL', 'f', '2', 'a');
    await d.same('FCALL', 'f', 'x');
    await d.same('FCALL', 'nosuch', '0');
    await d.same('FCALL', 'nosuch', 'x');
    await d.same('FCALL_RO', 'f', '0');
    await d.same('FCALL');
    await d.same(
      'FUNCTION',
      'LOAD',
      lib(
        'ro',
        'redis.register_function{function_name = "reader", callback = function(keys) return redis.call("GET", keys[1]) end, flags = {"no-writes"}, description = "reads a key"}\n' +
          'redis.register_function{function_name = "writer", callback = function(keys) return redis.call("SET", keys[1], "v") end, flags = {"no-writes"}}',
      ),
    );
    await d.same('SET', 'k', 'hello');
    await d.same('FCALL_RO', 'reader', '1', 'k');
    await d.same('FCALL', 'reader', '1', 'k');
    await d.same('FCALL', 'writer', '1', 'k');
    await d.same(
      'FUNCTION',
      'LOAD',
      lib(
        'z',
        'redis.register_function("e", function() error("boom") end)\nredis.register_function("e2", function() return redis.call("nosuch") end)\nredis.register_function("e3", function() return KEYS end)',
      ),
    );
    await d.same('FCALL', 'e', '0');
    await d.same('FCALL', 'e2', '0');
    await d.same('FCALL', 'e3', '0');
    await d.same('FUNCTION', 'LOAD', lib('w', 'redis.register_function("f", function() return 1 end)'));
    // Redis lists libraries and functions in hash order: compare those lists without order.
    await d.sameUnordered('FUNCTION', 'LIST', 'LIBRARYNAME', 'ro');
    await d.same('FUNCTION', 'LIST', 'LIBRARYNAME', 'w');
    await d.sameUnordered('FUNCTION', 'LIST', 'WITHCODE', 'LIBRARYNAME', 'R*');
    await d.same('FUNCTION', 'LIST', 'WITHCODE', 'LIBRARYNAME', 'W');
    await d.same('FUNCTION', 'LIST', 'WITHCODE', 'WITHCODE');
    await d.same('FUNCTION', 'LIST', 'LIBRARYNAME');
    await d.same('FUNCTION', 'LIST', 'x');
    await d.same('FUNCTION', 'STATS');
    await d.same('FUNCTION', 'DELETE', 'nosuch');
    await d.same('FUNCTION', 'DELETE', 'RO');
    await d.same('FUNCTION', 'DELETE', 'ro');
    await d.same('FCALL', 'reader', '1', 'k');
    await d.same('FUNCTION', 'FLUSH', 'x');
    await d.same('FUNCTION', 'FLUSH', 'SYNC', 'x');
    await d.same('FUNCTION', 'FLUSH', 'ASYNC');
    await d.same('FUNCTION', 'LIST');
    await d.same('FUNCTION', 'STATS');
    await d.same('FUNCTION', 'KILL');
    await d.same('FUNCTION', 'HELP');
    await d.same('FUNCTION');
    await d.resp3();
    await d.same(
      'FUNCTION',
      'LOAD',
      lib(
        'x',
        'redis.register_function{function_name = "f", callback = function() return 1 end, flags = {"allow-stale", "no-writes"}}',
      ),
    );
    await d.same('FUNCTION', 'LIST');
    await d.same('FUNCTION', 'STATS');
    await d.same('FUNCTION', 'FLUSH');
  });

  s.test('FUNCTION DUMP / RESTORE', async (d) => {
    const lib = (name: string, fn: string) =>
      `#!lua name=${name}\nredis.register_function('${fn}', function() return '${name}' end)`;
    const payloadOf = async () => Buffer.from((await d.same('FUNCTION', 'DUMP')) as string, 'latin1');
    await d.same('FUNCTION', 'FLUSH');
    const empty = await payloadOf();
    await d.same('FUNCTION', 'LOAD', lib('a', 'fa'));
    const a = await payloadOf();
    await d.same('FUNCTION', 'LOAD', lib('b', 'fb'));
    const ab = (await d.compare(['FUNCTION', 'DUMP'], () => {})) as string;
    await d.same('FUNCTION', 'RESTORE', a);
    await d.same('FUNCTION', 'RESTORE', a, 'APPEND');
    await d.same('FUNCTION', 'RESTORE', a, 'replace');
    await d.same('FCALL', 'fa', '0');
    await d.same('FUNCTION', 'RESTORE', a, 'FLUSH');
    await d.sameUnordered('FUNCTION', 'LIST', 'WITHCODE');
    await d.same('FCALL', 'fb', '0');
    await d.same('FUNCTION', 'RESTORE', empty, 'FLUSH');
    await d.same('FUNCTION', 'LIST');
    // The payload redis-server dumped (two libraries, in its own order) restores into both.
    await d.same('FUNCTION', 'RESTORE', ab);
    await d.sameUnordered('FUNCTION', 'LIST', 'WITHCODE');
    // A function name held by a library that stays: refused, nothing changes.
    await d.same('FUNCTION', 'LOAD', 'REPLACE', lib('b', 'fa2'));
    await d.same('FUNCTION', 'DELETE', 'a');
    await d.same('FUNCTION', 'LOAD', lib('c', 'fa'));
    await d.same('FUNCTION', 'RESTORE', a, 'REPLACE');
    await d.same('FUNCTION', 'RESTORE', a);
    await d.sameUnordered('FUNCTION', 'LIST');
    // Bad policies, arguments and payloads.
    await d.same('FUNCTION', 'RESTORE', a, 'MERGE');
    await d.same('FUNCTION', 'RESTORE', a, 'FLUSH', 'x');
    await d.same('FUNCTION', 'RESTORE');
    await d.same('FUNCTION', 'DUMP', 'x');
    await d.same('FUNCTION', 'RESTORE', 'short');
    await d.same('FUNCTION', 'RESTORE', Buffer.concat([a.subarray(0, -1), Buffer.from([a.at(-1)! ^ 1])]));
    const body = (payload: Buffer) => payload.subarray(0, -10);
    const footer = empty.subarray(0, 2);
    await d.same('FUNCTION', 'RESTORE', withCrc(Buffer.concat([body(a), body(a), footer])), 'FLUSH');
    await d.same(
      'FUNCTION',
      'RESTORE',
      withCrc(Buffer.concat([Buffer.from([246]), body(a).subarray(1), footer])),
    );
    await d.same('FUNCTION', 'RESTORE', withCrc(Buffer.concat([Buffer.from([0, 1, 0x61]), footer])));
    await d.same('FUNCTION', 'RESTORE', withCrc(Buffer.concat([Buffer.from([245, 0x3f, 0x61]), footer])));
    await d.same(
      'FUNCTION',
      'RESTORE',
      withCrc(Buffer.concat([Buffer.from([245, 5]), Buffer.from('x = 1'), footer])),
    );
    const broken = '#!lua name=z\nredis.register_function(';
    const brokenBody = Buffer.concat([Buffer.from([245, broken.length]), Buffer.from(broken, 'latin1')]);
    await d.same('FUNCTION', 'RESTORE', withCrc(Buffer.concat([brokenBody, body(a), footer])), 'FLUSH');
    await d.same('FUNCTION', 'RESTORE', withCrc(Buffer.concat([Buffer.from([0xff]), footer])));
    // Redis 7.0's release candidates wrote name, engine and description apart from the code.
    const string = (s: string) => Buffer.concat([Buffer.from([s.length]), Buffer.from(s, 'latin1')]);
    const preRelease = (...parts: Buffer[]) => withCrc(Buffer.concat([Buffer.from([246]), ...parts, footer]));
    const code = string("redis.register_function('fp', function() return 'p' end)");
    await d.same(
      'FUNCTION',
      'RESTORE',
      preRelease(string('p'), string('LUA'), Buffer.from([1]), string('d'), code),
    );
    await d.same('FCALL', 'fp', '0');
    await d.sameUnordered('FUNCTION', 'LIST', 'WITHCODE');
    await d.same('FUNCTION', 'RESTORE', preRelease(string('q'), string('LUA'), Buffer.from([0]), code));
    await d.same('FUNCTION', 'RESTORE', preRelease(string('q'), string('LUA'), Buffer.from([0x3f])));
    await d.same('FUNCTION', 'RESTORE', preRelease(string('q'), string('LUA'), Buffer.from([1, 0x3f])));
    await d.same('FUNCTION', 'RESTORE', preRelease(string('q'), string('LUA'), Buffer.from([0, 0x3f])));
    await d.same('FUNCTION', 'RESTORE', preRelease(Buffer.from([0x3f])));
    await d.sameUnordered('FUNCTION', 'LIST');
    await d.same('FUNCTION', 'FLUSH');
  });

  s.test('COMMAND INFO and DOCS of the scripting commands', async (d) => {
    for (const name of ['eval', 'evalsha', 'eval_ro', 'evalsha_ro', 'fcall', 'fcall_ro']) {
      await d.same('COMMAND', 'INFO', name);
    }
    await d.same('COMMAND', 'GETKEYS', 'EVAL', 'return 1', '2', 'a', 'b', 'c');
    await d.same('COMMAND', 'GETKEYS', 'FCALL', 'f', '1', 'a', 'b');
  });

  s.test('each run sees exactly its own KEYS and ARGV, whatever the previous run did to them', async (d) => {
    const census =
      'local n = 0 for k in pairs(KEYS) do n = n + 1 end local m = 0 for k in pairs(ARGV) do m = m + 1 end return {n, m, tostring(KEYS[3]), tostring(KEYS.foo), tostring(ARGV[2])}';
    await d.same('EVAL', census, '2', 'a', 'b', 'x', 'y');
    await d.same('EVAL', "KEYS[5] = 'e' KEYS.foo = 1 ARGV[1] = nil return #KEYS", '3', 'a', 'b', 'c', 'x');
    await d.same('EVAL', census, '1', 'a', 'x');
    await d.same('EVAL', 'KEYS[1] = nil KEYS[3] = 1 return 1', '3', 'a', 'b', 'c');
    await d.same('EVAL', census, '1', 'a');
    await d.same('EVAL', census, '0');
    await d.same('EVAL', census, '4', 'a', 'b', 'c', 'd', 'x', 'y', 'z');
  });

  s.test('scripts inside MULTI', async (d) => {
    await d.same('MULTI');
    await d.same('EVAL', 'return redis.call("SET", "a", "1")', '0');
    await d.same('EVAL', 'return redis.call("GET", "a")', '0');
    await d.same('EXEC');
    await d.same('SET', 'e', 'v', 'PX', '100000');
    await d.same(
      'EVAL',
      'local a = redis.call("PTTL", "e") local b = redis.call("PTTL", "e") return a == b',
      '0',
    );
  });

  s.test('sliding-window rate limit', async (d) => {
    const sha = await d.same('SCRIPT', 'LOAD', SLIDING_WINDOW);
    for (let i = 0; i < 5; i++) {
      await d.same('EVALSHA', String(sha), '1', 'rl', String(1000 + i * 10), '1000', '3', `req${i}`);
    }
    await d.same('ZRANGE', 'rl', '0', '-1', 'WITHSCORES');
    await d.same('EVALSHA', String(sha), '1', 'rl', '2500', '1000', '3', 'late');
    await d.same('ZCARD', 'rl');
  });

  s.test('compare-and-delete lock release', async (d) => {
    await d.same('SET', 'lock', 'token-1', 'NX', 'PX', '30000');
    await d.same('EVAL', RELEASE_LOCK, '1', 'lock', 'token-2');
    await d.same('EXISTS', 'lock');
    await d.same('EVAL', RELEASE_LOCK, '1', 'lock', 'token-1');
    await d.same('EXISTS', 'lock');
    await d.same('EVAL', RELEASE_LOCK, '1', 'lock', 'token-1');
  });

  s.test('tag invalidation', async (d) => {
    await d.same('MSET', 'page:1', 'a', 'page:2', 'b', 'other', 'c');
    await d.same('SADD', 'tag:news', 'page:1', 'page:2', 'page:3');
    await d.same('EVAL', INVALIDATE_TAG, '1', 'tag:news');
    await d.same('EXISTS', 'page:1', 'page:2', 'other', 'tag:news');
    await d.same('EVAL', INVALIDATE_TAG, '1', 'tag:news');
  });

  s.test('RESP3 under redis.setresp(3)', async (d) => {
    await d.same('HSET', 'h', 'f', 'v');
    await d.same('ZADD', 'z', '1.5', 'm');
    await d.same('SADD', 's', 'only');
    await d.same('EVAL', 'redis.setresp(3) return redis.call("HGETALL", "h")', '0');
    await d.same('EVAL', 'redis.setresp(3) local r = redis.call("HGETALL", "h") return r.map.f', '0');
    await d.same(
      'EVAL',
      'redis.setresp(3) local r = redis.call("ZSCORE", "z", "m") return tostring(r.double)',
      '0',
    );
    await d.same('EVAL', 'redis.setresp(3) return redis.call("SMEMBERS", "s")', '0');
    await d.same('EVAL', 'redis.setresp(3) return redis.call("GET", "missing") == nil', '0');
    await d.same('EVAL', 'redis.setresp(3) return true', '0');
    await d.same('EVAL', 'redis.setresp(3) return false', '0');
    await d.same('EVAL', 'return {double = 3.5}', '0');
    await d.same('EVAL', 'return {map = {a = 1}}', '0');
    await d.same('EVAL', 'return {set = {a = true}}', '0');
    await d.resp3();
    await d.same('EVAL', 'redis.setresp(3) return redis.call("HGETALL", "h")', '0');
    await d.same('EVAL', 'redis.setresp(3) return redis.call("ZSCORE", "z", "m")', '0');
    await d.same('EVAL', 'redis.setresp(3) return redis.call("SMEMBERS", "s")', '0');
    await d.same('EVAL', 'redis.setresp(3) return true', '0');
    await d.same('EVAL', 'redis.setresp(3) return false', '0');
    await d.same('EVAL', 'return true', '0');
    await d.same('EVAL', 'return false', '0');
    await d.same('EVAL', 'return nil', '0');
    await d.same('EVAL', 'return {double = 3.5}', '0');
    await d.same('EVAL', 'return {map = {a = 1}}', '0');
    await d.same('EVAL', 'return {set = {a = true}}', '0');
    await d.same('EVAL', 'return redis.call("HGETALL", "h")', '0');
    await d.same('EVAL', 'return {big_number = "123456789012345678901234567890"}', '0');
  });
});
