/**
 * Trace metrics (SqlAlchemyStore.query_trace_metrics over sql_trace_metrics_utils.query_metrics,
 * rollups disabled): one grouped aggregate query over trace_info, spans (joined to their trace)
 * or valid assessments. Every arithmetic expression is written as SQLAlchemy renders it for the
 * dialect (true division as `/ (n + 0.0)` on SQLite and `/ CAST(n AS NUMERIC)` on PostgreSQL,
 * `div`/`mod` buckets for PostgreSQL spans, FLOOR(... / n) latency on MySQL), so the database
 * computes the very values MLflow's does; grouping order and collation are the database's too.
 */
import { sql, type RawBuilder } from 'kysely';
import type { StoreContext } from './context.js';
import type { DialectSql } from '../dialects/dialect.js';

export type MetricView = 'TRACES' | 'SPANS' | 'ASSESSMENTS';
/** An aggregation: a plain SQL aggregate, or the dialect's percentile (0..100) by interpolation. */
export type MetricAggregate = 'COUNT' | 'SUM' | 'AVG' | 'MIN' | 'MAX' | { percentile: number };

export interface TraceMetricsQuery {
  view: MetricView;
  metric: string;
  /** Distinct, in the request's order. */
  aggregations: readonly MetricAggregate[];
  /** Distinct validated dimension keys, in the request's order. */
  dimensions: readonly string[];
  experimentIds: readonly number[];
  /** time_interval_seconds when set (positive). */
  bucketSeconds?: number;
  /** Inclusive bounds, safe integers. */
  startMs?: number;
  endMs?: number;
  limit: number;
  /** Validated filters, in the request's order (applied with AND). */
  filters: readonly MetricsFilterPredicate[];
}

/**
 * One parsed filter as _apply_filters writes it: a trace_info column, a tag / metadata row of the
 * trace, or a span / assessment column, each compared with a plain `=`.
 */
export type MetricsFilterPredicate =
  | { on: 'trace'; column: 'status' | 'session_id' | 'trace_name'; value: string }
  | { on: 'trace_tags' | 'trace_request_metadata'; key: string; value: string }
  /** mlflow.sourceRun: the metadata row, or a trace-to-run link (link_traces_to_run). */
  | { on: 'source_run'; value: string }
  /** Reserved token usage / cost metadata: each column equal to its value or NULL (never when not matchable). */
  | { on: 'analytics'; columns: readonly { column: string; value: number | null }[]; matchable: boolean }
  | { on: 'span'; column: 'name' | 'status' | 'type'; value: string }
  | { on: 'assessment'; column: 'name' | 'assessment_type'; value: string };

export interface TraceMetricsRow {
  /** The time bucket's milliseconds, when bucketed. */
  bucketMs?: number;
  /** One value per requested dimension (never null: filtered in SQL). */
  dimensions: string[];
  /** One value per aggregation; null where SQL gave NULL. */
  values: (number | null)[];
}

/** Span cost metrics are ranged on span start time; the others on their trace's timestamp. */
export const SPAN_COST_METRICS: ReadonlySet<string> = new Set(['input_cost', 'output_cost', 'total_cost']);

const TRACE_COLUMNS: Record<string, string> = {
  trace_count: 'trace_info.request_id',
  latency: 'trace_info.execution_time_ms',
  input_tokens: 'trace_info.input_tokens',
  output_tokens: 'trace_info.output_tokens',
  total_tokens: 'trace_info.total_tokens',
  cache_read_input_tokens: 'trace_info.cache_read_input_tokens',
  cache_creation_input_tokens: 'trace_info.cache_creation_input_tokens',
};

const DIMENSION_COLUMNS: Record<MetricView, Record<string, string>> = {
  TRACES: { trace_name: 'trace_info.trace_name', trace_status: 'trace_info.status' },
  SPANS: {
    span_name: 'spans.name',
    span_type: 'spans.type',
    span_status: 'spans.status',
    span_model_name: 'spans.model_name',
    span_model_provider: 'spans.model_provider',
  },
  ASSESSMENTS: { assessment_name: 'assessments.name', assessment_value: 'assessments.value' },
};

/** `a / n` as SQLAlchemy renders true division of an integer by an integer literal. */
function trueDiv(dialect: string, a: string, n: number): string {
  if (dialect === 'sqlite') return `${a} / (${n} + 0.0)`;
  if (dialect === 'postgresql') return `${a} / CAST(${n} AS NUMERIC)`;
  return `${a} / ${n}`;
}

function aggColumn(dialect: string, view: MetricView, metric: string): string {
  if (view === 'TRACES') return TRACE_COLUMNS[metric]!;
  if (view === 'ASSESSMENTS') {
    return metric === 'assessment_count' ? 'assessments.assessment_id' : 'assessments.aggregate_value';
  }
  if (metric === 'span_count') return 'spans.span_id';
  if (metric === 'latency') {
    // `(end - start) // 1000000`: integer division, FLOOR of true division on MySQL.
    const diff = '(spans.end_time_unix_nano - spans.start_time_unix_nano)';
    return dialect === 'mysql' ? `FLOOR(${diff} / 1000000)` : `${diff} / 1000000`;
  }
  return `spans.${metric}`;
}

