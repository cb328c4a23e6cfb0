import type { ScanProgress } from './options.js';

/**
 * A one-line progress bar redrawn in place on a terminal (at most 10 times a second). Returns the
 * progress callback and `done()`, which erases the line.
 */
export function progressBar(stream: NodeJS.WriteStream): {
  onProgress: (progress: ScanProgress) => void;
  done: () => void;
} {
  const started = Date.now();
  let lastDraw = 0;
  let drawn = false;
  const onProgress = (p: ScanProgress) => {
    const now = Date.now();
    if (now - lastDraw < 100 && p.scanned < p.total) return;
    lastDraw = now;
    const width = 30;
    const share = p.total > 0 ? Math.min(1, p.scanned / p.total) : 1;
    const filled = Math.round(share * width);
    const rate = Math.round(p.scanned / Math.max(0.001, (now - started) / 1000));
    const line =
      `scanning ${p.node} db${p.db} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ` +
      `${(share * 100).toFixed(0)}% ${p.scanned.toLocaleString('en-US')}/${p.total.toLocaleString('en-US')} keys, ` +
      `${rate.toLocaleString('en-US')} keys/s`;
    stream.write(`\r${line.slice(0, Math.max(20, (stream.columns || 100) - 1))}\x1b[K`);
    drawn = true;
  };
  return {
    onProgress,
    done: () => {
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}
