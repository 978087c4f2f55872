/**
 * The `percentile(value, p)` aggregate MLflow registers on its SQLite connections
 * (store/db/utils.py, create_sqlalchemy_engine): the non-null values as floats, sorted, and the
 * value at p/100 * (n - 1) by linear interpolation between its neighbours; the first non-null p
 * wins; NULL without values or without p. The same float operations in the same order, so the
 * answer is the same double.
 */
import type Database from 'better-sqlite3';

interface State {
  values: number[];
  percentile: number | null;
}

const toFloat = (v: unknown): number => (typeof v === 'bigint' ? Number(v) : Number(v));

export function registerPercentile(db: Database.Database): void {
  db.aggregate('percentile', {
    start: (): State => ({ values: [], percentile: null }),
    // better-sqlite3's typing gives step one argument; SQL passes two (value, percentile).
    step: ((state: State, value: unknown, percentile: unknown): State => {
      if (value !== null && value !== undefined) state.values.push(toFloat(value));
      if (state.percentile === null && percentile !== null && percentile !== undefined) {
        state.percentile = toFloat(percentile);
      }
      return state;
    }) as (state: State, next: State) => State,
    result: (state: State): number | null => {
      if (state.values.length === 0 || state.percentile === null) return null;
      const sorted = state.values.sort((a, b) => a - b);
      const n = sorted.length;
      const index = (state.percentile / 100.0) * (n - 1);
      const lower = Math.trunc(index);
      const upper = Math.min(lower + 1, n - 1);
      const fraction = index - lower;
      return sorted[lower]! + fraction * (sorted[upper]! - sorted[lower]!);
    },
  });
}
