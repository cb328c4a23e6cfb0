import { fail, SYNTAX } from '../resp/errors.js';
import { NULL_ARRAY, type Reply } from '../resp/reply.js';
import type { Session } from '../session.js';
import { decodeScore, geoDistance, geohashString, geoScore } from '../util/geohash.js';
import { formatDistance, parseLonLat, parseUnit, positionReply } from './geo/format.js';
import { georadiusGeneric, SearchKind } from './geo/search.js';
import { type CommandSpec, command } from './registry.js';
import { zaddGeneric } from './sorted-sets/basic.js';
import { readZSet } from './sorted-sets/common.js';

/** The GEO commands (Redis's geo.c): points are members of a sorted set scored by their 52-bit geohash. */

const docs = (
  since: string,
  summary: string,
  complexity: string,
  getKeys?: (argv: string[]) => number[],
) => ({
  group: 'geo',
  since,
  summary,
  complexity,
  ...(getKeys ? { getKeys } : {}),
});

const SEARCH_COMPLEXITY =
  'O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index.';
const GEOSEARCH_COMPLEXITY =
  'O(N+log(M)) where N is the number of elements in the grid-aligned bounding box area around the shape provided as the filter and M is the number of items inside the shape';

/** GEOADD key [NX|XX] [CH] lon lat member …: a ZADD of the members' geohash scores. */
function geoadd(c: Session, argv: string[]): Reply {
  let nx = false;
  let xx = false;
  let first = 2;
  for (; first < argv.length; first++) {
    const opt = argv[first]!.toLowerCase();
    if (opt === 'nx') nx = true;
    else if (opt === 'xx') xx = true;
    else if (opt === 'ch') continue;
    else break;
  }
  if ((argv.length - first) % 3 !== 0 || (xx && nx)) fail(SYNTAX);
  const scores: number[] = [];
  for (let i = first; i < argv.length; i += 3) {
    const [lon, lat] = parseLonLat(argv, i);
    scores.push(geoScore(lon, lat)!);
  }
  if (scores.length === 0) fail(SYNTAX);
  // As Redis does: the same command as ZADD key [NX|XX] [CH] score member … (its events, its counts).
  const zadd = ['zadd', argv[1]!, ...argv.slice(2, first)];
  for (let j = 0; j < scores.length; j++) zadd.push(String(scores[j]), argv[first + 3 * j + 2]!);
  return zaddGeneric(c, zadd, false);
}

function geodist(c: Session, argv: string[]): Reply {
  let toMeters = 1;
  if (argv.length === 5) toMeters = parseUnit(argv[4]!);
  else if (argv.length > 5) fail(SYNTAX);
  const zset = readZSet(c, argv[1]!);
  if (!zset) return null;
  const score1 = zset.score(argv[2]!);
  const score2 = zset.score(argv[3]!);
  if (score1 === undefined || score2 === undefined) return null;
  const [lon1, lat1] = decodeScore(score1);
  const [lon2, lat2] = decodeScore(score2);
  return formatDistance(geoDistance(lon1, lat1, lon2, lat2) / toMeters);
}

function geohash(c: Session, argv: string[]): Reply {
  const zset = readZSet(c, argv[1]!);
  const out: Reply[] = new Array(argv.length - 2);
  for (let j = 2; j < argv.length; j++) {
    const score = zset?.score(argv[j]!);
    out[j - 2] = score === undefined ? null : geohashString(score);
  }
  return out;
}

function geopos(c: Session, argv: string[]): Reply {
  const zset = readZSet(c, argv[1]!);
  const out: Reply[] = new Array(argv.length - 2);
  for (let j = 2; j < argv.length; j++) {
    const score = zset?.score(argv[j]!);
    if (score === undefined) out[j - 2] = NULL_ARRAY;
    else {
      const [lon, lat] = decodeScore(score);
      out[j - 2] = positionReply(lon, lat);
    }
  }
  return out;
}

