/**
 * The 52-bit interleaved geohash Redis stores as a geo member's sorted-set score, and the search-area
 * arithmetic of its GEO commands. Every step mirrors Redis's floating-point operations one for one (the
 * same divisions, products and clamps) so that scores, decoded coordinates and the cells searched come
 * out identical. Cells are kept as separate latitude/longitude indexes instead of 64-bit interleaved
 * words: moving to a neighbour is then a plain ±1 modulo 2^step, which is what Redis's bit tricks do.
 */

export const GEO_LAT_MIN = -85.05112878;
export const GEO_LAT_MAX = 85.05112878;
export const GEO_LONG_MIN = -180;
export const GEO_LONG_MAX = 180;
export const GEO_STEP_MAX = 26;
/** The Earth's quadratic mean radius for WGS-84, as Redis uses it. */
export const EARTH_RADIUS_IN_METERS = 6372797.560856;

const MERCATOR_MAX = 20037726.37;
const D_R = Math.PI / 180.0;
const TWO_32 = 2 ** 32;
const TWO_63 = 2 ** 63;

/** A geohash cell: latitude and longitude indexes (unsigned 32-bit) at `step` bits each. */
export interface GeoCell {
  lat: number;
  lon: number;
  step: number;
}

export interface GeoArea {
  latMin: number;
  latMax: number;
  lonMin: number;
  lonMax: number;
}

export interface GeoRange {
  min: number;
  max: number;
}

const WGS84_LONG: GeoRange = { min: GEO_LONG_MIN, max: GEO_LONG_MAX };
const WGS84_LAT: GeoRange = { min: GEO_LAT_MIN, max: GEO_LAT_MAX };
/** The standard geohash ranges GEOHASH re-encodes with. */
const STANDARD_LAT: GeoRange = { min: -90, max: 90 };

export const degToRad = (deg: number): number => deg * D_R;
export const radToDeg = (rad: number): number => rad / D_R;

/** Spreads the low 16 bits of `x` to the even bit positions of a 32-bit word. */
function spread16(x: number): number {
  x &= 0xffff;
  x = (x | (x << 8)) & 0x00ff00ff;
  x = (x | (x << 4)) & 0x0f0f0f0f;
  x = (x | (x << 2)) & 0x33333333;
  x = (x | (x << 1)) & 0x55555555;
  return x;
}

/** Gathers the even bits of a 32-bit word into its low 16 bits. */
function compact16(x: number): number {
  x &= 0x55555555;
  x = (x | (x >>> 1)) & 0x33333333;
  x = (x | (x >>> 2)) & 0x0f0f0f0f;
  x = (x | (x >>> 4)) & 0x00ff00ff;
  x = (x | (x >>> 8)) & 0x0000ffff;
  return x;
}

/** High and low 32-bit halves of the interleaved word of a cell (latitude bits even, longitude odd). */
let interleavedHigh = 0;
let interleavedLow = 0;

function interleave(lat: number, lon: number): void {
  interleavedLow = spread16(lat) + spread16(lon) * 2;
  interleavedHigh = spread16(lat >>> 16) + spread16(lon >>> 16) * 2;
}

/** The cell's bits as a number: exact below 2^53, otherwise rounded as C converts uint64 to double. */
export function cellBits(cell: GeoCell): number {
  interleave(cell.lat, cell.lon);
  return interleavedHigh * TWO_32 + interleavedLow;
}

/** Redis's geohashEncode: null when the point is outside the WGS84 limits or the given ranges. */
export function encodeCell(
  lon: number,
  lat: number,
  step: number,
  lonRange: GeoRange = WGS84_LONG,
  latRange: GeoRange = WGS84_LAT,
): GeoCell | null {
  if (lon > GEO_LONG_MAX || lon < GEO_LONG_MIN || lat > GEO_LAT_MAX || lat < GEO_LAT_MIN) return null;
  if (lat < latRange.min || lat > latRange.max || lon < lonRange.min || lon > lonRange.max) return null;
  let latOffset = (lat - latRange.min) / (latRange.max - latRange.min);
  let lonOffset = (lon - lonRange.min) / (lonRange.max - lonRange.min);
  latOffset *= 2 ** step;
  lonOffset *= 2 ** step;
  return { lat: latOffset >>> 0, lon: lonOffset >>> 0, step };
}

/** The sorted-set score of a point (its 26-step cell aligned to 52 bits); null outside the limits. */
export function geoScore(lon: number, lat: number): number | null {
  const cell = encodeCell(lon, lat, GEO_STEP_MAX);
  return cell === null ? null : cellBits(cell);
}

/** Redis's geohashAlign52Bits for a cell, optionally of the cell's successor (bits + 1). */
export function alignedBits(cell: GeoCell, plusOne = false): number {
  interleave(cell.lat, cell.lon);
  let low = interleavedLow;
  let high = interleavedHigh;
  if (plusOne) {
    low += 1;
    if (low === TWO_32) {
      low = 0;
      high += 1;
    }
  }
  const shift = 52 - cell.step * 2;
  if (shift === 0) return high * TWO_32 + low;
  return (high * TWO_32 + low) * 2 ** shift;
}

