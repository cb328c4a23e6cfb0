import { createReadStream, existsSync, readdirSync, readFileSync, statSync, truncateSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadOrder, parseManifest } from './manifest.js';
import { type ScanResult, scanAof } from './scan.js';

export interface CheckAofOptions {
  /** Truncate the damaged file at its last complete command (only the last file of a manifest). */
  fix?: boolean;
}

export interface CheckAofReport {
  /** Every file is valid (after fixing, when `fix` truncated one). */
  ok: boolean;
  /** A file was truncated. */
  fixed: boolean;
  /** What was found, one line each, for the CLI to print. */
  lines: string[];
}

/**
 * `redkit check-aof [--fix] <path>`: checks an AOF the way loading reads it and reports where it stops
 * being valid. `path` is a manifest (Redis 7.0 multi-part AOF), the AOF directory, or a single file.
 * With `fix`, a damaged last file is cut just after its last complete command (a MULTI block whole or not
 * at all); a damaged base or middle file cannot be repaired that way and is only reported.
 */
export async function checkAof(path: string, options: CheckAofOptions = {}): Promise<CheckAofReport> {
  const files = filesOf(path);
  const lines: string[] = [];
  let ok = true;
  let fixed = false;
  for (let i = 0; i < files.length; i++) {
    const file = files[i]!;
    const last = i === files.length - 1;
    if (!existsSync(file)) {
      lines.push(`AOF ${file} does not exist`);
      ok = false;
      break;
    }
    const result = await scanAof(file, () => {});
    if (result.status === 'ok') {
      lines.push(`AOF ${file} is valid (${result.units} commands, ${result.size} bytes)`);
      continue;
    }
    const line = await lineOf(file, result.validUpTo);
    const what = result.status === 'truncated' ? 'ends in an incomplete command' : 'has a format error';
    lines.push(
      `AOF ${file} ${what} at offset ${result.errorOffset}: ${result.reason}`,
      `AOF analyzed: filename=${file}, size=${result.size}, ok_up_to=${result.validUpTo}, ok_up_to_line=${line}, diff=${result.size - result.validUpTo}`,
    );
    if (options.fix && last) {
      truncateSync(file, result.validUpTo);
      fixed = true;
      lines.push(
        `Successfully truncated AOF ${file} to ${result.validUpTo} bytes (${result.size - result.validUpTo} bytes discarded)`,
      );
    } else if (options.fix) {
      lines.push(
        `AOF ${file} is not the last file: truncating it would drop what later files build on. Restore it from a backup.`,
      );
      ok = false;
      break;
    } else {
      lines.push(`AOF ${file} is not valid. Use the --fix option to try fixing it.`);
      ok = false;
      if (!last) break;
    }
  }
  return { ok, fixed, lines };
}

/** The files a path names, in load order. */
function filesOf(path: string): string[] {
  let manifest: string | undefined;
  if (existsSync(path) && statSync(path).isDirectory()) {
    const found = readdirManifest(path);
    if (!found) return [path];
    manifest = found;
  } else if (path.endsWith('.manifest')) manifest = path;
  if (!manifest) return [path];
  const dir = dirname(manifest);
  return loadOrder(parseManifest(readFileSync(manifest, 'latin1'), manifest)).map((f) => join(dir, f.name));
}

function readdirManifest(dir: string): string | undefined {
  const name = readdirSync(dir).find((n) => n.endsWith('.manifest'));
  return name && join(dir, name);
}

/** 1-based line number of `offset` (what redis-check-aof calls ok_up_to_line). */
async function lineOf(file: string, offset: number): Promise<number> {
  let lines = 1;
  if (offset === 0) return lines;
  for await (const chunk of createReadStream(file, { end: offset - 1 })) {
    for (const byte of chunk as Buffer) if (byte === 0x0a) lines++;
  }
  return lines;
}

export type { ScanResult };
