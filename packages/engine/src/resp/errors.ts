import { ErrorReply } from './reply.js';

/** Thrown by handlers to reply with an error; the dispatcher turns it into an ErrorReply. */
export class RedisError extends Error {
  constructor(readonly reply: string) {
    super(reply);
  }
  toReply(): ErrorReply {
    return new ErrorReply(this.reply);
  }
}

// Redis's exact error strings (the text after the leading '-').
export const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';
export const SYNTAX = 'ERR syntax error';
export const NOT_INTEGER = 'ERR value is not an integer or out of range';
export const NOT_FLOAT = 'ERR value is not a valid float';
export const OVERFLOW = 'ERR increment or decrement would overflow';
export const NO_SUCH_KEY = 'ERR no such key';
export const OUT_OF_RANGE = 'ERR index out of range';
export const DB_INDEX_OUT_OF_RANGE = 'ERR DB index is out of range';
export const INVALID_DB_INDEX = 'ERR invalid DB index';
export const SAME_OBJECT = 'ERR source and destination objects are the same';
export const NOT_POSITIVE = (what: string) => `ERR ${what} must be positive`;

export const wrongArity = (name: string) =>
  new RedisError(`ERR wrong number of arguments for '${name.toLowerCase()}' command`);

export function wrongType(): never {
  throw new RedisError(WRONGTYPE);
}
export function syntaxError(): never {
  throw new RedisError(SYNTAX);
}
export function fail(message: string): never {
  throw new RedisError(message);
}

/**
 * A user argument as Redis's error formatting shows it: printf's %s stops at the first NUL byte, and
 * newlines become spaces so the error stays one protocol line.
 */
export function errorArg(arg: string): string {
  const nul = arg.indexOf('\0');
  return (nul >= 0 ? arg.slice(0, nul) : arg).replace(/[\r\n]/g, ' ');
}

/** What other clients hear while a script keeps the engine busy. */
export function busyError(kind: 'eval' | 'function'): string {
  return `BUSY Redis is busy running a script. You can only call ${kind === 'eval' ? 'SCRIPT' : 'FUNCTION'} KILL or SHUTDOWN NOSAVE.`;
}
