import { setTimeout as sleep } from 'node:timers/promises';

export interface Summary {
  summary: string;
  words: number;
  /** When it was computed (a memoized answer keeps the first time). */
  computedAt: string;
}

/**
 * Stands in for a slow model call: waits `delayMs`, then keeps the first sentence (at most 30 words).
 * Deterministic, so a memoized answer is the answer.
 */
export async function slowSummarize(text: string, delayMs: number): Promise<Summary> {
  await sleep(delayMs);
  const words = text.trim().split(/\s+/).filter(Boolean);
  const firstSentence = /^[^.!?]*[.!?]?/.exec(text.trim())?.[0] ?? '';
  const kept = firstSentence.split(/\s+/).filter(Boolean).slice(0, 30);
  const summary = kept.join(' ') + (kept.length < words.length ? ' …' : '');
  return { summary, words: words.length, computedAt: new Date().toISOString() };
}
