import { ensureStack, type JsFunction, type LuaState, lauxlib, lua } from './fengari.js';

/** Deeper tables are encoded as nil, as lua-cmsgpack does. */
const MAX_NESTING = 16;

/** Growable byte buffer for the encoder. */
class Bytes {
  private data = new Uint8Array(64);
  length = 0;
  private readonly view8 = new DataView(new ArrayBuffer(8));

  private reserve(n: number): void {
    if (this.length + n <= this.data.length) return;
    const bigger = new Uint8Array(Math.max(this.data.length * 2, this.length + n));
    bigger.set(this.data.subarray(0, this.length));
    this.data = bigger;
  }

  byte(...values: number[]): void {
    this.reserve(values.length);
    for (const v of values) this.data[this.length++] = v & 0xff;
  }

  append(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.data.set(bytes, this.length);
    this.length += bytes.length;
  }

  /** A marker byte followed by `size` bytes written by `write` into a scratch DataView. */
  fixed(marker: number, size: number, write: (view: DataView) => void): void {
    write(this.view8);
    this.byte(marker);
    this.append(new Uint8Array(this.view8.buffer, 0, size).slice());
  }

  result(): Uint8Array {
    return this.data.slice(0, this.length);
  }
}

function encodeLength(
  out: Bytes,
  length: number,
  fix: number,
  fixMax: number,
  m16: number,
  m32: number,
): void {
  if (length <= fixMax) out.byte(fix | length);
  else if (length <= 0xffff) out.fixed(m16, 2, (v) => v.setUint16(0, length));
  else out.fixed(m32, 4, (v) => v.setUint32(0, length));
}

function encodeInteger(out: Bytes, n: number): void {
  if (n >= 0) {
    if (n <= 0x7f) out.byte(n);
    else if (n <= 0xff) out.byte(0xcc, n);
    else if (n <= 0xffff) out.fixed(0xcd, 2, (v) => v.setUint16(0, n));
    else if (n <= 0xffffffff) out.fixed(0xce, 4, (v) => v.setUint32(0, n));
    else out.fixed(0xcf, 8, (v) => v.setBigUint64(0, BigInt(n)));
  } else if (n >= -32) out.byte(n);
  else if (n >= -128) out.byte(0xd0, n);
  else if (n >= -32768) out.fixed(0xd1, 2, (v) => v.setInt16(0, n));
  else if (n >= -2147483648) out.fixed(0xd2, 4, (v) => v.setInt32(0, n));
  else out.fixed(0xd3, 8, (v) => v.setBigInt64(0, BigInt(n)));
}

function encodeNumber(out: Bytes, n: number): void {
  if (Number.isInteger(n) && n >= -(2 ** 63) && n < 2 ** 63) encodeInteger(out, n);
  else if (Math.fround(n) === n) out.fixed(0xca, 4, (v) => v.setFloat32(0, n));
  else out.fixed(0xcb, 8, (v) => v.setFloat64(0, n));
}

/** lua-cmsgpack's test: a table whose keys are exactly 1..n is an array. */
function isArray(L: LuaState): boolean {
  let count = 0;
  let max = 0;
  lua.lua_pushnil(L);
  while (lua.lua_next(L, -2)) {
    lua.lua_settop(L, -2);
    const k = lua.lua_type(L, -1) === lua.LUA_TNUMBER ? lua.lua_tonumber(L, -1) : 0;
    if (Number.isInteger(k) && k >= 1) {
      if (k > max) max = k;
      count++;
      continue;
    }
    lua.lua_settop(L, -2);
    return false;
  }
  return max === count;
}

