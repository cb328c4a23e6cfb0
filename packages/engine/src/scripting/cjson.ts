import { JSON_MAX_DEPTH, JSON_NULL, luaError } from './cjson-common.js';
import { Decoder } from './cjson-decode.js';
import {
  ensureStack,
  type JsFunction,
  type LuaBytes,
  type LuaState,
  lauxlib,
  lua,
  toLua,
} from './fengari.js';

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** C's printf("%.14g"), lua-cjson's number format. */
export function formatG14(n: number): string {
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  if (Number.isInteger(n) && Math.abs(n) < 1e14) return String(n);
  const [mantissa, expText] = n.toExponential(13).split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= 14) {
    const m = mantissa!.replace(/\.?0+$/, '');
    return `${m}e${exp < 0 ? '-' : '+'}${pad2(Math.abs(exp))}`;
  }
  const fixed = n.toFixed(13 - exp);
  return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
}

const ESCAPES: Record<number, string> = {
  8: '\\b',
  9: '\\t',
  10: '\\n',
  12: '\\f',
  13: '\\r',
  34: '\\"',
  92: '\\\\',
  47: '\\/',
};

function encodeString(bytes: LuaBytes): string {
  let out = '"';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    const escaped = ESCAPES[b];
    if (escaped) out += escaped;
    else if (b < 0x20 || b === 0x7f) out += `\\u00${b.toString(16).padStart(2, '0')}`;
    else out += String.fromCharCode(b);
  }
  return `${out}"`;
}

class Encoder {
  private depth = 0;
  constructor(private readonly L: LuaState) {}

  private fail(type: number, reason: string): never {
    return luaError(this.L, `Cannot serialise ${typeName(type)}: ${reason}`);
  }

  private number(index: number): string {
    const n = lua.lua_tonumber(this.L, index);
    if (!Number.isFinite(n)) this.fail(lua.LUA_TNUMBER, 'must not be NaN or Inf');
    return formatG14(n);
  }

  /** The array length of the table on top, or -1 when it must be encoded as an object. */
  private arrayLength(): number {
    const L = this.L;
    let max = 0;
    let items = 0;
    lua.lua_pushnil(L);
    while (lua.lua_next(L, -2)) {
      const k = lua.lua_type(L, -2) === lua.LUA_TNUMBER ? lua.lua_tonumber(L, -2) : 0;
      if (k >= 1 && Math.floor(k) === k) {
        if (k > max) max = k;
        items++;
        lua.lua_settop(L, -2);
        continue;
      }
      lua.lua_settop(L, -3);
      return -1;
    }
    if (max > items * SPARSE_RATIO && max > SPARSE_SAFE)
      this.fail(lua.LUA_TTABLE, 'excessively sparse array');
    return max;
  }

  /** Encodes the value on top of the stack (left in place). */
  value(): string {
    const L = this.L;
    const type = lua.lua_type(L, -1);
    if (type === lua.LUA_TSTRING) return encodeString(lua.lua_tolstring(L, -1)!);
    if (type === lua.LUA_TNUMBER) return this.number(-1);
    if (type === lua.LUA_TBOOLEAN) return lua.lua_toboolean(L, -1) ? 'true' : 'false';
    if (type === lua.LUA_TNIL) return 'null';
    if (type === lua.LUA_TLIGHTUSERDATA && lua.lua_touserdata(L, -1) === JSON_NULL) return 'null';
    if (type !== lua.LUA_TTABLE) return this.fail(type, 'type not supported');
    if (++this.depth > JSON_MAX_DEPTH) luaError(L, `Cannot serialise, excessive nesting (${this.depth})`);
    ensureStack(L, 4);
    const length = this.arrayLength();
    let out: string;
    if (length > 0) {
      const parts: string[] = [];
      for (let i = 1; i <= length; i++) {
        lua.lua_rawgeti(L, -1, i);
        parts.push(this.value());
        lua.lua_settop(L, -2);
      }
      out = `[${parts.join(',')}]`;
    } else {
      const parts: string[] = [];
      lua.lua_pushnil(L);
      while (lua.lua_next(L, -2)) {
        const keyType = lua.lua_type(L, -2);
        let key: string;
        if (keyType === lua.LUA_TNUMBER) key = `"${this.number(-2)}"`;
        else if (keyType === lua.LUA_TSTRING) key = encodeString(lua.lua_tolstring(L, -2)!);
        else this.fail(keyType, 'table key must be a number or string');
        parts.push(`${key}:${this.value()}`);
        lua.lua_settop(L, -2);
      }
      out = `{${parts.join(',')}}`;
    }
    this.depth--;
    return out;
  }
}

const TYPE_NAMES = [
  'nil',
  'boolean',
  'userdata',
  'number',
  'string',
  'table',
  'function',
  'userdata',
  'thread',
];
const typeName = (type: number) => TYPE_NAMES[type] ?? 'no value';

function checkOneArgument(L: LuaState): void {
  if (lua.lua_gettop(L) !== 1) lauxlib.luaL_argerror(L, 1, 'expected 1 argument');
}

/** The cjson library Redis bundles (lua-cjson 2.1.0 with its default settings), over fengari. */
export { JSON_NULL };

/** lua-cjson's defaults: a table is refused as too sparse past this ratio and size. */
const SPARSE_RATIO = 2;
const SPARSE_SAFE = 10;

export const CJSON_LIBRARY: Record<string, JsFunction> = {
  encode: (L) => {
    checkOneArgument(L);
    lua.lua_pushstring(L, toLua(new Encoder(L).value()));
    return 1;
  },
  decode: (L) => {
    checkOneArgument(L);
    const data = lauxlib.luaL_checklstring(L, 1);
    if (data.length >= 2 && (data[0] === 0 || data[1] === 0)) {
      luaError(L, 'JSON parser does not support UTF-16 or UTF-32');
    }
    const decoder = new Decoder(L, data);
    decoder.value(decoder.next());
    const end = decoder.next();
    if (end.type !== 'T_END') decoder.fail('the end', end);
    return 1;
  },
};
