import { createHash } from 'node:crypto';
import { getHeapStatistics } from 'node:v8';
import { BlockRequest, type CommandSpec, DEFERRED, NO_REPLY } from '../commands/registry.js';
import type { BusyScript, Engine } from '../engine.js';
import { OOM_ERROR } from '../memory/policy.js';
import { RedisError } from '../resp/errors.js';
import { ErrorReply, type Reply } from '../resp/reply.js';
import type { Session } from '../session.js';
import { formatDouble } from '../util/numbers.js';
import { BIT_LIBRARY } from './bit.js';
import { CJSON_LIBRARY, JSON_NULL } from './cjson.js';
import { CMSGPACK_LIBRARY } from './cmsgpack.js';
import { installCompat, removeLua53Names } from './compat.js';
import {
  errorMessage,
  errorText,
  popReply,
  pushErrorTable,
  pushName,
  pushReply,
  setField,
} from './convert.js';
import {
  fromLua,
  type LuaState,
  latin1At,
  lauxlib,
  lua,
  lualib,
  overwriteSequence,
  pushLatin1,
  resetIdleThread,
  setReadonly,
  tableEntryCount,
  toLua,
} from './fengari.js';
import { widenHexLiterals } from './hex-literals.js';
import { LIBRARIES, PRELUDE } from './prelude.js';
import { RedisRandom } from './random.js';
import { readShebang, type ScriptFlags } from './shebang.js';
import { STRUCT_LIBRARY } from './struct.js';

export const sha1hex = (body: string): string => createHash('sha1').update(body, 'latin1').digest('hex');

/**
 * One invocation in progress: what the Lua side reaches (redis.call, the hook), the coroutine it runs in
 * and what to restore when it ends. One object per call, as EVALSHA is a hot path.
 */
class Run {
  /** The protocol redis.call replies are converted from (redis.setresp). */
  resp: 2 | 3 = 2;
  /** A write command ran: SCRIPT KILL can no longer stop the script. */
  wrote = false;
  /** SCRIPT KILL / FUNCTION KILL asked the script to stop. */
  killed = false;
  readonly savedDb: Session['db'];
  readonly savedProtocol: 2 | 3;
  readonly savedInTransaction: boolean;
  readonly savedLastCommand: Session['lastCommand'];
  constructor(
    readonly session: Session,
    readonly sha: string,
    readonly readOnly: boolean,
    readonly thread: LuaState,
    readonly outer: Run | undefined,
    readonly unfreeze: boolean,
  ) {
    this.savedDb = session.db;
    this.savedProtocol = session.protocol;
    this.savedInTransaction = session.executingTransaction;
    this.savedLastCommand = session.lastCommand;
  }
}

/**
 * How much a long script may grow the process's memory (JS heap and the byte arrays of its strings):
 * half of what the heap has left when the check starts, at most 1 GiB.
 */
class MemoryBudget {
  private readonly start = usedMemory();
  private readonly allowed: number;
  constructor() {
    const { heap_size_limit, used_heap_size } = getHeapStatistics();
    this.allowed = Math.min(2 ** 30, (heap_size_limit - used_heap_size) / 2);
  }
  exceeded(): boolean {
    return usedMemory() - this.start > this.allowed;
  }
}

function usedMemory(): number {
  const { used_heap_size, external_memory } = getHeapStatistics();
  return used_heap_size + external_memory;
}

/** While busy, a script runs this long between turns of the event loop that answer other clients. */
const BUSY_SLICE_MS = 10;

const REDIS_VERSION = '7.0.15';
const REDIS_VERSION_NUM = 0x07000f;

/**
 * One Lua VM per engine: the script cache (sha → compiled function) and the bridge that runs engine
 * commands for redis.call. Scripts run to completion synchronously, so nothing interleaves with them.
 */
export class ScriptRunner {
  readonly L: LuaState;
  private readonly scripts = new Map<string, { ref: number; flags: ScriptFlags }>();
  readonly globalsRef: number;
  readonly handlerRef: number;
  private readonly envRef: number;
  private context: Run | undefined;
  /** Base library's xpcall, before the prelude: scripts run as xpcall(f, handler, …) in a coroutine. */
  private readonly xpcallRef: number;
  private readonly idleThreads: LuaState[] = [];