/** Encodes the value on top of the stack (left in place). */
function encodeValue(L: LuaState, out: Bytes, level: number): void {
  let type = lua.lua_type(L, -1);
  if (type === lua.LUA_TTABLE && level === MAX_NESTING) type = lua.LUA_TNIL;
  if (type === lua.LUA_TSTRING) {
    const bytes = lua.lua_tolstring(L, -1)!;
    if (bytes.length < 32) out.byte(0xa0 | bytes.length);
    else if (bytes.length <= 0xff) out.byte(0xd9, bytes.length);
    else if (bytes.length <= 0xffff) out.fixed(0xda, 2, (v) => v.setUint16(0, bytes.length));
    else out.fixed(0xdb, 4, (v) => v.setUint32(0, bytes.length));
    out.append(bytes);
  } else if (type === lua.LUA_TBOOLEAN) out.byte(lua.lua_toboolean(L, -1) ? 0xc3 : 0xc2);
  else if (type === lua.LUA_TNUMBER) encodeNumber(out, lua.lua_tonumber(L, -1));
  else if (type === lua.LUA_TTABLE) {
    ensureStack(L, 4);
    if (isArray(L)) {
      let length = 0;
      lua.lua_pushnil(L);
      while (lua.lua_next(L, -2)) {
        lua.lua_settop(L, -2);
        length++;
      }
      encodeLength(out, length, 0x90, 15, 0xdc, 0xdd);
      for (let i = 1; i <= length; i++) {
        lua.lua_rawgeti(L, -1, i);
        encodeValue(L, out, level + 1);
        lua.lua_settop(L, -2);
      }
    } else {
      let length = 0;
      lua.lua_pushnil(L);
      while (lua.lua_next(L, -2)) {
        lua.lua_settop(L, -2);
        length++;
      }
      encodeLength(out, length, 0x80, 15, 0xde, 0xdf);
      lua.lua_pushnil(L);
      while (lua.lua_next(L, -2)) {
        lua.lua_pushvalue(L, -2);
        encodeValue(L, out, level + 1);
        lua.lua_settop(L, -2);
        encodeValue(L, out, level + 1);
        lua.lua_settop(L, -2);
      }
    }
  } else out.byte(0xc0);
}

class DecodeError extends Error {}
const MISSING = 'Missing bytes in input.';
const BAD = 'Bad data format in input.';

class Decoder {
  private readonly view: DataView;
  constructor(
    private readonly L: LuaState,
    private readonly data: Uint8Array,
    public offset: number,
  ) {
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  }

  get left(): number {
    return this.data.length - this.offset;
  }

  private need(n: number): number {
    if (this.left < n) throw new DecodeError(MISSING);
    const at = this.offset;
    this.offset += n;
    return at;
  }

  private pushBytes(length: number): void {
    const at = this.need(length);
    lua.lua_pushstring(this.L, this.data.slice(at, at + length));
  }

  private pushArray(length: number): void {
    const L = this.L;
    ensureStack(L, 4);
    lua.lua_createtable(L, length, 0);
    for (let i = 1; i <= length; i++) {
      this.value();
      lua.lua_rawseti(L, -2, i);
    }
  }

  private pushMap(length: number): void {
    const L = this.L;
    ensureStack(L, 4);
    lua.lua_createtable(L, 0, length);
    for (let i = 0; i < length; i++) {
      this.value();
      this.value();
      lua.lua_rawset(L, -3);
    }
  }

