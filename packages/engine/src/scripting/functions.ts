import type { DEFERRED } from '../commands/registry.js';
import type { Engine } from '../engine.js';
import { busyError, RedisError } from '../resp/errors.js';
import { MapReply, type Reply, SetReply, StatusReply } from '../resp/reply.js';
import type { Session } from '../session.js';
import { globMatch } from '../util/glob.js';
import { fromLua, type LuaState, lauxlib, lua, setReadonly, toLua } from './fengari.js';
import { widenHexLiterals } from './hex-literals.js';
import {
  as51CompileError,
  missingGlobal,
  pushStrings,
  raise,
  readonlyError,
  type ScriptRunner,
  scriptRunner,
} from './runner.js';

/** Function flags in the order Redis lists them. */
const FUNCTION_FLAGS = ['no-writes', 'allow-oom', 'allow-stale', 'no-cluster', 'allow-cross-slot-keys'];
const NAME = /^[A-Za-z0-9_]+$/;
const BAD_NAME =
  'Library names can only contain letters, numbers, or underscores(_) and must be at least one character long';

interface LuaFunction {
  name: string;
  ref: number;
  flags: string[];
  description: string | null;
  library: Library;
}

interface Library {
  name: string;
  code: string;
  functions: Map<string, LuaFunction>;
}

/** Reads `#!lua name=<library>` (Redis 7 function metadata). */
function readMetadata(code: string): string {
  if (!code.startsWith('#!')) throw new RedisError('ERR Missing library metadata');
  const end = code.indexOf('\n');
  const [engine, ...options] = code
    .slice(2, end < 0 ? code.length : end)
    .split(/[ \t]+/)
    .filter((part) => part !== '');
  let name: string | undefined;
  for (const option of options) {
    if (!option.startsWith('name=')) throw new RedisError(`ERR Invalid metadata value given: ${option}`);
    name = option.slice(5);
  }
  if (name === undefined) throw new RedisError('ERR Library name was not given');
  if ((engine ?? '').toLowerCase() !== 'lua') throw new RedisError(`ERR Engine '${engine ?? ''}' not found`);
  if (!NAME.test(name)) throw new RedisError(`ERR ${BAD_NAME}`);
  return name;
}

/**
 * FUNCTION libraries on the engine's Lua VM. Library code runs once, at FUNCTION LOAD, with a `redis`
 * table that only registers functions; the registered closures later run (FCALL) with the full `redis`
 * API. Both go through the same globals, whose `redis` entry is switched, as Redis does.
 */
export class FunctionLibraries {
  private readonly libraries = new Map<string, Library>();
  private readonly functions = new Map<string, LuaFunction>();
  /** The table holding `redis` for function code, and the two versions of it. */
  private readonly apiHolderRef: number;
  private readonly runtimeApiRef: number;
  private readonly loadApiRef: number;
  private readonly envRef: number;
  /** Functions registered by the library being loaded. */
  private pending: Map<string, Omit<LuaFunction, 'library'>> | undefined;

