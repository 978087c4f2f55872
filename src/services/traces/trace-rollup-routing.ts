/**
 * Which queryTraceMetrics requests MLflow may answer from its opt-in daily rollups
 * (resolve_rollup_read in mlflow/store/tracking/utils/sql_trace_rollups.py). MLflow serves such a
 * request from rollups only when one of its candidate full UTC days has a rollup row for the
 * metric and grouping set and no queued rebuild; otherwise it answers from the raw tables, which
 * is what mlflow-ts computes. The caller hands a request to Python when rollups could be read.
 */
import type { RollupFamily } from '../../stores/tracking/trace-rollups.js';

const MS_PER_DAY = 86_400_000;
const DAILY_INTERVAL_SECONDS = 86_400;
/** MAX_ROLLUP_DAYS: larger ranges always use the raw query. */
const MAX_ROLLUP_DAYS = 1000;
/** SUPPORTED_PERCENTILE_VALUES: the daily percentiles materialized for trace metrics. */
const PERCENTILES = new Set([50, 90, 99]);
/** The UTC midnights of 0001-01-01 and 9999-12-31: Python's date range (DATE keys). */
const MIN_DAY_MS = -62_135_596_800_000;
const MAX_DAY_MS = 253_402_214_400_000;

const FAMILY: Record<string, RollupFamily> = {
  TRACES: 'trace_metric',
  SPANS: 'span_cost',
  ASSESSMENTS: 'assessment',
};

/** ROLLUP_METRICS: what each family materializes. */
const METRICS: Record<RollupFamily, ReadonlySet<string>> = {
  trace_metric: new Set([
    'trace_count',
    'latency',
    'input_tokens',
    'output_tokens',
    'total_tokens',
    'cache_read_input_tokens',
    'cache_creation_input_tokens',
  ]),
  span_cost: new Set(['input_cost', 'output_cost', 'total_cost']),
  assessment: new Set(['assessment_count', 'assessment_value']),
};

export interface RollupReadQuery {
  view: string;
  metric: string;
  /** As requested (repeats kept): type and, for PERCENTILE, its value. */
  aggregations: readonly { type: string; percentile?: number }[];
  dimensions: readonly string[];
  filters: readonly string[];
  bucketSeconds: number | undefined;
  startMs: number | undefined;
  endMs: number | undefined;
  experimentIds: readonly number[];
  dialect: string;
}

export interface RollupReadPlan {
  family: RollupFamily;
  experimentId: number;
  metricName: string;
  groupingSet: string;
  /** Candidate full UTC days, as DATE keys (YYYY-MM-DD). */
  days: string[];
}

/** resolve_grouping_set. */
function groupingSet(view: string, dimensions: readonly string[]): string | undefined {
  const dims = new Set(dimensions);
  const only = (...names: string[]): boolean => dims.size === names.length && names.every((n) => dims.has(n));
  if (dims.size === 0) return 'global';
  if (view === 'TRACES' && only('trace_status')) return 'status';
  if (view === 'SPANS') {
    if (only('span_model_name')) return 'model';
    if (only('span_model_provider')) return 'provider';
    if (only('span_model_name', 'span_model_provider')) return 'model_provider';
  }
  return undefined;
}

function dayKey(ms: number): string {
  const d = new Date(ms);
  return `${String(d.getUTCFullYear()).padStart(4, '0')}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}`;
}

/** Python floor division of integers. */
const floorDiv = (a: number, b: number): number => Math.floor(a / b);

/** resolve_rollup_read (rollups assumed enabled): the plan, or undefined for the raw path. */
export function rollupReadPlan(q: RollupReadQuery): RollupReadPlan | undefined {
  const family = FAMILY[q.view];
  if (!family || !METRICS[family].has(q.metric)) return undefined;
  if (q.aggregations.length === 0 || q.filters.length > 0) return undefined;
  const grouping = groupingSet(q.view, q.dimensions);
  if (!grouping) return undefined;
  if (q.bucketSeconds !== undefined && q.bucketSeconds !== DAILY_INTERVAL_SECONDS) return undefined;
  const bucketed = q.bucketSeconds === DAILY_INTERVAL_SECONDS;
  if (q.startMs === undefined || q.endMs === undefined) return undefined;
  if (q.experimentIds.length !== 1) return undefined;
  const servable = q.aggregations.every(
    (a) =>
      a.type !== 'PERCENTILE' ||
      (bucketed &&
        family === 'trace_metric' &&
        q.dialect === 'postgresql' &&
        a.percentile !== undefined &&
        PERCENTILES.has(a.percentile)),
  );
  if (!servable) return undefined;
  // split_range_into_utc_days: the days wholly inside [start, end].
  const { startMs, endMs } = q;
  if (startMs > endMs) return undefined;
  const first = -floorDiv(-startMs, MS_PER_DAY) * MS_PER_DAY;
  const last = floorDiv(endMs + 1, MS_PER_DAY) * MS_PER_DAY - MS_PER_DAY;
  const count = Math.max(0, floorDiv(last - first, MS_PER_DAY) + 1);
  if (count === 0 || count > MAX_ROLLUP_DAYS) return undefined;
  if (first < MIN_DAY_MS || last > MAX_DAY_MS) return undefined;
  const days: string[] = [];
  for (let d = first; d <= last; d += MS_PER_DAY) days.push(dayKey(d));
  return { family, experimentId: q.experimentIds[0]!, metricName: q.metric, groupingSet: grouping, days };
}
