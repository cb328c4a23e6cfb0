import { fail, NOT_INTEGER, RedisError, SYNTAX } from '../../resp/errors.js';
import { MapReply, type Reply } from '../../resp/reply.js';
import type { Session } from '../../session.js';
import { toInt64Value } from './integers.js';
import { optionWord } from './options.js';

/** LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN] */
export function lcs(c: Session, argv: string[]): Reply {
  const a = c.db.read(argv[1]!);
  const b = c.db.read(argv[2]!);
  if ((a !== undefined && typeof a !== 'string') || (b !== undefined && typeof b !== 'string')) {
    fail('ERR The specified keys must contain string values');
  }
  let getLen = false;
  let getIdx = false;
  let withMatchLen = false;
  let minMatchLen = 0;
  for (let j = 3; j < argv.length; j++) {
    const opt = optionWord(argv[j]!);
    if (opt === 'IDX') getIdx = true;
    else if (opt === 'LEN') getLen = true;
    else if (opt === 'WITHMATCHLEN') withMatchLen = true;
    else if (opt === 'MINMATCHLEN' && j < argv.length - 1) {
      const n = toInt64Value(argv[++j]!, NOT_INTEGER);
      minMatchLen = n < 0 ? 0 : Number(n);
    } else throw new RedisError(SYNTAX);
  }
  if (getLen && getIdx) fail('ERR If you want both the length and indexes, please just use IDX.');
  return compute(c, a ?? '', b ?? '', getLen, getIdx, withMatchLen, minMatchLen);
}

/** The DP table: LCS length of a[0..i) and b[0..j) at index j + (blen + 1) * i. */
type Table = Uint16Array | Uint32Array;

function buildTable(c: Session, a: string, b: string): Table {
  const alen = a.length;
  const blen = b.length;
  const cells = (alen + 1) * (blen + 1);
  // Redis refuses when its table of 32-bit cells would exceed proto-max-bulk-len.
  if (cells * 4 > c.engine.config.number('proto-max-bulk-len')) {
    fail('ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len');
  }
  let table: Table;
  try {
    // An LCS is never longer than the shorter string, so 16-bit cells often suffice.
    table = Math.min(alen, blen) < 0xffff ? new Uint16Array(cells) : new Uint32Array(cells);
  } catch {
    fail('ERR Insufficient memory, failed allocating transient memory for LCS');
  }
  const row = blen + 1;
  for (let i = 1; i <= alen; i++) {
    const ca = a.charCodeAt(i - 1);
    const base = i * row;
    const prev = base - row;
    for (let j = 1; j <= blen; j++) {
      if (ca === b.charCodeAt(j - 1)) table[base + j] = table[prev + j - 1]! + 1;
      else {
        table[base + j] = Math.max(table[prev + j]!, table[base + j - 1]!);
      }
    }
  }
  return table;
}

function compute(
  c: Session,
  a: string,
  b: string,
  getLen: boolean,
  getIdx: boolean,
  withMatchLen: boolean,
  minMatchLen: number,
): Reply {
  const alen = a.length;
  const blen = b.length;
  const table = buildTable(c, a, b);
  const row = blen + 1;
  const total = table[alen * row + blen]!;
  if (getLen) return total;

  // Walk back from the end, collecting the LCS and (for IDX) the matching ranges, as Redis does.
  const chars: string[] = new Array<string>(total);
  let idx = total;
  const matches: Reply[] = [];
  const UNSET = alen;
  let aStart = UNSET;
  let aEnd = 0;
  let bStart = 0;
  let bEnd = 0;
  let i = alen;
  let j = blen;
  while (i > 0 && j > 0) {
    let emit = false;
    if (a.charCodeAt(i - 1) === b.charCodeAt(j - 1)) {
      chars[idx - 1] = a[i - 1]!;
      if (aStart === UNSET) {
        aStart = aEnd = i - 1;
        bStart = bEnd = j - 1;
      } else if (aStart === i && bStart === j) {
        aStart--;
        bStart--;
      } else emit = true;
      if (aStart === 0 || bStart === 0) emit = true;
      idx--;
      i--;
      j--;
    } else {
      if (table[(i - 1) * row + j]! > table[i * row + j - 1]!) i--;
      else j--;
      if (aStart !== UNSET) emit = true;
    }
    if (emit) {
      const matchLen = aEnd - aStart + 1;
      if (getIdx && (minMatchLen === 0 || matchLen >= minMatchLen)) {
        const match: Reply[] = [
          [aStart, aEnd],
          [bStart, bEnd],
        ];
        if (withMatchLen) match.push(matchLen);
        matches.push(match);
      }
      aStart = UNSET;
    }
  }
  if (getIdx) return new MapReply(['matches', matches, 'len', total]);
  return chars.join('');
}