  constructor(private readonly runner: ScriptRunner) {
    const L = runner.L;
    // The two `redis` APIs, each behind a table whose missing names raise the usual error.
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, runner.globalsRef);
    lua.lua_getfield(L, -1, 'redis');
    this.runtimeApiRef = this.apiTable(L);
    this.pushLoadRedis(L);
    this.loadApiRef = this.apiTable(L);
    // Function globals: the script globals without KEYS/ARGV, `redis` coming from the switchable API.
    const globalsIndex = lua.lua_gettop(L);
    lua.lua_createtable(L, 0, 32);
    lua.lua_pushnil(L);
    while (lua.lua_next(L, globalsIndex)) {
      lua.lua_pushvalue(L, -2);
      lua.lua_insert(L, -2);
      lua.lua_rawset(L, -4);
    }
    for (const name of ['redis', 'KEYS', 'ARGV']) {
      lua.lua_pushnil(L);
      lua.lua_setfield(L, -2, name);
    }
    lua.lua_createtable(L, 0, 1);
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, this.runtimeApiRef);
    lua.lua_setfield(L, -2, '__index');
    lua.lua_pushvalue(L, -1);
    this.apiHolderRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
    lua.lua_setmetatable(L, -2);
    // The environment functions see: reads through to those globals, writes refused.
    lua.lua_createtable(L, 0, 0);
    lua.lua_createtable(L, 0, 2);
    lua.lua_pushvalue(L, -3);
    lua.lua_setfield(L, -2, '__index');
    lua.lua_pushcfunction(L, readonlyError);
    lua.lua_setfield(L, -2, '__newindex');
    lua.lua_setmetatable(L, -2);
    lua.lua_pushvalue(L, -1);
    lua.lua_setfield(L, -3, '_G');
    // Both read-only, as the scripts' globals (rawset and setmetatable included).
    setReadonly(L, -1, true);
    setReadonly(L, -2, true);
    this.envRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
    lua.lua_settop(L, 0);
  }

  /** Wraps the `redis` table on top of the stack as { redis = … } whose other names are errors. */
  private apiTable(L: LuaState): number {
    lua.lua_createtable(L, 0, 1);
    lua.lua_insert(L, -2);
    lua.lua_setfield(L, -2, 'redis');
    lua.lua_createtable(L, 0, 1);
    lua.lua_pushcfunction(L, missingGlobal);
    lua.lua_setfield(L, -2, '__index');
    lua.lua_setmetatable(L, -2);
    return lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
  }

  /** The `redis` table library code sees while loading: register_function, log and constants. */
  private pushLoadRedis(L: LuaState): void {
    lua.lua_createtable(L, 0, 12);
    lua.lua_pushcfunction(L, (L) => this.registerFunction(L));
    lua.lua_setfield(L, -2, 'register_function');
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, this.runner.globalsRef);
    lua.lua_getfield(L, -1, 'redis');
    for (const name of [
      'log',
      'LOG_DEBUG',
      'LOG_VERBOSE',
      'LOG_NOTICE',
      'LOG_WARNING',
      'REDIS_VERSION',
      'REDIS_VERSION_NUM',
    ]) {
      lua.lua_getfield(L, -1, name);
      lua.lua_setfield(L, -4, name);
    }
    lua.lua_settop(L, -3);
    // Read-only, and a missing name is an error (redis.call is not there while loading).
    lua.lua_createtable(L, 0, 0);
    lua.lua_createtable(L, 0, 2);
    lua.lua_pushvalue(L, -3);
    lua.lua_createtable(L, 0, 1);
    lua.lua_pushcfunction(L, missingGlobal);
    lua.lua_setfield(L, -2, '__index');
    lua.lua_setmetatable(L, -2);
    lua.lua_setfield(L, -2, '__index');
    lua.lua_pushcfunction(L, readonlyError);
    lua.lua_setfield(L, -2, '__newindex');
    lua.lua_setmetatable(L, -2);
    lua.lua_insert(L, -2);
    lua.lua_settop(L, -2);
  }

  private registerFunction(L: LuaState): number {
    const pending = this.pending;
    if (!pending) return raise(L, 'redis.register_function can only be called on FUNCTION LOAD command');
    const argc = lua.lua_gettop(L);
    if (argc < 1 || argc > 2) return raise(L, 'wrong number of arguments to redis.register_function');
    let name: string | undefined;
    let hasCallback = false;
    let description: string | null = null;
    const flags = new Set<string>();
    if (argc === 2) {
      const nameType = lua.lua_type(L, 1);
      if (nameType !== lua.LUA_TSTRING && nameType !== lua.LUA_TNUMBER) {
        return raise(L, 'first argument to redis.register_function must be a string');
      }
      if (lua.lua_type(L, 2) !== lua.LUA_TFUNCTION) {
        return raise(L, 'second argument to redis.register_function must be a function');
      }
      name = fromLua(lua.lua_tolstring(L, 1)!);
      hasCallback = true;
    } else {
      if (lua.lua_type(L, 1) !== lua.LUA_TTABLE) {
        return raise(
          L,
          'calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).',
        );
      }
      lua.lua_pushnil(L);
      while (lua.lua_next(L, 1)) {
        if (lua.lua_type(L, -2) !== lua.LUA_TSTRING)
          return raise(L, 'named argument key given to redis.register_function is not a string');
        const key = fromLua(lua.lua_tolstring(L, -2)!);
        const type = lua.lua_type(L, -1);
        if (key === 'function_name') {
          if (type !== lua.LUA_TSTRING)
            return raise(L, 'function_name argument given to redis.register_function must be a string');
          name = fromLua(lua.lua_tolstring(L, -1)!);
        } else if (key === 'description') {
          if (type !== lua.LUA_TSTRING)
            return raise(L, 'description argument given to redis.register_function must be a string');
          description = fromLua(lua.lua_tolstring(L, -1)!);
        } else if (key === 'callback') {
          if (type !== lua.LUA_TFUNCTION)
            return raise(L, 'callback argument given to redis.register_function must be a function');
          hasCallback = true;
        } else if (key === 'flags') {
          if (type !== lua.LUA_TTABLE)
            return raise(
              L,
              'flags argument to redis.register_function must be a table representing function flags',
            );
          for (let i = 1; lua.lua_rawgeti(L, -1, i) !== lua.LUA_TNIL; i++) {
            const flag = lua.lua_type(L, -1) === lua.LUA_TSTRING ? fromLua(lua.lua_tolstring(L, -1)!) : '';
            if (!FUNCTION_FLAGS.includes(flag)) return raise(L, 'unknown flag given');
            flags.add(flag);
            lua.lua_settop(L, -2);
          }
          lua.lua_settop(L, -2);
        } else return raise(L, 'unknown argument given to redis.register_function');
        lua.lua_settop(L, -2);
      }
      if (name === undefined) return raise(L, 'redis.register_function must get a function name argument');
      if (!hasCallback) return raise(L, 'redis.register_function must get a callback argument');
      lua.lua_settop(L, 1);
      lua.lua_getfield(L, 1, 'callback');
    }
    if (!NAME.test(name)) return raise(L, BAD_NAME);
    if (pending.has(name.toLowerCase())) return raise(L, 'Function already exists in the library');
    lua.lua_pushvalue(L, 2);
    const ref = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
    pending.set(name.toLowerCase(), {
      name,
      ref,
      flags: FUNCTION_FLAGS.filter((f) => flags.has(f)),
      description,
    });
    return 0;
  }

  /** Switches the `redis` function code sees between the load-time and the runtime API. */
  private useApi(ref: number): void {
    const L = this.runner.L;
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, this.apiHolderRef);
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, ref);
    lua.lua_setfield(L, -2, '__index');
    lua.lua_settop(L, -2);
  }

  /** FUNCTION LOAD: compiles and runs a library, then installs the functions it registered. */
  load(code: string, replace: boolean): string {
    const name = readMetadata(code);
    const existing = this.libraries.get(name);
    if (existing && !replace) throw new RedisError(`ERR Library '${name}' already exists`);
    const L = this.runner.L;
    lua.lua_settop(L, 0);
    const source = toLua(widenHexLiterals(`--${code}`));
    if (lauxlib.luaL_loadbuffer(L, source, source.length, '@user_function') !== lua.LUA_OK) {
      const message = fromLua(lua.lua_tolstring(L, -1) ?? new Uint8Array());
      lua.lua_settop(L, 0);
      throw new RedisError(`ERR Error compiling function: ${as51CompileError(message)}`);
    }
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, this.envRef);
    lua.lua_setupvalue(L, -2, 1);
    const pending = new Map<string, Omit<LuaFunction, 'library'>>();
    this.pending = pending;
    this.useApi(this.loadApiRef);
    let status: number;
    try {
      lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, this.runner.handlerRef);
      lua.lua_insert(L, 1);
      status = lua.lua_pcall(L, 0, 0, 1);
    } finally {
      this.pending = undefined;
      this.useApi(this.runtimeApiRef);
    }
    const release = () => {
      for (const fn of pending.values()) lauxlib.luaL_unref(L, lua.LUA_REGISTRYINDEX, fn.ref);
    };
    if (status !== lua.LUA_OK) {
      let err = 'ERR unknown error';
      if (lua.lua_type(L, -1) === lua.LUA_TTABLE) {
        lua.lua_getfield(L, -1, 'err');
        if (lua.lua_type(L, -1) === lua.LUA_TSTRING) err = fromLua(lua.lua_tolstring(L, -1)!);
      }
      lua.lua_settop(L, 0);
      release();
      throw new RedisError(`ERR Error registering functions: ${err}`);
    }
    lua.lua_settop(L, 0);
    if (pending.size === 0) throw new RedisError('ERR No functions registered');
    for (const fname of pending.keys()) {
      const owner = this.functions.get(fname);
      if (owner && owner.library !== existing) {
        release();
        throw new RedisError(`ERR Function ${pending.get(fname)!.name} already exists`);
      }
    }
    if (existing) this.delete(name);
    const library: Library = { name, code, functions: new Map() };
    for (const fn of pending.values()) {
      const installed = { ...fn, library };
      library.functions.set(fn.name.toLowerCase(), installed);
      this.functions.set(fn.name.toLowerCase(), installed);
    }
    this.libraries.set(name, library);
    return name;
  }

  delete(name: string): boolean {
    const library = this.libraries.get(name);
    if (!library) return false;
    for (const key of library.functions.keys()) this.functions.delete(key);
    this.release(library);
    this.libraries.delete(name);
    return true;
  }

  flush(): void {
    for (const name of [...this.libraries.keys()]) this.delete(name);
  }

  /** Every library's code (FUNCTION DUMP). */
  codes(): string[] {
    return [...this.libraries.values()].map((library) => library.code);
  }

  /**
   * FUNCTION RESTORE: the payload's libraries (fed by `read`, in payload order) are loaded apart from the
   * current ones, then take their place (FLUSH) or join them: APPEND refuses a library name that exists,
   * REPLACE swaps such libraries out, and both refuse a function name a remaining library holds. Any
   * error leaves the current libraries as they were.
   */
  restore(read: (load: (code: string) => void) => void, policy: 'flush' | 'append' | 'replace'): void {
    const current = [...this.libraries.values()];
    this.libraries.clear();
    this.functions.clear();
    let kept: Library[] = [];
    try {
      read((code) => this.load(code, false));
      if (policy !== 'flush') kept = joinable(current, [...this.libraries.values()], policy === 'replace');
    } catch (error) {
      this.flush();
      this.install(current);
      throw error;
    }
    for (const library of current) if (!kept.includes(library)) this.release(library);
    const restored = [...this.libraries.values()];
    this.libraries.clear();
    this.functions.clear();
    this.install([...kept, ...restored]);
  }

  private install(libraries: Library[]): void {
    for (const library of libraries) {
      this.libraries.set(library.name, library);
      for (const [key, fn] of library.functions) this.functions.set(key, fn);
    }
  }

  /** Frees a library's compiled functions (it is no longer installed). */
  private release(library: Library): void {
    for (const fn of library.functions.values()) {
      lauxlib.luaL_unref(this.runner.L, lua.LUA_REGISTRYINDEX, fn.ref);
    }
  }

  /** FCALL / FCALL_RO of a function `has` found. */
  call(
    session: Session,
    name: string,
    keys: string[],
    args: string[],
    readOnlyCommand: boolean,
    argv: string[] = [],
  ): Reply | typeof DEFERRED {
    const fn = this.functions.get(name.toLowerCase())!;
    const noWrites = fn.flags.includes('no-writes');
    if (readOnlyCommand && !noWrites) {
      throw new RedisError('ERR Can not execute a script with write flag using *_ro command.');
    }
    return this.runner.invoke(
      session,
      fn.name,
      readOnlyCommand || noWrites,
      (L) => {
        lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, fn.ref);
        pushStrings(L, keys);
        pushStrings(L, args);
        return 2;
      },
      'function',
      argv,
    );
  }

  /** Function names are case-insensitive. */
  has(name: string): boolean {
    return this.functions.has(name.toLowerCase());
  }

  /** FUNCTION LIST's reply. */
  list(pattern: string | undefined, withCode: boolean): Reply[] {
    const out: Reply[] = [];
    for (const library of this.libraries.values()) {
      if (pattern !== undefined && !globMatch(pattern, library.name, true)) continue;
      const functions = [...library.functions.values()].map(
        (fn) =>
          new MapReply([
            'name',
            fn.name,
            'description',
            fn.description,
            'flags',
            new SetReply(fn.flags.map((flag) => new StatusReply(flag))),
          ]),
      );
      const entries: Reply[] = ['library_name', library.name, 'engine', 'LUA', 'functions', functions];
      if (withCode) entries.push('library_code', library.code);
      out.push(new MapReply(entries));
    }
    return out;
  }

  stats(): Reply {
    const busy = this.runner.engine.busyScript;
    if (busy?.kind === 'eval') throw new RedisError(busyError('eval'));
    const running = busy
      ? new MapReply([
          'name',
          busy.name,
          'command',
          busy.argv,
          'duration_ms',
          Math.floor(performance.now() - busy.startedAt),
        ])
      : null;
    return new MapReply([
      'running_script',
      running,
      'engines',
      new MapReply([
        'LUA',
        new MapReply(['libraries_count', this.libraries.size, 'functions_count', this.functions.size]),
      ]),
    ]);
  }
}

/**
 * Which current libraries stay when `restored` joins them (Redis's libraryJoin): a name clash is an
 * error unless `replace` (the old library goes), and so is a function name a staying library holds.
 */
function joinable(current: Library[], restored: Library[], replace: boolean): Library[] {
  const names = new Set(restored.map((library) => library.name));
  const clash = restored.find((library) => current.some((old) => old.name === library.name));
  if (clash && !replace) throw new RedisError(`ERR Library ${clash.name} already exists`);
  const kept = current.filter((library) => !names.has(library.name));
  for (const library of restored) {
    for (const [key, fn] of library.functions) {
      if (kept.some((old) => old.functions.has(key))) {
        throw new RedisError(`ERR Function ${fn.name} already exists`);
      }
    }
  }
  return kept;
}

const registries = new WeakMap<Engine, FunctionLibraries>();

/** The engine's function libraries, created on first use. */
export function functionLibraries(engine: Engine): FunctionLibraries {
  let libraries = registries.get(engine);
  if (!libraries) registries.set(engine, (libraries = new FunctionLibraries(scriptRunner(engine))));
  return libraries;
}
