export { makeTestCertificates, opensslAvailable } from './certificates.js';
export { type DifferentialSuite, DiffPair, differential } from './differential.js';
export { framesUntilMarker, RawClient } from './raw-client.js';
export { type RedisClusterHandle, startRedisCluster } from './redis-cluster.js';
export {
  findRedisServer,
  freePort,
  type RedisServerHandle,
  realRedisRequired,
  startRedisServer,
} from './redis-server.js';
export {
  encodeCommand,
  frameEnd,
  type ParsedReply,
  parseFrame,
  parseFrames,
  showBytes,
} from './resp-frames.js';
