/**
 * Semantic replies. Command handlers return these values; the encoder turns them into RESP2 or RESP3
 * bytes for the connection's protocol, so no handler ever writes bytes itself.
 *
 * - `string`            bulk string (binary-safe: one char per byte, latin1)
 * - `number` / `bigint` integer
 * - `null`              null bulk string (RESP3: null)
 * - `Reply[]`           array
 * - the classes below   the remaining RESP types
 */
export type Reply =
  | string
  | number
  | bigint
  | null
  | Reply[]
  | StatusReply
  | ErrorReply
  | DoubleReply
  | MapReply
  | SetReply
  | NullArrayReply
  | BooleanReply
  | VerbatimReply
  | PushReply
  | BigNumberReply;

export class StatusReply {
  constructor(readonly status: string) {}
}

export class ErrorReply {
  /** `message` is the full error line without the leading '-', e.g. `ERR syntax error`. */
  constructor(readonly message: string) {}
}

export class DoubleReply {
  /** `text`, when given, is sent instead of the %.17g form (GEOPOS prints coordinates its own way). */
  constructor(
    readonly value: number,
    readonly text?: string,
  ) {}
}

/** A map; RESP2 flattens it into an array of key, value, key, value … */
export class MapReply {
  constructor(readonly entries: Reply[]) {}
}

/** A set; RESP2 sends it as an array. */
export class SetReply {
  constructor(readonly items: Reply[]) {}
}

/** RESP2 `*-1`; RESP3 null. */
export class NullArrayReply {
  private constructor() {}
  static readonly instance = new NullArrayReply();
}

/** RESP3 boolean; RESP2 integer 1/0. */
export class BooleanReply {
  constructor(readonly value: boolean) {}
}

/** RESP3 verbatim string with a 3-letter format; RESP2 bulk string. */
export class VerbatimReply {
  constructor(
    readonly text: string,
    readonly format = 'txt',
  ) {}
}

/** Out-of-band message (pub/sub); RESP2 array. */
export class PushReply {
  constructor(readonly items: Reply[]) {}
}

/** RESP3 big number; RESP2 bulk string. */
export class BigNumberReply {
  constructor(readonly digits: string) {}
}

export const OK = new StatusReply('OK');
export const QUEUED = new StatusReply('QUEUED');
export const PONG = new StatusReply('PONG');
export const NULL_ARRAY = NullArrayReply.instance;
export const EMPTY_ARRAY: Reply[] = [];
