/** Base of every error redkit throws: the message says what happened and what to do. */
export class RedkitError extends Error {
  override name = 'RedkitError';
}

/** Bad options or arguments given to redkit (a malformed duration, an unusable key part …). */
export class RedkitConfigError extends RedkitError {
  override name = 'RedkitConfigError';
}

/** Redis answered a command with an error reply; `message` is Redis's text (e.g. "WRONGTYPE …"). */
export class RedisCommandError extends RedkitError {
  override name = 'RedisCommandError';
  /** The first word of Redis's error: ERR, WRONGTYPE, NOSCRIPT, EXECABORT … */
  readonly code: string;
  constructor(message: string) {
    super(message);
    this.code = message.split(' ', 1)[0] ?? 'ERR';
  }
}
