/**
 * queryTraceMetrics (handlers._query_trace_metrics over SqlAlchemyStore.query_trace_metrics with
 * trace rollups disabled): COUNT / SUM / AVG / MIN / MAX (and PERCENTILE on PostgreSQL) of the
 * trace, span and assessment metrics, grouped by time bucket and dimensions, under the metrics
 * filter grammar. Handed to the Python server: PERCENTILE off PostgreSQL, filters on the
 * token-usage / cost metadata, and SUM / AVG of REAL columns on SQLite (the pinned
 * server's SQLite library sums floats naively, this one's with Kahan-Babuska compensation, so the
 * last bits may differ). The pinned store never pages: no next_page_token, page_token ignored.
 * With MLFLOW_SQL_TRACE_ROLLUPS_ENABLED, a request MLflow would read from materialized rollup
 * rows is handed over too (trace-rollup-routing.ts); the raw answer stands when none exist.
 */
import type { MlflowService } from '../../gen/services.js';
import type { MetricAggregation, MetricDataPoint } from '../../gen/messages.js';
import { MlflowError } from '../../errors/mlflow-error.js';
import { floatRepr } from '../../py/numbers.js';
import { reprList } from '../../py/repr.js';
import { INT32_MAX } from '../../stores/tracking/experiments.js';
import { parseTraceMetricsFilter, type TraceMetricsFilter } from '../search/trace-metrics-filter.js';
import {
  SPAN_COST_METRICS,
  type MetricsFilterPredicate,
  type MetricView,
  type MetricAggregate,
  type TraceMetricsRow,
} from '../../stores/tracking/trace-metrics.js';
import { NotNative } from '../raw-reply.js';
import { rollupReadPlan } from './trace-rollup-routing.js';
import type { DomainContext, DomainHandlers } from '../types.js';
import { analyticsEquality, isAnalyticsMetadataKey } from './trace-search-plan.js';

/** MAX_RESULTS_QUERY_TRACE_METRICS */
const MAX_RESULTS_DEFAULT = 1000;
const TIME_BUCKET = 'time_bucket';

interface MetricConfig {
  aggregations: readonly string[];
  dimensions: readonly string[];
}

const STATS = ['AVG', 'MIN', 'MAX', 'PERCENTILE'];
const TOKEN = { aggregations: ['SUM', ...STATS], dimensions: ['trace_name'] };
const COST = { aggregations: ['SUM', ...STATS], dimensions: ['span_model_name', 'span_model_provider'] };

/** VIEW_TYPE_CONFIGS: each view's metrics (in MLflow's order), their aggregations and dimensions. */
const CONFIGS: Record<MetricView, Record<string, MetricConfig>> = {
  TRACES: {
    trace_count: { aggregations: ['COUNT'], dimensions: ['trace_name', 'trace_status'] },
    session_count: { aggregations: ['COUNT'], dimensions: [] },
    latency: { aggregations: STATS, dimensions: ['trace_name'] },
    input_tokens: TOKEN,
    output_tokens: TOKEN,
    total_tokens: TOKEN,
    cache_read_input_tokens: TOKEN,
    cache_creation_input_tokens: TOKEN,
  },
  SPANS: {
    span_count: {
      aggregations: ['COUNT'],
      dimensions: ['span_name', 'span_type', 'span_status', 'span_model_name', 'span_model_provider'],
    },
    latency: { aggregations: STATS, dimensions: ['span_name', 'span_status'] },
    input_cost: COST,
    output_cost: COST,
    total_cost: COST,
  },
  ASSESSMENTS: {
    assessment_count: { aggregations: ['COUNT'], dimensions: ['assessment_name', 'assessment_value'] },
    assessment_value: { aggregations: STATS, dimensions: ['assessment_name'] },
  },
};

const metricConfig = (view: MetricView, metric: string): MetricConfig | undefined =>
  Object.hasOwn(CONFIGS[view], metric) ? CONFIGS[view][metric] : undefined;
const metricNames = (view: MetricView): string[] => Object.keys(CONFIGS[view]);

/** datetime.fromtimestamp(ms / 1000.0, tz=timezone.utc).isoformat() of a whole-second bucket. */
function isoFromMillis(ms: number): string {
  const d = new Date(ms);
  const year = d.getUTCFullYear();
  if (ms % 1000 !== 0 || Number.isNaN(year) || year < 1 || year > 9999) {
    throw new NotNative(`time bucket ${ms}`);
  }
  return d.toISOString().slice(0, 19) + '+00:00';
}

interface Aggregation {
  type: string;
  /** str(MetricAggregation): the type, or `P<percentile_value>`. */
  label: string;
  percentile?: number;
}

/**
 * MetricAggregation.from_proto (its ValueErrors are 500s: handed over). An unset or unknown enum
 * reads as the proto2 default, the first value (COUNT).
 */
