import type { MemoryRecord, RedisObject } from '../keyspace/values.js';
import { OrderStatisticTree, type TreeCursor } from './order-statistic-tree.js';

/** A score interval; `minex`/`maxex` mark exclusive ends ("(" in the command). */
export interface ScoreRange {
  min: number;
  max: number;
  minex: boolean;
  maxex: boolean;
}

/** One end of a lex interval: '-' (below everything), '+' (above everything) or a string. */
export interface LexBound {
  /** -1 for '-', 1 for '+', 0 for a string value. */
  infinite: -1 | 0 | 1;
  value: string;
  exclusive: boolean;
}

export interface LexRange {
  min: LexBound;
  max: LexBound;
}

/** zset-max-listpack-entries / zset-max-listpack-value, read once per command. */
export interface ZSetLimits {
  maxEntries: number;
  maxValue: number;
}

export function scoreGteMin(score: number, r: ScoreRange): boolean {
  return r.minex ? score > r.min : score >= r.min;
}

export function scoreLteMax(score: number, r: ScoreRange): boolean {
  return r.maxex ? score < r.max : score <= r.max;
}

/** Redis's sdscmplex: a member against a bound, with '-'/'+' below/above every string. */
function compareToBound(value: string, bound: LexBound): number {
  if (bound.infinite !== 0) return -bound.infinite;
  return value < bound.value ? -1 : value > bound.value ? 1 : 0;
}

export function lexGteMin(member: string, r: LexRange): boolean {
  const cmp = compareToBound(member, r.min);
  return r.min.exclusive ? cmp > 0 : cmp >= 0;
}

export function lexLteMax(member: string, r: LexRange): boolean {
  const cmp = compareToBound(member, r.max);
  return r.max.exclusive ? cmp < 0 : cmp <= 0;
}

function scoreRangeEmpty(r: ScoreRange): boolean {
  return r.min > r.max || (r.min === r.max && (r.minex || r.maxex));
}

function lexRangeEmpty(r: LexRange): boolean {
  const a = r.min;
  const b = r.max;
  let cmp: number;
  if (a.infinite !== 0 && a.infinite === b.infinite) cmp = 0;
  else if (a.infinite === -1 || b.infinite === 1) cmp = -1;
  else if (a.infinite === 1 || b.infinite === -1) cmp = 1;
  else cmp = a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
  return cmp > 0 || (cmp === 0 && (a.exclusive || b.exclusive));
}

/** A listpack stores integral scores as integers, which turns -0 into 0. */
function listpackScore(score: number): number {
  return score === 0 ? 0 : score;
}

/**
 * A sorted set: an order-statistic tree over (score, member) for ranks and ranges in O(log n), plus,
 * once the set is skiplist-encoded, a member → score Map for O(1) lookups. While the set is small
 * ("listpack", until it outgrows zset-max-listpack-*, never back) members are found by scanning the
 * tree's leaves as Redis scans its listpack: that leaves out a hash table per set, which made many small
 * sets (rate-limit windows, one per client) cost twice the memory and a cache miss more per lookup.
 * The encoding is also what OBJECT ENCODING reports and what the few encoding-dependent behaviours
 * follow (ZSCAN, lex ranges over mixed scores, -0 scores).
 */
export class ZSet implements RedisObject {
  readonly type = 'zset' as const;
  memory: MemoryRecord | undefined = undefined;
  /** member → score, skiplist encoding only (null while a listpack). */
  private dict: Map<string, number> | null;
  private tree: OrderStatisticTree;

  constructor(listpack = true, tree = new OrderStatisticTree()) {
    this.tree = tree;
    this.dict = listpack ? null : dictOf(tree);
  }

  /** A set from entries already in (score, member) order, without duplicates. */
  static fromSorted(members: string[], scores: number[], listpack: boolean): ZSet {
    if (listpack) for (let i = 0; i < scores.length; i++) scores[i] = listpackScore(scores[i]!);
    return new ZSet(listpack, OrderStatisticTree.fromSorted(members, scores));
  }

  encoding(): string {
    return this.dict === null ? 'listpack' : 'skiplist';
  }

  get isListpack(): boolean {
    return this.dict === null;
  }

  get size(): number {
    return this.tree.size;
  }

  /** Every member: in the set's order while a listpack, in hash-table order after (as Redis iterates). */
  members(): string[] {
    if (this.dict !== null) return [...this.dict.keys()];
    const members: string[] = [];
    this.tree.forEach((m) => {
      members.push(m);
    });
    return members;
  }

  /** The skiplist's member → score table (ZSCAN walks it); null while a listpack. */
  get table(): ReadonlyMap<string, number> | null {
    return this.dict;
  }

  clone(): ZSet {
    const members: string[] = [];
    const scores: number[] = [];
    this.tree.forEach((m, s) => {
      members.push(m);
      scores.push(s);
    });
    return ZSet.fromSorted(members, scores, this.isListpack);
  }

  score(member: string): number | undefined {
    return this.dict === null ? this.tree.scoreOf(member) : this.dict.get(member);
  }

  /** Adds a member that is not in the set, converting to skiplist first when it would not fit. */
  add(member: string, score: number, limits: ZSetLimits): void {
    if (this.dict === null) {
      if (this.tree.size + 1 > limits.maxEntries || member.length > limits.maxValue) {
        this.dict = dictOf(this.tree);
      } else {
        this.tree.insert(listpackScore(score), member);
        return;
      }
    }
    this.dict.set(member, score);
    this.tree.insert(score, member);
  }

  /** Moves an existing member to a new score. */
  update(member: string, oldScore: number, newScore: number): void {
    if (this.dict === null) newScore = listpackScore(newScore);
    this.tree.delete(oldScore, member);
    this.tree.insert(newScore, member);
    this.dict?.set(member, newScore);
  }

