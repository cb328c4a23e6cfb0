import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { addHook } from 'pirates';
import { rewriteFengariSource } from './fengari-rewrites.js';

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
  /** Pushes the number `s` spells and returns its length + 1; pushes nothing and returns 0 if none. */
  lua_stringtonumber(L: LuaState, s: LuaBytes): number;
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

/** fengari's string object; `latin1` is ours (added by a rewrite): its JS form once converted. */
interface TString {
  realstring: LuaBytes;
  latin1: string | null;
}

/** A value slot (fengari's TValue): the type tag's low 4 bits are the basic Lua type. */
interface TValue {
  type: number;
  value: unknown;
}

/** The state's fields read directly on the hottest paths (arguments of redis.call). */
interface StateView {
  stack: Array<TValue | undefined>;
  top: number;
  ci: CallInfoView;
}

interface CallInfoView {
  funcOff: number;
  next: CallInfoView | null;
}

/** Internals: the two behind lua_pushstring (to push bytes without its copy), and stack shrinking. */
interface FengariInternals {
  luaD_shrinkstack(L: LuaState): void;
  luaS_bless(L: LuaState, bytes: LuaBytes): TString;
  pushsvalue2s(L: LuaState, ts: TString): void;
}

/**
 * fengari reads its configuration from the environment when first loaded. We ask it to print
 * integral floats without '.0' (as Lua 5.1, which Redis embeds, prints every number), and restore
 * the environment afterwards so nothing leaks into the host process.
 */
