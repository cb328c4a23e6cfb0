import type { Config } from '../config.js';

/** One class of `client-output-buffer-limit`: bytes (0 = none) and how long the soft limit may be exceeded. */
export interface OutputLimit {
  hard: number;
  soft: number;
  softSeconds: number;
}

export interface OutputLimits {
  normal: OutputLimit;
  pubsub: OutputLimit;
}

const NONE: OutputLimit = { hard: 0, soft: 0, softSeconds: 0 };
let cached: { config: Config; version: number; limits: OutputLimits } | undefined;

/** The limits in `client-output-buffer-limit` ("normal 0 0 0 slave … pubsub 33554432 8388608 60"), cached. */
export function outputLimits(config: Config): OutputLimits {
  if (cached?.config === config && cached.version === config.version) return cached.limits;
  const words = config.get('client-output-buffer-limit').split(' ');
  const limits: OutputLimits = { normal: NONE, pubsub: NONE };
  for (let i = 0; i + 3 < words.length; i += 4) {
    const limit = {
      hard: Number(words[i + 1]),
      soft: Number(words[i + 2]),
      softSeconds: Number(words[i + 3]),
    };
    if (words[i] === 'normal' || words[i] === 'pubsub') limits[words[i] as 'normal' | 'pubsub'] = limit;
  }
  cached = { config, version: config.version, limits };
  return limits;
}

/**
 * Tracks one client's unsent output against its limit, as Redis's checkClientOutputBufferLimits: over the
 * hard limit at once, or over the soft limit for longer than its seconds, the client must be closed.
 */
export class OutputLimitTracker {
  private softSince: number | undefined;

  exceeded(pendingBytes: number, limit: OutputLimit, now: number): boolean {
    if (limit.hard > 0 && pendingBytes >= limit.hard) return true;
    if (limit.soft > 0 && pendingBytes >= limit.soft) {
      this.softSince ??= now;
      return now - this.softSince >= limit.softSeconds * 1000;
    }
    this.softSince = undefined;
    return false;
  }
}
