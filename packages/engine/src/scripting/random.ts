import { type JsFunction, type LuaState, lauxlib, lua } from './fengari.js';

const MULTIPLIER = 0x5deece66dn;
const INCREMENT = 0xbn;
const MASK48 = (1n << 48n) - 1n;
const LOW_BITS = 0x330en;
const RAND_MAX = 2147483647;

/**
 * Redis replaces math.random with its own 48-bit linear congruential generator (the lrand48 family),
 * so a seeded sequence is the same on every platform; we reproduce it number for number.
 */
export class RedisRandom {
  private state = 0x1234abcd330en;

  seed(value: number): void {
    const seed = value | 0;
    this.state = (BigInt((seed >>> 16) & 0xffff) << 32n) | (BigInt(seed & 0xffff) << 16n) | LOW_BITS;
  }

  /** The next 31-bit value. */
  next(): number {
    this.state = (MULTIPLIER * this.state + INCREMENT) & MASK48;
    return Number(this.state >> 17n);
  }

  /** math.random and math.randomseed over this generator. */
  library(): Record<string, JsFunction> {
    const checkInt = (L: LuaState, arg: number) => Math.trunc(lauxlib.luaL_checknumber(L, arg)) | 0;
    return {
      random: (L) => {
        const r = (this.next() % RAND_MAX) / RAND_MAX;
        const argc = lua.lua_gettop(L);
        if (argc === 0) lua.lua_pushnumber(L, r);
        else if (argc === 1) {
          const upper = checkInt(L, 1);
          if (upper < 1) lauxlib.luaL_argerror(L, 1, 'interval is empty');
          lua.lua_pushnumber(L, Math.floor(r * upper) + 1);
        } else if (argc === 2) {
          const lower = checkInt(L, 1);
          const upper = checkInt(L, 2);
          if (lower > upper) lauxlib.luaL_argerror(L, 2, 'interval is empty');
          lua.lua_pushnumber(L, Math.floor(r * (upper - lower + 1)) + lower);
        } else {
          lauxlib.luaL_where(L, 1);
          lua.lua_pushstring(L, 'wrong number of arguments');
          lua.lua_concat(L, 2);
          return lua.lua_error(L);
        }
        return 1;
      },
      randomseed: (L) => {
        this.seed(checkInt(L, 1));
        return 0;
      },
    };
  }
}
