import { fromLua, type JsFunction, type LuaState, lauxlib, lua, toLua } from './fengari.js';

/**
 * Host-side replacements for two base functions whose Lua 5.3 behaviour differs from the 5.1 Redis
 * embeds. They are host functions (not Lua wrappers) so that error positions and tail calls behave as
 * for Redis's C functions.
 *
 * - tonumber returns floats: 5.1 has only doubles, and fengari's integers are 32-bit and wrap.
 * - string.format truncates a fractional number for %d/%i (5.3 raises), and prints integers beyond
 *   32 bits through %s, since fengari's %d cannot hold them.
 */
export function installCompat(L: LuaState): void {
  lua.lua_getglobal(L, 'tonumber');
  const tonumber = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
  lua.lua_pushcfunction(L, (L) => {
    const argc = lua.lua_gettop(L);
    // One argument (the usual tonumber(ARGV[i])): the base library's own conversion, done here without
    // the protected call into it. A base, or no argument at all (an error), goes to the original.
    if (argc === 1) {
      const type = lua.lua_type(L, 1);
      if (type === lua.LUA_TNUMBER) lua.lua_pushnumber(L, lua.lua_tonumber(L, 1));
      else if (type !== lua.LUA_TSTRING) lua.lua_pushnil(L);
      else {
        const text = lua.lua_tolstring(L, 1)!;
        const plain = plainInteger(text);
        if (plain !== undefined) lua.lua_pushnumber(L, plain);
        else if (lua.lua_stringtonumber(L, text) === text.length + 1) {
          lua.lua_pushnumber(L, lua.lua_tonumber(L, -1));
        } else lua.lua_pushnil(L);
      }
      return 1;
    }
    callOriginal(L, tonumber, argc, 'tonumber');
    if (lua.lua_type(L, -1) === lua.LUA_TNUMBER) lua.lua_pushnumber(L, lua.lua_tonumber(L, -1));
    return 1;
  });
  lua.lua_setglobal(L, 'tonumber');

  installLua51Names(L);

  lua.lua_getglobal(L, 'string');
  lua.lua_getfield(L, -1, 'format');
  const format = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
  lua.lua_pushcfunction(L, (L) => {
    const argc = lua.lua_gettop(L);
    if (lua.lua_type(L, 1) === lua.LUA_TSTRING) rewriteIntegerConversions(L, argc);
    callOriginal(L, format, argc, 'format');
    return 1;
  });
  lua.lua_setfield(L, -2, 'format');
  lua.lua_settop(L, -2);
}

/**
 * The value of plain decimal digits (an optional '-', at most 15 digits: exact in a double), the usual
 * tonumber argument, read without fengari's parser; it means the same to that parser (whose result is
 * made a float here anyway, and whose integers have no -0). Anything else: undefined.
 */
function plainInteger(bytes: Uint8Array): number | undefined {
  const negative = bytes[0] === 45;
  const digits = bytes.length - (negative ? 1 : 0);
  if (digits < 1 || digits > 15) return undefined;
  let value = 0;
  for (let i = negative ? 1 : 0; i < bytes.length; i++) {
    const digit = bytes[i]! - 48;
    if (digit < 0 || digit > 9) return undefined;
    value = value * 10 + digit;
  }
  return negative ? 0 - value : value;
}

/** Calls a saved library function with the arguments on the stack, reporting errors under `name`. */
function callOriginal(L: LuaState, ref: number, argc: number, name: string): void {
  lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, ref);
  lua.lua_insert(L, 1);
  if (lua.lua_pcall(L, argc, 1, 0) === lua.LUA_OK) return;
  const raw = lua.lua_tolstring(L, -1);
  const message = raw ? fromLua(raw).replace("to '?'", `to '${name}'`) : 'error';
  lua.lua_settop(L, 0);
  lauxlib.luaL_where(L, 1);
  lua.lua_pushstring(L, toLua(message));
  lua.lua_concat(L, 2);
  lua.lua_error(L);
}

