import type { Engine } from '../engine.js';
import { appendOnlyFileOf } from './aof.js';

type Fields = Array<[name: string, value: string | number]>;

/**
 * INFO persistence with the AOF's state: the aof_* fields Redis 7.0 shows replace the defaults, and
 * with an AOF open the extra ones it adds at the end (aof_current_size, aof_base_size, …).
 */
export function withAofFields(engine: Engine, fields: Fields): Fields {
  const aof = appendOnlyFileOf(engine);
  if (!aof) return fields;
  const started = aof.rewriteStartedAt;
  const values: Record<string, string | number> = {
    aof_enabled: 1,
    aof_rewrite_in_progress: aof.rewriteInProgress ? 1 : 0,
    aof_last_rewrite_time_sec: aof.lastRewriteSeconds,
    aof_current_rewrite_time_sec: started === undefined ? -1 : Math.floor((Date.now() - started) / 1000),
    aof_last_bgrewrite_status: aof.lastRewriteStatus,
    aof_rewrites: aof.rewrites,
    aof_rewrites_consecutive_failures: aof.rewriteFailures,
    aof_last_write_status: aof.lastWriteStatus,
  };
  const out: Fields = fields.map(([name, value]) => [name, values[name] ?? value]);
  out.push(
    ['aof_current_size', aof.currentSize],
    ['aof_base_size', aof.baseSize],
    ['aof_pending_rewrite', 0],
    ['aof_buffer_length', aof.pendingBytes],
    ['aof_pending_bio_fsync', 0],
    ['aof_delayed_fsync', aof.delayedFsync],
  );
  return out;
}
