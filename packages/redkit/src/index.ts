/**
 * redkit: Redis patterns for TypeScript on any client or the embedded engine.
 */

export {
  Cache,
  CacheLoaderError,
  type CacheOptions,
  type CacheStats,
  CacheValueTooLargeError,
  type SetOptions,
} from './cache/cache.js';
export { jsonSerializer, msgpackSerializer, type Serializer } from './cache/serializers.js';
export { type ConnectTarget, connect } from './client/connect.js';
export type { SubscribeOptions, Subscription } from './client/port.js';
export {
  type Backend,
  LuaScript,
  type RedisArg,
  type RedisBufferReply,
  type RedisCommand,
  type RedisPort,
  type RedisReply,
} from './client/port.js';
export { Counter, type CounterOptions } from './data/counter.js';
export { Feed, type FeedOptions } from './data/feed.js';
export { Leaderboard, type LeaderboardOptions, type Standing } from './data/leaderboard.js';
export { type Period, periodLabel, periodLabels } from './data/periods.js';
export { Queue, type QueueJob, type QueueOptions } from './data/queue.js';
export { UniqueCounter, type UniqueCounterOptions } from './data/unique-counter.js';
export * from './doctor/index.js';
export { type Duration, toMilliseconds } from './duration.js';
export { RedisCommandError, RedkitConfigError, RedkitError } from './errors.js';
export { clusterSlot, escapeKeyPart, Keys } from './keys.js';
export * from './lock/index.js';
export {
  bufferCodec,
  type Codec,
  type CodecOption,
  jsonCodec,
  msgpackCodec,
  textCodec,
} from './pubsub/codec.js';
export type { InboxStats } from './pubsub/inbox.js';
export {
  Channel,
  type ChannelOptions,
  type Listener,
  type ListenOptions,
  type MessageHandler,
  type MessageStream,
  PatternChannel,
  PubSub,
  type PubSubMessage,
  type PubSubOptions,
} from './pubsub/pubsub.js';
export * from './ratelimit/index.js';
export { type ServeOptions, serve } from './serve.js';
export {
  type SessionData,
  type SessionRecord,
  Sessions,
  type SessionsOptions,
  type SessionWriteOptions,
} from './session/sessions.js';
export type { BackoffOption } from './streams/backoff.js';
export {
  StreamConsumer,
  type StreamConsumerOptions,
  StreamConsumerStateError,
  type StreamEntry,
} from './streams/consumer.js';
export type { ConsumerCounters, StreamMetrics } from './streams/metrics.js';
export { StreamProducer, type StreamProducerOptions } from './streams/producer.js';
