import { RedkitConfigError } from './errors.js';

/** A duration: milliseconds as a number, or text such as '250ms', '5s', '5m', '1h', '1d', '1w', '1h30m'. */
export type Duration = number | `${number}${DurationUnit}` | (string & {});
type DurationUnit = 'ms' | 's' | 'm' | 'h' | 'd' | 'w';

const UNIT_MS: Record<DurationUnit, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/y;

/** Milliseconds of a duration; throws RedkitConfigError naming the bad value. */
export function toMilliseconds(duration: Duration, what = 'duration'): number {
  if (typeof duration === 'number') {
    if (!Number.isFinite(duration) || duration < 0) {
      throw new RedkitConfigError(`${what} must be a non-negative number of milliseconds, got ${duration}`);
    }
    return Math.round(duration);
  }
  const text = duration.trim();
  let total = 0;
  PART.lastIndex = 0;
  let matched = 0;
  while (PART.lastIndex < text.length) {
    const start = PART.lastIndex;
    const m = PART.exec(text);
    if (!m || m.index !== start) break;
    total += Number(m[1]) * UNIT_MS[m[2] as DurationUnit];
    matched = PART.lastIndex;
  }
  if (text.length === 0 || matched !== text.length) {
    throw new RedkitConfigError(
      `${what} '${duration}' is not a duration: use milliseconds as a number, or text like '500ms', '5s', '5m', '1h', '1d' or '1h30m'`,
    );
  }
  return Math.round(total);
}