  /** Decodes one value and pushes it. */
  value(): void {
    const L = this.L;
    const v = this.view;
    const c = this.data[this.need(1)]!;
    if (c <= 0x7f) lua.lua_pushnumber(L, c);
    else if (c >= 0xe0) lua.lua_pushnumber(L, c - 0x100);
    else if (c >= 0xa0 && c <= 0xbf) this.pushBytes(c & 0x1f);
    else if (c >= 0x90 && c <= 0x9f) this.pushArray(c & 0x0f);
    else if (c >= 0x80 && c <= 0x8f) this.pushMap(c & 0x0f);
    else {
      switch (c) {
        case 0xc0:
          lua.lua_pushnil(L);
          return;
        case 0xc2:
        case 0xc3:
          lua.lua_pushboolean(L, c === 0xc3);
          return;
        case 0xcc:
          lua.lua_pushnumber(L, v.getUint8(this.need(1)));
          return;
        case 0xcd:
          lua.lua_pushnumber(L, v.getUint16(this.need(2)));
          return;
        case 0xce:
          lua.lua_pushnumber(L, v.getUint32(this.need(4)));
          return;
        case 0xcf:
          lua.lua_pushnumber(L, Number(v.getBigUint64(this.need(8))));
          return;
        case 0xd0:
          lua.lua_pushnumber(L, v.getInt8(this.need(1)));
          return;
        case 0xd1:
          lua.lua_pushnumber(L, v.getInt16(this.need(2)));
          return;
        case 0xd2:
          lua.lua_pushnumber(L, v.getInt32(this.need(4)));
          return;
        case 0xd3:
          lua.lua_pushnumber(L, Number(v.getBigInt64(this.need(8))));
          return;
        case 0xca:
          lua.lua_pushnumber(L, v.getFloat32(this.need(4)));
          return;
        case 0xcb:
          lua.lua_pushnumber(L, v.getFloat64(this.need(8)));
          return;
        case 0xd9:
          this.pushBytes(v.getUint8(this.need(1)));
          return;
        case 0xda:
          this.pushBytes(v.getUint16(this.need(2)));
          return;
        case 0xdb:
          this.pushBytes(v.getUint32(this.need(4)));
          return;
        case 0xdc:
          this.pushArray(v.getUint16(this.need(2)));
          return;
        case 0xdd:
          this.pushArray(v.getUint32(this.need(4)));
          return;
        case 0xde:
          this.pushMap(v.getUint16(this.need(2)));
          return;
        case 0xdf:
          this.pushMap(v.getUint32(this.need(4)));
          return;
        default:
          throw new DecodeError(BAD);
      }
    }
  }
}

function luaError(L: LuaState, message: string): never {
  lauxlib.luaL_where(L, 1);
  lua.lua_pushstring(L, message);
  lua.lua_concat(L, 2);
  return lua.lua_error(L);
}

/** lua-cmsgpack's mp_unpack_full: decodes up to `limit` values from `offset` (all when both are 0). */
function unpack(L: LuaState, limit: number, offset: number): number {
  const data = lauxlib.luaL_checklstring(L, 1);
  const all = limit === 0 && offset === 0;
  if (offset < 0 || limit < 0) {
    // lua-cmsgpack prints the input length where the message says "limit".
    return luaError(L, `Invalid request to unpack with offset of ${offset} and limit of ${data.length}.`);
  }
  if (offset > data.length)
    return luaError(L, `Start offset ${offset} greater than input length ${data.length}.`);
  lua.lua_settop(L, 1);
  const decoder = new Decoder(L, data, offset);
  let count = 0;
  for (; decoder.left > 0 && (all || count < limit); count++) {
    ensureStack(L, 2);
    try {
      decoder.value();
    } catch (e) {
      if (e instanceof DecodeError) return luaError(L, e.message);
      throw e;
    }
  }
  if (all) return count;
  lua.lua_pushnumber(L, decoder.left === 0 ? -1 : decoder.offset);
  lua.lua_insert(L, 2);
  return count + 1;
}

const optInteger = (L: LuaState, arg: number) =>
  lua.lua_type(L, arg) <= lua.LUA_TNIL ? 0 : Math.trunc(lauxlib.luaL_checknumber(L, arg));

/** The cmsgpack library Redis bundles (lua-cmsgpack 0.4), over fengari. */
export const CMSGPACK_LIBRARY: Record<string, JsFunction> = {
  pack: (L) => {
    const argc = lua.lua_gettop(L);
    if (argc === 0) return lauxlib.luaL_argerror(L, 0, 'MessagePack pack needs input.');
    const out = new Bytes();
    for (let i = 1; i <= argc; i++) {
      lua.lua_pushvalue(L, i);
      encodeValue(L, out, 0);
      lua.lua_settop(L, -2);
    }
    lua.lua_pushstring(L, out.result());
    return 1;
  },
  unpack: (L) => unpack(L, 0, 0),
  unpack_one: (L) => unpack(L, 1, optInteger(L, 2)),
  unpack_limit: (L) => unpack(L, Math.trunc(lauxlib.luaL_checknumber(L, 2)), optInteger(L, 3)),
};
