import { readFileSync } from 'node:fs';
import type { Engine } from '../engine.js';
import { decodeLimits } from '../rdb/decode.js';
import { loadRdb, RdbLoadError } from '../rdb/file.js';
import { functionLibraries } from '../scripting/functions.js';
import type { Logger } from './loader.js';
import { PersistenceError } from './manifest.js';

/**
 * Loads an AOF base file in RDB format (Redis's `aof-use-rdb-preamble yes`). As Redis does for a preamble,
 * keys are kept even if their time has passed (they expire afterwards like any other key).
 */
export function loadRdbBase(engine: Engine, path: string, log: Logger): void {
  const started = performance.now();
  try {
    const report = loadRdb(readFileSync(path), {
      limits: decodeLimits(engine.config),
      now: Number.NEGATIVE_INFINITY,
      databases: engine.databases.length,
      store: (index, key, value, expireAt) => {
        const db = engine.databases[index]!;
        db.set(key, value);
        if (expireAt !== undefined) db.setExpireAt(key, expireAt);
      },
      loadFunction: (code) => {
        functionLibraries(engine).load(code, false);
      },
    });
    const version = report.aux.get('redis-ver');
    if (version) log('notice', `Loading RDB produced by version ${version}`);
    log(
      'notice',
      `DB loaded from base file ${path}: ${((performance.now() - started) / 1000).toFixed(3)} seconds (${report.keysLoaded} keys)`,
    );
  } catch (error) {
    for (const db of engine.databases) db.clear();
    if (error instanceof RdbLoadError) {
      throw new PersistenceError(`${error.message} (loading the AOF base file ${path})`);
    }
    throw error;
  }
}
