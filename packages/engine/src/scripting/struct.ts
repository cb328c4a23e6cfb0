import { fromLua, type JsFunction, type LuaState, lauxlib, lua } from './fengari.js';

const MAX_INT_SIZE = 32;
const MAX_ALIGN = 8;
const MASK64 = (1n << 64n) - 1n;

function luaError(L: LuaState, message: string): never {
  lauxlib.luaL_where(L, 1);
  lua.lua_pushstring(L, message);
  lua.lua_concat(L, 2);
  return lua.lua_error(L);
}

/** Walks a struct format string (Roberto Ierusalimschy's struct library, as Redis bundles it). */
class Format {
  private at = 0;
  littleEndian = true;
  align = 1;

  constructor(
    private readonly L: LuaState,
    private readonly fmt: string,
  ) {}

  get done(): boolean {
    return this.at >= this.fmt.length;
  }

  next(): string {
    return this.fmt[this.at++]!;
  }

  private number(fallback: number): number {
    if (!/[0-9]/.test(this.fmt[this.at] ?? '')) return fallback;
    let n = 0;
    while (/[0-9]/.test(this.fmt[this.at] ?? '')) {
      n = n * 10 + Number(this.fmt[this.at++]);
      if (n > 0x7fffffff) luaError(this.L, 'integral size overflow');
    }
    return n;
  }

  /** The size of option `opt` (reading its count), or 0 for options that take no room. */
  size(opt: string): number {
    switch (opt) {
      case 'b':
      case 'B':
      case 'x':
        return 1;
      case 'h':
      case 'H':
        return 2;
      case 'l':
      case 'L':
      case 'T':
      case 'd':
        return 8;
      case 'f':
        return 4;
      case 'c':
        return this.number(1);
      case 'i':
      case 'I': {
        const size = this.number(4);
        if (size > MAX_INT_SIZE)
          luaError(this.L, `integral size ${size} is larger than limit of ${MAX_INT_SIZE}`);
        return size;
      }
      default:
        return 0;
    }
  }

  padding(position: number, opt: string, size: number): number {
    if (size === 0 || opt === 'c') return 0;
    const unit = Math.min(size, this.align);
    return (unit - (position & (unit - 1))) & (unit - 1);
  }

  /** Endianness, alignment and spaces; anything else is an invalid option. */
  control(opt: string): void {
    if (opt === ' ') return;
    if (opt === '>') this.littleEndian = false;
    else if (opt === '<') this.littleEndian = true;
    else if (opt === '!') {
      const align = this.number(MAX_ALIGN);
      if ((align & (align - 1)) !== 0) luaError(this.L, `alignment ${align} is not a power of 2`);
      this.align = align;
    } else lauxlib.luaL_argerror(this.L, 1, `invalid format option '${opt}'`);
  }
}

const INTEGER_OPTIONS = 'bBhHlLTiI';

function putInteger(L: LuaState, out: number[], arg: number, little: boolean, size: number): void {
  const n = lauxlib.luaL_checknumber(L, arg);
  let value = BigInt.asUintN(64, BigInt(Number.isFinite(n) ? Math.trunc(n) : 0));
  const bytes = new Array<number>(size).fill(0);
  for (let i = 0; i < size; i++) {
    bytes[little ? i : size - 1 - i] = Number(value & 0xffn);
    value >>= 8n;
  }
  out.push(...bytes);
}

function getInteger(data: Uint8Array, at: number, little: boolean, signed: boolean, size: number): number {
  let value = 0n;
  for (let i = 0; i < size; i++) {
    value = ((value << 8n) | BigInt(data[at + (little ? size - 1 - i : i)]!)) & MASK64;
  }
  if (!signed) return Number(value);
  const bits = Math.min(size * 8, 64);
  return Number(BigInt.asIntN(bits, value));
}

function floatBytes(value: number, size: 4 | 8, little: boolean): number[] {
  const view = new DataView(new ArrayBuffer(size));
  if (size === 4) view.setFloat32(0, value, little);
  else view.setFloat64(0, value, little);
  return [...new Uint8Array(view.buffer)];
}

