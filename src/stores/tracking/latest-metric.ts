/**
 * How a metric is stored (SqlAlchemyStore.sanitize_metric_value) and MLflow's rule for which value
 * latest_metrics keeps (_update_latest_metrics_if_necessary): the one with the greatest
 * (step, timestamp, value); on a tie the stored row stays. The rule is spelled here once per form
 * it is needed in: on rows in memory (a batch's newest per key), as the upsert's condition, and as
 * a newest-first ordering; every write path of every dialect uses these.
 */

const MAX_DOUBLE = 1.7976931348623157e308;

/** NaN is stored as 0 with is_nan, infinities as +-max double. */
export function sanitizeMetricValue(value: number): { isNan: boolean; value: number } {
  if (Number.isNaN(value)) return { isNan: true, value: 0 };
  if (value === Infinity) return { isNan: false, value: MAX_DOUBLE };
  if (value === -Infinity) return { isNan: false, value: -MAX_DOUBLE };
  return { isNan: false, value };
}

/** A metric as stored: its value sanitized (NaN flag, clamped infinities). */
export interface MetricRow {
  key: string;
  value: number;
  timestamp: number;
  step: number;
  isNan: boolean;
}

export function metricRow(m: { key: string; value: number; timestamp: number; step: number }): MetricRow {
  const s = sanitizeMetricValue(m.value);
  return { key: m.key, value: s.value, timestamp: m.timestamp, step: m.step, isNan: s.isNan };
}

/** The rule on rows in memory: `a` would replace `b`. */
export const newerThan = (a: MetricRow, b: MetricRow): boolean =>
  a.step !== b.step
    ? a.step > b.step
    : a.timestamp !== b.timestamp
      ? a.timestamp > b.timestamp
      : a.value > b.value;

/** The rule as an upsert's condition: the incoming row (`excluded`) replaces the stored one. */
export const EXCLUDED_IS_NEWER =
  'excluded.step > latest_metrics.step OR (excluded.step = latest_metrics.step AND ' +
  '(excluded.timestamp > latest_metrics.timestamp OR (excluded.timestamp = latest_metrics.timestamp ' +
  'AND excluded.value > latest_metrics.value)))';

/** The rule as an ordering: the newest row of a key first. */
export const NEWEST_FIRST = 'step DESC, timestamp DESC, value DESC';
