/**
 * Replies leave once per event-loop turn, after every socket that was readable in it has been served
 * (Redis's beforeSleep). Writing each reply as soon as its request ran makes every write wake a peer that
 * went back to sleep meanwhile; with many clients that wake-up, not the write, dominated the server's
 * kernel time. `setImmediate` runs right after the poll phase that delivered the turn's reads.
 */
const due: Array<() => void> = [];
let scheduled = false;

function flushAll(): void {
  scheduled = false;
  // A flush may schedule another (a reply held for the AOF): that one waits for the next turn.
  const batch = due.splice(0, due.length);
  for (const flush of batch) flush();
}

/** Runs `flush` at the end of this turn; the caller makes sure it is queued once. */
export function flushThisTurn(flush: () => void): void {
  due.push(flush);
  if (scheduled) return;
  scheduled = true;
  setImmediate(flushAll);
}