  constructor(readonly engine: Engine) {
    const L = lauxlib.luaL_newstate();
    this.L = L;
    const libs: Array<[string, (L: LuaState) => number]> = [
      ['_G', lualib.luaopen_base],
      ['string', lualib.luaopen_string],
      ['table', lualib.luaopen_table],
      ['math', lualib.luaopen_math],
      ['coroutine', lualib.luaopen_coroutine],
      ['debug', lualib.luaopen_debug],
    ];
    for (const [name, open] of libs) {
      lauxlib.luaL_requiref(L, name, open, 1);
      lua.lua_settop(L, -2);
    }
    // A host function that throws must surface as a script error, never as a corrupt error object.
    lua.lua_atnativeerror(L, (L) => {
      const error = lua.lua_touserdata(L, 1);
      pushLatin1(L, error instanceof Error ? error.message : String(error));
      return 1;
    });
    lua.lua_getglobal(L, 'xpcall');
    this.xpcallRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
    installCompat(L);
    lua.lua_getglobal(L, 'math');
    for (const [name, fn] of Object.entries(new RedisRandom().library())) {
      lua.lua_pushcfunction(L, fn);
      lua.lua_setfield(L, -2, name);
    }
    lua.lua_settop(L, -2);
    lua.lua_createtable(L, 0, 12);
    for (const [name, fn] of Object.entries(BIT_LIBRARY)) {
      lua.lua_pushcfunction(L, fn);
      lua.lua_setfield(L, -2, name);
    }
    lua.lua_setglobal(L, 'bit');
    lua.lua_createtable(L, 0, 6);
    for (const [name, fn] of Object.entries(CJSON_LIBRARY)) {
      lua.lua_pushcfunction(L, fn);
      lua.lua_setfield(L, -2, name);
    }
    lua.lua_pushlightuserdata(L, JSON_NULL);
    lua.lua_setfield(L, -2, 'null');
    lua.lua_pushstring(L, 'cjson');
    lua.lua_setfield(L, -2, '_NAME');
    lua.lua_pushstring(L, '2.1.0');
    lua.lua_setfield(L, -2, '_VERSION');
    lua.lua_setglobal(L, 'cjson');
    lua.lua_createtable(L, 0, 8);
    for (const [name, fn] of Object.entries(CMSGPACK_LIBRARY)) {
      lua.lua_pushcfunction(L, fn);
      lua.lua_setfield(L, -2, name);
    }
    const about: Record<string, string> = {
      _NAME: 'cmsgpack',
      _VERSION: 'lua-cmsgpack 0.4.0',
      _COPYRIGHT: 'Copyright (C) 2012, Salvatore Sanfilippo',
      _DESCRIPTION: 'MessagePack C implementation for Lua',
    };
    for (const [name, value] of Object.entries(about)) {
      lua.lua_pushstring(L, value);
      lua.lua_setfield(L, -2, name);
    }
    lua.lua_setglobal(L, 'cmsgpack');
    lua.lua_createtable(L, 0, 3);
    for (const [name, fn] of Object.entries(STRUCT_LIBRARY)) {
      lua.lua_pushcfunction(L, fn);
      lua.lua_setfield(L, -2, name);
    }
    lua.lua_setglobal(L, 'struct');
    if (lauxlib.luaL_loadbuffer(L, toLua(PRELUDE), PRELUDE.length, '=prelude') !== lua.LUA_OK) {
      throw new Error(`scripting prelude: ${fromLua(lua.lua_tolstring(L, -1)!)}`);
    }
    this.pushRedisTable();
    lua.lua_pcall(L, 1, 2, 0);
    removeLua53Names(L);
    this.handlerRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
    lua.lua_pushvalue(L, -1);
    this.globalsRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
    // A name missing from the globals is an error, not nil.
    lua.lua_createtable(L, 0, 1);
    lua.lua_pushcfunction(L, missingGlobal);
    lua.lua_setfield(L, -2, '__index');
    lua.lua_setmetatable(L, -2);
    // Scripts see the globals table itself, read-only as Redis locks it (with the libraries in it):
    // assignments, rawset and setmetatable raise "Attempt to modify a readonly table".
    lua.lua_pushvalue(L, -1);
    lua.lua_setfield(L, -2, '_G');
    for (const name of LIBRARIES) {
      lua.lua_getfield(L, -1, name);
      setReadonly(L, -1, true);
      lua.lua_settop(L, -2);
    }
    setReadonly(L, -1, true);
    lua.lua_pushvalue(L, -1);
    this.envRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
    lua.lua_settop(L, 0);
  }

