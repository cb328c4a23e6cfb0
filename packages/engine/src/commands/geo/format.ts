import { fail } from '../../resp/errors.js';
import { DoubleReply } from '../../resp/reply.js';
import { GEO_LAT_MAX, GEO_LAT_MIN, GEO_LONG_MAX, GEO_LONG_MIN } from '../../util/geohash.js';
import { formatLongDoubleHuman } from '../../util/long-double.js';
import { toDouble } from '../args.js';

/** Argument parsing and number formatting of the GEO commands, with Redis's exact texts. */

const view = new DataView(new ArrayBuffer(8));

/** A finite double as sign, integer mantissa and binary exponent: |x| = m * 2^e. */
function decompose(x: number): { neg: boolean; m: bigint; e: number } {
  view.setFloat64(0, x);
  const high = view.getUint32(0);
  const low = view.getUint32(4);
  const exponent = (high >>> 20) & 0x7ff;
  let m = (BigInt(high & 0xfffff) << 32n) | BigInt(low);
  if (exponent !== 0) m |= 1n << 52n;
  return { neg: high >>> 31 === 1, m, e: exponent === 0 ? -1074 : exponent - 1075 };
}

/** printf's "%.<digits>f" of a double (exact, ties to even, "-" kept on negative zero). */
export function printfFixed(x: number, digits: number): string {
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  const { neg, m, e } = decompose(x);
  const sign = neg ? '-' : '';
  const scale = 10n ** BigInt(digits);
  let q: bigint;
  if (e >= 0) {
    q = (m << BigInt(e)) * scale;
  } else {
    const shift = BigInt(-e);
    const scaled = m * scale;
    q = scaled >> shift;
    const rem = scaled - (q << shift);
    const half = 1n << (shift - 1n);
    if (rem > half || (rem === half && (q & 1n) === 1n)) q += 1n;
  }
  const whole = (q / scale).toString();
  const fraction = (q % scale).toString().padStart(digits, '0');
  return `${sign}${whole}.${fraction}`;
}

/** A coordinate as Redis prints it (long double "%.17Lf" without trailing zeros): RESP3 double, RESP2 bulk. */
export function coordinateReply(x: number): DoubleReply {
  const { neg, m, e } = decompose(x);
  return new DoubleReply(x, formatLongDoubleHuman({ neg, m, e, inf: false }));
}

/** A distance with four decimals, rounded as llrint(d * 10000) (Redis's fixedpoint_d2string). */
export function formatDistance(d: number): string {
  if (d === 0) return '0.0000';
  const x = d * 10000;
  let n = Math.floor(x);
  const diff = x - n;
  if (diff > 0.5 || (diff === 0.5 && n % 2 !== 0)) n += 1;
  const negative = n < 0;
  const digits = String(Math.abs(n)).padStart(5, '0');
  const cut = digits.length - 4;
  return `${negative ? '-' : ''}${digits.slice(0, cut)}.${digits.slice(cut)}`;
}

/** Longitude and latitude at argv[i], argv[i+1], within the WGS84 limits. */
export function parseLonLat(argv: string[], i: number): [number, number] {
  const lon = toDouble(argv[i]!);
  const lat = toDouble(argv[i + 1]!);
  if (lon < GEO_LONG_MIN || lon > GEO_LONG_MAX || lat < GEO_LAT_MIN || lat > GEO_LAT_MAX) {
    fail(`ERR invalid longitude,latitude pair ${printfFixed(lon, 6)},${printfFixed(lat, 6)}`);
  }
  return [lon, lat];
}

/** Meters per unit; Redis's error for anything but m, km, ft, mi (any case). */
export function parseUnit(arg: string): number {
  switch (arg.toLowerCase()) {
    case 'm':
      return 1;
    case 'km':
      return 1000;
    case 'ft':
      return 0.3048;
    case 'mi':
      return 1609.34;
    default:
      return fail('ERR unsupported unit provided. please use M, KM, FT, MI');
  }
}

/** `<radius> <unit>` at argv[i]: [radius, meters per unit]. */
export function parseRadius(argv: string[], i: number): [number, number] {
  const radius = toDouble(argv[i]!, 'ERR need numeric radius');
  if (radius < 0) fail('ERR radius cannot be negative');
  return [radius, parseUnit(argv[i + 1]!)];
}

/** `<width> <height> <unit>` at argv[i]: [width, height, meters per unit]. */
export function parseBox(argv: string[], i: number): [number, number, number] {
  const width = toDouble(argv[i]!, 'ERR need numeric width');
  const height = toDouble(argv[i + 1]!, 'ERR need numeric height');
  if (height < 0 || width < 0) fail('ERR height or width cannot be negative');
  return [width, height, parseUnit(argv[i + 2]!)];
}

/** A [longitude, latitude] pair reply. */
export function positionReply(lon: number, lat: number): DoubleReply[] {
  return [coordinateReply(lon), coordinateReply(lat)];
}