function loadFengari(): Fengari & { internals: FengariInternals } {
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
    const api = require('fengari') as Fengari;
    const { luaS_bless } = require('fengari/src/lstring.js') as Pick<FengariInternals, 'luaS_bless'>;
    const { pushsvalue2s } = require('fengari/src/lobject.js') as Pick<FengariInternals, 'pushsvalue2s'>;
    const { luaD_shrinkstack } = require('fengari/src/ldo.js') as Pick<FengariInternals, 'luaD_shrinkstack'>;
    return { ...api, internals: { luaS_bless, pushsvalue2s, luaD_shrinkstack } };
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

const SLAB_SIZE = 8192;
const SMALL_STRING = 64;
let slab = new ArrayBuffer(SLAB_SIZE);
let slabUsed = 0;

/**
 * A latin1 string's bytes for a Lua string that takes them over. Short ones are views into a shared 8 KB
 * slab (as Node pools small Buffers): a typed array of its own costs an ArrayBuffer too, and KEYS and
 * ARGV are mostly short. Lua strings are never written to, so sharing the slab is safe. Only arguments
 * use it: a string kept alive keeps its slab alive, and a script receives few arguments, but may get
 * many replies and keep one (function code can hold values in upvalues between calls).
 */
function smallBytes(s: string): LuaBytes {
  const length = s.length;
  if (length > SMALL_STRING) return toLua(s);
  if (slabUsed + length > SLAB_SIZE) {
    slab = new ArrayBuffer(SLAB_SIZE);
    slabUsed = 0;
  }
  const bytes = new Uint8Array(slab, slabUsed, length);
  slabUsed += length;
  for (let i = 0; i < length; i++) bytes[i] = s.charCodeAt(i);
  return bytes;
}

/** A binary (latin1) JS string as Lua bytes. */
export function toLua(s: string): LuaBytes {
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  return bytes;
}

const { luaS_bless, pushsvalue2s, luaD_shrinkstack } = fengari.internals;
const LUA_TSTRING = lua.LUA_TSTRING;
const LUA_TNIL = lua.LUA_TNIL;
/** The tag pushsvalue2s gives strings (fengari does not intern short ones). */
const LUA_TLNGSTR = LUA_TSTRING | (1 << 4);

/**
 * Pushes a binary (latin1) JS string as a Lua string. lua_pushstring copies the bytes it is given; this
 * hands fengari the fresh array instead (the hot path of KEYS/ARGV and of every redis.call reply).
 * `argument`: a script's key or argument (see smallBytes).
 */
export function pushLatin1(L: LuaState, s: string, argument = false): void {
  const ts = luaS_bless(L, argument ? smallBytes(s) : toLua(s));
  if (s.length <= CACHED_LATIN1_LENGTH) ts.latin1 = s;
  pushsvalue2s(L, ts);
}

/**
 * Strings up to this length keep their JS form once converted: command names and other constants of a
 * script, KEYS/ARGV and replies passed back to redis.call then convert for free. Longer ones are
 * converted each time rather than held twice.
 */
const CACHED_LATIN1_LENGTH = 256;

const TYPE_MASK = 0x0f;

/**
 * The value at stack index `idx` (> 0) of the running host function as a latin1 string when it is a Lua
 * string, else undefined (what lua_type + lua_tolstring + fromLua would give, without the copies).
 */
export function latin1At(L: LuaState, idx: number): string | undefined {
  const state = L as unknown as StateView;
  const slot = state.ci.funcOff + idx;
  if (slot >= state.top) return undefined;
  const tv = state.stack[slot]!;
  if ((tv.type & TYPE_MASK) !== LUA_TSTRING) return undefined;
  const ts = tv.value as TString;
  if (ts.latin1 !== null) return ts.latin1;
  const text = fromLua(ts.realstring);
  if (text.length <= CACHED_LATIN1_LENGTH) ts.latin1 = text;
  return text;
}

/** What an idle coroutine keeps for its next run: stack slots and CallInfo records to reuse. */
const IDLE_STACK_SLOTS = 1024;
const IDLE_CALL_INFOS = 64;

/**
 * Readies a coroutine that finished cleanly for the next run. Popped slots keep their values (as in C
 * Lua), so they are cleared: an idle coroutine keeps no script data alive. A stack or CallInfo chain
 * that a deep recursion grew is cut back (C Lua's collector does that), the rest stays for reuse.
 */
export function resetIdleThread(L: LuaState): void {
  const state = L as unknown as StateView;
  let ci = state.ci;
  for (let kept = 0; kept < IDLE_CALL_INFOS && ci.next !== null; kept++) ci = ci.next;
  ci.next = null;
  if (state.stack.length > IDLE_STACK_SLOTS) luaD_shrinkstack(L);
  const { stack, top } = state;
  for (let i = top; i < stack.length; i++) {
    const slot = stack[i];
    if (slot !== undefined) {
      slot.type = LUA_TNIL;
      slot.value = null;
    }
  }
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
  strong: Map<unknown, { value: TValue }>;
  /** Ours (added by a rewrite): writes raise "Attempt to modify a readonly table". */
  readonly: boolean;
}

/**
 * Makes the table at `index` read-only, or writable again (the host lifts the flag around its own
 * writes, as Redis does to set KEYS and ARGV).
 */
export function setReadonly(L: LuaState, index: number, readonly: boolean): void {
  (lua.lua_topointer(L, index) as FengariTable).readonly = readonly;
}

/**
 * Sets t[1..n] of the table at `index` to `items[from..to)` in place, as far as those entries already exist (what
 * lua_rawseti does for an existing key, without a string copy and a stack slot per item); returns how
 * many items were stored.
 */
export function overwriteSequence(
  L: LuaState,
  index: number,
  items: readonly string[],
  from = 0,
  to = items.length,
): number {
  const entries = (lua.lua_topointer(L, index) as FengariTable).strong;
  for (let i = 0; i < to - from; i++) {
    const entry = entries.get(i + 1);
    if (entry === undefined) return i;
    const s = items[from + i]!;
    // The same string as last time (a constant argument): Lua strings are immutable, keep it.
    if (entry.value.type === LUA_TLNGSTR && (entry.value.value as TString).latin1 === s) continue;
    const ts = luaS_bless(L, smallBytes(s));
    if (s.length <= CACHED_LATIN1_LENGTH) ts.latin1 = s;
    entry.value.type = LUA_TLNGSTR;
    entry.value.value = ts;
  }
  return to - from;
}

/** How many entries the table at `index` holds (fengari keeps the count; C Lua would need a walk). */
export function tableEntryCount(L: LuaState, index: number): number {
  return (lua.lua_topointer(L, index) as FengariTable).strong.size;
}