  private pushRedisTable(): void {
    const L = this.L;
    lua.lua_createtable(L, 0, 24);
    const fns: Record<string, (L: LuaState) => number> = {
      call: (L) => this.redisCall(L, true),
      pcall: (L) => this.redisCall(L, false),
      sha1hex: (L) => {
        if (lua.lua_gettop(L) !== 1) return raise(L, 'wrong number of arguments');
        const s = lua.lua_tolstring(L, 1);
        lua.lua_pushstring(L, sha1hex(s ? fromLua(s) : ''));
        return 1;
      },
      error_reply: (L) => {
        if (lua.lua_gettop(L) !== 1 || lua.lua_type(L, -1) !== lua.LUA_TSTRING) {
          pushErrorTable(L, 'wrong number or type of arguments');
          return 1;
        }
        const text = fromLua(lua.lua_tolstring(L, -1)!);
        pushErrorTable(L, text.startsWith('-') ? text : `-${text}`);
        return 1;
      },
      status_reply: (L) => {
        if (lua.lua_gettop(L) !== 1 || lua.lua_type(L, -1) !== lua.LUA_TSTRING) {
          pushErrorTable(L, 'wrong number or type of arguments');
          return 1;
        }
        lua.lua_createtable(L, 0, 1);
        setField(L, 'ok', () => lua.lua_pushvalue(L, -3));
        return 1;
      },
      setresp: (L) => {
        if (lua.lua_gettop(L) !== 1) return raise(L, 'redis.setresp() requires one argument.');
        const resp = lua.lua_tonumber(L, 1);
        if (resp !== 2 && resp !== 3) return raise(L, 'RESP version must be 2 or 3.');
        if (this.context) this.context.resp = resp;
        return 0;
      },
      set_repl: (L) => {
        if (lua.lua_gettop(L) !== 1) return raise(L, 'redis.set_repl() requires two arguments.');
        const flags = lua.lua_tonumber(L, 1);
        if (!Number.isInteger(flags) || flags < 0 || flags > 3) {
          return raise(L, 'Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.');
        }
        return 0;
      },
      acl_check_cmd: (L) => this.aclCheck(L),
      breakpoint: (L) => {
        lua.lua_pushboolean(L, false);
        return 1;
      },
      debug: () => 0,
      replicate_commands: (L) => {
        lua.lua_pushboolean(L, true);
        return 1;
      },
      log: (L) => {
        const argc = lua.lua_gettop(L);
        if (argc < 2) return raise(L, 'redis.log() requires two arguments or more.');
        if (lua.lua_type(L, 1) !== lua.LUA_TNUMBER)
          return raise(L, 'First argument must be a number (log level).');
        const level = lua.lua_tonumber(L, 1);
        if (level < 0 || level > 3) return raise(L, 'Invalid debug level.');
        return 0;
      },
    };
    for (const [name, fn] of Object.entries(fns)) {
      lua.lua_pushcfunction(L, fn);
      lua.lua_setfield(L, -2, name);
    }
    const numbers: Record<string, number> = {
      LOG_DEBUG: 0,
      LOG_VERBOSE: 1,
      LOG_NOTICE: 2,
      LOG_WARNING: 3,
      REPL_NONE: 0,
      REPL_AOF: 1,
      REPL_SLAVE: 2,
      REPL_REPLICA: 2,
      REPL_ALL: 3,
      REDIS_VERSION_NUM,
    };
    for (const [name, value] of Object.entries(numbers)) {
      lua.lua_pushnumber(L, value);
      lua.lua_setfield(L, -2, name);
    }
    lua.lua_pushstring(L, REDIS_VERSION);
    lua.lua_setfield(L, -2, 'REDIS_VERSION');
  }

  has(sha: string): boolean {
    return this.cachedSha(sha) !== undefined;
  }

  /** The script cache's key for `sha` (SHA1 digests are case-insensitive), or undefined if not cached. */
  cachedSha(sha: string): string | undefined {
    if (this.scripts.has(sha)) return sha;
    const lower = sha.toLowerCase();
    return this.scripts.has(lower) ? lower : undefined;
  }

