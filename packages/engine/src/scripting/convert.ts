import {
  BigNumberReply,
  BooleanReply,
  DoubleReply,
  ErrorReply,
  MapReply,
  NullArrayReply,
  PushReply,
  type Reply,
  SetReply,
  StatusReply,
  VerbatimReply,
} from '../resp/reply.js';
import { formatDouble } from '../util/numbers.js';
import { ensureStack, fromLua, type LuaState, lauxlib, lua, pushLatin1, tableEntryCount } from './fengari.js';

const names = new WeakMap<LuaState, Map<string, number>>();

/**
 * Pushes a field name as the same Lua string every time: fengari hashes a string on its first table
 * lookup, so a fresh copy per lookup would be hashed again on every reply.
 */
export function pushName(L: LuaState, name: string): void {
  let refs = names.get(L);
  if (!refs) names.set(L, (refs = new Map()));
  let ref = refs.get(name);
  if (ref === undefined) {
    lua.lua_pushstring(L, name);
    ref = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
    refs.set(name, ref);
  }
  lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, ref);
}

/** Sets field `name` of the table at the top of the stack to the value `push` pushes. */
export function setField(L: LuaState, name: string, push: () => void): void {
  pushName(L, name);
  push();
  lua.lua_rawset(L, -3);
}

/** Redis's error normalisation for script errors: a missing error code becomes 'ERR'. */
export function errorText(message: string): string {
  if (message.startsWith('-')) {
    const body = message.slice(1);
    return body.includes(' ') ? body : `ERR ${body}`;
  }
  return `ERR ${message}`;
}

/** Pushes Redis's error object, a table { err = message }. */
export function pushErrorTable(L: LuaState, message: string): void {
  lua.lua_createtable(L, 0, 1);
  setField(L, 'err', () => pushLatin1(L, errorText(message)));
}

function pushSingleField(L: LuaState, field: string, push: () => void): void {
  lua.lua_createtable(L, 0, 1);
  setField(L, field, push);
}

/** Converts a command's reply into the Lua value redis.call returns (resp = the script's protocol). */
export function pushReply(L: LuaState, reply: Reply, resp: 2 | 3): void {
  ensureStack(L, 4);
  if (typeof reply === 'string') pushLatin1(L, reply);
  else if (typeof reply === 'number') lua.lua_pushnumber(L, reply);
  else if (typeof reply === 'bigint') lua.lua_pushnumber(L, Number(reply));
  else if (reply === null) {
    if (resp === 2) lua.lua_pushboolean(L, false);
    else lua.lua_pushnil(L);
  } else if (Array.isArray(reply) || reply instanceof PushReply) {
    pushArray(L, Array.isArray(reply) ? reply : reply.items, resp);
  } else if (reply instanceof StatusReply) {
    pushSingleField(L, 'ok', () => pushLatin1(L, reply.status));
  } else if (reply instanceof ErrorReply) {
    pushErrorTable(L, `-${reply.message}`);
  } else if (reply instanceof DoubleReply) {
    if (resp === 2) pushLatin1(L, reply.text ?? formatDouble(reply.value));
    else pushSingleField(L, 'double', () => lua.lua_pushnumber(L, reply.value));
  } else if (reply instanceof MapReply) {
    if (resp === 2) pushArray(L, reply.entries, resp);
    else {
      pushSingleField(L, 'map', () => {
        lua.lua_createtable(L, 0, reply.entries.length / 2);
        for (let i = 0; i + 1 < reply.entries.length; i += 2) {
          pushReply(L, reply.entries[i]!, resp);
          pushReply(L, reply.entries[i + 1]!, resp);
          lua.lua_rawset(L, -3);
        }
      });
    }
  } else if (reply instanceof SetReply) {
    if (resp === 2) pushArray(L, reply.items, resp);
    else {
      pushSingleField(L, 'set', () => {
        lua.lua_createtable(L, 0, reply.items.length);
        for (const item of reply.items) {
          pushReply(L, item, resp);
          lua.lua_pushboolean(L, true);
          lua.lua_rawset(L, -3);
        }
      });
    }
  } else if (reply instanceof NullArrayReply) {
    if (resp === 2) lua.lua_pushboolean(L, false);
    else lua.lua_pushnil(L);
  } else if (reply instanceof BooleanReply) {
    if (resp === 2) lua.lua_pushnumber(L, reply.value ? 1 : 0);
    else lua.lua_pushboolean(L, reply.value);
  } else if (reply instanceof VerbatimReply) {
    if (resp === 2) pushLatin1(L, reply.text);
    else {
      pushSingleField(L, 'verbatim_string', () => {
        lua.lua_createtable(L, 0, 2);
        setField(L, 'format', () => pushLatin1(L, reply.format));
        setField(L, 'string', () => pushLatin1(L, reply.text));
      });
    }
  } else if (reply instanceof BigNumberReply) {
    if (resp === 2) pushLatin1(L, reply.digits);
    else pushSingleField(L, 'big_number', () => pushLatin1(L, reply.digits));
  } else lua.lua_pushnil(L);
}

function pushArray(L: LuaState, items: Reply[], resp: 2 | 3): void {
  lua.lua_createtable(L, items.length, 0);
  for (let i = 0; i < items.length; i++) {
    pushReply(L, items[i]!, resp);
    lua.lua_rawseti(L, -2, i + 1);
  }
}

const LLONG_MIN = -9223372036854775808n;

