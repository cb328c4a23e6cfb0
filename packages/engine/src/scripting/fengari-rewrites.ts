/**
 * fengari's sources are rewritten as they load (see loadFengari in fengari.ts; fengari is pinned, and
 * the counts let a test notice a rewrite that no longer matches):
 * - stack slots as C Lua has them: fengari released a slot with `delete stack[i]` (which also turned the
 *   stack array into a slow dictionary-mode array) and put a fresh TValue object in every slot it grew
 *   or pushed, several per call. Now a popped slot keeps its object and growing the stack or pushing
 *   reuses it (set in place), and CallInfo records are reused as C Lua's `next_ci` does. An open upvalue
 *   is the stack slot's own object in fengari, so luaF_close also detaches every slot above the top
 *   (where such an object could otherwise be reused). The first step made scripts ~2.5× faster; the
 *   rest, with the host-side work, cut EVALSHA's cost by ~40 % (docs/scripting.md, Performance);
 * - a table's map of deleted entries is made on its first deletion rather than with every table;
 * - every string pushed is copied with `Uint8Array.from`, which walks the iterator protocol; the
 *   constructor copies an array or typed array directly;
 * - strings get a `latin1` slot for their JS form (latin1At in fengari.ts), metatables one for their
 *   __index (fengari cached only a metamethod's absence);
 * - tables get Redis's read-only flag (setReadonly in fengari.ts);
 * - string size: scripts may build strings of at most 512 MB (Redis's largest bulk string), refused with
 *   Lua's own errors ("string length overflow", "resulting string too large") before anything is
 *   allocated, and string.rep fills its result by doubling copies instead of one copy per repetition;
 * - a fix: lua_pcallk must save whether hooks were allowed in the call's status bits (C Lua's `setoah`),
 *   but fengari's expression leaves the bit unset, so after a pcall inside a coroutine caught an error,
 *   hooks stayed off for good (a script could then loop past busy-reply-threshold unchecked).
 */
/** The source of the check a rewrite adds before a write to the table `table`. */
function readonlyCheck(table: string): string {
  return `if (${table}.readonly) ldebug.luaG_runerror(L, to_luastring("Attempt to modify a readonly table", true));`;
}

/** The longest string a script may build: 512 MB, Redis's proto-max-bulk-len default. */
const MAX_SCRIPT_STRING = 512 * 1024 * 1024;