export function decodeArea(cell: GeoCell, lonRange = WGS84_LONG, latRange = WGS84_LAT): GeoArea {
  const cells = 2 ** cell.step;
  const latScale = latRange.max - latRange.min;
  const lonScale = lonRange.max - lonRange.min;
  // The "+ 1" is C unsigned 32-bit arithmetic: it wraps for the all-ones index.
  return {
    latMin: latRange.min + (cell.lat / cells) * latScale,
    latMax: latRange.min + (((cell.lat + 1) >>> 0) / cells) * latScale,
    lonMin: lonRange.min + (cell.lon / cells) * lonScale,
    lonMax: lonRange.min + (((cell.lon + 1) >>> 0) / cells) * lonScale,
  };
}

/** The centre of an area, clamped to the WGS84 limits: [longitude, latitude]. */
function areaCentre(area: GeoArea): [number, number] {
  let lon = (area.lonMin + area.lonMax) / 2;
  if (lon > GEO_LONG_MAX) lon = GEO_LONG_MAX;
  if (lon < GEO_LONG_MIN) lon = GEO_LONG_MIN;
  let lat = (area.latMin + area.latMax) / 2;
  if (lat > GEO_LAT_MAX) lat = GEO_LAT_MAX;
  if (lat < GEO_LAT_MIN) lat = GEO_LAT_MIN;
  return [lon, lat];
}

/**
 * Splits a score into the unsigned 64-bit word C's `(uint64_t)score` gives on x86-64: truncation for
 * ordinary values, and the hardware's results for negative, huge or infinite scores (members added with
 * ZADD can hold any score).
 */
function scoreWord(score: number): [high: number, low: number] {
  if (score >= 0 && score < 2 ** 53) {
    const t = Math.trunc(score);
    return [Math.floor(t / TWO_32), t >>> 0];
  }
  let word: bigint;
  if (score < TWO_63) {
    const t = Math.trunc(score);
    // cvttsd2si: out-of-range values give the "integer indefinite" 0x8000000000000000.
    word = t >= -TWO_63 ? BigInt.asUintN(64, BigInt(t)) : 1n << 63n;
  } else {
    const t = Math.trunc(score - TWO_63);
    word = t < TWO_63 ? BigInt(t) ^ (1n << 63n) : 0n;
  }
  return [Number(word >> 32n), Number(word & 0xffffffffn)];
}

/** Decodes a member's score to [longitude, latitude] as Redis's decodeGeohash does (never fails). */
export function decodeScore(score: number): [number, number] {
  const [high, low] = scoreWord(score);
  const lat = (compact16(low) | (compact16(high) << 16)) >>> 0;
  const lon = (compact16(low >>> 1) | (compact16(high >>> 1) << 16)) >>> 0;
  return areaCentre(decodeArea({ lat, lon, step: GEO_STEP_MAX }));
}

const GEO_ALPHABET = '0123456789bcdefghjkmnpqrstuvwxyz';

/** The 11-character standard geohash of a member's score (latitude range ±90), as GEOHASH prints it. */
export function geohashString(score: number): string {
  const [lon, lat] = decodeScore(score);
  const cell = encodeCell(lon, lat, GEO_STEP_MAX, WGS84_LONG, STANDARD_LAT)!;
  interleave(cell.lat, cell.lon);
  // Bits 51..2 in groups of five, most significant first; the 11th character is always '0'.
  const high = interleavedHigh;
  const low = interleavedLow;
  let out = '';
  for (let i = 0; i < 10; i++) {
    const shift = 52 - (i + 1) * 5;
    let idx: number;
    if (shift >= 32) idx = (high >>> (shift - 32)) & 0x1f;
    else if (shift + 5 <= 32) idx = (low >>> shift) & 0x1f;
    else idx = ((low >>> shift) | (high << (32 - shift))) & 0x1f;
    out += GEO_ALPHABET[idx];
  }
  return `${out}0`;
}

/** Redis's geohashGetLatDistance: the distance along a meridian. */
export function latDistance(lat1: number, lat2: number): number {
  return EARTH_RADIUS_IN_METERS * Math.abs(degToRad(lat2) - degToRad(lat1));
}

/** Redis's haversine great-circle distance in meters. */
export function geoDistance(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const lon1r = degToRad(lon1);
  const lon2r = degToRad(lon2);
  const v = Math.sin((lon2r - lon1r) / 2);
  if (v === 0.0) return latDistance(lat1, lat2);
  const lat1r = degToRad(lat1);
  const lat2r = degToRad(lat2);
  const u = Math.sin((lat2r - lat1r) / 2);
  const a = u * u + Math.cos(lat1r) * Math.cos(lat2r) * v * v;
  return 2.0 * EARTH_RADIUS_IN_METERS * Math.asin(Math.sqrt(a));
}

