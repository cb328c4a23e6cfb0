/**
 * Lua 5.1 (Redis's) has only doubles, so `0x100000000` is 4294967296. fengari has Lua 5.3's 32-bit
 * integers, where a hex literal wraps (to 0 here) — BullMQ's `prio * 0x100000000` would then be wrong.
 * Before compiling, hex literals beyond the 32-bit range are rewritten as the decimal float they mean in
 * 5.1. Strings and comments are left alone; nothing else changes, so line numbers stay the same.
 */
export function widenHexLiterals(source: string): string {
  if (!/0[xX]/.test(source)) return source;
  let out = '';
  let i = 0;
  const n = source.length;
  while (i < n) {
    const c = source[i]!;
    if (c === '-' && source[i + 1] === '-') {
      const end = skipComment(source, i);
      out += source.slice(i, end);
      i = end;
    } else if (c === '"' || c === "'") {
      const end = skipQuoted(source, i);
      out += source.slice(i, end);
      i = end;
    } else if (c === '[' && /^\[=*\[/.test(source.slice(i, i + 64))) {
      const end = skipLong(source, i);
      out += source.slice(i, end);
      i = end;
    } else if (c === '0' && (source[i + 1] === 'x' || source[i + 1] === 'X') && !isNameChar(source[i - 1])) {
      const m = /^0[xX]([0-9a-fA-F]+)(?![0-9a-zA-Z_.])/.exec(source.slice(i, i + 40));
      if (m && Number.parseInt(m[1]!, 16) > 0x7fffffff) {
        out += `${BigInt(`0x${m[1]}`).toString()}.0`;
        i += m[0].length;
      } else {
        out += c;
        i++;
      }
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

function isNameChar(c: string | undefined): boolean {
  return c !== undefined && /[0-9A-Za-z_.]/.test(c);
}

function skipQuoted(s: string, start: number): number {
  const quote = s[start];
  let i = start + 1;
  while (i < s.length && s[i] !== quote && s[i] !== '\n') i += s[i] === '\\' ? 2 : 1;
  return Math.min(i + 1, s.length);
}

function skipLong(s: string, start: number): number {
  const level = /^\[(=*)\[/.exec(s.slice(start))![1]!.length;
  const close = `]${'='.repeat(level)}]`;
  const end = s.indexOf(close, start + level + 2);
  return end < 0 ? s.length : end + close.length;
}

function skipComment(s: string, start: number): number {
  if (/^--\[=*\[/.test(s.slice(start, start + 64))) return skipLong(s, start + 2);
  const end = s.indexOf('\n', start);
  return end < 0 ? s.length : end;
}
