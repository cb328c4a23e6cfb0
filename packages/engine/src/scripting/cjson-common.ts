import { type LuaState, lauxlib, lua, toLua } from './fengari.js';

/** cjson.null: a light userdata no other value equals. */
export const JSON_NULL = Object.freeze({ jsonNull: true });

export const JSON_MAX_DEPTH = 1000;

/** Raises a Lua error with the caller's position, as luaL_error does. */
export function luaError(L: LuaState, message: string): never {
  lauxlib.luaL_where(L, 1);
  lua.lua_pushstring(L, toLua(message));
  lua.lua_concat(L, 2);
  return lua.lua_error(L);
}
