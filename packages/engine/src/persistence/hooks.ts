import type { CommandResult, CommandSpec } from '../commands/registry.js';
import type { Database } from '../keyspace/database.js';
import type { Session } from '../session.js';

/**
 * What the engine tells persistence about executed writes (the append-only file implements it).
 * `Engine.call` brackets every command with enter/leave, so nested commands (EXEC's, a script's) are
 * seen inside their caller and can be logged as one MULTI/EXEC block.
 */
export interface WriteObserver {
  enter(): void;
  /**
   * A command finished. `db` is the database it started in; `wrote` is true when it changed the
   * dataset (the dirty counter moved). Returns the result to pass on (a BlockRequest may be wrapped so
   * that a later serve is observed too).
   */
  leave(
    session: Session,
    db: Database,
    spec: CommandSpec,
    argv: string[],
    result: CommandResult,
    wrote: boolean,
  ): CommandResult;
  /** Every key change (Engine.keyChanged). */
  keyChanged(db: Database, key: string): void;
  /** A key removed because its TTL passed (lazily or actively): logged as DEL. */
  keyExpired(db: Database, key: string): void;
}

/** Lets persistence hold back replies until the writes they acknowledge are in the file. */
export interface ReplyBarrier {
  /** True when the caller must wait: `release` runs once the pending writes are written (and synced). */
  hold(release: () => void): boolean;
}

/**
 * Something whose failure must stop writes (Redis's writeCommandsDeniedByDiskError): snapshots under
 * stop-writes-on-bgsave-error, the append-only file. Its MISCONF error, or undefined while all is well.
 */
export interface WriteGuard {
  writeRefusal(): string | undefined;
}
