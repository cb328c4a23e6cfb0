/**
 * redkit: Redis patterns for TypeScript on any client or the embedded engine.
 */
export { type ConnectTarget, connect } from './client/connect.js';
export {
  type Backend,
  LuaScript,
  type RedisArg,
  type RedisBufferReply,
  type RedisCommand,
  type RedisPort,
  type RedisReply,
} from './client/port.js';
export { type Duration, toMilliseconds } from './duration.js';
export { RedisCommandError, RedkitConfigError, RedkitError } from './errors.js';
export { clusterSlot, escapeKeyPart, Keys } from './keys.js';
export { type ServeOptions, serve } from './serve.js';
