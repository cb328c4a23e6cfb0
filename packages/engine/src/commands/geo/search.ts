import { fail, RedisError, SYNTAX } from '../../resp/errors.js';
import type { Reply } from '../../resp/reply.js';
import type { Session } from '../../session.js';
import { ZSet } from '../../types/zset.js';
import {
  alignedBits,
  decodeScore,
  distanceIfInside,
  type GeoCell,
  type GeoShape,
  searchCells,
} from '../../util/geohash.js';
import { parseInt64 } from '../../util/numbers.js';
import { readZSet, zsetLimits } from '../sorted-sets/common.js';
import { formatDistance, parseBox, parseLonLat, parseRadius, positionReply } from './format.js';
import { partialSort } from './pqsort.js';

/** Which command of the GEORADIUS family is running (Redis's georadiusGeneric flags). */
export const SearchKind = {
  /** GEORADIUS: centre from longitude/latitude arguments. */
  Coords: 1,
  /** GEORADIUSBYMEMBER: centre from a member. */
  Member: 2,
  /** The _RO variants: no STORE / STOREDIST. */
  NoStore: 4,
  /** GEOSEARCH: FROMxxx / BYxxx options. */
  Search: 8,
  /** GEOSEARCHSTORE. */
  SearchStore: 16,
} as const;

const NOT_DECODABLE = 'ERR could not decode requested zset member';

interface GeoPoint {
  member: string;
  lon: number;
  lat: number;
  dist: number;
  score: number;
}

/** The centre of a search from a member's position; Redis's error when the member is missing. */
function memberPosition(zset: ZSet, member: string): [number, number] {
  const score = zset.score(member);
  if (score === undefined) fail(NOT_DECODABLE);
  return decodeScore(score);
}

function newShape(): GeoShape {
  return { lon: 0, lat: 0, conversion: 0, box: false, radius: 0, width: 0, height: 0 };
}

/** The members of one cell's score range that fall inside the shape, in score order. */
function pointsInCell(zset: ZSet, cell: GeoCell, shape: GeoShape, found: GeoPoint[], limit: number): void {
  const min = alignedBits(cell);
  const max = alignedBits(cell, true);
  const rank = zset.firstInScoreRange({ min, max, minex: false, maxex: true });
  if (rank < 0) return;
  const cursor = zset.at(rank);
  while (cursor.valid) {
    const score = cursor.score;
    if (!(score < max)) break;
    const [lon, lat] = decodeScore(score);
    const dist = distanceIfInside(shape, lon, lat);
    if (dist >= 0) found.push({ member: cursor.member, lon, lat, dist, score });
    if (found.length && limit && found.length >= limit) break;
    cursor.next();
  }
}

/** Scans the centre cell and its neighbours in Redis's order, skipping a cell equal to the last one scanned. */
function pointsInShape(zset: ZSet, shape: GeoShape, limit: number): GeoPoint[] {
  const cells = searchCells(shape);
  const found: GeoPoint[] = [];
  let lastProcessed = 0;
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i];
    if (!cell) continue;
    const last = cells[lastProcessed]!;
    // Redis compares with the last processed neighbour only once one (not the centre, index 0) was.
    if (lastProcessed && cell.lat === last.lat && cell.lon === last.lon && cell.step === last.step) continue;
    if (found.length && limit && found.length >= limit) break;
    pointsInCell(zset, cell, shape, found, limit);
    lastProcessed = i;
  }
  return found;
}

const SORT_NONE = 0;
const SORT_ASC = 1;
const SORT_DESC = 2;

/**
 * GEORADIUS, GEORADIUSBYMEMBER (and _RO), GEOSEARCH and GEOSEARCHSTORE: Redis's georadiusGeneric,
 * with its argument checks in the same order so the same error wins.
 */
