/**
 * An order-statistic B+tree of (score, member) entries, ordered by score and then by member bytes
 * (JS `<` on latin1 strings compares byte by byte). Leaves hold parallel arrays and are linked for
 * range walks; branches keep each child's entry count, so rank lookups, access by rank, inserts and
 * deletes all take O(log n). Separators are lower bounds of each child's keys: deletes leave them valid
 * and only splits, borrows and merges rewrite them.
 */

const LEAF_MAX = 64;
const LEAF_MIN = 16;
const BRANCH_MAX = 64;
const BRANCH_MIN = 16;

class Leaf {
  readonly isLeaf = true;
  members: string[];
  scores: number[];
  next: Leaf | null = null;
  prev: Leaf | null = null;

  constructor(members: string[] = [], scores: number[] = []) {
    this.members = members;
    this.scores = scores;
  }
}

class Branch {
  readonly isLeaf = false;
  /** Entries under each child. */
  counts: number[];
  /** sep[i] (i >= 1) is <= every key of children[i] and > every key of children[i - 1]; sep[0] is this node's lower bound. */
  sepScores: number[];
  sepMembers: string[];
  size: number;

  constructor(
    public children: TreeNode[],
    counts: number[],
    sepScores: number[],
    sepMembers: string[],
  ) {
    this.counts = counts;
    this.sepScores = sepScores;
    this.sepMembers = sepMembers;
    let size = 0;
    for (const n of counts) size += n;
    this.size = size;
  }
}

type TreeNode = Leaf | Branch;

/** Leaves below this many entries are kept at their exact size (the many small sets of rate limiters …). */
export const SMALL_LEAF = 16;

/** Key order: -1, 0 or 1. */
export function compareEntries(s1: number, m1: string, s2: number, m2: string): number {
  if (s1 < s2) return -1;
  if (s1 > s2) return 1;
  return m1 < m2 ? -1 : m1 > m2 ? 1 : 0;
}

function nodeSize(node: TreeNode): number {
  return node.isLeaf ? node.members.length : node.size;
}

/** A node's lower bound: a leaf's first key, a branch's recorded bound. */
function lowerBoundOf(node: TreeNode): { s: number; m: string } {
  return node.isLeaf
    ? { s: node.scores[0]!, m: node.members[0]! }
    : { s: node.sepScores[0]!, m: node.sepMembers[0]! };
}

function nodeWidth(node: TreeNode): number {
  return node.isLeaf ? node.members.length : node.children.length;
}

