import { JSON_MAX_DEPTH, JSON_NULL, luaError } from './cjson-common.js';
import { ensureStack, fromLua, type LuaBytes, type LuaState, lua } from './fengari.js';

/** A JSON parser with lua-cjson 2.1.0's rules (strtod numbers, its token names in errors). */
type Token =
  | {
      type:
        | 'T_OBJ_BEGIN'
        | 'T_OBJ_END'
        | 'T_ARR_BEGIN'
        | 'T_ARR_END'
        | 'T_COLON'
        | 'T_COMMA'
        | 'T_END'
        | 'T_NULL';
      index: number;
    }
  | { type: 'T_STRING'; index: number; bytes: number[] }
  | { type: 'T_NUMBER'; index: number; value: number }
  | { type: 'T_BOOLEAN'; index: number; value: boolean }
  | { type: 'T_ERROR'; index: number; message: string };

const SINGLE: Record<number, Token['type']> = {
  123: 'T_OBJ_BEGIN',
  125: 'T_OBJ_END',
  91: 'T_ARR_BEGIN',
  93: 'T_ARR_END',
  58: 'T_COLON',
  44: 'T_COMMA',
};
const SIMPLE_ESCAPES: Record<number, number> = {
  34: 34,
  92: 92,
  47: 47,
  98: 8,
  102: 12,
  110: 10,
  114: 13,
  116: 9,
};
/** What strtod accepts at the start of a string: decimal, hexadecimal, inf/infinity, nan. */
const STRTOD =
  /^[+-]?(?:0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][+-]?\d+)?|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[iI][nN][fF](?:[iI][nN][iI][tT][yY])?|[nN][aA][nN])/;

function strtod(text: string): number {
  const body = text.replace(/^[+-]/, '');
  const negative = text.startsWith('-');
  let value: number;
  if (/^0[xX]/.test(body)) {
    const [, digits = '', exp] = /^0[xX]([0-9a-fA-F.]*)(?:[pP]([+-]?\d+))?$/.exec(body) ?? [];
    const [whole = '', fraction = ''] = digits.split('.');
    value = Number.parseInt(whole || '0', 16);
    for (let i = 0; i < fraction.length; i++) value += Number.parseInt(fraction[i]!, 16) / 16 ** (i + 1);
    if (exp) value *= 2 ** Number(exp);
  } else if (/^[iI]/.test(body)) value = Number.POSITIVE_INFINITY;
  else if (/^[nN]/.test(body)) value = Number.NaN;
  else value = Number(body);
  return negative ? -value : value;
}

export class Decoder {
  private index = 0;
  private depth = 0;
  constructor(
    private readonly L: LuaState,
    private readonly data: LuaBytes,
  ) {}

  private at(i: number): number {
    return i < this.data.length ? this.data[i]! : 0;
  }

  private startsWith(word: string): boolean {
    for (let i = 0; i < word.length; i++) if (this.at(this.index + i) !== word.charCodeAt(i)) return false;
    return true;
  }

  /** lua-cjson's test for numbers strict JSON refuses (which it then reads with strtod anyway). */
  private looksLikeInvalidNumber(): boolean {
    let i = this.index;
    if (this.at(i) === 43) return true;
    if (this.at(i) === 45) i++;
    const c = this.at(i);
    if (c === 48) {
      const next = this.at(i + 1);
      return (next | 0x20) === 120 || (next >= 48 && next <= 57);
    }
    if (c <= 57) return false;
    const word = fromLua(this.data.subarray(i, i + 3)).toLowerCase();
    return word === 'inf' || word === 'nan';
  }

  private numberToken(): Token {
    const start = this.index;
    const rest = fromLua(this.data.subarray(start, Math.min(this.data.length, start + 400)));
    const match = STRTOD.exec(rest.split('\0')[0]!);
    if (!match) return { type: 'T_ERROR', index: start, message: 'invalid number' };
    this.index += match[0].length;
    return { type: 'T_NUMBER', index: start, value: strtod(match[0]) };
  }

  private stringToken(): Token {
    const start = this.index;
    const bytes: number[] = [];
    this.index++;
    for (;;) {
      const c = this.at(this.index);
      if (c === 34) break;
      if (c === 0) return { type: 'T_ERROR', index: this.index, message: 'unexpected end of string' };
      if (c !== 92) {
        bytes.push(c);
        this.index++;
        continue;
      }
      const code = this.at(this.index + 1);
      if (code === 117) {
        if (!this.unicodeEscape(bytes)) {
          return { type: 'T_ERROR', index: this.index, message: 'invalid unicode escape code' };
        }
        continue;
      }
      const plain = SIMPLE_ESCAPES[code];
      if (plain === undefined) return { type: 'T_ERROR', index: this.index, message: 'invalid escape code' };
      bytes.push(plain);
      this.index += 2;
    }
    this.index++;
    return { type: 'T_STRING', index: start, bytes };
  }