  /** Compiles and caches a script; returns its sha, or throws Redis's compile error. */
  load(body: string): string {
    const sha = sha1hex(body);
    if (this.scripts.has(sha)) return sha;
    const L = this.L;
    const { flags, source } = readShebang(body);
    const bytes = toLua(widenHexLiterals(source));
    if (lauxlib.luaL_loadbuffer(L, bytes, bytes.length, '@user_script') !== lua.LUA_OK) {
      const message = fromLua(lua.lua_tolstring(L, -1) ?? new Uint8Array());
      lua.lua_settop(L, 0);
      throw new RedisError(`ERR Error compiling script (new function): ${as51CompileError(message)}`);
    }
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, this.envRef);
    lua.lua_setupvalue(L, -2, 1);
    this.scripts.set(sha, { ref: lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX), flags });
    return sha;
  }

  flush(): void {
    for (const { ref } of this.scripts.values()) lauxlib.luaL_unref(this.L, lua.LUA_REGISTRYINDEX, ref);
    this.scripts.clear();
  }

  /**
   * Runs a cached script for a client, atomically and with time frozen. `argv` is the EVAL-style command
   * (name, script or sha, numkeys, the keys, the arguments).
   */
  run(
    session: Session,
    sha: string,
    argv: string[],
    numkeys: number,
    readOnlyCommand: boolean,
  ): Reply | typeof DEFERRED {
    const script = this.scripts.get(sha);
    if (script === undefined) throw new RedisError('NOSCRIPT No matching script. Please use EVAL.');
    const { ref, flags } = script;
    if (readOnlyCommand && flags.declared && !flags.noWrites) {
      throw new RedisError('ERR Can not execute a script with write flag using *_ro command.');
    }
    return this.invoke(
      session,
      sha,
      readOnlyCommand || flags.noWrites,
      (L) => {
        lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, this.globalsRef);
        const firstArg = FIRST_KEY + numkeys;
        refill(L, 'KEYS', argv, FIRST_KEY, firstArg);
        refill(L, 'ARGV', argv, firstArg, argv.length);
        lua.lua_settop(L, -2);
        lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, ref);
        return 0;
      },
      'eval',
      argv,
    );
  }

  /**
   * Runs Lua code for a client atomically, with time frozen and blocking disabled. `push` pushes the
   * function to call and its arguments, and returns the number of arguments. `name` is what errors
   * call the script (its sha, or a function's name).
   *
   * The code runs in a coroutine. Past busy-reply-threshold it yields to the event loop every few ms, and
   * while it runs the engine answers other clients with BUSY (SCRIPT KILL can stop it), as Redis does;
   * the client's reply is then DEFERRED. Where the caller needs the reply now (inside EXEC, callSync)
   * the script is stopped with an error at the threshold instead.
   */
  invoke(
    session: Session,
    name: string,
    readOnly: boolean,
    push: (L: LuaState) => number,
    kind: 'eval' | 'function' = 'eval',
    argv: string[] = [],
  ): Reply | typeof DEFERRED {
    const startedAt = performance.now();
    const run = new Run(
      session,
      name,
      readOnly,
      this.idleThreads.pop() ?? this.newThread(),
      this.context,
      this.engine.freezeTime(),
    );
    this.context = run;
    session.executingTransaction = true;
    const T = run.thread;
    let status: number;
    try {
      lua.lua_settop(T, 0);
      lua.lua_rawgeti(T, lua.LUA_REGISTRYINDEX, this.xpcallRef);
      const nargs = push(T);
      lua.lua_rawgeti(T, lua.LUA_REGISTRYINDEX, this.handlerRef);
      lua.lua_insert(T, 3);
      const deferrable = !run.savedInTransaction && session.deferrable && run.outer === undefined;
      this.armTimeLimit(run, deferrable);
      status = lua.lua_resume(T, null, nargs + 2);
    } catch (error) {
      this.end(run, false);
      throw error;
    }
    if (status !== lua.LUA_YIELD) return this.finish(run, status);
    const busy: BusyScript = {
      kind,
      name,
      argv,
      startedAt,
      kill: () => {
        if (run.wrote) return false;
        run.killed = true;
        return true;
      },
    };
    this.engine.busyScript = busy;
    const resume = () => {
      let next: number;
      try {
        next = lua.lua_resume(T, null, 0);
      } catch (error) {
        this.end(run, false);
        this.engine.busyScript = undefined;
        this.engine.finishDeferred(session, new ErrorReply(`ERR ${String(error)}`));
        return;
      }
      if (next === lua.LUA_YIELD) {
        setImmediate(resume);
        return;
      }
      const reply = this.finish(run, next);
      this.engine.busyScript = undefined;
      this.engine.finishDeferred(session, reply);
    };
    setImmediate(resume);
    return DEFERRED;
  }

  private newThread(): LuaState {
    const thread = lua.lua_newthread(this.L);
    lua.lua_settop(this.L, -2);
    return thread;
  }

  /** The reply of a finished run (xpcall's results are on the coroutine's stack). */
  private finish(run: Run, status: number): Reply {
    const T = run.thread;
    let reply: Reply;
    try {
      if (status !== lua.LUA_OK) reply = scriptError(T, run.sha);
      else if (lua.lua_toboolean(T, 1)) {
        run.session.protocol = run.savedProtocol;
        lua.lua_settop(T, 2);
        reply = popReply(T, run.resp, run.sha);
      } else {
        lua.lua_settop(T, 2);
        reply = scriptError(T, run.sha);
      }
    } finally {
      this.end(run, status === lua.LUA_OK);
    }
    return reply;
  }

  /** Restores what the run changed; a coroutine that ended cleanly is kept for the next run. */
  private end(run: Run, reusable: boolean): void {
    const T = run.thread;
    lua.lua_sethook(T, null, 0, 0);
    if (reusable) {
      lua.lua_settop(T, 0);
      resetIdleThread(T);
      this.idleThreads.push(T);
    }
    this.context = run.outer;
    const { session } = run;
    session.db = run.savedDb;
    session.protocol = run.savedProtocol;
    session.executingTransaction = run.savedInTransaction;
    session.lastCommand = run.savedLastCommand;
    if (run.unfreeze) this.engine.thawTime();
  }

  /**
   * Checks the script every 10,000 instructions: past busy-reply-threshold it yields (when `deferrable`)
   * or stops with an error; a killed script stops at the next check; so does one whose memory grew past
   * its budget (a runaway table must not take the whole process down).
   */
  private armTimeLimit(run: Run, deferrable: boolean): void {
    const limit = this.engine.config.number('busy-reply-threshold');
    const T = run.thread;
    const deadline = limit > 0 ? performance.now() + limit : Number.POSITIVE_INFINITY;
    let lastYield = 0;
    let memory: MemoryBudget | undefined;
    lua.lua_sethook(
      T,
      (hooked) => {
        if (run.killed) raise(hooked, 'Script killed by user with SCRIPT KILL...');
        memory ??= new MemoryBudget();
        if (memory.exceeded()) raise(hooked, 'not enough memory');
        const now = performance.now();
        if (now < deadline) return;
        if (!deferrable) {
          raise(
            hooked,
            `Script killed after running longer than busy-reply-threshold (${limit} ms): its caller needs the reply at once (EXEC or callSync), so no other client could be served meanwhile`,
          );
        }
        // Only the script's own coroutine yields to the host (coroutines the script made inherit the
        // hook), and only where Lua can yield (not inside a host function that called back into Lua).
        if (hooked !== T || !lua.lua_isyieldable(hooked) || now - lastYield < BUSY_SLICE_MS) return;
        lastYield = now;
        lua.lua_yield(hooked, 0);
      },
      lua.LUA_MASKCOUNT,
      10_000,
    );
  }

  /** The command (or subcommand) argv names, as Redis's lookupCommand finds it. */
  private lookup(argv: string[]): CommandSpec | undefined {
    const commands = this.engine.commands;
    const spec = commands.lookup(argv[0]!);
    return spec?.subcommands && argv.length >= 2 ? commands.lookupSubcommand(spec, argv[1]!) : spec;
  }

  /** redis.acl_check_cmd: whether the script's user may run the command (which must exist). */
  private aclCheck(L: LuaState): number {
    const argv = commandArguments(L);
    if (typeof argv === 'object' && !Array.isArray(argv)) return raise(L, argv.error);
    const spec = this.lookup(argv);
    if (!spec) return raise(L, 'Invalid command passed to redis.acl_check_cmd()');
    const acl = this.engine.acl;
    const session = this.context?.session;
    lua.lua_pushboolean(L, acl.open || !session || !acl.verdict(acl.userOf(session), spec, argv));
    return 1;
  }

  /** redis.call / redis.pcall: runs one engine command for the script's client. */
  private redisCall(L: LuaState, raiseErrors: boolean): number {
    const context = this.context;
    if (!context) return raise(L, 'redis.call/pcall can only be called inside a script invocation');
    const argv = commandArguments(L);
    if (typeof argv === 'object' && !Array.isArray(argv)) return callFailed(L, argv.error, raiseErrors);
    const argc = argv.length;
    const engine = this.engine;
    const spec = this.lookup(argv);
    if (!spec) return callFailed(L, 'Unknown Redis command called from script', raiseErrors);
    if ((spec.arity > 0 && argc !== spec.arity) || argc < -spec.arity) {
      return callFailed(L, 'Wrong number of args calling Redis command from script', raiseErrors);
    }
    if (spec.flags.includes('noscript'))
      return callFailed(L, 'This Redis command is not allowed from script', raiseErrors);
    if (!engine.acl.open) {
      const denied = engine.acl.checkScript(context.session, spec, argv);
      if (denied !== undefined) return callFailed(L, denied, raiseErrors);
    }
    if (context.readOnly && spec.flags.includes('write')) {
      return callFailed(L, 'Write commands are not allowed from read-only scripts.', raiseErrors);
    }
    // Memory full when the script started: its first write that may grow memory is refused (Redis 7).
    if (!context.wrote && engine.memory.refusesScriptWrite(spec)) {
      return callFailed(L, `-${OOM_ERROR}`, raiseErrors);
    }
    if (spec.flags.includes('write')) {
      const refusal = engine.diskWriteError();
      if (refusal !== undefined) return callFailed(L, `-${refusal}`, raiseErrors);
      context.wrote = true;
    }
    const session = context.session;
    session.protocol = context.resp;
    // SLOWLOG and MONITOR show the command as the script client's.
    engine.callLog.scriptDepth++;
    let result: ReturnType<Engine['call']>;
    try {
      result = engine.call(session, spec, argv);
    } finally {
      engine.callLog.scriptDepth--;
    }
    const reply = result === NO_REPLY ? null : result instanceof BlockRequest ? result.timeoutReply : result;
    if (reply instanceof ErrorReply && raiseErrors) {
      pushErrorTable(L, `-${reply.message}`);
      return lua.lua_error(L);
    }
    pushReply(L, reply, context.resp);
    return 1;
  }
}