/** get_time_bucket_expression. */
function bucketExpr(dialect: string, view: MetricView, seconds: number): string {
  const ms = seconds * 1000;
  if (view === 'SPANS') {
    const ns = 'spans.start_time_unix_nano';
    if (dialect === 'postgresql') {
      const bucketNs = BigInt(seconds) * 1_000_000_000n;
      return (
        `(div(${ns}, ${bucketNs}) - CASE WHEN (${ns} < 0 AND mod(${ns}, ${bucketNs}) != 0) ` +
        `THEN 1 ELSE 0 END) * ${ms}`
      );
    }
    return `floor((${trueDiv(dialect, ns, 1000000)}) / ${dialect === 'sqlite' ? `(${ms} + 0.0)` : ms}) * ${ms}`;
  }
  const ts = view === 'TRACES' ? 'trace_info.timestamp_ms' : 'assessments.trace_timestamp_ms';
  return `floor(${trueDiv(dialect, ts, ms)}) * ${ms}`;
}

/** A number from the driver: numeric/decimal text, bigint or number (Python's float(value)). */
function toNumber(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  return Number(String(v));
}

/** A predicate on the trace of the row: direct on trace_info, or EXISTS for assessments. */
function filterSql(d: DialectSql, view: MetricView, f: MetricsFilterPredicate): RawBuilder<unknown> {
  const traceId = view === 'ASSESSMENTS' ? 'assessments.trace_id' : 'trace_info.request_id';
  switch (f.on) {
    case 'analytics': {
      const match = f.matchable
        ? sql`(${sql.join(
            f.columns.map((c) =>
              c.value === null
                ? sql`trace_info.${sql.raw(c.column)} IS NULL`
                : sql`(trace_info.${sql.raw(c.column)} IS NOT NULL AND trace_info.${sql.raw(c.column)} = ${d.numberParam(c.value)})`,
            ),
            sql` AND `,
          )})`
        : sql`(1 = 0)`;
      if (view === 'ASSESSMENTS') {
        return sql`EXISTS (SELECT * FROM trace_info WHERE trace_info.request_id = assessments.trace_id AND ${match})`;
      }
      return match;
    }
    case 'trace':
      if (view === 'ASSESSMENTS') {
        return sql`EXISTS (SELECT * FROM trace_info WHERE trace_info.request_id = assessments.trace_id AND trace_info.${sql.raw(f.column)} = ${f.value})`;
      }
      return sql`trace_info.${sql.raw(f.column)} = ${f.value}`;
    case 'trace_tags':
    case 'trace_request_metadata':
      return sql`EXISTS (SELECT * FROM ${sql.raw(f.on)} WHERE ${sql.raw(f.on)}.request_id = ${sql.raw(traceId)} AND ${sql.raw(f.on)}.key = ${f.key} AND ${sql.raw(f.on)}.value = ${f.value})`;
    case 'source_run':
      return sql`(EXISTS (SELECT * FROM trace_request_metadata WHERE trace_request_metadata.request_id = ${sql.raw(traceId)} AND trace_request_metadata.key = 'mlflow.sourceRun' AND trace_request_metadata.value = ${f.value}) OR EXISTS (SELECT * FROM entity_associations WHERE entity_associations.source_id = ${sql.raw(traceId)} AND entity_associations.source_type = 'trace' AND entity_associations.destination_type = 'run' AND entity_associations.destination_id = ${f.value}))`;
    case 'span':
      return sql`spans.${sql.raw(f.column)} = ${f.value}`;
    case 'assessment':
      return sql`assessments.${sql.raw(f.column)} = ${f.value}`;
  }
}