const REWRITES = [
  // Before the `delete` rewrite below, which would otherwise take adjust_top's pops.
  {
    pattern:
      /(const adjust_top = function\(L, newtop\) \{\n\s*if \(L\.top < newtop\) \{\n\s*while \(L\.top < newtop\))\n\s*L\.stack\[L\.top\+\+\] = new lobject\.TValue\(LUA_TNIL, null\);\n\s*\} else \{\n\s*while \(L\.top > newtop\)\n\s*delete L\.stack\[--L\.top\];\n\s*\}/g,
    replacement:
      '$1 { const slot = L.stack[L.top]; if (slot === undefined) L.stack[L.top] = new lobject.TValue(LUA_TNIL, null); else slot.setnilvalue(); L.top++; } } else L.top = newtop;',
  },
  {
    pattern: /(const luaF_close = function\(L, level\) \{[^}]*\{[^}]*\})/g,
    replacement: '$1 for (let i = Math.max(level, L.top); i < L.stack.length; i++) L.stack[i] = undefined;',
  },
  {
    pattern: /L\.stack\[L\.top\+\+\] = new TValue\((tv\.type|LUA_TLNGSTR), (tv\.value|ts)\);/g,
    replacement:
      '{ const slot = L.stack[L.top]; if (slot === undefined) L.stack[L.top] = new TValue($1, $2); else { slot.type = $1; slot.value = $2; } L.top++; }',
  },
  {
    pattern: /L\.stack\[L\.top\] = new TValue\((LUA_TNUMFLT|LUA_TNUMINT|LUA_TBOOLEAN), (n|!!b)\);/g,
    replacement:
      '{ const slot = L.stack[L.top]; if (slot === undefined) L.stack[L.top] = new TValue($1, $2); else { slot.type = $1; slot.value = $2; } }',
  },
  {
    pattern: /(const luaE_extendCI = function\(L\) \{\n\s*)let ci = new CallInfo\(\);/g,
    replacement: '$1let ci = L.ci.next; if (ci !== null) { L.ci = ci; return ci; } ci = new CallInfo();',
  },
  { pattern: /(L\.ci = ci\.previous;)\n\s*L\.ci\.next = null;/g, replacement: '$1' },
  { pattern: /delete (?:L1?|from)\.stack\[([^\]]*)\];/g, replacement: 'void ($1);' },
  {
    pattern: /luastring_from = Uint8Array\.from\.bind\(Uint8Array\);/g,
    replacement: 'luastring_from = (a) => new Uint8Array(a);',
  },
  // A metatable remembers its __index (fengari only caches a metamethod's absence): every read through
  // a proxy (function code's environment, objects with an __index table) looked it up again.
  { pattern: /(this\.flags = ~0;)/g, replacement: '$1 this.indexcache = null; this.readonly = false;' },
  // Read-only tables, as Redis's Lua has them for the globals and the libraries: any write (assignment,
  // rawset, table.insert …, setmetatable) raises Redis's error. See setReadonly.
  { pattern: /(let h = t\.value; \/\* save 't' table \*\/)/g, replacement: `$1 ${readonlyCheck('h')}` },
  {
    pattern:
      /(let v = L\.stack\[L\.top - 1\];\n\s*)(ltable\.luaH_setfrom\(L, o\.value, k, v\);\n\s*ltable\.invalidateTMcache)/g,
    replacement: `$1${readonlyCheck('o.value')} $2`,
  },
  {
    pattern: /(ltable\.luaH_setint\(o\.value, n, L\.stack\[L\.top - 1\]\);)/g,
    replacement: `${readonlyCheck('o.value')} $1`,
  },
  {
    pattern: /(case LUA_TTABLE: \{\n\s*)(obj\.value\.metatable = mt;)/g,
    replacement: `$1${readonlyCheck('obj.value')} $2`,
  },
  {
    pattern: /(const invalidateTMcache = function\(t\) \{\n\s*t\.flags = 0;)/g,
    replacement: '$1 t.indexcache = null;',
  },
  {
    pattern:
      /const fasttm = function\(l, et, e\) \{\n\s*return et === null \? null :\n\s*\(et\.flags & \(1 << e\)\) \? null : luaT_gettm\(et, e, l\.l_G\.tmname\[e\]\);/g,
    replacement:
      'const fasttm = function(l, et, e) { if (et === null || (et.flags & (1 << e))) return null; if (e !== TMS.TM_INDEX) return luaT_gettm(et, e, l.l_G.tmname[e]); let tm = et.indexcache; if (tm === null) et.indexcache = tm = luaT_gettm(et, e, l.l_G.tmname[e]); return tm;',
  },
  // A table's map of deleted entries (which lets `next` continue past a key removed during a traversal)
  // is made on the first deletion, not with every table: a script's returned table is often its only one.
  { pattern: /this\.dead_strong = new Map\(\);/g, replacement: 'this.dead_strong = void 0;' },
  { pattern: /t\.dead_strong\.clear\(\);/g, replacement: 't.dead_strong = void 0;' },
  {
    pattern: /t\.dead_strong\.set\(hash, e\);/g,
    replacement: '(t.dead_strong || (t.dead_strong = new Map())).set(hash, e);',
  },
  {
    pattern: /\|\| table\.dead_strong\.get\(hash\);/g,
    replacement: '|| (table.dead_strong !== void 0 && table.dead_strong.get(hash));',
  },
  // Exported for resetIdleThread.
  {
    pattern: /(module\.exports\.luaD_reallocstack\s*= luaD_reallocstack;)/g,
    replacement: '$1 module.exports.luaD_shrinkstack = luaD_shrinkstack;',
  },
  // A slot for the string's latin1 JS form, filled on first conversion (see latin1At).
  { pattern: /(constructor\(L, str\) \{\n\s*this\.hash = null;)/g, replacement: '$1 this.latin1 = null;' },
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
        return replacement.replace(/\$(\d)/g, (_, group: string) => match[Number(group)] ?? '');
      }),
    source,
  );
}