function aggregation(a: MetricAggregation): Aggregation {
  const type = a.aggregation_type ?? 'COUNT';
  const p = a.percentile_value;
  if (type === 'PERCENTILE') {
    if (p === undefined || !(p >= 0 && p <= 100)) throw new NotNative('a PERCENTILE without a valid value');
    return { type, label: `P${floatRepr(p)}`, percentile: p };
  }
  if (p !== undefined) throw new NotNative('a percentile_value on another aggregation');
  return { type, label: type };
}

/** validate_query_trace_metrics_params. */
function validate(view: MetricView, metric: string, types: readonly string[], dims: readonly string[]): void {
  const config = metricConfig(view, metric);
  if (config === undefined) {
    throw MlflowError.invalidParameter(
      `metric_name must be one of ${reprList(metricNames(view))}, got '${metric}'`,
    );
  }
  const invalidAggs = [...new Set(types)].filter((t) => !config.aggregations.includes(t)).sort();
  if (invalidAggs.length > 0) {
    throw MlflowError.invalidParameter(
      `Found invalid aggregation_type(s): ${reprList(invalidAggs)}. ` +
        `Supported aggregation types: ${reprList([...config.aggregations].sort())}`,
    );
  }
  const invalidDims = [...new Set(dims)].filter((d) => !config.dimensions.includes(d)).sort();
  if (invalidDims.length > 0) {
    throw MlflowError.invalidParameter(
      `Found invalid dimension(s): ${reprList(invalidDims)}. ` +
        `Supported dimensions: ${reprList([...config.dimensions].sort())}`,
    );
  }
}

/** _parse_experiment_ids: int() of each id. */
function experimentIds(ids: readonly string[]): number[] {
  return ids.map((id) => {
    if (/^[ \t\n\r\f\v]*[+-]?\d+[ \t\n\r\f\v]*$/.test(id)) {
      const n = Number(id.trim());
      if (Math.abs(n) > INT32_MAX) throw new NotNative('an experiment id beyond INTEGER');
      return n === 0 ? 0 : n;
    }
    // ASCII text int() cannot read (it also reads `1_0` and other scripts' digits).
    if (/^[\x20-\x7e]*$/.test(id) && !/^\s*[+-]?\d+(_\d+)*\s*$/.test(id)) {
      throw MlflowError.invalidParameter(
        `Invalid experiment ID '${id}'. Experiment ID must be a valid integer.`,
      );
    }
    throw new NotNative(`experiment id ${JSON.stringify(id)}`);
  });
}

/** _apply_filters' translation of one parsed filter, with its view checks. */
function predicate(view: MetricView, f: TraceMetricsFilter): MetricsFilterPredicate {
  if (f.viewType === 'span') {
    if (view !== 'SPANS') {
      throw MlflowError.invalidParameter(
        `Filtering by span is only supported for SPANS view type, got ${view}`,
      );
    }
    return { on: 'span', column: f.entity as 'name' | 'status' | 'type', value: f.value };
  }
  if (f.viewType === 'assessment') {
    if (view !== 'ASSESSMENTS') {
      throw MlflowError.invalidParameter(
        `Filtering by assessment is only supported for ASSESSMENTS view type, got ${view}`,
      );
    }
    return { on: 'assessment', column: f.entity === 'name' ? 'name' : 'assessment_type', value: f.value };
  }
  if (f.entity === 'status') return { on: 'trace', column: 'status', value: f.value };
  if (f.key === null) throw new NotNative(`a trace ${f.entity} filter with an empty key`);
  if (f.entity === 'metadata') {
    if (f.key === 'mlflow.trace.session') return { on: 'trace', column: 'session_id', value: f.value };
    if (isAnalyticsMetadataKey(f.key)) {
      // TraceMetadataKey.TOKEN_USAGE / COST: get_trace_analytics_metadata_filter on the columns.
      const eq = analyticsEquality(f.key, false, f.value);
      if (eq.on !== 'columns_equal') throw new Error('unreachable');
      return { on: 'analytics', columns: eq.columns, matchable: eq.matchable };
    }
    if (f.key === 'mlflow.sourceRun') return { on: 'source_run', value: f.value };
    return { on: 'trace_request_metadata', key: f.key, value: f.value };
  }
  if (f.key === 'mlflow.traceName') return { on: 'trace', column: 'trace_name', value: f.value };
  return { on: 'trace_tags', key: f.key, value: f.value };
}

/**
 * Each filter parsed then applied in turn; PostgreSQL's span view parses them all first and
 * applies the trace-level ones before the span ones (_partition_span_metric_filters).
 */
function planFilters(
  view: MetricView,
  filters: readonly string[],
  dialect: string,
): MetricsFilterPredicate[] {
  if (view === 'SPANS' && dialect === 'postgresql') {
    const parsed = filters.map(parseTraceMetricsFilter);
    const trace = parsed.filter((f) => f.viewType !== 'span');
    const span = parsed.filter((f) => f.viewType === 'span');
    return [...trace, ...span].map((f) => predicate(view, f));
  }
  return filters.map((f) => predicate(view, parseTraceMetricsFilter(f)));
}

const SAFE = (n: number | undefined): boolean => n === undefined || Number.isSafeInteger(n);

