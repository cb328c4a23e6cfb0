export {
  type AofOptions,
  AppendOnlyFile,
  appendOnlyFileOf,
  openPersistence,
  redisStyleLogger,
} from './aof.js';
export { type CheckAofOptions, type CheckAofReport, checkAof } from './check-aof.js';
export type { Logger, LogLevel } from './loader.js';
export { PersistenceError } from './manifest.js';
export {
  loadSnapshotAtStartup,
  Snapshots,
  shouldSaveOnShutdown,
  snapshotsOf,
} from './snapshot.js';