/** C's (long long) cast of a Lua number, as Redis turns a returned number into an integer reply. */
function truncateToInteger(n: number): number | bigint {
  const t = Math.trunc(n);
  if (Number.isSafeInteger(t)) return t;
  if (!Number.isFinite(t) || t >= 2 ** 63 || t < -(2 ** 63)) return LLONG_MIN;
  return BigInt(t);
}

const noNewlines = (s: string) => s.replace(/[\r\n]/g, ' ');

/** The string in field `name` of the table at the top of the stack, or undefined. */
function stringField(L: LuaState, name: string): string | undefined {
  pushName(L, name);
  const type = lua.lua_rawget(L, -2);
  const value =
    type === lua.LUA_TSTRING || type === lua.LUA_TNUMBER ? fromLua(lua.lua_tolstring(L, -1)!) : undefined;
  lua.lua_settop(L, -2);
  return value;
}

/** Converts the Lua value at the top of the stack (and pops it) into the script's reply. */
export function popReply(L: LuaState, resp: 2 | 3, scriptName: string): Reply {
  ensureStack(L, 4);
  const type = lua.lua_type(L, -1);
  let reply: Reply;
  if (type === lua.LUA_TSTRING) reply = fromLua(lua.lua_tolstring(L, -1)!);
  else if (type === lua.LUA_TNUMBER) reply = truncateToInteger(lua.lua_tonumber(L, -1));
  else if (type === lua.LUA_TBOOLEAN) {
    const truth = lua.lua_toboolean(L, -1);
    reply = resp === 2 ? (truth ? 1 : null) : new BooleanReply(truth);
  } else if (type === lua.LUA_TTABLE) reply = tableReply(L, resp, scriptName);
  else reply = null;
  lua.lua_settop(L, -2);
  return reply;
}

function tableReply(L: LuaState, resp: 2 | 3, scriptName: string): Reply {
  const length = plainSequenceLength(L);
  if (length >= 0) return sequenceReply(L, length, resp, scriptName);
  const err = stringField(L, 'err');
  if (err !== undefined) return new ErrorReply(noNewlines(errorMessage(L, err, scriptName)));
  const ok = stringField(L, 'ok');
  if (ok !== undefined) return new StatusReply(noNewlines(ok));
  pushName(L, 'double');
  if (lua.lua_rawget(L, -2) === lua.LUA_TNUMBER) {
    const value = lua.lua_tonumber(L, -1);
    lua.lua_settop(L, -2);
    return new DoubleReply(value);
  }
  lua.lua_settop(L, -2);
  const big = stringField(L, 'big_number');
  if (big !== undefined) return new BigNumberReply(noNewlines(big));
  pushName(L, 'verbatim_string');
  if (lua.lua_rawget(L, -2) === lua.LUA_TTABLE) {
    const format = stringField(L, 'format');
    const text = stringField(L, 'string');
    if (format !== undefined && text !== undefined) {
      lua.lua_settop(L, -2);
      return new VerbatimReply(text, format);
    }
  }
  lua.lua_settop(L, -2);
  pushName(L, 'map');
  if (lua.lua_rawget(L, -2) === lua.LUA_TTABLE) {
    const entries: Reply[] = [];
    lua.lua_pushnil(L);
    while (lua.lua_next(L, -2)) {
      lua.lua_pushvalue(L, -2);
      entries.push(popReply(L, resp, scriptName));
      entries.push(popReply(L, resp, scriptName));
    }
    lua.lua_settop(L, -2);
    return new MapReply(entries);
  }
  lua.lua_settop(L, -2);
  pushName(L, 'set');
  if (lua.lua_rawget(L, -2) === lua.LUA_TTABLE) {
    const items: Reply[] = [];
    lua.lua_pushnil(L);
    while (lua.lua_next(L, -2)) {
      lua.lua_settop(L, -2);
      lua.lua_pushvalue(L, -1);
      items.push(popReply(L, resp, scriptName));
    }
    lua.lua_settop(L, -2);
    return new SetReply(items);
  }
  lua.lua_settop(L, -2);
  const items: Reply[] = [];
  for (let i = 1; ; i++) {
    if (lua.lua_rawgeti(L, -1, i) === lua.LUA_TNIL) {
      lua.lua_settop(L, -2);
      break;
    }
    items.push(popReply(L, resp, scriptName));
  }
  return items;
}

/**
 * The length of the table at the top of the stack when its only keys are 1..n, else -1. Such a table
 * (most replies) can have none of the special fields (err, ok, map …), so their lookups are skipped.
 */
function plainSequenceLength(L: LuaState): number {
  const entries = tableEntryCount(L, -1);
  let length = 0;
  while (length < entries) {
    const type = lua.lua_rawgeti(L, -1, length + 1);
    lua.lua_settop(L, -2);
    if (type === lua.LUA_TNIL) return -1;
    length++;
  }
  return length;
}

function sequenceReply(L: LuaState, length: number, resp: 2 | 3, scriptName: string): Reply[] {
  const items = new Array<Reply>(length);
  for (let i = 0; i < length; i++) {
    lua.lua_rawgeti(L, -1, i + 1);
    items[i] = popReply(L, resp, scriptName);
  }
  return items;
}

/** An error object's message, with Redis's ' script: <name>, on <source>:<line>.' when it has a position. */
export function errorMessage(L: LuaState, err: string, scriptName: string): string {
  const source = stringField(L, 'source');
  const line = stringField(L, 'line');
  return source !== undefined && line !== undefined
    ? `${err} script: ${scriptName}, on ${source}:${line}.`
    : err;
}
