import { fail } from '../../resp/errors.js';
import type { Session } from '../../session.js';

/**
 * The longest string V8 can hold (String::kMaxLength on 64-bit), 24 bytes short of Redis's default
 * 512MB proto-max-bulk-len: strings in that last sliver are refused as if over the limit.
 */
export const MAX_JS_STRING = 2 ** 29 - 24;

/** The largest string Redis lets a command build (proto-max-bulk-len), capped by what V8 can hold. */
export function maxStringLength(c: Session): number {
  return Math.min(c.engine.config.number('proto-max-bulk-len'), MAX_JS_STRING);
}

/** Redis's checkStringLength for APPEND and SETRANGE: the result of `size + append` bytes must fit. */
export function checkStringLength(c: Session, size: number, append: number): void {
  if (size + append > maxStringLength(c))
    fail('ERR string exceeds maximum allowed size (proto-max-bulk-len)');
}