export const traceMetricOperations = {
  async queryTraceMetrics(ctx: StoreContext, q: TraceMetricsQuery): Promise<TraceMetricsRow[]> {
    const dialect = ctx.dialect.name;
    const ids = q.experimentIds.length > 0 ? q.experimentIds.join(', ') : null;
    const where: string[] = [];
    let from: string;
    const inIds = (col: string): string => (ids === null ? '1 != 1' : `${col} IN (${ids})`);
    if (q.view === 'TRACES') {
      from = 'trace_info';
      where.push(inIds('trace_info.experiment_id'));
    } else if (q.view === 'SPANS') {
      const traceFilters = q.filters.some((f) => f.on !== 'span');
      if (dialect === 'postgresql' && SPAN_COST_METRICS.has(q.metric) && !traceFilters) {
        // Span cost without trace-level filters: the denormalized span columns alone.
        from = 'spans';
        where.push(inIds('spans.experiment_id'));
      } else {
        from = 'trace_info JOIN spans ON spans.trace_id = trace_info.request_id';
        where.push(inIds('trace_info.experiment_id'));
      }
    } else {
      from = 'assessments';
      where.push(inIds('assessments.experiment_id'), 'assessments.valid = true');
    }

    const filters = q.filters.map((f) => filterSql(ctx.dialect.sql, q.view, f));

    // _build_time_range_predicate over the view's timestamp.
    if (q.view === 'SPANS' && SPAN_COST_METRICS.has(q.metric)) {
      if (q.startMs !== undefined) {
        where.push(`spans.start_time_unix_nano >= ${BigInt(q.startMs) * 1_000_000n}`);
      }
      if (q.endMs !== undefined) {
        where.push(`spans.start_time_unix_nano < ${(BigInt(q.endMs) + 1n) * 1_000_000n}`);
      }
    } else {
      const ts = q.view === 'ASSESSMENTS' ? 'assessments.trace_timestamp_ms' : 'trace_info.timestamp_ms';
      if (q.startMs !== undefined) where.push(`${ts} >= ${q.startMs}`);
      if (q.endMs !== undefined) where.push(`${ts} <= ${q.endMs}`);
    }

    let agg: string;
    if (q.view === 'TRACES' && q.metric === 'session_count') {
      where.push('trace_info.session_id IS NOT NULL');
      agg = 'DISTINCT trace_info.session_id';
    } else {
      agg = aggColumn(dialect, q.view, q.metric);
      where.push(`${agg} IS NOT NULL`);
    }

    const groups: string[] = [];
    if (q.bucketSeconds !== undefined) groups.push(bucketExpr(dialect, q.view, q.bucketSeconds));
    for (const d of q.dimensions) {
      const col = DIMENSION_COLUMNS[q.view][d]!;
      where.push(`${col} IS NOT NULL`);
      groups.push(col);
    }
    // Every raw piece is a validated key, an integer or a fixed SQL fragment; values are bound.
    const conditions = [...where.slice(0, 1), ...filters, ...where.slice(1)].map((w) =>
      typeof w === 'string' ? sql.raw(w) : w,
    );
    const d = ctx.dialect.sql;
    const fromRank = d.percentileAggregate === undefined && q.aggregations.some((a) => typeof a !== 'string');
    let query;
    if (!fromRank) {
      const selects = [
        ...groups.map((g, i) => `${g} AS g${i}`),
        ...q.aggregations.map((a, i) =>
          typeof a === 'string'
            ? `${a.toLowerCase()}(${agg}) AS v${i}`
            : `${d.percentileAggregate!(agg, a.percentile)} AS v${i}`,
        ),
      ];
      let tail = '';
      if (groups.length > 0) tail += ` GROUP BY ${groups.join(', ')} ORDER BY ${groups.join(', ')}`;
      tail += ` LIMIT ${q.limit}`;
      query = sql<
        Record<string, unknown>
      >`SELECT ${sql.raw(selects.join(', '))} FROM ${sql.raw(from)} WHERE ${sql.join(conditions, sql` AND `)}${sql.raw(tail)}`;
    } else {
      // A window function cannot sit beside GROUP BY: the rows with their rank in a subquery,
      // every aggregation over it (MLflow's _build_query_with_percentile_subquery).
      const partition = groups.length > 0 ? `PARTITION BY ${groups.join(', ')} ` : '';
      const inner = [
        ...groups.map((g, i) => `${g} AS g${i}`),
        `${agg} AS agg_value`,
        `percent_rank() OVER (${partition}ORDER BY ${agg}) AS pct_rank`,
      ];
      const outerGroups = groups.map((_, i) => `anon_1.g${i}`);
      const selects = [
        ...outerGroups.map((g, i) => `${g} AS g${i}`),
        ...q.aggregations.map((a, i) =>
          typeof a === 'string'
            ? `${a.toLowerCase()}(anon_1.agg_value) AS v${i}`
            : `${d.percentileFromRank!('anon_1.agg_value', 'anon_1.pct_rank', a.percentile)} AS v${i}`,
        ),
      ];
      let tail = '';
      if (groups.length > 0) tail += ` GROUP BY ${outerGroups.join(', ')} ORDER BY ${outerGroups.join(', ')}`;
      tail += ` LIMIT ${q.limit}`;
      query = sql<
        Record<string, unknown>
      >`SELECT ${sql.raw(selects.join(', '))} FROM (SELECT ${sql.raw(inner.join(', '))} FROM ${sql.raw(from)} WHERE ${sql.join(conditions, sql` AND `)}) AS anon_1${sql.raw(tail)}`;
    }
    const { rows } = await query.execute(ctx.db);
    const bucketed = q.bucketSeconds !== undefined;
    return rows.map((r) => {
      const dims = q.dimensions.map((_, i) => String(r[`g${i + (bucketed ? 1 : 0)}`]));
      const values = q.aggregations.map((_, i) => toNumber(r[`v${i}`]));
      const row: TraceMetricsRow = { dimensions: dims, values };
      if (bucketed) row.bucketMs = toNumber(r.g0)!;
      return row;
    });
  },
};
