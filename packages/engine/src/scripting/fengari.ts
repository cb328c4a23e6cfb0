import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { addHook } from 'pirates';

/** The opaque Lua state handle fengari hands out. */
export type LuaState = { readonly __luaState: unique symbol };
/** Lua strings in fengari are byte arrays. */
export type LuaBytes = Uint8Array;
export type JsFunction = (L: LuaState) => number;

/** The part of fengari's C-like API the script runner uses (fengari ships no types). */
export interface LuaApi {
  LUA_REGISTRYINDEX: number;
  LUA_TNIL: number;
  LUA_TBOOLEAN: number;
  LUA_TNUMBER: number;
  LUA_TSTRING: number;
  LUA_TTABLE: number;
  LUA_TFUNCTION: number;
  LUA_TLIGHTUSERDATA: number;
  LUA_OK: number;
  LUA_YIELD: number;
  LUA_MULTRET: number;
  LUA_MASKCOUNT: number;
  lua_sethook(
    L: LuaState,
    hook: ((L: LuaState, ar: unknown) => void) | null,
    mask: number,
    count: number,
  ): void;
  lua_gettop(L: LuaState): number;
  lua_atnativeerror(L: LuaState, handler: JsFunction): void;
  lua_checkstack(L: LuaState, n: number): boolean;
  lua_settop(L: LuaState, idx: number): void;
  lua_pushvalue(L: LuaState, idx: number): void;
  lua_type(L: LuaState, idx: number): number;
  lua_tonumber(L: LuaState, idx: number): number;
  lua_toboolean(L: LuaState, idx: number): boolean;
  lua_tolstring(L: LuaState, idx: number): LuaBytes | null;
  lua_isinteger(L: LuaState, idx: number): boolean;
  lua_pushnil(L: LuaState): void;
  lua_pushnumber(L: LuaState, n: number): void;
  lua_pushinteger(L: LuaState, n: number): void;
  lua_pushstring(L: LuaState, s: LuaBytes | string): void;
  lua_pushboolean(L: LuaState, b: boolean | number): void;
  lua_pushcfunction(L: LuaState, f: JsFunction): void;
  lua_pushlightuserdata(L: LuaState, p: object): void;
  lua_touserdata(L: LuaState, idx: number): unknown;
  lua_createtable(L: LuaState, narr: number, nrec: number): void;
  lua_setfield(L: LuaState, idx: number, k: string | LuaBytes): void;
  lua_getfield(L: LuaState, idx: number, k: string | LuaBytes): number;
  lua_rawget(L: LuaState, idx: number): number;
  lua_rawgeti(L: LuaState, idx: number, n: number): number;
  lua_rawseti(L: LuaState, idx: number, n: number): void;
  lua_rawset(L: LuaState, idx: number): void;
  lua_next(L: LuaState, idx: number): number;
  lua_pcall(L: LuaState, nargs: number, nresults: number, msgh: number): number;
  lua_error(L: LuaState): never;
  lua_setupvalue(L: LuaState, funcindex: number, n: number): LuaBytes | null;
  lua_setmetatable(L: LuaState, idx: number): void;
  lua_concat(L: LuaState, n: number): void;
  lua_getglobal(L: LuaState, name: string): number;
  lua_setglobal(L: LuaState, name: string): void;
  lua_insert(L: LuaState, idx: number): void;
  lua_replace(L: LuaState, idx: number): void;
  lua_topointer(L: LuaState, idx: number): unknown;
  lua_newthread(L: LuaState): LuaState;
  lua_resume(L: LuaState, from: LuaState | null, nargs: number): number;
  lua_yield(L: LuaState, nresults: number): number;
  lua_isyieldable(L: LuaState): boolean;
}

export interface LauxApi {
  luaL_newstate(): LuaState;
  luaL_loadbuffer(L: LuaState, buff: LuaBytes, size: number, name: LuaBytes | string): number;
  luaL_ref(L: LuaState, t: number): number;
  luaL_unref(L: LuaState, t: number, ref: number): void;
  luaL_where(L: LuaState, level: number): void;
  luaL_checknumber(L: LuaState, arg: number): number;
  luaL_checklstring(L: LuaState, arg: number): LuaBytes;
  luaL_argerror(L: LuaState, arg: number, message: string): never;
  luaL_requiref(L: LuaState, name: string | LuaBytes, open: JsFunction, global: number): void;
}

export interface LibApi {
  luaopen_base: JsFunction;
  luaopen_string: JsFunction;
  luaopen_table: JsFunction;
  luaopen_math: JsFunction;
  luaopen_coroutine: JsFunction;
  luaopen_debug: JsFunction;
}

interface Fengari {
  lua: LuaApi;
  lauxlib: LauxApi;
  lualib: LibApi;
}

