/**
 * Redis's partial quicksort (pqsort): Bentley & McIlroy's three-way quicksort that only recurses into
 * partitions overlapping the wanted index range [left, right]. GEOSEARCH … COUNT uses it, and with equal
 * distances which points make the cut and in which order depends on its exact swaps, so this follows
 * the same pivot choices (median of three, ninther above 40 elements), partitioning and block swaps.
 */

type Compare<T> = (a: T, b: T) => number;

function swap<T>(v: T[], i: number, j: number): void {
  const t = v[i]!;
  v[i] = v[j]!;
  v[j] = t;
}

/** Swaps the n-element blocks starting at i and j, element by element. */
function swapBlocks<T>(v: T[], i: number, j: number, n: number): void {
  for (let k = 0; k < n; k++) swap(v, i + k, j + k);
}

function median3<T>(v: T[], a: number, b: number, c: number, cmp: Compare<T>): number {
  if (cmp(v[a]!, v[b]!) < 0) {
    if (cmp(v[b]!, v[c]!) < 0) return b;
    return cmp(v[a]!, v[c]!) < 0 ? c : a;
  }
  if (cmp(v[b]!, v[c]!) > 0) return b;
  return cmp(v[a]!, v[c]!) < 0 ? a : c;
}

/** Whether the partition [lo, hi] overlaps the wanted range. */
function overlaps(lo: number, hi: number, left: number, right: number): boolean {
  return !((left < lo && right < lo) || (left > hi && right > hi));
}

/** Sorts v[base .. base+n-1] enough that positions left..right hold what a full sort would put there. */
function pqsortRange<T>(v: T[], base: number, n: number, cmp: Compare<T>, left: number, right: number): void {
  for (;;) {
    if (n < 7) {
      for (let m = base + 1; m < base + n; m++) {
        for (let l = m; l > base && cmp(v[l - 1]!, v[l]!) > 0; l--) swap(v, l, l - 1);
      }
      return;
    }
    let pm = base + Math.floor(n / 2);
    if (n > 7) {
      let pl = base;
      let pn = base + n - 1;
      if (n > 40) {
        const d = Math.floor(n / 8);
        pl = median3(v, pl, pl + d, pl + 2 * d, cmp);
        pm = median3(v, pm - d, pm, pm + d, cmp);
        pn = median3(v, pn - 2 * d, pn - d, pn, cmp);
      }
      pm = median3(v, pl, pm, pn, cmp);
    }
    swap(v, base, pm);
    let pa = base + 1;
    let pb = pa;
    let pc = base + n - 1;
    let pd = pc;
    for (;;) {
      let r: number;
      while (pb <= pc && (r = cmp(v[pb]!, v[base]!)) <= 0) {
        if (r === 0) swap(v, pa++, pb);
        pb++;
      }
      while (pb <= pc && (r = cmp(v[pc]!, v[base]!)) >= 0) {
        if (r === 0) swap(v, pc, pd--);
        pc--;
      }
      if (pb > pc) break;
      swap(v, pb++, pc--);
    }
    const pn = base + n;
    let r = Math.min(pa - base, pb - pa);
    swapBlocks(v, base, pb - r, r);
    r = Math.min(pd - pc, pn - pd - 1);
    swapBlocks(v, pb, pn - r, r);
    r = pb - pa;
    if (r > 1 && overlaps(base, base + r - 1, left, right)) pqsortRange(v, base, r, cmp, left, right);
    r = pd - pc;
    if (r <= 1) return;
    base = pn - r;
    n = r;
    if (!overlaps(base, base + r - 1, left, right)) return;
  }
}

/** Redis's pqsort(v, n, cmp, left, right) over the whole array. */
export function partialSort<T>(v: T[], cmp: Compare<T>, left: number, right: number): void {
  pqsortRange(v, 0, v.length, cmp, left, right);
}
