/**
 * Redis's glob matcher (stringmatchlen): `*`, `?`, `[abc]`, `[^a-z]`, and `\` escapes, on binary strings.
 * Iterative with backtracking on the last `*`, so hostile patterns stay linear-ish instead of exponential.
 */
export function globMatch(pattern: string, text: string, nocase = false): boolean {
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
        const end = classEnd(p, pi);
        if (matchClass(p, pi + 1, end, s[si]!, nocase)) {
          pi = end + 1;
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

/** Index of the closing `]` of a class starting at `start`, or the pattern's last index if unclosed. */
function classEnd(p: string, start: number): number {
  let i = start + 1;
  if (p[i] === '^') i++;
  while (i < p.length) {
    if (p[i] === '\\' && i + 1 < p.length) i += 2;
    else if (p[i] === ']') return i;
    else i++;
  }
  return p.length - 1;
}

function matchClass(p: string, from: number, end: number, ch: string, nocase: boolean): boolean {
  let i = from;
  let negate = false;
  if (p[i] === '^') {
    negate = true;
    i++;
  }
  let matched = false;
  const limit = p[end] === ']' ? end : end + 1;
  while (i < limit) {
    if (p[i] === '\\' && i + 1 < limit) {
      if (same(p[i + 1]!, ch, nocase)) matched = true;
      i += 2;
    } else if (i + 2 < limit && p[i + 1] === '-') {
      let lo = p.charCodeAt(i);
      let hi = p.charCodeAt(i + 2);
      if (lo > hi) [lo, hi] = [hi, lo];
      let c = ch.charCodeAt(0);
      if (nocase) {
        lo = lower(lo);
        hi = lower(hi);
        c = lower(c);
      }
      if (c >= lo && c <= hi) matched = true;
      i += 3;
    } else {
      if (same(p[i]!, ch, nocase)) matched = true;
      i++;
    }
  }
  return negate ? !matched : matched;
}

function lower(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

function same(a: string, b: string, nocase: boolean): boolean {
  return a === b || (nocase && lower(a.charCodeAt(0)) === lower(b.charCodeAt(0)));
}