/** First index in a leaf whose key is >= (score, member). */
function leafLowerBound(leaf: Leaf, score: number, member: string): number {
  const scores = leaf.scores;
  const members = leaf.members;
  let lo = 0;
  let hi = scores.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const s = scores[mid]!;
    if (s < score || (s === score && members[mid]! < member)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The child of a branch whose key range holds (score, member). */
function route(node: Branch, score: number, member: string): number {
  const scores = node.sepScores;
  const members = node.sepMembers;
  let lo = 1;
  let hi = scores.length;
  // Find the first separator greater than the key; the child before it holds the key.
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const s = scores[mid]!;
    if (s < score || (s === score && members[mid]! <= member)) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** A position in the tree; moves along the leaf chain. Invalid after the tree changes. */
export class TreeCursor {
  constructor(
    private leaf: Leaf | null,
    private index: number,
  ) {}

  get valid(): boolean {
    return this.leaf !== null;
  }

  get member(): string {
    return this.leaf!.members[this.index]!;
  }

  get score(): number {
    return this.leaf!.scores[this.index]!;
  }

  /** Moves to the next entry; false (and invalid) past the end. */
  next(): boolean {
    const leaf = this.leaf;
    if (leaf === null) return false;
    if (++this.index < leaf.members.length) return true;
    this.leaf = leaf.next;
    this.index = 0;
    return this.leaf !== null;
  }

  /**
   * The members of the next `count` entries (this one first; backwards when `reverse`), copied leaf by
   * leaf into an array of the right size: the fast path of a plain ZRANGE.
   */
  takeMembers(count: number, reverse: boolean): string[] {
    const out = new Array<string>(count);
    let filled = 0;
    let leaf = this.leaf;
    let index = this.index;
    while (filled < count && leaf !== null) {
      const members = leaf.members;
      if (reverse) {
        while (index >= 0 && filled < count) out[filled++] = members[index--]!;
        leaf = leaf.prev;
        index = leaf ? leaf.members.length - 1 : 0;
      } else {
        while (index < members.length && filled < count) out[filled++] = members[index++]!;
        leaf = leaf.next;
        index = 0;
      }
    }
    this.leaf = leaf;
    this.index = index;
    out.length = filled;
    return out;
  }

  /** Moves to the previous entry; false (and invalid) before the start. */
  prev(): boolean {
    const leaf = this.leaf;
    if (leaf === null) return false;
    if (--this.index >= 0) return true;
    this.leaf = leaf.prev;
    this.index = this.leaf ? this.leaf.members.length - 1 : 0;
    return this.leaf !== null;
  }
}

export class OrderStatisticTree {
  private root: TreeNode = new Leaf();
  private head: Leaf;
  private tail: Leaf;

  constructor() {
    this.head = this.tail = this.root as Leaf;
  }

  get size(): number {
    return nodeSize(this.root);
  }

  /** Builds a tree from entries already in key order, in O(n). */
  static fromSorted(members: readonly string[], scores: readonly number[]): OrderStatisticTree {
    const tree = new OrderStatisticTree();
    const n = members.length;
    if (n === 0) return tree;
    const fill = (LEAF_MAX * 3) >> 2;
    const leafCount = Math.ceil(n / fill);
    let level: TreeNode[] = [];
    let prev: Leaf | null = null;
    for (let i = 0, start = 0; i < leafCount; i++) {
      const end = Math.round(((i + 1) * n) / leafCount);
      const leaf = new Leaf(members.slice(start, end), scores.slice(start, end));
      leaf.prev = prev;
      if (prev) prev.next = leaf;
      prev = leaf;
      level.push(leaf);
      start = end;
    }
    tree.head = level[0] as Leaf;
    tree.tail = prev!;
    while (level.length > 1) {
      const groups = Math.ceil(level.length / ((BRANCH_MAX * 3) >> 2));
      const up: TreeNode[] = [];
      for (let g = 0, start = 0; g < groups; g++) {
        const end = Math.round(((g + 1) * level.length) / groups);
        const children = level.slice(start, end);
        const sepScores: number[] = [];
        const sepMembers: string[] = [];
        for (const child of children) {
          const low = lowerBoundOf(child);
          sepScores.push(low.s);
          sepMembers.push(low.m);
        }
        up.push(new Branch(children, children.map(nodeSize), sepScores, sepMembers));
        start = end;
      }
      level = up;
    }
    tree.root = level[0]!;
    return tree;
  }

  /** Adds an entry that is not in the tree yet. */
  insert(score: number, member: string): void {
    const right = this.insertInto(this.root, score, member);
    if (right === null) return;
    const left = this.root;
    const low = lowerBoundOf(left);
    const sep = lowerBoundOf(right);
    this.root = new Branch([left, right], [nodeSize(left), nodeSize(right)], [low.s, sep.s], [low.m, sep.m]);
  }

  /** Removes an entry; false when it was not there. */
  delete(score: number, member: string): boolean {
    if (!this.deleteFrom(this.root, score, member)) return false;
    this.shrinkRoot();
    return true;
  }

  /** Removes the entry at `rank` (0-based, must exist). */
  deleteAt(rank: number): void {
    this.deleteRankFrom(this.root, rank);
    this.shrinkRoot();
  }

  /** 0-based rank of an entry, or -1 when it is not in the tree. */
  rank(score: number, member: string): number {
    let node = this.root;
    let rank = 0;
    while (!node.isLeaf) {
      const i = route(node, score, member);
      const counts = node.counts;
      for (let j = 0; j < i; j++) rank += counts[j]!;
      node = node.children[i]!;
    }
    const i = leafLowerBound(node, score, member);
    if (i < node.members.length && node.scores[i] === score && node.members[i] === member) return rank + i;
    return -1;
  }

  /**
   * The rank of the first entry for which `pred` holds, or `size` when none does. `pred` must be
   * monotone over the key order (false … false true … true) for a meaningful answer.
   */
  rankWhere(pred: (score: number, member: string) => boolean): number {
    let node = this.root;
    let rank = 0;
    while (!node.isLeaf) {
      // The last child whose lower bound fails `pred` holds the answer (or ends just before it).
      const scores = node.sepScores;
      const members = node.sepMembers;
      let lo = 1;
      let hi = scores.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (pred(scores[mid]!, members[mid]!)) hi = mid;
        else lo = mid + 1;
      }
      const i = lo - 1;
      const counts = node.counts;
      for (let j = 0; j < i; j++) rank += counts[j]!;
      node = node.children[i]!;
    }
    const scores = node.scores;
    const members = node.members;
    let lo = 0;
    let hi = scores.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (pred(scores[mid]!, members[mid]!)) hi = mid;
      else lo = mid + 1;
    }
    return rank + lo;
  }

  /** A cursor at `rank` (invalid when rank is out of range). */
  at(rank: number): TreeCursor {
    if (rank < 0 || rank >= this.size) return new TreeCursor(null, 0);
    if (rank === 0) return new TreeCursor(this.head, 0);
    const last = this.size - 1;
    if (rank === last) return new TreeCursor(this.tail, this.tail.members.length - 1);
    let node = this.root;
    while (!node.isLeaf) {
      const counts = node.counts;
      let i = 0;
      while (rank >= counts[i]!) rank -= counts[i++]!;
      node = node.children[i]!;
    }
    return new TreeCursor(node, rank);
  }

  first(): TreeCursor {
    return this.at(0);
  }

  last(): TreeCursor {
    return this.at(this.size - 1);
  }

  /** Entries in key order. */
  *entries(): IterableIterator<[member: string, score: number]> {
    for (let leaf: Leaf | null = this.head; leaf; leaf = leaf.next) {
      const members = leaf.members;
      const scores = leaf.scores;
      for (let i = 0; i < members.length; i++) yield [members[i]!, scores[i]!];
    }
  }

  /** A member's score by scanning every leaf: O(n), for sets small enough to keep no member index. */
  scoreOf(member: string): number | undefined {
    for (let leaf: Leaf | null = this.head; leaf; leaf = leaf.next) {
      const i = leaf.members.indexOf(member);
      if (i >= 0) return leaf.scores[i];
    }
    return undefined;
  }

  /** Calls `visit` for every entry in key order (faster than entries()). */
  forEach(visit: (member: string, score: number) => void): void {
    for (let leaf: Leaf | null = this.head; leaf; leaf = leaf.next) {
      const members = leaf.members;
      const scores = leaf.scores;
      for (let i = 0; i < members.length; i++) visit(members[i]!, scores[i]!);
    }
  }

  /** Checks every structural invariant (for tests); throws on the first violation. */
  verify(): void {
    const leaves: Leaf[] = [];
    const walk = (node: TreeNode, depth: number, isRoot: boolean): number => {
      if (node.isLeaf) {
        if (!isRoot && node.members.length < LEAF_MIN) throw new Error('underfull leaf');
        if (node.members.length > LEAF_MAX) throw new Error('overfull leaf');
        leaves.push(node);
        return depth;
      }
      if (!isRoot && node.children.length < BRANCH_MIN) throw new Error('underfull branch');
      if (isRoot && node.children.length < 2) throw new Error('root branch with one child');
      if (node.children.length > BRANCH_MAX) throw new Error('overfull branch');
      let total = 0;
      let leafDepth = -1;
      node.children.forEach((child, i) => {
        if (nodeSize(child) !== node.counts[i]) throw new Error('count mismatch');
        total += node.counts[i]!;
        const d = walk(child, depth + 1, false);
        if (leafDepth >= 0 && d !== leafDepth) throw new Error('unbalanced');
        leafDepth = d;
        if (i > 0) {
          const lo = this.firstKeyOf(child);
          const hiPrev = this.lastKeyOf(node.children[i - 1]!);
          const s = node.sepScores[i]!;
          const m = node.sepMembers[i]!;
          if (compareEntries(s, m, lo.s, lo.m) > 0) throw new Error('separator above child');
          if (compareEntries(hiPrev.s, hiPrev.m, s, m) >= 0)
            throw new Error('separator not above left sibling');
        }
      });
      if (total !== node.size) throw new Error('size mismatch');
      return leafDepth;
    };
    walk(this.root, 0, true);
    if (leaves[0] !== this.head || leaves[leaves.length - 1] !== this.tail) throw new Error('head/tail');
    for (let i = 0; i < leaves.length; i++) {
      if ((leaves[i]!.prev ?? null) !== (leaves[i - 1] ?? null)) throw new Error('prev link');
      if ((leaves[i]!.next ?? null) !== (leaves[i + 1] ?? null)) throw new Error('next link');
    }
    let prev: [string, number] | undefined;
    for (const entry of this.entries()) {
      if (prev && compareEntries(prev[1], prev[0], entry[1], entry[0]) >= 0) throw new Error('order');
      prev = entry;
    }
  }

  private firstKeyOf(node: TreeNode): { s: number; m: string } {
    while (!node.isLeaf) node = node.children[0]!;
    return { s: node.scores[0]!, m: node.members[0]! };
  }

  private lastKeyOf(node: TreeNode): { s: number; m: string } {
    while (!node.isLeaf) node = node.children[node.children.length - 1]!;
    const i = node.members.length - 1;
    return { s: node.scores[i]!, m: node.members[i]! };
  }

  /** Inserts below `node`; returns a new right sibling when `node` split. */
  private insertInto(node: TreeNode, score: number, member: string): TreeNode | null {
    if (node.isLeaf) {
      const i = leafLowerBound(node, score, member);
      if (node.members.length < SMALL_LEAF) {
        // A small set's leaf is rebuilt at its exact size: pushing would give each array room for 16 more.
        node.members = node.members.toSpliced(i, 0, member);
        node.scores = node.scores.toSpliced(i, 0, score);
      } else if (i === node.members.length) {
        node.members.push(member);
        node.scores.push(score);
      } else {
        node.members.splice(i, 0, member);
        node.scores.splice(i, 0, score);
      }
      return node.members.length > LEAF_MAX ? this.splitLeaf(node) : null;
    }
    const i = route(node, score, member);
    const child = node.children[i]!;
    const right = this.insertInto(child, score, member);
    node.size++;
    if (right === null) {
      node.counts[i]!++;
      return null;
    }
    node.counts[i] = nodeSize(child);
    node.children.splice(i + 1, 0, right);
    node.counts.splice(i + 1, 0, nodeSize(right));
    const sep = lowerBoundOf(right);
    node.sepScores.splice(i + 1, 0, sep.s);
    node.sepMembers.splice(i + 1, 0, sep.m);
    return node.children.length > BRANCH_MAX ? this.splitBranch(node) : null;
  }

  private splitLeaf(leaf: Leaf): Leaf {
    const mid = leaf.members.length >>> 1;
    const right = new Leaf(leaf.members.splice(mid), leaf.scores.splice(mid));
    right.next = leaf.next;
    right.prev = leaf;
    if (leaf.next) leaf.next.prev = right;
    else this.tail = right;
    leaf.next = right;
    return right;
  }

  private splitBranch(node: Branch): Branch {
    const mid = node.children.length >>> 1;
    const right = new Branch(
      node.children.splice(mid),
      node.counts.splice(mid),
      node.sepScores.splice(mid),
      node.sepMembers.splice(mid),
    );
    node.size -= right.size;
    return right;
  }

  private deleteFrom(node: TreeNode, score: number, member: string): boolean {
    if (node.isLeaf) {
      const i = leafLowerBound(node, score, member);
      if (i >= node.members.length || node.scores[i] !== score || node.members[i] !== member) return false;
      node.members.splice(i, 1);
      node.scores.splice(i, 1);
      return true;
    }
    const i = route(node, score, member);
    if (!this.deleteFrom(node.children[i]!, score, member)) return false;
    node.counts[i]!--;
    node.size--;
    this.rebalance(node, i);
    return true;
  }

  private deleteRankFrom(node: TreeNode, rank: number): void {
    if (node.isLeaf) {
      node.members.splice(rank, 1);
      node.scores.splice(rank, 1);
      return;
    }
    const counts = node.counts;
    let i = 0;
    while (rank >= counts[i]!) rank -= counts[i++]!;
    this.deleteRankFrom(node.children[i]!, rank);
    counts[i]!--;
    node.size--;
    this.rebalance(node, i);
  }

  private shrinkRoot(): void {
    while (!this.root.isLeaf && this.root.children.length === 1) this.root = this.root.children[0]!;
    if (this.root.isLeaf) this.head = this.tail = this.root;
  }

  /** Restores the minimum fill of parent.children[i] by borrowing from or merging with a sibling. */
  private rebalance(parent: Branch, i: number): void {
    const child = parent.children[i]!;
    const min = child.isLeaf ? LEAF_MIN : BRANCH_MIN;
    if (nodeWidth(child) >= min) return;
    const left = i > 0 ? parent.children[i - 1]! : null;
    const right = i + 1 < parent.children.length ? parent.children[i + 1]! : null;
    if (left && nodeWidth(left) > min) this.borrowFromLeft(parent, i);
    else if (right && nodeWidth(right) > min) this.borrowFromRight(parent, i);
    else if (left) this.merge(parent, i - 1);
    else if (right) this.merge(parent, i);
  }

  private borrowFromLeft(parent: Branch, i: number): void {
    const node = parent.children[i]!;
    const left = parent.children[i - 1]!;
    if (node.isLeaf && left.isLeaf) {
      const member = left.members.pop()!;
      const score = left.scores.pop()!;
      node.members.unshift(member);
      node.scores.unshift(score);
      parent.sepScores[i] = score;
      parent.sepMembers[i] = member;
      parent.counts[i - 1]!--;
      parent.counts[i]!++;
      return;
    }
    const l = left as Branch;
    const n = node as Branch;
    const moved = l.children.pop()!;
    const count = l.counts.pop()!;
    const sepScore = l.sepScores.pop()!;
    const sepMember = l.sepMembers.pop()!;
    n.sepScores[0] = parent.sepScores[i]!;
    n.sepMembers[0] = parent.sepMembers[i]!;
    n.children.unshift(moved);
    n.counts.unshift(count);
    n.sepScores.unshift(sepScore);
    n.sepMembers.unshift(sepMember);
    parent.sepScores[i] = sepScore;
    parent.sepMembers[i] = sepMember;
    l.size -= count;
    n.size += count;
    parent.counts[i - 1]! -= count;
    parent.counts[i]! += count;
  }

  private borrowFromRight(parent: Branch, i: number): void {
    const node = parent.children[i]!;
    const right = parent.children[i + 1]!;
    if (node.isLeaf && right.isLeaf) {
      node.members.push(right.members.shift()!);
      node.scores.push(right.scores.shift()!);
      parent.sepScores[i + 1] = right.scores[0]!;
      parent.sepMembers[i + 1] = right.members[0]!;
      parent.counts[i]!++;
      parent.counts[i + 1]!--;
      return;
    }
    const r = right as Branch;
    const n = node as Branch;
    const moved = r.children.shift()!;
    const count = r.counts.shift()!;
    r.sepScores.shift();
    r.sepMembers.shift();
    n.children.push(moved);
    n.counts.push(count);
    n.sepScores.push(parent.sepScores[i + 1]!);
    n.sepMembers.push(parent.sepMembers[i + 1]!);
    parent.sepScores[i + 1] = r.sepScores[0]!;
    parent.sepMembers[i + 1] = r.sepMembers[0]!;
    r.size -= count;
    n.size += count;
    parent.counts[i]! += count;
    parent.counts[i + 1]! -= count;
  }

  /** Merges parent.children[i + 1] into parent.children[i]. */
  private merge(parent: Branch, i: number): void {
    const left = parent.children[i]!;
    const right = parent.children[i + 1]!;
    if (left.isLeaf && right.isLeaf) {
      for (let j = 0; j < right.members.length; j++) {
        left.members.push(right.members[j]!);
        left.scores.push(right.scores[j]!);
      }
      left.next = right.next;
      if (right.next) right.next.prev = left;
      else this.tail = left;
    } else {
      const l = left as Branch;
      const r = right as Branch;
      for (let j = 0; j < r.children.length; j++) {
        l.children.push(r.children[j]!);
        l.counts.push(r.counts[j]!);
        l.sepScores.push(j === 0 ? parent.sepScores[i + 1]! : r.sepScores[j]!);
        l.sepMembers.push(j === 0 ? parent.sepMembers[i + 1]! : r.sepMembers[j]!);
      }
      l.size += r.size;
    }
    parent.counts[i]! += parent.counts[i + 1]!;
    parent.children.splice(i + 1, 1);
    parent.counts.splice(i + 1, 1);
    parent.sepScores.splice(i + 1, 1);
    parent.sepMembers.splice(i + 1, 1);
  }
}