export function georadiusGeneric(c: Session, argv: string[], srcIndex: number, kind: number): Reply {
  let storeKey: string | undefined;
  let storeDist = false;
  const zset = readZSet(c, argv[srcIndex]!);
  const shape = newShape();
  let baseArgs: number;
  if (kind & SearchKind.Coords) {
    baseArgs = 6;
    [shape.lon, shape.lat] = parseLonLat(argv, 2);
    [shape.radius, shape.conversion] = parseRadius(argv, 4);
  } else if (kind & SearchKind.Member) {
    baseArgs = 5;
    // Without the key the remaining arguments are still parsed, to pick the reply (array or count).
    if (zset) {
      [shape.lon, shape.lat] = memberPosition(zset, argv[2]!);
      [shape.radius, shape.conversion] = parseRadius(argv, 3);
    }
  } else {
    baseArgs = 2;
    if (kind & SearchKind.SearchStore) {
      baseArgs = 3;
      storeKey = argv[1];
    }
  }

  const search = (kind & SearchKind.Search) !== 0;
  const canStore = !(kind & SearchKind.NoStore) && !search;
  let withDist = false;
  let withHash = false;
  let withCoords = false;
  let fromMember = false;
  let fromLonLat = false;
  let byRadius = false;
  let byBox = false;
  let sort = SORT_NONE;
  let any = false;
  let count = 0;
  const remaining = argv.length - baseArgs;
  for (let i = 0; i < remaining; i++) {
    const at = baseArgs + i;
    const arg = argv[at]!.toLowerCase();
    if (arg === 'withdist') withDist = true;
    else if (arg === 'withhash') withHash = true;
    else if (arg === 'withcoord') withCoords = true;
    else if (arg === 'any') any = true;
    else if (arg === 'asc') sort = SORT_ASC;
    else if (arg === 'desc') sort = SORT_DESC;
    else if (arg === 'count' && i + 1 < remaining) {
      const n = parseInt64(argv[at + 1]!);
      if (n === null) throw new RedisError('ERR value is not an integer or out of range');
      if (n <= 0n) fail('ERR COUNT must be > 0');
      // Counts past any possible result size behave alike; a number keeps the arithmetic simple.
      count = n > 2n ** 52n ? 2 ** 52 : Number(n);
      i++;
    } else if ((arg === 'store' || arg === 'storedist') && i + 1 < remaining && canStore) {
      storeKey = argv[at + 1];
      storeDist = arg === 'storedist';
      i++;
    } else if (arg === 'storedist' && search && kind & SearchKind.SearchStore) {
      storeDist = true;
    } else if (arg === 'frommember' && i + 1 < remaining && search && !fromLonLat) {
      if (zset) [shape.lon, shape.lat] = memberPosition(zset, argv[at + 1]!);
      fromMember = true;
      i++;
    } else if (arg === 'fromlonlat' && i + 2 < remaining && search && !fromMember) {
      [shape.lon, shape.lat] = parseLonLat(argv, at + 1);
      fromLonLat = true;
      i += 2;
    } else if (arg === 'byradius' && i + 2 < remaining && search && !byBox) {
      [shape.radius, shape.conversion] = parseRadius(argv, at + 1);
      shape.box = false;
      byRadius = true;
      i += 2;
    } else if (arg === 'bybox' && i + 3 < remaining && search && !byRadius) {
      [shape.width, shape.height, shape.conversion] = parseBox(argv, at + 1);
      shape.box = true;
      byBox = true;
      i += 3;
    } else {
      fail(SYNTAX);
    }
  }

  if (storeKey !== undefined && (withDist || withHash || withCoords)) {
    const what = kind & SearchKind.SearchStore ? 'GEOSEARCHSTORE' : 'STORE option in GEORADIUS';
    fail(`ERR ${what} is not compatible with WITHDIST, WITHHASH and WITHCOORD options`);
  }
  if (search && !(fromMember || fromLonLat)) {
    fail(`ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for ${argv[0]}`);
  }
  if (search && !(byRadius || byBox)) {
    fail(`ERR exactly one of BYRADIUS and BYBOX can be specified for ${argv[0]}`);
  }
  if (any && !count) fail('ERR the ANY argument requires COUNT argument');

  if (!zset) {
    if (storeKey === undefined) return [];
    if (c.db.delete(storeKey)) c.changed(storeKey, 'del', 'g');
    return 0;
  }

  // COUNT alone means the closest ones: sort ascending unless ANY asked for the first found.
  if (count !== 0 && sort === SORT_NONE && !any) sort = SORT_ASC;
  const found = pointsInShape(zset, shape, any ? count : 0);
  if (found.length === 0 && storeKey === undefined) return [];

  const returned = count === 0 || found.length < count ? found.length : count;
  if (sort !== SORT_NONE) {
    const compare =
      sort === SORT_ASC
        ? (a: GeoPoint, b: GeoPoint) => (a.dist > b.dist ? 1 : a.dist === b.dist ? 0 : -1)
        : (a: GeoPoint, b: GeoPoint) => (a.dist > b.dist ? -1 : a.dist === b.dist ? 0 : 1);
    // A full sort is glibc's qsort (a stable merge sort); a partial one is Redis's pqsort.
    if (returned === found.length) found.sort(compare);
    else partialSort(found, compare, 0, returned - 1);
  }

  if (storeKey === undefined) {
    const out: Reply[] = new Array(returned);
    const options = (withDist ? 1 : 0) + (withHash ? 1 : 0) + (withCoords ? 1 : 0);
    for (let i = 0; i < returned; i++) {
      const p = found[i]!;
      if (options === 0) {
        out[i] = p.member;
        continue;
      }
      const item: Reply[] = [p.member];
      if (withDist) item.push(formatDistance(p.dist / shape.conversion));
      if (withHash) item.push(Math.trunc(p.score));
      if (withCoords) item.push(positionReply(p.lon, p.lat));
      out[i] = item;
    }
    return out;
  }
  return storeResults(c, storeKey, found, returned, storeDist ? shape.conversion : 0, search);
}

/** Writes the first `n` points to `dst` scored by geohash, or by distance when `conversion` is set. */
function storeResults(
  c: Session,
  dst: string,
  found: GeoPoint[],
  n: number,
  conversion: number,
  search: boolean,
): Reply {
  if (n === 0) {
    if (c.db.delete(dst)) c.changed(dst, 'del', 'g');
    return 0;
  }
  const entries = found.slice(0, n);
  const scoreOf = (p: GeoPoint) => (conversion ? p.dist / conversion : p.score);
  entries.sort((a, b) => {
    const sa = scoreOf(a);
    const sb = scoreOf(b);
    if (sa !== sb) return sa < sb ? -1 : 1;
    return a.member < b.member ? -1 : a.member > b.member ? 1 : 0;
  });
  const members: string[] = [];
  const scores: number[] = [];
  let longest = 0;
  for (const p of entries) {
    if (members.length && members[members.length - 1] === p.member) continue;
    members.push(p.member);
    scores.push(scoreOf(p));
    if (p.member.length > longest) longest = p.member.length;
  }
  const limits = zsetLimits(c);
  const listpack = members.length <= limits.maxEntries && longest <= limits.maxValue;
  c.db.set(dst, ZSet.fromSorted(members, scores, listpack));
  c.changed(dst, search ? 'geosearchstore' : 'georadiusstore', 'z');
  return n;
}
