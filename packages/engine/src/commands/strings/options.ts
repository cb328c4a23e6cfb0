import { fail, NOT_INTEGER, RedisError, SYNTAX } from '../../resp/errors.js';
import { parseInt64, parseInteger } from '../../util/numbers.js';

/** The extended arguments of SET and GETEX, as bit flags (Redis parses them into the same kind of mask). */
export const NX = 1;
export const XX = 2;
export const EX = 4;
export const PX = 8;
export const KEEPTTL = 16;
export const GET = 32;
export const EXAT = 64;
export const PXAT = 128;
export const PERSIST = 256;

const ANY_EXPIRE = EX | PX | EXAT | PXAT;

export interface StringArgs {
  flags: number;
  /** The EX/PX/EXAT/PXAT argument, when one was given. */
  expire: string | undefined;
}

/**
 * An option word as Redis compares it: Redis matches C strings, so anything after a NUL byte is ignored.
 * Upper-cased for comparison.
 */
export function optionWord(arg: string): string {
  const nul = arg.indexOf('\0');
  return (nul < 0 ? arg : arg.slice(0, nul)).toUpperCase();
}

/**
 * Parses SET's options (from argv[3]) or GETEX's (from argv[2]). Conflicting options are syntax errors,
 * while repeating the same one is allowed (the last expire value wins), exactly as Redis accepts them.
 */
export function parseStringArgs(argv: string[], forSet: boolean): StringArgs {
  let flags = 0;
  let expire: string | undefined;
  for (let j = forSet ? 3 : 2; j < argv.length; j++) {
    const opt = optionWord(argv[j]!);
    const hasNext = j < argv.length - 1;
    if (opt === 'NX' && forSet && !(flags & XX)) flags |= NX;
    else if (opt === 'XX' && forSet && !(flags & NX)) flags |= XX;
    else if (opt === 'GET' && forSet) flags |= GET;
    else if (opt === 'KEEPTTL' && forSet && !(flags & (PERSIST | ANY_EXPIRE))) flags |= KEEPTTL;
    else if (opt === 'PERSIST' && !forSet && !(flags & (ANY_EXPIRE | KEEPTTL))) flags |= PERSIST;
    else if (hasNext && expireOptionAllowed(opt, flags)) {
      flags |= expireFlag(opt);
      expire = argv[++j]!;
    } else throw new RedisError(SYNTAX);
  }
  return { flags, expire };
}

function expireFlag(opt: string): number {
  switch (opt) {
    case 'EX':
      return EX;
    case 'PX':
      return PX;
    case 'EXAT':
      return EXAT;
    case 'PXAT':
      return PXAT;
    default:
      return 0;
  }
}

/** Each expire option excludes the other three (but not itself), KEEPTTL and PERSIST. */
function expireOptionAllowed(opt: string, flags: number): boolean {
  const flag = expireFlag(opt);
  if (flag === 0) return false;
  return (flags & (KEEPTTL | PERSIST | (ANY_EXPIRE & ~flag))) === 0;
}

const INT64_MAX = 9223372036854775807n;
/** Below this, seconds * 1000 + now stays well inside the exact range of a double. */
const SMALL = 1e12;

/**
 * The absolute expiry time in ms for an EX/PX/EXAT/PXAT argument, with Redis 7.0's checks: not an integer,
 * not positive, or overflowing int64 once converted to ms or made absolute, is an error naming `command`.
 */
export function expireTime(arg: string, flags: number, now: number, command: string): number {
  const seconds = (flags & (EX | EXAT)) !== 0;
  const relative = (flags & (EX | PX)) !== 0;
  if (arg.length <= 12) {
    const n = parseInteger(arg);
    if (n === null) throw new RedisError(NOT_INTEGER);
    if (n <= 0) invalidExpire(command);
    if (n < SMALL) {
      const ms = seconds ? n * 1000 : n;
      return relative ? ms + now : ms;
    }
  }
  let ms = parseInt64(arg);
  if (ms === null) throw new RedisError(NOT_INTEGER);
  if (ms <= 0n || (seconds && ms > INT64_MAX / 1000n)) invalidExpire(command);
  if (seconds) ms *= 1000n;
  if (relative) ms = BigInt.asIntN(64, ms + BigInt(now)); // C's signed overflow wraps negative
  if (ms <= 0n) invalidExpire(command);
  return Number(ms);
}

function invalidExpire(command: string): never {
  fail(`ERR invalid expire time in '${command}' command`);
}
