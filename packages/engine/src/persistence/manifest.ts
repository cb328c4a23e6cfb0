import { closeSync, fsyncSync, openSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One file of a multi-part AOF (Redis 7.0): the base (a snapshot) or an incr (commands since). */
export interface AofFile {
  name: string;
  seq: number;
  type: 'b' | 'h' | 'i';
}

/** Thrown for an unreadable manifest or AOF; the message says where and how to repair. */
export class PersistenceError extends Error {}

/**
 * Parses Redis 7.0's manifest: one `file <name> seq <n> type <b|h|i>` line per file, keys in any order.
 * Names with spaces are double-quoted (as sdssplitargs reads them).
 */
export function parseManifest(text: string, path: string): AofFile[] {
  const files: AofFile[] = [];
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const words = splitWords(line);
    const fields = new Map<string, string>();
    for (let i = 0; i + 1 < words.length; i += 2) fields.set(words[i]!.toLowerCase(), words[i + 1]!);
    const name = fields.get('file');
    const seq = Number(fields.get('seq'));
    const type = fields.get('type');
    if (
      words.length % 2 !== 0 ||
      !name ||
      !Number.isSafeInteger(seq) ||
      (type !== 'b' && type !== 'h' && type !== 'i')
    ) {
      throw new PersistenceError(`Invalid AOF manifest ${path} at line ${n + 1}: ${JSON.stringify(line)}`);
    }
    files.push({ name, seq, type });
  }
  if (files.filter((f) => f.type === 'b').length > 1) {
    throw new PersistenceError(`Invalid AOF manifest ${path}: more than one base file`);
  }
  return files;
}

function splitWords(line: string): string[] {
  const words: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) {
    words.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]!);
  }
  return words;
}

export function formatManifest(files: readonly AofFile[]): string {
  const quote = (name: string) => (/[\s"\\]/.test(name) ? `"${name.replace(/["\\]/g, '\\$&')}"` : name);
  return files.map((f) => `file ${quote(f.name)} seq ${f.seq} type ${f.type}\n`).join('');
}

/** The files to load, in order: the base, then the incr files by sequence. */
export function loadOrder(files: readonly AofFile[]): AofFile[] {
  const base = files.filter((f) => f.type === 'b');
  const incrs = files.filter((f) => f.type === 'i').sort((a, b) => a.seq - b.seq);
  return [...base, ...incrs];
}

/** fsync of a directory: makes renames and new files in it durable. */
export function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some platforms (Windows) cannot open or fsync a directory: nothing more can be done there.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Writes `data` to `path` atomically: a temporary file, fsync, rename over `path`, fsync of the directory. */
export function writeFileAtomic(dir: string, name: string, data: string): void {
  const temp = join(dir, `temp-${name}`);
  const fd = openSync(temp, 'w');
  try {
    writeFileSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, join(dir, name));
  syncDirectory(dir);
}