  delete(member: string): boolean {
    const score = this.score(member);
    if (score === undefined) return false;
    this.dict?.delete(member);
    this.tree.delete(score, member);
    return true;
  }

  /** 0-based rank from the lowest score (or the highest when `reverse`), -1 when absent. */
  rank(member: string, reverse = false): number {
    const score = this.score(member);
    if (score === undefined) return -1;
    const rank = this.tree.rank(score, member);
    return reverse ? this.size - 1 - rank : rank;
  }

  /** A cursor at a rank (invalid when out of range). */
  at(rank: number): TreeCursor {
    return this.tree.at(rank);
  }

  forEach(visit: (member: string, score: number) => void): void {
    this.tree.forEach(visit);
  }

  /** Removes and returns the lowest (or highest) entry; the set must not be empty. */
  pop(highest: boolean): [member: string, score: number] {
    const rank = highest ? this.size - 1 : 0;
    const cursor = this.tree.at(rank);
    const member = cursor.member;
    const score = cursor.score;
    this.dict?.delete(member);
    this.tree.deleteAt(rank);
    return [member, score];
  }

  /** Removes `count` entries starting at `start`; rebuilds instead when that removes most of the set. */
  deleteRange(start: number, count: number): void {
    if (count <= 0) return;
    const dict = this.dict;
    if (dict !== null) {
      const cursor = this.tree.at(start);
      for (let i = 0; i < count && cursor.valid; i++, cursor.next()) dict.delete(cursor.member);
    }
    if (count * 2 > this.tree.size) {
      const members: string[] = [];
      const scores: number[] = [];
      let rank = 0;
      this.tree.forEach((m, s) => {
        if (rank < start || rank >= start + count) {
          members.push(m);
          scores.push(s);
        }
        rank++;
      });
      this.tree = OrderStatisticTree.fromSorted(members, scores);
    } else {
      for (let i = 0; i < count; i++) this.tree.deleteAt(start);
    }
  }

  /** Number of entries from `rank` onwards (towards higher ranks) while `pred` holds. */
  countForward(rank: number, pred: (member: string, score: number) => boolean): number {
    const cursor = this.tree.at(rank);
    let n = 0;
    while (cursor.valid && pred(cursor.member, cursor.score)) {
      n++;
      cursor.next();
    }
    return n;
  }

  /** Rank of the first entry within the score range, or -1. */
  firstInScoreRange(r: ScoreRange): number {
    if (!this.touchesScoreRange(r)) return -1;
    const rank = this.tree.rankWhere((s) => scoreGteMin(s, r));
    return scoreLteMax(this.tree.at(rank).score, r) ? rank : -1;
  }

  /** Rank of the last entry within the score range, or -1. */
  lastInScoreRange(r: ScoreRange): number {
    if (!this.touchesScoreRange(r)) return -1;
    const rank = this.tree.rankWhere((s) => !scoreLteMax(s, r)) - 1;
    return rank >= 0 && scoreGteMin(this.tree.at(rank).score, r) ? rank : -1;
  }

  /** Where a score-range deletion starts: the first entry >= min (Redis skips the range check here). */
  scoreDeletionStart(r: ScoreRange): number {
    return this.tree.rankWhere((s) => scoreGteMin(s, r));
  }

  /**
   * Rank of the first entry within the lex range, or -1. Lex ranges assume equal scores; with mixed
   * scores Redis's answer depends on the encoding (a listpack is scanned from the start), kept here.
   */
  firstInLexRange(r: LexRange): number {
    if (!this.touchesLexRange(r)) return -1;
    let rank: number;
    if (this.dict === null) {
      rank = 0;
      const cursor = this.tree.at(0);
      while (cursor.valid && !lexGteMin(cursor.member, r)) {
        rank++;
        cursor.next();
      }
      if (!cursor.valid) return -1;
    } else {
      rank = this.tree.rankWhere((_, m) => lexGteMin(m, r));
    }
    return lexLteMax(this.tree.at(rank).member, r) ? rank : -1;
  }

  /** Rank of the last entry within the lex range, or -1 (see firstInLexRange). */
  lastInLexRange(r: LexRange): number {
    if (!this.touchesLexRange(r)) return -1;
    let rank: number;
    if (this.dict === null) {
      rank = this.size - 1;
      const cursor = this.tree.at(rank);
      while (cursor.valid && !lexLteMax(cursor.member, r)) {
        rank--;
        cursor.prev();
      }
      if (!cursor.valid) return -1;
    } else {
      rank = this.tree.rankWhere((_, m) => !lexLteMax(m, r)) - 1;
      if (rank < 0) return -1;
    }
    return lexGteMin(this.tree.at(rank).member, r) ? rank : -1;
  }

  /** Where a lex-range deletion starts (-1 for none), as each encoding finds it. */
  lexDeletionStart(r: LexRange): number {
    if (this.dict === null) return this.firstInLexRange(r);
    return this.tree.rankWhere((_, m) => lexGteMin(m, r));
  }

  private touchesScoreRange(r: ScoreRange): boolean {
    if (this.size === 0 || scoreRangeEmpty(r)) return false;
    return scoreGteMin(this.tree.last().score, r) && scoreLteMax(this.tree.first().score, r);
  }

  private touchesLexRange(r: LexRange): boolean {
    if (this.size === 0 || lexRangeEmpty(r)) return false;
    return lexGteMin(this.tree.last().member, r) && lexLteMax(this.tree.first().member, r);
  }
}

function dictOf(tree: OrderStatisticTree): Map<string, number> {
  const dict = new Map<string, number>();
  tree.forEach((member, score) => {
    dict.set(member, score);
  });
  return dict;
}
