export { type CommandArgument, createEngine, EngineClient, toBinaryString } from './client.js';
export { Engine, type EngineOptions } from './engine.js';
export { type Clock, ManualClock, SystemClock } from './keyspace/clock.js';
export {
  configLogger,
  createLogger,
  engineLogger,
  formatLogLine,
  formatLogTime,
  type LogFunction,
  type LoggerOptions,
  type LogLevel as ServerLogLevel,
  logLevelEnabled,
  setEngineLogger,
} from './log.js';
export * from './persistence/index.js';
export { ProtocolError, RequestDecoder } from './resp/decoder.js';
export { RedisError } from './resp/errors.js';
export * from './resp/reply.js';
export { encodeReply, type Protocol, ReplyWriter } from './resp/writer.js';
export {
  RespServer,
  type ServerOptions,
  TlsConfigError,
  type TlsListenOptions,
  type TlsMaterial,
} from './server/server.js';
export { Session } from './session.js';
export { formatDouble, parseDouble, parseInt64 } from './util/numbers.js';
export { ENGINE_VERSION, REDIS_VERSION } from './version.js';