const SPEC = /%([-+ #0]*\d*(?:\.\d*)?)(.)/g;

function rewriteIntegerConversions(L: LuaState, argc: number): void {
  const fmt = fromLua(lua.lua_tolstring(L, 1)!);
  if (!fmt.includes('%')) return;
  let arg = 1;
  let changed = false;
  const rewritten = fmt.replace(SPEC, (whole, flags: string, conversion: string) => {
    if (conversion === '%') return whole;
    arg++;
    if (
      (conversion !== 'd' && conversion !== 'i') ||
      arg > argc ||
      lua.lua_type(L, arg) !== lua.LUA_TNUMBER
    ) {
      return whole;
    }
    const value = Math.trunc(lua.lua_tonumber(L, arg));
    if (value >= -2147483648 && value < 2147483648) {
      lua.lua_pushinteger(L, value);
      lua.lua_replace(L, arg);
      return whole;
    }
    lua.lua_pushstring(L, toLua(Number.isFinite(value) ? BigInt(value).toString() : String(value)));
    lua.lua_replace(L, arg);
    changed = true;
    return `%${flags.replace(/0/g, '').replace(/\..*/, '')}s`;
  });
  if (!changed) return;
  lua.lua_pushstring(L, toLua(rewritten));
  lua.lua_replace(L, 1);
}

const pushNumber = (L: LuaState, n: number): number => {
  lua.lua_pushnumber(L, n);
  return 1;
};
const arg = (L: LuaState, i: number) => lauxlib.luaL_checknumber(L, i);

/** C's frexp: x = m * 2^e with 0.5 <= |m| < 1. */
function frexp(x: number): [number, number] {
  if (x === 0 || !Number.isFinite(x)) return [x, 0];
  let e = Math.floor(Math.log2(Math.abs(x))) + 1;
  let m = x * 2 ** -e;
  while (Math.abs(m) >= 1) {
    m /= 2;
    e++;
  }
  while (Math.abs(m) < 0.5) {
    m *= 2;
    e--;
  }
  return [m, e];
}

const LUA51_MATH: Record<string, JsFunction> = {
  atan2: (L) => pushNumber(L, Math.atan2(arg(L, 1), arg(L, 2))),
  cosh: (L) => pushNumber(L, Math.cosh(arg(L, 1))),
  sinh: (L) => pushNumber(L, Math.sinh(arg(L, 1))),
  tanh: (L) => pushNumber(L, Math.tanh(arg(L, 1))),
  log10: (L) => pushNumber(L, Math.log10(arg(L, 1))),
  pow: (L) => pushNumber(L, arg(L, 1) ** arg(L, 2)),
  ldexp: (L) => pushNumber(L, arg(L, 1) * 2 ** Math.trunc(arg(L, 2))),
  frexp: (L) => {
    const [m, e] = frexp(arg(L, 1));
    lua.lua_pushnumber(L, m);
    lua.lua_pushnumber(L, e);
    return 2;
  },
};

const REMOVED: Record<string, string[]> = {
  math: ['maxinteger', 'mininteger', 'tointeger', 'type', 'ult'],
  table: ['move', 'pack', 'unpack'],
  string: ['pack', 'packsize', 'unpack'],
  coroutine: ['isyieldable'],
};

/** Makes the standard library tables list what Lua 5.1's do (Redis scripts may iterate them). */
function installLua51Names(L: LuaState): void {
  lua.lua_getglobal(L, 'math');
  for (const [name, fn] of Object.entries(LUA51_MATH)) {
    lua.lua_pushcfunction(L, fn);
    lua.lua_setfield(L, -2, name);
  }
  lua.lua_getfield(L, -1, 'fmod');
  lua.lua_setfield(L, -2, 'mod');
  lua.lua_settop(L, -2);
  lua.lua_getglobal(L, 'table');
  lua.lua_pushcfunction(L, (L) => {
    lauxlib.luaL_where(L, 1);
    lua.lua_pushstring(L, "'setn' is obsolete");
    lua.lua_concat(L, 2);
    return lua.lua_error(L);
  });
  lua.lua_setfield(L, -2, 'setn');
  lua.lua_settop(L, -2);
  lua.lua_getglobal(L, 'string');
  lua.lua_getfield(L, -1, 'gmatch');
  lua.lua_setfield(L, -2, 'gfind');
  lua.lua_settop(L, -2);
}

/** Removes what Lua 5.3 added to the library tables (after the prelude has captured what it uses). */
export function removeLua53Names(L: LuaState): void {
  for (const [library, names] of Object.entries(REMOVED)) {
    lua.lua_getglobal(L, library);
    for (const name of names) {
      lua.lua_pushnil(L);
      lua.lua_setfield(L, -2, name);
    }
    lua.lua_settop(L, -2);
  }
}
