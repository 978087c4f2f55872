/**
 * The five-field UTC cron form MLflow accepts for MLFLOW_TRACE_ROLLUPS_SCHEDULE: huey's
 * `crontab(..., strict=True)` (huey/api.py), which MLflow runs only to validate the schedule.
 * Each field is a comma-separated list of `*`, `n`, `m-n`, `m-n/step` or `*` + `/n` (not for
 * day-of-week); a value outside the field's range, an unknown piece, a zero step or a field
 * that selects nothing makes the schedule invalid. Day-of-week takes 0-7 with 0 and 7 Sunday.
 */

export interface CronFields {
  minute: readonly number[];
  hour: readonly number[];
  day: readonly number[];
  month: readonly number[];
  dayOfWeek: readonly number[];
}

type Kind = 'M' | 'H' | 'd' | 'm' | 'w';

/** Python range(lo, hi) as huey's `acceptable` values. */
function range(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let i = lo; i < hi; i++) out.push(i);
  return out;
}

const ACCEPTABLE: Record<Kind, number[]> = {
  m: range(1, 13),
  d: range(1, 32),
  w: range(0, 8),
  H: range(0, 24),
  M: range(0, 60),
};

const DIGITS = /^[0-9]+$/;
const DASH = /^([0-9]+)-([0-9]+)(?:\/([0-9]+))?$/;
const EVERY = /^\*\/([0-9]+)$/;

/** Python's list[::step] (a zero step raises ValueError: the schedule is invalid). */
function stepped(values: readonly number[], step: number): number[] | undefined {
  if (step === 0) return undefined;
  return values.filter((_, i) => i % step === 0);
}

/** The values one field selects, or undefined where huey's strict parser raises. */
function parseField(kind: Kind, value: string): number[] | undefined {
  const acceptable = ACCEPTABLE[kind];
  const settings = new Set<number>();
  for (const piece of value.split(',')) {
    if (piece === '*') {
      for (const v of acceptable) settings.add(v);
      continue;
    }
    if (DIGITS.test(piece)) {
      const n = Number(piece);
      if (!acceptable.includes(n)) return undefined;
      settings.add(kind === 'w' ? n % 7 : n);
      continue;
    }
    const dash = DASH.exec(piece);
    if (dash) {
      const lhs = Number(dash[1]);
      const rhs = Number(dash[2]);
      const step = dash[3] === undefined ? 1 : Number(dash[3]);
      if (!acceptable.includes(lhs) || !acceptable.includes(rhs)) return undefined;
      let values: number[];
      if (lhs <= rhs) values = range(lhs, rhs + 1);
      else {
        // Wrapping ranges (22-2) run to the field's end, then from its start.
        const hi = kind === 'w' ? 6 : acceptable[acceptable.length - 1]!;
        values = [...range(lhs, hi + 1), ...range(acceptable[0]!, rhs + 1)];
      }
      const picked = stepped(values, step);
      if (!picked) return undefined;
      for (const v of picked) settings.add(kind === 'w' ? v % 7 : v);
      continue;
    }
    const every = EVERY.exec(piece);
    if (every) {
      if (kind === 'w') return undefined;
      const picked = stepped(acceptable, Number(every[1]));
      if (!picked) return undefined;
      for (const v of picked) settings.add(v);
      continue;
    }
    return undefined;
  }
  if (settings.size === 0) return undefined;
  return [...settings].sort((a, b) => a - b);
}

/** The fields in cron order (minute hour day month day-of-week), or undefined when huey rejects them. */
export function parseStrictCrontab(
  fields: readonly [string, string, string, string, string],
): CronFields | undefined {
  const [minute, hour, day, month, dayOfWeek] = fields;
  // huey checks month, day, day-of-week, hour, minute in that order; any failure is one error here.
  const m = parseField('m', month);
  const d = parseField('d', day);
  const w = parseField('w', dayOfWeek);
  const H = parseField('H', hour);
  const M = parseField('M', minute);
  if (!m || !d || !w || !H || !M) return undefined;
  return { minute: M, hour: H, day: d, month: m, dayOfWeek: w };
}

/** Whether a UTC instant falls in a minute the schedule selects (huey's validate_date, Sunday = 0). */
export function cronMatches(fields: CronFields, at: Date): boolean {
  return (
    fields.month.includes(at.getUTCMonth() + 1) &&
    fields.day.includes(at.getUTCDate()) &&
    fields.dayOfWeek.includes(at.getUTCDay()) &&
    fields.hour.includes(at.getUTCHours()) &&
    fields.minute.includes(at.getUTCMinutes())
  );
}
