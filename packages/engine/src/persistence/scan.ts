import { open } from 'node:fs/promises';
import { INCOMPLETE, isFormatError, parseCommand } from './resp-file.js';

/** What reading an AOF found. */
export interface ScanResult {
  /** ok; truncated: the file ends inside a command or an open MULTI; corrupt: bad bytes at `errorOffset`. */
  status: 'ok' | 'truncated' | 'corrupt';
  size: number;
  /** The offset just past the last complete unit (a command, or a MULTI … EXEC block). */
  validUpTo: number;
  /** Units (commands outside MULTI, and MULTI blocks) read. */
  units: number;
  errorOffset?: number;
  reason?: string;
}

const CHUNK = 8 * 1024 * 1024;

/**
 * Reads an AOF from start to end and passes each complete unit to `onUnit`: a command, or the commands
 * of a MULTI … EXEC block (without MULTI and EXEC), so a block is applied whole or not at all.
 */
export async function scanAof(
  path: string,
  onUnit: (commands: string[][]) => void,
  onProgress?: (offset: number, size: number) => void,
): Promise<ScanResult> {
  const file = await open(path, 'r');
  try {
    const size = (await file.stat()).size;
    let buf = Buffer.alloc(0);
    let bufStart = 0; // file offset of buf[0]
    let pos = 0; // next byte to parse in buf
    let readAt = 0;
    let validUpTo = 0;
    let units = 0;
    let block: string[][] | undefined;
    let blockStart = 0;
    for (;;) {
      const parsed = parseCommand(buf, pos);
      if (parsed === INCOMPLETE) {
        if (readAt >= size) break;
        const chunk = Buffer.allocUnsafe(Math.min(CHUNK, size - readAt));
        const { bytesRead } = await file.read(chunk, 0, chunk.length, readAt);
        if (bytesRead === 0) break;
        readAt += bytesRead;
        buf = Buffer.concat([buf.subarray(pos), chunk.subarray(0, bytesRead)]);
        bufStart += pos;
        pos = 0;
        onProgress?.(readAt, size);
        continue;
      }
      if (isFormatError(parsed)) {
        return {
          status: 'corrupt',
          size,
          validUpTo,
          units,
          errorOffset: bufStart + parsed.offset,
          reason: parsed.reason,
        };
      }
      const start = bufStart + pos;
      pos = parsed.end;
      const argv = parsed.argv;
      const name = argv[0]!.toLowerCase();
      if (name === 'multi') {
        if (block) {
          return {
            status: 'corrupt',
            size,
            validUpTo,
            units,
            errorOffset: start,
            reason: 'MULTI inside MULTI',
          };
        }
        block = [];
        blockStart = start;
      } else if (name === 'exec') {
        if (block) onUnit(block);
        block = undefined;
        units++;
        validUpTo = bufStart + pos;
      } else if (block) block.push(argv);
      else {
        onUnit([argv]);
        units++;
        validUpTo = bufStart + pos;
      }
    }
    const end = bufStart + pos;
    if (end < size || block) {
      return {
        status: 'truncated',
        size,
        validUpTo,
        units,
        errorOffset: block ? blockStart : end,
        reason: block ? 'the file ends inside MULTI … EXEC' : 'the file ends inside a command',
      };
    }
    return { status: 'ok', size, validUpTo, units };
  } finally {
    await file.close();
  }
}
