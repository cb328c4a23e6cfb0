/** Number parsing and formatting with Redis's exact rules (string2ll, string2d, %.17g). */

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;
const SAFE_INT = /^(0|-?[1-9][0-9]{0,14})$/;
const LONG_INT = /^-?[1-9][0-9]{0,19}$/;

/** Redis's string2ll: no '+', no leading zeros, no spaces, no "-0", within int64. */
export function parseInt64(s: string): bigint | null {
  if (SAFE_INT.test(s)) return BigInt(s);
  if (!LONG_INT.test(s)) return null;
  const v = BigInt(s);
  return v > INT64_MAX || v < INT64_MIN ? null : v;
}

/** string2ll into a JS number: exact up to 15 digits, rounded beyond (fine for indexes and counts). */
export function parseInteger(s: string): number | null {
  if (SAFE_INT.test(s)) return +s;
  const v = parseInt64(s);
  return v === null ? null : Number(v);
}

export function isInt64(v: bigint): boolean {
  return v <= INT64_MAX && v >= INT64_MIN;
}

export { INT64_MAX, INT64_MIN };

const DECIMAL = /^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/;
const INFINITY = /^([+-]?)(inf|infinity)$/i;
const HEX = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?[0-9]+))?$/;

/**
 * Redis's string2d (strtod plus its checks): rejects empty strings, leading spaces, trailing junk,
 * NaN, and results that overflow to ±inf or underflow to zero. Accepts "inf"/"infinity" and hex floats.
 */
export function parseDouble(s: string): number | null {
  if (s.length === 0) return null;
  if (DECIMAL.test(s)) {
    const v = +s;
    if (!Number.isFinite(v)) return null;
    if (v === 0 && /[1-9]/.test(s.replace(/[eE].*$/, ''))) return null;
    return v;
  }
  const inf = INFINITY.exec(s);
  if (inf) return inf[1] === '-' ? -Infinity : Infinity;
  const hex = HEX.exec(s);
  if (hex && (hex[2] || hex[3])) {
    const digits = (hex[2] ?? '') + (hex[3] ?? '');
    let v = 0;
    for (const d of digits) v = v * 16 + Number.parseInt(d, 16);
    v *= 2 ** (Number(hex[4] ?? 0) - 4 * (hex[3]?.length ?? 0));
    if (!Number.isFinite(v)) return null;
    return hex[1] === '-' ? -v : v;
  }
  return null;
}

/** C's printf("%.17g"), which Redis 7.0 uses for double replies and scores. */
export function formatDouble(v: number): string {
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  if (Number.isNaN(v)) return 'nan';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const [mantissa, expText] = v.toExponential(16).split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= 17) {
    let m = mantissa!.includes('.') ? mantissa!.replace(/0+$/, '').replace(/\.$/, '') : mantissa!;
    if (m === '-') m = '-0';
    const sign = exp < 0 ? '-' : '+';
    const abs = Math.abs(exp);
    return `${m}e${sign}${abs < 10 ? `0${abs}` : abs}`;
  }
  // Fixed notation with 17 significant digits; toFixed rounds from the exact binary value, as printf does.
  return trimZeros(v.toFixed(16 - exp));
}

function trimZeros(s: string): string {
  if (!s.includes('.')) return s;
  return s.replace(/0+$/, '').replace(/\.$/, '');
}

/** Formats an integer reply value (number or bigint) as Redis prints it. */
export function formatInteger(v: number | bigint): string {
  return typeof v === 'bigint' ? v.toString() : String(v);
}
