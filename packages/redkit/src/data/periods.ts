import { RedkitConfigError } from '../errors.js';

/** Calendar periods for time-boxed keys (UTC). */
export type Period = 'minute' | 'hour' | 'day' | 'week' | 'month';

const PERIOD_MS: Record<Exclude<Period, 'month'>, number> = {
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
  week: 7 * 86_400_000,
};

/** The label of the period containing `time`: '2026-11-22T14:05', '2026-11-22T14', '2026-11-22', '2026-W47', '2026-11'. */
export function periodLabel(period: Period, time: number | Date): string {
  const d = new Date(time);
  const iso = d.toISOString();
  switch (period) {
    case 'minute':
      return iso.slice(0, 16);
    case 'hour':
      return iso.slice(0, 13);
    case 'day':
      return iso.slice(0, 10);
    case 'month':
      return iso.slice(0, 7);
    case 'week': {
      // ISO 8601: weeks start on Monday; week 1 holds the year's first Thursday.
      const thursday = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
      thursday.setUTCDate(thursday.getUTCDate() - ((d.getUTCDay() + 6) % 7) + 3);
      const january4 = new Date(Date.UTC(thursday.getUTCFullYear(), 0, 4));
      const days = (thursday.getTime() - january4.getTime()) / PERIOD_MS.day;
      const week = 1 + Math.round((days - 3 + ((january4.getUTCDay() + 6) % 7)) / 7);
      return `${thursday.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
    }
    default:
      throw new RedkitConfigError(`unknown period '${String(period)}': use minute, hour, day, week or month`);
  }
}

/** The labels of every period from `from` to `to` inclusive, oldest first. */
export function periodLabels(period: Period, from: number | Date, to: number | Date): string[] {
  const labels: string[] = [];
  let t = new Date(from).getTime();
  const end = new Date(to).getTime();
  if (t > end) return labels;
  for (;;) {
    const label = periodLabel(period, t);
    if (labels[labels.length - 1] !== label) labels.push(label);
    if (t >= end) break;
    t = Math.min(end, period === 'month' ? nextMonth(t) : t + PERIOD_MS[period]);
  }
  return labels;
}

function nextMonth(t: number): number {
  const d = new Date(t);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

/** The length of a period in ms (a month counts 31 days), for default retention. */
export function periodMs(period: Period): number {
  return period === 'month' ? 31 * PERIOD_MS.day : PERIOD_MS[period];
}
