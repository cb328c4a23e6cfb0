import { type JsFunction, type LuaState, lauxlib, lua, toLua } from './fengari.js';

/** LuaBitOp's number → 32-bit conversion: round half to even, then wrap modulo 2^32. */
function toBit(L: LuaState, arg: number): number {
  const x = lauxlib.luaL_checknumber(L, arg);
  const floor = Math.floor(x);
  const diff = x - floor;
  const rounded = diff > 0.5 || (diff === 0.5 && floor % 2 !== 0) ? floor + 1 : floor;
  return rounded | 0;
}

const result = (L: LuaState, value: number): number => {
  lua.lua_pushnumber(L, value | 0);
  return 1;
};

/** Folds every argument with `op` (band, bor, bxor take one or more numbers). */
const fold =
  (op: (a: number, b: number) => number): JsFunction =>
  (L) => {
    let acc = toBit(L, 1);
    for (let i = lua.lua_gettop(L); i > 1; i--) acc = op(acc, toBit(L, i));
    return result(L, acc);
  };

const shift =
  (op: (x: number, n: number) => number): JsFunction =>
  (L) =>
    result(L, op(toBit(L, 1), toBit(L, 2) & 31));

/** The `bit` library Redis bundles (LuaBitOp), over fengari. */
export const BIT_LIBRARY: Record<string, JsFunction> = {
  tobit: (L) => result(L, toBit(L, 1)),
  bnot: (L) => result(L, ~toBit(L, 1)),
  band: fold((a, b) => a & b),
  bor: fold((a, b) => a | b),
  bxor: fold((a, b) => a ^ b),
  lshift: shift((x, n) => x << n),
  rshift: shift((x, n) => x >>> n),
  arshift: shift((x, n) => x >> n),
  rol: shift((x, n) => (x << n) | (x >>> (32 - n))),
  ror: shift((x, n) => (x >>> n) | (x << (32 - n))),
  bswap: (L) => {
    const x = toBit(L, 1);
    return result(L, ((x >>> 24) & 0xff) | ((x >>> 8) & 0xff00) | ((x & 0xff00) << 8) | (x << 24));
  },
  tohex: (L) => {
    const x = toBit(L, 1);
    let digits = lua.lua_type(L, 2) <= lua.LUA_TNIL ? 8 : toBit(L, 2);
    const upper = digits < 0;
    if (upper) digits = -digits;
    if (digits > 8) digits = 8;
    let hex = (x >>> 0)
      .toString(16)
      .padStart(8, '0')
      .slice(8 - digits);
    if (upper) hex = hex.toUpperCase();
    lua.lua_pushstring(L, toLua(hex));
    return 1;
  },
};