const pack: JsFunction = (L) => {
  const format = new Format(L, fromLua(lauxlib.luaL_checklstring(L, 1)));
  // The original pushes a marker nil above the arguments: a missing first value reads as "got nil".
  lua.lua_pushnil(L);
  const out: number[] = [];
  let arg = 2;
  while (!format.done) {
    const opt = format.next();
    let size = format.size(opt);
    const pad = format.padding(out.length, opt, size);
    for (let i = 0; i < pad; i++) out.push(0);
    if (INTEGER_OPTIONS.includes(opt)) putInteger(L, out, arg++, format.littleEndian, size);
    else if (opt === 'x') out.push(0);
    else if (opt === 'f' || opt === 'd') {
      out.push(...floatBytes(lauxlib.luaL_checknumber(L, arg++), opt === 'f' ? 4 : 8, format.littleEndian));
    } else if (opt === 'c' || opt === 's') {
      const text = lauxlib.luaL_checklstring(L, arg++);
      if (size === 0) size = text.length;
      if (text.length < size) lauxlib.luaL_argerror(L, arg, 'string too short');
      for (let i = 0; i < size; i++) out.push(text[i]!);
      if (opt === 's') out.push(0);
    } else format.control(opt);
  }
  lua.lua_pushstring(L, Uint8Array.from(out));
  return 1;
};

const unpack: JsFunction = (L) => {
  const format = new Format(L, fromLua(lauxlib.luaL_checklstring(L, 1)));
  const data = lauxlib.luaL_checklstring(L, 2);
  let position = lua.lua_type(L, 3) <= lua.LUA_TNIL ? 0 : Math.trunc(lauxlib.luaL_checknumber(L, 3)) - 1;
  let results = 0;
  const tooShort = (size: number) => {
    if (size > data.length || position < 0 || position > data.length - size) {
      lauxlib.luaL_argerror(L, 2, 'data string too short');
    }
  };
  while (!format.done) {
    const opt = format.next();
    let size = format.size(opt);
    position += format.padding(position, opt, size);
    tooShort(size);
    lua.lua_checkstack(L, 2);
    if (INTEGER_OPTIONS.includes(opt)) {
      const signed = opt === opt.toLowerCase();
      lua.lua_pushnumber(L, getInteger(data, position, format.littleEndian, signed, size));
      results++;
    } else if (opt === 'f' || opt === 'd') {
      const view = new DataView(data.buffer, data.byteOffset + position, size);
      lua.lua_pushnumber(
        L,
        opt === 'f' ? view.getFloat32(0, format.littleEndian) : view.getFloat64(0, format.littleEndian),
      );
      results++;
    } else if (opt === 'c') {
      if (size === 0) {
        if (results === 0 || lua.lua_type(L, -1) !== lua.LUA_TNUMBER)
          luaError(L, "format 'c0' needs a previous size");
        size = Math.trunc(lua.lua_tonumber(L, -1));
        lua.lua_settop(L, -2);
        results--;
        tooShort(size);
      }
      lua.lua_pushstring(L, data.slice(position, position + size));
      results++;
    } else if (opt === 's') {
      const end = data.indexOf(0, position);
      if (end < 0) luaError(L, 'unfinished string in data');
      size = end - position + 1;
      lua.lua_pushstring(L, data.slice(position, end));
      results++;
    } else if (opt !== 'x') format.control(opt);
    position += size;
  }
  lua.lua_pushnumber(L, position + 1);
  return results + 1;
};

const size: JsFunction = (L) => {
  const format = new Format(L, fromLua(lauxlib.luaL_checklstring(L, 1)));
  let position = 0;
  while (!format.done) {
    const opt = format.next();
    const optionSize = format.size(opt);
    position += format.padding(position, opt, optionSize);
    if (opt === 's') lauxlib.luaL_argerror(L, 1, "option 's' has no fixed size");
    else if (opt === 'c' && optionSize === 0) lauxlib.luaL_argerror(L, 1, "option 'c0' has no fixed size");
    if (!/[A-Za-z0-9]/.test(opt)) format.control(opt);
    position += optionSize;
  }
  lua.lua_pushnumber(L, position);
  return 1;
};

/** The struct library Redis bundles, over fengari. */
export const STRUCT_LIBRARY: Record<string, JsFunction> = { pack, unpack, size };
