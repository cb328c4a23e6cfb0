/** The one source of time for an engine. Tests inject a ManualClock and advance it instead of sleeping. */
export interface Clock {
  /** Unix time in milliseconds. */
  now(): number;
  /** Runs `fn` once `ms` milliseconds have passed on this clock. */
  setTimer(ms: number, fn: () => void): TimerHandle;
  clearTimer(handle: TimerHandle): void;
}

export interface TimerHandle {
  readonly id: number;
}

let nextTimerId = 1;
const MAX_TIMEOUT = 2 ** 31 - 1;

export class SystemClock implements Clock {
  private readonly timers = new Map<number, NodeJS.Timeout>();
  now(): number {
    return Date.now();
  }
  setTimer(ms: number, fn: () => void): TimerHandle {
    const id = nextTimerId++;
    this.arm(id, Date.now() + Math.max(ms, 0), fn);
    return { id };
  }
  // setTimeout caps delays at 2^31-1 ms (24.8 days): longer timers re-arm until their time comes.
  private arm(id: number, at: number, fn: () => void): void {
    const delay = Math.min(at - Date.now(), MAX_TIMEOUT);
    const t = setTimeout(
      () => {
        if (Date.now() < at) return this.arm(id, at, fn);
        this.timers.delete(id);
        fn();
      },
      Math.max(delay, 0),
    );
    t.unref?.();
    this.timers.set(id, t);
  }
  clearTimer(handle: TimerHandle): void {
    const t = this.timers.get(handle.id);
    if (t) clearTimeout(t);
    this.timers.delete(handle.id);
  }
}

/** A clock that moves only when told to; timers fire during advance(). */
export class ManualClock implements Clock {
  private readonly timers = new Map<number, { at: number; fn: () => void }>();
  constructor(private time = 1_700_000_000_000) {}
  now(): number {
    return this.time;
  }
  advance(ms: number): void {
    const target = this.time + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.timers)
        if (entry[1].at <= target && (!next || entry[1].at < next[1].at)) next = entry;
      if (!next) break;
      this.timers.delete(next[0]);
      this.time = Math.max(this.time, next[1].at);
      next[1].fn();
    }
    this.time = target;
  }
  setTimer(ms: number, fn: () => void): TimerHandle {
    const id = nextTimerId++;
    this.timers.set(id, { at: this.time + Math.max(ms, 0), fn });
    return { id };
  }
  clearTimer(handle: TimerHandle): void {
    this.timers.delete(handle.id);
  }
}