/** convert_results_to_metric_data_points. */
function dataPoint(
  row: TraceMetricsRow,
  metric: string,
  dims: readonly string[],
  aggs: readonly string[],
): MetricDataPoint | undefined {
  const dimensions: Record<string, string> = {};
  if (row.bucketMs !== undefined) dimensions[TIME_BUCKET] = isoFromMillis(row.bucketMs);
  dims.forEach((d, i) => (dimensions[d] = row.dimensions[i]!));
  const values: Record<string, number> = {};
  aggs.forEach((a, i) => {
    const v = row.values[i];
    if (v !== null && v !== undefined) values[a] = v;
  });
  if (Object.keys(values).length === 0) return undefined;
  return { metric_name: metric, dimensions, values };
}

export const traceMetricsHandlers = {
  async queryTraceMetrics(req, { stores }) {
    // An unknown view type name is dropped by the parser and reads as the default, TRACES.
    const view: MetricView = req.view_type ?? 'TRACES';
    const metric = req.metric_name ?? '';
    const parsedAggs = (req.aggregations ?? []).map(aggregation);
    const types = parsedAggs.map((a) => a.type);
    const dims = req.dimensions ?? [];
    validate(view, metric, types, dims);

    const bucket = req.time_interval_seconds;
    const start = req.start_time_ms;
    const end = req.end_time_ms;
    if (bucket && (start === undefined || end === undefined)) {
      throw MlflowError.invalidParameter(
        'start_time_ms and end_time_ms are required if time_interval_seconds is set',
      );
    }
    const ids = experimentIds(req.experiment_ids ?? []);
    const filters = planFilters(view, req.filters ?? [], stores.dialect.name);

    // Values are keyed by label: a repeated aggregation is one value, at its first place.
    const byLabel = new Map(parsedAggs.map((a) => [a.label, a]));
    const aggs = [...byLabel.values()];
    const realColumn =
      (view === 'SPANS' && SPAN_COST_METRICS.has(metric)) ||
      (view === 'ASSESSMENTS' && metric === 'assessment_value');
    if (
      stores.dialect.name === 'sqlite' &&
      realColumn &&
      aggs.some((a) => a.type === 'SUM' || a.type === 'AVG')
    ) {
      throw new NotNative('SUM/AVG of a REAL column on SQLite');
    }
    const limit = req.max_results ?? MAX_RESULTS_DEFAULT;
    if (!Number.isSafeInteger(limit) || limit < 0 || limit > INT32_MAX) {
      throw new NotNative(`max_results ${String(limit)}`);
    }
    if (
      bucket !== undefined &&
      bucket !== 0 &&
      (!Number.isSafeInteger(bucket) || bucket < 0 || bucket > 1e9)
    ) {
      throw new NotNative(`time_interval_seconds ${String(bucket)}`);
    }
    // Bounds past what the stored timestamps can reach as exact integers go to Python.
    if (!SAFE(start) || !SAFE(end) || Math.abs(start ?? 0) > 2 ** 52 || Math.abs(end ?? 0) > 2 ** 52) {
      throw new NotNative('a time bound beyond 2**52');
    }

    const uniqueDims = [...new Set(dims)];
    if (aggs.length === 0 && uniqueDims.length === 0 && !bucket) {
      // SQLAlchemy's refusal of a SELECT without columns, which MLflow reports as a bad parameter.
      throw new MlflowError('Query contains no columns with which to SELECT from.', 'BAD_REQUEST');
    }
    // Opt-in rollups: MLflow reads a form it can serve from rollups from them whenever a day of it is
    // materialized and not queued for rebuild; those answers come from the Python server.
    if (stores.tracking.traceRollupsEnabled()) {
      const plan = rollupReadPlan({
        view,
        metric,
        aggregations: parsedAggs,
        dimensions: dims,
        filters: req.filters ?? [],
        bucketSeconds: bucket,
        startMs: start,
        endMs: end,
        experimentIds: ids,
        dialect: stores.dialect.name,
      });
      if (plan && (await stores.tracking.anyRollupDayCovered(plan))) {
        throw new NotNative('a request MLflow serves from its trace rollups');
      }
    }
    const rows = await stores.tracking.queryTraceMetrics({
      view,
      metric,
      aggregations: aggs.map((a): MetricAggregate =>
        a.percentile !== undefined ? { percentile: a.percentile } : (a.type as MetricAggregate),
      ),
      dimensions: uniqueDims,
      experimentIds: ids,
      ...(bucket ? { bucketSeconds: bucket } : {}),
      ...(start !== undefined ? { startMs: start } : {}),
      ...(end !== undefined ? { endMs: end } : {}),
      limit,
      filters,
    });
    const labels = aggs.map((a) => a.label);
    const points = rows.flatMap((r) => dataPoint(r, metric, uniqueDims, labels) ?? []);
    // The pinned store never pages (its page token is a TODO): no next_page_token.
    return { data_points: points };
  },
} satisfies DomainHandlers<Pick<MlflowService<DomainContext>, 'queryTraceMetrics'>>;