/**
 * Two of fengari's hot paths are rewritten as its sources load (fengari is pinned; the counts let a test
 * notice a rewrite that no longer matches):
 * - stack slots are released with `delete stack[i]`, which turns the Lua stack (a JS array) into a
 *   dictionary-mode array, so every later access is a hash lookup (scripts ran ~2.5× slower). Storing
 *   `undefined` releases the value just the same and keeps the array fast;
 * - every string pushed is copied with `Uint8Array.from`, which walks the iterator protocol; the
 *   constructor copies an array or typed array directly;
 * - string size: scripts may build strings of at most 512 MB (Redis's largest bulk string), refused with
 *   Lua's own errors ("string length overflow", "resulting string too large") before anything is
 *   allocated, and string.rep fills its result by doubling copies instead of one copy per repetition;
 * - a fix: lua_pcallk must save whether hooks were allowed in the call's status bits (C Lua's `setoah`),
 *   but fengari's expression leaves the bit unset, so after a pcall inside a coroutine caught an error,
 *   hooks stayed off for good (a script could then loop past busy-reply-threshold unchecked).
 */
/** The longest string a script may build: 512 MB, Redis's proto-max-bulk-len default. */
const MAX_SCRIPT_STRING = 512 * 1024 * 1024;

const REWRITES = [
  { pattern: /delete ((?:L1?|from)\.stack\[[^\]]*\]);/g, replacement: '$1 = undefined;' },
  {
    pattern: /luastring_from = Uint8Array\.from\.bind\(Uint8Array\);/g,
    replacement: 'luastring_from = (a) => new Uint8Array(a);',
  },
  { pattern: /const MAXSIZE = 2147483647;/g, replacement: `const MAXSIZE = ${MAX_SCRIPT_STRING};` },
  {
    pattern: /let buff = new Uint8Array\(tl\);/g,
    replacement: `if (tl > ${MAX_SCRIPT_STRING}) ldebug.luaG_runerror(L, to_luastring("string length overflow")); let buff = new Uint8Array(tl);`,
  },
  {
    pattern: /while \(n-- > 1\) \{[^}]*\{[^}]*\}\s*\}\s*p\.set\(s, pi\);/g,
    replacement:
      'p.set(s, 0); if (n > 1 && lsep > 0) p.set(sep, l); let filled = n > 1 ? l + lsep : l; while (filled < totallen) { const c = Math.min(filled, totallen - filled); p.copyWithin(filled, 0, c); filled += c; }',
  },
  {
    pattern: /ci\.callstatus &= ~lstate\.CIST_OAH \| L\.allowhook;/g,
    replacement: 'ci.callstatus = (ci.callstatus & ~lstate.CIST_OAH) | L.allowhook;',
  },
] as const;
/** How often each rewrite applied while fengari loaded. */
export const rewritesApplied = REWRITES.map(() => 0);

export function rewriteFengariSource(source: string, counts = rewritesApplied): string {
  return REWRITES.reduce(
    (text, { pattern, replacement }, i) =>
      text.replace(pattern, (...match: string[]) => {
        counts[i]!++;
        return replacement.replace('$1', match[1] ?? '');
      }),
    source,
  );
}

/**
 * fengari reads its configuration from the environment when first loaded. We ask it to print
 * integral floats without '.0' (as Lua 5.1, which Redis embeds, prints every number), and restore
 * the environment afterwards so nothing leaks into the host process.
 */
function loadFengari(): Fengari {
  const require = createRequire(import.meta.url);
  const sources = dirname(require.resolve('fengari'));
  const previous = process.env.FENGARICONF;
  process.env.FENGARICONF = JSON.stringify({ LUA_COMPAT_FLOATSTRING: true });
  const revert = addHook((source) => rewriteFengariSource(source), {
    exts: ['.js'],
    ignoreNodeModules: false,
    matcher: (file) => file.startsWith(sources),
  });
  try {
    return require('fengari') as Fengari;
  } finally {
    revert();
    if (previous === undefined) delete process.env.FENGARICONF;
    else process.env.FENGARICONF = previous;
  }
}

const fengari = loadFengari();
export const lua = fengari.lua;
export const lauxlib = fengari.lauxlib;
export const lualib = fengari.lualib;

/**
 * Makes room for `n` more values: a host function may only use a few stack slots unless it asks, and
 * nested conversions (replies, JSON) use a few per level.
 */
export function ensureStack(L: LuaState, n: number): void {
  if (!lua.lua_checkstack(L, n)) {
    lua.lua_pushstring(L, 'Too many nested data structures');
    lua.lua_error(L);
  }
}

/** A binary (latin1) JS string as Lua bytes. */
export function toLua(s: string): LuaBytes {
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  return bytes;
}

/** Lua bytes as a binary (latin1) JS string. */
export function fromLua(bytes: LuaBytes): string {
  if (bytes.length <= 8192) return String.fromCharCode.apply(null, bytes as unknown as number[]);
  let out = '';
  for (let i = 0; i < bytes.length; i += 8192) {
    out += String.fromCharCode.apply(null, bytes.subarray(i, i + 8192) as unknown as number[]);
  }
  return out;
}

/** fengari's table object: every live entry, array part included, is in one Map. */
interface FengariTable {
  strong: Map<unknown, unknown>;
}

/** How many entries the table at `index` holds (fengari keeps the count; C Lua would need a walk). */
export function tableEntryCount(L: LuaState, index: number): number {
  return (lua.lua_topointer(L, index) as FengariTable).strong.size;
}
