import { truncateSync } from 'node:fs';
import type { CommandSpec } from '../commands/registry.js';
import type { Engine } from '../engine.js';
import type { Session } from '../session.js';
import { makeId, RedisStream } from '../types/stream.js';
import { PersistenceError } from './manifest.js';
import { type ScanResult, scanAof } from './scan.js';

export type LogLevel = 'notice' | 'warning';
export type Logger = (level: LogLevel, message: string) => void;

export interface LoadFile {
  path: string;
  /** Only the last file may end in a truncated command (a crash while appending). */
  last: boolean;
}

export interface LoadOptions {
  /** aof-load-truncated: load a truncated last file up to its last complete command (and cut it there). */
  loadTruncated: boolean;
  log: Logger;
  /** How to name the repair command in messages, e.g. the manifest's path. */
  repairTarget: string;
}

const SILENT_TRANSPORT = { push() {}, resume() {}, close() {} };

/**
 * Replays AOF files into the engine, as Redis's loadAppendOnlyFiles: time stands still at 0 meanwhile
 * (no key expires while the file replays, as Redis does not expire while loading), commands run
 * directly (no statistics, nothing propagated), errors of single commands are ignored as Redis ignores
 * them. A truncated tail of the last file is cut with a warning; anything else refuses to load.
 */
export async function loadAofFiles(engine: Engine, files: readonly LoadFile[], options: LoadOptions) {
  const started = performance.now();
  const session = engine.createSession(SILENT_TRANSPORT);
  engine.stats.totalConnections--;
  session.executingTransaction = true;
  session.deferrable = false;
  const froze = engine.freezeTime(0);
  let commands = 0;
  let bytes = 0;
  try {
    for (const file of files) {
      let lastReport = performance.now();
      const result = await scanAof(
        file.path,
        (unit) => {
          for (const argv of unit) runLoaded(engine, session, argv, file.path);
          commands += unit.length;
        },
        (offset, size) => {
          const now = performance.now();
          if (now - lastReport < 1000) return;
          lastReport = now;
          options.log(
            'notice',
            `Loading ${file.path}: ${((offset / size) * 100).toFixed(1)}% (${offset} of ${size} bytes)`,
          );
        },
      );
      bytes += result.size;
      checkResult(file, result, options);
      options.log('notice', `DB loaded from ${file.last ? 'incr' : 'base'} file ${file.path}`);
    }
  } finally {
    if (froze) engine.thawTime();
    engine.closeSession(session);
  }
  engine.dirty = 0;
  const seconds = ((performance.now() - started) / 1000).toFixed(3);
  options.log(
    'notice',
    `DB loaded from append only file: ${seconds} seconds (${commands} commands, ${bytes} bytes)`,
  );
  return { commands, bytes };
}

function checkResult(file: LoadFile, result: ScanResult, options: LoadOptions): void {
  const repair = `make a backup of it, then run 'redkit check-aof --fix ${options.repairTarget}'`;
  if (result.status === 'corrupt') {
    throw new PersistenceError(
      `Bad file format reading the append only file ${file.path} at offset ${result.errorOffset} (${result.reason}); the last valid command ends at offset ${result.validUpTo} of ${result.size} bytes. To load what precedes it, ${repair} (this discards everything after offset ${result.validUpTo}).`,
    );
  }
  if (result.status !== 'truncated') return;
  if (!file.last || !options.loadTruncated) {
    throw new PersistenceError(
      `Unexpected end of file reading the append only file ${file.path} at offset ${result.errorOffset} (${result.reason}). You can: 1) ${repair}; 2) ${file.last ? "set 'aof-load-truncated yes' and restart" : 'only the last file may be truncated: restore this one from a backup'}.`,
    );
  }
  options.log(
    'warning',
    `!!! Warning: short read while loading the AOF file ${file.path} (${result.reason}) !!! AOF loaded anyway because aof-load-truncated is enabled: ${result.size - result.validUpTo} bytes after offset ${result.validUpTo} are discarded and the file is truncated there.`,
  );
  truncateSync(file.path, result.validUpTo);
}

function runLoaded(engine: Engine, session: Session, argv: string[], path: string): void {
  let spec: CommandSpec | undefined = engine.commands.lookup(argv[0]!);
  if (spec?.subcommands && argv.length >= 2) spec = engine.commands.lookupSubcommand(spec, argv[1]!);
  if (!spec) {
    throw new PersistenceError(`Unknown command '${argv[0]}' reading the append only file ${path}`);
  }
  if ((spec.arity > 0 && argv.length !== spec.arity) || argv.length < -spec.arity) return;
  try {
    spec.handler(session, argv);
  } catch {
    // A command that failed when it was logged fails again here, leaving the data as it was then.
    return;
  }
  const name = argv[0]!.toLowerCase();
  if (name === 'xclaim' || (name === 'xgroup' && argv[1]!.toLowerCase() === 'createconsumer')) {
    restoreStreamTimes(engine, session, argv, name === 'xclaim');
  }
}

/**
 * Time stands at 0 while loading, so XCLAIM … TIME t (how deliveries are logged) would clamp t to 0 and
 * consumers would look idle since 1970: put back the logged delivery time, and the real time as the
 * consumer's last sighting (as Redis, loading at that time, would).
 */
function restoreStreamTimes(engine: Engine, session: Session, argv: string[], claim: boolean): void {
  const [key, group, consumer] = claim ? [argv[1]!, argv[2]!, argv[3]!] : [argv[2]!, argv[3]!, argv[4]!];
  const stream = session.db.data.get(key);
  const g = stream instanceof RedisStream ? stream.groups.get(group) : undefined;
  if (!g) return;
  const c = g.consumers.get(consumer);
  if (c) c.seenTime = engine.clock.now();
  if (!claim) return;
  const timeAt = argv.findIndex((a, i) => i > 5 && a.toLowerCase() === 'time');
  if (timeAt < 0) return;
  const time = Number(argv[timeAt + 1]);
  for (let i = 5; i < argv.length; i++) {
    const m = /^(\d+)-(\d+)$/.exec(argv[i]!);
    if (!m) break;
    const nack = g.pel.get(makeId(BigInt(m[1]!), BigInt(m[2]!)));
    if (nack) nack.deliveryTime = time;
  }
}