/** redis.call raises the error table; redis.pcall returns it. */
function callFailed(L: LuaState, message: string, raiseErrors: boolean): number {
  lua.lua_settop(L, 0);
  pushErrorTable(L, message);
  return raiseErrors ? lua.lua_error(L) : 1;
}

/** %.17g, with a fast path for the common integral case (where it equals JS's own formatting). */
function numberArgument(n: number): string {
  return Number.isInteger(n) && Math.abs(n) < 1e17 && !Object.is(n, -0) ? String(n) : formatDouble(n);
}

/** Lua 5.3's parser messages in 5.1's wording: 5.1 quotes every token it names. */
export function as51CompileError(message: string): string {
  return message
    .replace(/(^|[ :])(<eof>|<name>|<string>|<number>|<integer>)( expected|$)/g, "$1'$2'$3")
    .replace(/ \(starting at line \d+\)/, '');
}

/** Lua 5.3 names the culprit after the value ('a nil value (local 'x')'); 5.1 names it first. */
function as51RuntimeError(message: string): string {
  return message
    .replace(
      /attempt to ([a-z ]+?) a (\w+) value \((local|global|field|upvalue|method) ('[^']*')\)/,
      'attempt to $1 $3 $4 (a $2 value)',
    )
    .replace(/(attempt to [a-z ]+? a \w+ value) \(constant '[^']*'\)/, '$1');
}

/** A library call's arguments as a command line (numbers with 17 digits, as Redis formats them). */
function commandArguments(L: LuaState): string[] | { error: string } {
  const argc = lua.lua_gettop(L);
  if (argc === 0) return { error: 'Please specify at least one argument for this redis lib call' };
  const argv = new Array<string>(argc);
  for (let i = 0; i < argc; i++) {
    const text = latin1At(L, i + 1);
    if (text !== undefined) argv[i] = text;
    else if (lua.lua_type(L, i + 1) === lua.LUA_TNUMBER) argv[i] = numberArgument(lua.lua_tonumber(L, i + 1));
    else return { error: 'Lua redis lib command arguments must be strings or integers' };
  }
  lua.lua_settop(L, 0);
  return argv;
}

/** Where EVAL's keys start in its argv (EVAL script numkeys key… arg…). */
const FIRST_KEY = 3;

/**
 * Sets global `name` (in the globals table on top of the stack) to the sequence `items[from..to)`. The previous
 * run's table is refilled when it still holds nothing but its sequence (a script cannot keep a reference
 * to it: every table a script could store it in is read-only), else a new one replaces it.
 */
function refill(L: LuaState, name: string, items: string[], from: number, to: number): void {
  pushName(L, name);
  const count = to - from;
  if (lua.lua_rawget(L, -2) === lua.LUA_TTABLE) {
    const previous = tableEntryCount(L, -1);
    for (let i = overwriteSequence(L, -1, items, from, to); i < count; i++) {
      pushLatin1(L, items[from + i]!, true);
      lua.lua_rawseti(L, -2, i + 1);
    }
    for (let i = count + 1; i <= previous; i++) {
      lua.lua_pushnil(L);
      lua.lua_rawseti(L, -2, i);
    }
    const reused = tableEntryCount(L, -1) === count;
    lua.lua_settop(L, -2);
    if (reused) return;
  } else lua.lua_settop(L, -2);
  setReadonly(L, -1, false);
  setField(L, name, () => pushStrings(L, items, from, to));
  setReadonly(L, -1, true);
}

/** Pushes a new sequence table of `items[from..to)` (KEYS/ARGV of a script, keys/args of a function). */
export function pushStrings(L: LuaState, items: string[], from = 0, to = items.length): void {
  lua.lua_createtable(L, to - from, 0);
  for (let i = from; i < to; i++) {
    pushLatin1(L, items[i]!, true);
    lua.lua_rawseti(L, -2, i - from + 1);
  }
}

/** Raises Redis's error object from a library function. */
export function raise(L: LuaState, message: string): never {
  pushErrorTable(L, message);
  return lua.lua_error(L);
}

/** __index of the globals: reading a name that does not exist is an error. */
export function missingGlobal(L: LuaState): number {
  const name = lua.lua_type(L, 2) === lua.LUA_TSTRING ? fromLua(lua.lua_tolstring(L, 2)!) : '?';
  lauxlib.luaL_where(L, 1);
  pushLatin1(L, `Script attempted to access nonexistent global variable '${name}'`);
  lua.lua_concat(L, 2);
  return lua.lua_error(L);
}

/** __newindex of protected tables. */
export function readonlyError(L: LuaState): number {
  lauxlib.luaL_where(L, 1);
  lua.lua_pushstring(L, 'Attempt to modify a readonly table');
  lua.lua_concat(L, 2);
  return lua.lua_error(L);
}

/** The error reply of a script that failed, from the object the message handler built. */
function scriptError(L: LuaState, sha: string): ErrorReply {
  if (lua.lua_type(L, -1) !== lua.LUA_TTABLE) {
    const text = lua.lua_tolstring(L, -1);
    return new ErrorReply(
      `ERR Error running script ${sha}, ${text ? fromLua(text).slice(0, 100) : 'execution failure'}`,
    );
  }
  pushName(L, 'err');
  const err = lua.lua_rawget(L, -2) === lua.LUA_TSTRING ? fromLua(lua.lua_tolstring(L, -1)!) : undefined;
  lua.lua_settop(L, -2);
  const message = errorMessage(L, as51RuntimeError(err ?? errorText('')), sha);
  return new ErrorReply(message.replace(/[\r\n]/g, ' '));
}

const runners = new WeakMap<Engine, ScriptRunner>();

/** The engine's script runner, created (with its Lua VM) on first use. */
export function scriptRunner(engine: Engine): ScriptRunner {
  let runner = runners.get(engine);
  if (!runner) runners.set(engine, (runner = new ScriptRunner(engine)));
  return runner;
}
