/**
 * Redis's glob matcher (stringmatchlen): `*`, `?`, `[abc]`, `[^a-z]`, and `\` escapes, on binary strings.
 * Iterative with backtracking on the last `*`, so hostile patterns stay linear-ish instead of exponential.
 */
export function globMatch(pattern: string, text: string, nocase = false): boolean {
  // Redis's matcher never enters its loop for an empty string, so only an empty pattern matches it
  // (KEYS and SCAN special-case a lone '*' before matching).
  if (text.length === 0) return pattern.length === 0;
  return matchFrom(pattern, 0, text, 0, nocase);
}

function matchFrom(p: string, pi: number, s: string, si: number, nocase: boolean): boolean {
  let starP = -1;
  let starS = -1;
  while (si < s.length) {
    if (pi < p.length) {
      const c = p[pi];
      if (c === '*') {
        while (pi + 1 < p.length && p[pi + 1] === '*') pi++;
        if (pi + 1 === p.length) return true;
        starP = pi;
        starS = si;
        pi++;
        continue;
      }
      if (c === '?') {
        pi++;
        si++;
        continue;
      }
      if (c === '[') {
        const cls = matchClass(p, pi + 1, s[si]!, nocase);
        if (cls.matched) {
          pi = cls.end + 1;
          si++;
          continue;
        }
      } else {
        let lit = c!;
        let next = pi + 1;
        if (c === '\\' && pi + 1 < p.length) {
          lit = p[pi + 1]!;
          next = pi + 2;
        }
        if (same(lit, s[si]!, nocase)) {
          pi = next;
          si++;
          continue;
        }
      }
    }
    if (starP < 0) return false;
    pi = starP + 1;
    si = ++starS;
  }
  while (pi < p.length && p[pi] === '*') pi++;
  return pi === p.length;
}

/**
 * Matches one char against the class starting at `from` (just after '['). The class ends where Redis's
 * scan ends it: at an unescaped ']' not consumed by a range (so in "[a-]" the range is 'a' to ']'), or
 * at the end of the pattern. Returns whether it matched and the index of the class's last char.
 */
function matchClass(p: string, from: number, ch: string, nocase: boolean): { matched: boolean; end: number } {
  let i = from;
  const negate = p[i] === '^';
  if (negate) i++;
  let matched = false;
  const c = nocase ? lower(ch.charCodeAt(0)) : ch.charCodeAt(0);
  for (;;) {
    if (p[i] === '\\' && i + 1 < p.length) {
      if (same(p[i + 1]!, ch, nocase)) matched = true;
      i += 2;
    } else if (p[i] === ']') {
      break;
    } else if (i >= p.length) {
      i = p.length - 1; // an unclosed class runs to the end of the pattern
      break;
    } else if (i + 2 < p.length && p[i + 1] === '-') {
      let lo = p.charCodeAt(i);
      let hi = p.charCodeAt(i + 2);
      if (lo > hi) [lo, hi] = [hi, lo];
      if (nocase) {
        lo = lower(lo);
        hi = lower(hi);
      }
      if (c >= lo && c <= hi) matched = true;
      i += 3;
    } else {
      if (same(p[i]!, ch, nocase)) matched = true;
      i++;
    }
  }
  return { matched: negate ? !matched : matched, end: i };
}

function lower(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

function same(a: string, b: string, nocase: boolean): boolean {
  return a === b || (nocase && lower(a.charCodeAt(0)) === lower(b.charCodeAt(0)));
}
