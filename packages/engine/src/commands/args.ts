import { fail, NOT_FLOAT, NOT_INTEGER, RedisError, SYNTAX } from '../resp/errors.js';
import { parseDouble, parseInt64, parseInteger } from '../util/numbers.js';

/** Argument parsing shared by command handlers; each throws Redis's exact error. */

export function toInteger(arg: string, error = NOT_INTEGER): number {
  const v = parseInteger(arg);
  if (v === null) throw new RedisError(error);
  return v;
}

export function toInt64(arg: string, error = NOT_INTEGER): bigint {
  const v = parseInt64(arg);
  if (v === null) throw new RedisError(error);
  return v;
}

export function toDouble(arg: string, error = NOT_FLOAT): number {
  const v = parseDouble(arg);
  if (v === null) throw new RedisError(error);
  return v;
}

/** An integer that must be >= 0 (Redis: "value is out of range, must be positive"). */
export function toNonNegative(arg: string): number {
  const v = toInteger(arg);
  if (v < 0) fail('ERR value is out of range, must be positive');
  return v;
}

/** Case-insensitive option match. */
export function isOption(arg: string | undefined, name: string): boolean {
  return arg !== undefined && arg.length === name.length && arg.toUpperCase() === name;
}

export function syntax(): never {
  throw new RedisError(SYNTAX);
}
