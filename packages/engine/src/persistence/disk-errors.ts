import type { Engine } from '../engine.js';
import { appendOnlyFileOf } from './aof.js';
import { existingSnapshots, saveRulesConfigured } from './snapshot.js';

/** Redis's reply to writes (and PING) while snapshots fail under stop-writes-on-bgsave-error. */
export const RDB_MISCONF =
  "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.";

/** strerror() texts for the errors a file write can meet (Redis prints them in its AOF MISCONF). */
const STRERROR: Record<string, string> = {
  ENOSPC: 'No space left on device',
  EDQUOT: 'Disk quota exceeded',
  EIO: 'Input/output error',
  EROFS: 'Read-only file system',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  EBADF: 'Bad file descriptor',
  EFBIG: 'File too large',
  ENOENT: 'No such file or directory',
};

export function strerror(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  return (e.code && STRERROR[e.code]) ?? e.message ?? String(error);
}

/**
 * Redis's writeCommandsDeniedByDiskError: the error write commands get while persistence is failing — the
 * last BGSAVE failed (with save rules and stop-writes-on-bgsave-error), or the last AOF write did — else
 * undefined. So a client is told at once instead of having writes acknowledged that cannot be kept.
 */
export function diskWriteError(engine: Engine): string | undefined {
  const snapshots = existingSnapshots(engine);
  if (
    snapshots?.lastBgsaveStatus === 'err' &&
    engine.config.get('stop-writes-on-bgsave-error') === 'yes' &&
    saveRulesConfigured(engine)
  ) {
    return RDB_MISCONF;
  }
  const aof = appendOnlyFileOf(engine);
  if (aof?.lastWriteStatus === 'err') return `MISCONF Errors writing to the AOF file: ${aof.lastWriteError}`;
  return undefined;
}

/** Makes the engine ask diskWriteError before writes (persistence calls it when it attaches). */
export function refuseWritesOnDiskErrors(engine: Engine): void {
  engine.diskWriteError ??= () => diskWriteError(engine);
}