/** A search shape: a circle (radius) or an axis-aligned box (width × height), in `conversion` units. */
export interface GeoShape {
  lon: number;
  lat: number;
  /** Meters per unit of the radius / width / height. */
  conversion: number;
  box: boolean;
  radius: number;
  width: number;
  height: number;
}

/**
 * The distance from the shape's centre to a point when the point is inside the shape, else -1
 * (Redis's geohashGetDistanceIfInRadius / IfInRectangle).
 */
export function distanceIfInside(shape: GeoShape, lon: number, lat: number): number {
  if (!shape.box) {
    const distance = geoDistance(shape.lon, shape.lat, lon, lat);
    return distance > shape.radius * shape.conversion ? -1 : distance;
  }
  const widthM = shape.width * shape.conversion;
  const heightM = shape.height * shape.conversion;
  if (latDistance(lat, shape.lat) > heightM / 2) return -1;
  if (geoDistance(lon, lat, shape.lon, lat) > widthM / 2) return -1;
  return geoDistance(shape.lon, shape.lat, lon, lat);
}

/** Redis's geohashEstimateStepsByRadius: the cell precision for a search of that radius. */
export function estimateStepsByRadius(rangeMeters: number, lat: number): number {
  if (rangeMeters === 0) return 26;
  let step = 1;
  while (rangeMeters < MERCATOR_MAX) {
    rangeMeters *= 2;
    step++;
  }
  step -= 2;
  if (lat > 66 || lat < -66) {
    step--;
    if (lat > 80 || lat < -80) step--;
  }
  if (step < 1) step = 1;
  if (step > 26) step = 26;
  return step;
}

/** Redis's geohashBoundingBox: [minLon, minLat, maxLon, maxLat] around the shape. */
export function boundingBox(shape: GeoShape): [number, number, number, number] {
  const { lon, lat } = shape;
  const height = shape.conversion * (shape.box ? shape.height / 2 : shape.radius);
  const width = shape.conversion * (shape.box ? shape.width / 2 : shape.radius);
  const latDelta = radToDeg(height / EARTH_RADIUS_IN_METERS);
  const lonDeltaTop = radToDeg(width / EARTH_RADIUS_IN_METERS / Math.cos(degToRad(lat + latDelta)));
  const lonDeltaBottom = radToDeg(width / EARTH_RADIUS_IN_METERS / Math.cos(degToRad(lat - latDelta)));
  const southern = lat < 0;
  return [
    southern ? lon - lonDeltaBottom : lon - lonDeltaTop,
    lat - latDelta,
    southern ? lon + lonDeltaBottom : lon + lonDeltaTop,
    lat + latDelta,
  ];
}

function moved(cell: GeoCell, dLat: number, dLon: number): GeoCell {
  const mask = 2 ** cell.step;
  // A move wraps around modulo 2^step; the other coordinate's index is kept as is.
  return {
    lat: dLat === 0 ? cell.lat : (((cell.lat + dLat) % mask) + mask) % mask,
    lon: dLon === 0 ? cell.lon : (((cell.lon + dLon) % mask) + mask) % mask,
    step: cell.step,
  };
}

/**
 * The cells to scan for a search, in Redis's order: centre, N, S, E, W, NE, NW, SE, SW; null for a
 * neighbour Redis leaves out because the shape's bounding box does not reach it.
 */
export function searchCells(shape: GeoShape): (GeoCell | null)[] {
  const [minLon, minLat, maxLon, maxLat] = boundingBox(shape);
  const radiusMeters =
    (shape.box
      ? Math.sqrt((shape.width / 2) * (shape.width / 2) + (shape.height / 2) * (shape.height / 2))
      : shape.radius) * shape.conversion;
  let steps = estimateStepsByRadius(radiusMeters, shape.lat);
  let centre = encodeCell(shape.lon, shape.lat, steps)!;
  let decrease = false;
  if (decodeArea(moved(centre, 1, 0)).latMax < maxLat) decrease = true;
  if (decodeArea(moved(centre, -1, 0)).latMin > minLat) decrease = true;
  if (decodeArea(moved(centre, 0, 1)).lonMax < maxLon) decrease = true;
  if (decodeArea(moved(centre, 0, -1)).lonMin > minLon) decrease = true;
  if (steps > 1 && decrease) {
    steps--;
    centre = encodeCell(shape.lon, shape.lat, steps)!;
  }
  const area = decodeArea(centre);
  let north = true;
  let south = true;
  let east = true;
  let west = true;
  if (steps >= 2) {
    if (area.latMin < minLat) south = false;
    if (area.latMax > maxLat) north = false;
    if (area.lonMin < minLon) west = false;
    if (area.lonMax > maxLon) east = false;
  }
  const cell = (ok: boolean, dLat: number, dLon: number) => (ok ? moved(centre, dLat, dLon) : null);
  return [
    centre,
    cell(north, 1, 0),
    cell(south, -1, 0),
    cell(east, 0, 1),
    cell(west, 0, -1),
    cell(north && east, 1, 1),
    cell(north && west, 1, -1),
    cell(south && east, -1, 1),
    cell(south && west, -1, -1),
  ];
}