/** GEORADIUS's keys: the source, and the last STORE / STOREDIST destination (Redis's georadiusGetKeys). */
function georadiusKeys(argv: string[]): number[] {
  let stored = -1;
  for (let i = 5; i < argv.length; i++) {
    const arg = argv[i]!.toLowerCase();
    if ((arg === 'store' || arg === 'storedist') && i + 1 < argv.length) {
      stored = i + 1;
      i++;
    }
  }
  return stored < 0 ? [1] : [1, stored];
}

const READ = ['read', 'geo', 'slow'];
const WRITE = ['write', 'geo', 'slow'];

export const geoCommands: CommandSpec[] = [
  command(
    'geoadd',
    -5,
    ['write', 'denyoom'],
    [1, 1, 1],
    WRITE,
    geoadd,
    docs(
      '3.2.0',
      'Adds points (longitude, latitude, name) to a geospatial index kept in a sorted set.',
      'O(log(N)) for each item added, where N is the number of elements in the sorted set.',
    ),
  ),
  command(
    'geodist',
    -4,
    ['readonly'],
    [1, 1, 1],
    READ,
    geodist,
    docs('3.2.0', 'Returns the distance between two points of a geospatial index.', 'O(log(N))'),
  ),
  command(
    'geohash',
    -2,
    ['readonly'],
    [1, 1, 1],
    READ,
    geohash,
    docs(
      '3.2.0',
      'Returns the standard geohash strings of points of a geospatial index.',
      'O(log(N)) for each member requested, where N is the number of elements in the sorted set.',
    ),
  ),
  command(
    'geopos',
    -2,
    ['readonly'],
    [1, 1, 1],
    READ,
    geopos,
    docs(
      '3.2.0',
      'Returns the longitude and latitude of points of a geospatial index.',
      'O(N) where N is the number of members requested.',
    ),
  ),
  command(
    'georadius',
    -6,
    ['write', 'denyoom', 'movablekeys'],
    [1, 1, 1],
    WRITE,
    (c, argv) => georadiusGeneric(c, argv, 1, SearchKind.Coords),
    docs(
      '3.2.0',
      'Finds the points of a geospatial index within a radius of a position, optionally storing them.',
      SEARCH_COMPLEXITY,
      georadiusKeys,
    ),
  ),
  command(
    'georadius_ro',
    -6,
    ['readonly'],
    [1, 1, 1],
    READ,
    (c, argv) => georadiusGeneric(c, argv, 1, SearchKind.Coords | SearchKind.NoStore),
    docs('3.2.10', 'The read-only form of GEORADIUS.', SEARCH_COMPLEXITY),
  ),
  command(
    'georadiusbymember',
    -5,
    ['write', 'denyoom', 'movablekeys'],
    [1, 1, 1],
    WRITE,
    (c, argv) => georadiusGeneric(c, argv, 1, SearchKind.Member),
    docs(
      '3.2.0',
      'Finds the points of a geospatial index within a radius of one of its members, optionally storing them.',
      SEARCH_COMPLEXITY,
      georadiusKeys,
    ),
  ),
  command(
    'georadiusbymember_ro',
    -5,
    ['readonly'],
    [1, 1, 1],
    READ,
    (c, argv) => georadiusGeneric(c, argv, 1, SearchKind.Member | SearchKind.NoStore),
    docs('3.2.10', 'The read-only form of GEORADIUSBYMEMBER.', SEARCH_COMPLEXITY),
  ),
  command(
    'geosearch',
    -7,
    ['readonly'],
    [1, 1, 1],
    READ,
    (c, argv) => georadiusGeneric(c, argv, 1, SearchKind.Search),
    docs(
      '6.2.0',
      'Finds the points of a geospatial index inside a circle or a box around a position or a member.',
      GEOSEARCH_COMPLEXITY,
    ),
  ),
  command(
    'geosearchstore',
    -8,
    ['write', 'denyoom'],
    [1, 2, 1],
    WRITE,
    (c, argv) => georadiusGeneric(c, argv, 2, SearchKind.Search | SearchKind.SearchStore),
    docs(
      '6.2.0',
      'Finds the points of a geospatial index inside a circle or a box and stores them in a sorted set.',
      GEOSEARCH_COMPLEXITY,
    ),
  ),
];