  private hex4(at: number): number {
    let value = 0;
    for (let i = 0; i < 4; i++) {
      const digit = Number.parseInt(String.fromCharCode(this.at(at + i)), 16);
      if (Number.isNaN(digit)) return -1;
      value = value * 16 + digit;
    }
    return value;
  }

  /** \uXXXX (and surrogate pairs) as UTF-8 bytes. */
  private unicodeEscape(bytes: number[]): boolean {
    let code = this.hex4(this.index + 2);
    let length = 6;
    if (code < 0) return false;
    if ((code & 0xf800) === 0xd800) {
      if (code & 0x400) return false;
      if (this.at(this.index + 6) !== 92 || this.at(this.index + 7) !== 117) return false;
      const low = this.hex4(this.index + 8);
      if (low < 0 || (low & 0xfc00) !== 0xdc00) return false;
      code = (((code & 0x3ff) << 10) | (low & 0x3ff)) + 0x10000;
      length = 12;
    }
    if (code <= 0x7f) bytes.push(code);
    else if (code <= 0x7ff) bytes.push((code >> 6) | 0xc0, (code & 0x3f) | 0x80);
    else if (code <= 0xffff)
      bytes.push((code >> 12) | 0xe0, ((code >> 6) & 0x3f) | 0x80, (code & 0x3f) | 0x80);
    else {
      bytes.push(
        (code >> 18) | 0xf0,
        ((code >> 12) & 0x3f) | 0x80,
        ((code >> 6) & 0x3f) | 0x80,
        (code & 0x3f) | 0x80,
      );
    }
    this.index += length;
    return true;
  }

  next(): Token {
    let c = this.at(this.index);
    while (c === 32 || c === 9 || c === 10 || c === 13) c = this.at(++this.index);
    const index = this.index;
    if (c === 0) return { type: 'T_END', index };
    const single = SINGLE[c];
    if (single) {
      this.index++;
      return { type: single, index } as Token;
    }
    if (c === 34) return this.stringToken();
    if (c === 45 || (c >= 48 && c <= 57)) return this.numberToken();
    if (this.startsWith('true')) {
      this.index += 4;
      return { type: 'T_BOOLEAN', index, value: true };
    }
    if (this.startsWith('false')) {
      this.index += 5;
      return { type: 'T_BOOLEAN', index, value: false };
    }
    if (this.startsWith('null')) {
      this.index += 4;
      return { type: 'T_NULL', index };
    }
    if ((c === 43 || c === 105 || c === 73 || c === 110 || c === 78) && this.looksLikeInvalidNumber()) {
      return this.numberToken();
    }
    return { type: 'T_ERROR', index, message: 'invalid token' };
  }

  fail(expected: string, token: Token): never {
    const found = token.type === 'T_ERROR' ? token.message : token.type;
    return luaError(this.L, `Expected ${expected} but found ${found} at character ${token.index + 1}`);
  }

  /** Pushes the value that starts with `token`. */
  value(token: Token): void {
    const L = this.L;
    switch (token.type) {
      case 'T_STRING':
        lua.lua_pushstring(L, Uint8Array.from(token.bytes));
        return;
      case 'T_NUMBER':
        lua.lua_pushnumber(L, token.value);
        return;
      case 'T_BOOLEAN':
        lua.lua_pushboolean(L, token.value);
        return;
      case 'T_NULL':
        lua.lua_pushlightuserdata(L, JSON_NULL);
        return;
      case 'T_OBJ_BEGIN':
        this.descend(token);
        this.object();
        this.depth--;
        return;
      case 'T_ARR_BEGIN':
        this.descend(token);
        this.array();
        this.depth--;
        return;
      default:
        this.fail('value', token);
    }
  }

  private descend(token: Token): void {
    if (++this.depth > JSON_MAX_DEPTH) {
      luaError(
        this.L,
        `Found too many nested data structures (${this.depth}) at character ${token.index + 1}`,
      );
    }
    ensureStack(this.L, 4);
  }

  private object(): void {
    const L = this.L;
    lua.lua_createtable(L, 0, 0);
    let token = this.next();
    if (token.type === 'T_OBJ_END') return;
    for (;;) {
      if (token.type !== 'T_STRING') this.fail('object key string', token);
      lua.lua_pushstring(L, Uint8Array.from(token.bytes));
      token = this.next();
      if (token.type !== 'T_COLON') this.fail('colon', token);
      this.value(this.next());
      lua.lua_rawset(L, -3);
      token = this.next();
      if (token.type === 'T_OBJ_END') return;
      if (token.type !== 'T_COMMA') this.fail('comma or object end', token);
      token = this.next();
    }
  }

  private array(): void {
    const L = this.L;
    lua.lua_createtable(L, 0, 0);
    let token = this.next();
    if (token.type === 'T_ARR_END') return;
    for (let i = 1; ; i++) {
      this.value(token);
      lua.lua_rawseti(L, -2, i);
      token = this.next();
      if (token.type === 'T_ARR_END') return;
      if (token.type !== 'T_COMMA') this.fail('comma or array end', token);
      token = this.next();
    }
  }
}
