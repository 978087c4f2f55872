import { sql } from 'kysely';
import type { StoreContext } from './context.js';
import type { Metric, MetricWithRunId } from './entities.js';
import { createOffsetToken, parseOffsetToken } from './page-token.js';
import { metricEntity } from './run-entities.js';

/** mlflow.store.tracking.MAX_RESULTS_GET_METRIC_HISTORY */
export const MAX_RESULTS_GET_METRIC_HISTORY = 25000;
/** Rows fetched per round trip when a whole history is walked. */
const PAGE = 5000;

/**
 * get_metric_history: ordered by (timestamp, step, value); with maxResults one page plus a next
 * token (offset-based, as MLflow); without it, every row. The run is not required to exist (MLflow
 * answers an empty list).
 */
export async function getMetricHistory(
  ctx: StoreContext,
  runId: string,
  key: string,
  maxResults: number | undefined,
  pageToken: string | undefined,
): Promise<{ metrics: Metric[]; nextPageToken?: string }> {
  const offset = parseOffsetToken(pageToken);
  if (maxResults === undefined) {
    const metrics: Metric[] = [];
    for await (const page of iterateMetricHistory(ctx, runId, key, offset)) metrics.push(...page);
    return { metrics };
  }
  const rows = await baseQuery(ctx, runId, key)
    .offset(offset)
    .limit(maxResults + 1)
    .execute();
  const metrics = rows.slice(0, maxResults).map(metricEntity);
  return rows.length === maxResults + 1
    ? { metrics, nextPageToken: createOffsetToken(offset + maxResults) }
    : { metrics };
}

function baseQuery(ctx: StoreContext, runId: string, key: string) {
  return ctx.db
    .selectFrom('metrics')
    .select(['key', 'value', 'timestamp', 'step', 'is_nan'])
    .where('run_uuid', '=', runId)
    .where('key', '=', key)
    .orderBy('timestamp')
    .orderBy('step')
    .orderBy('value')
    .orderBy('is_nan');
}

/**
 * Walks a metric's whole history in pages of PAGE rows with keyset pagination on the metric
 * primary key order, so a long history is never held by the database driver in one result.
 */
export async function* iterateMetricHistory(
  ctx: StoreContext,
  runId: string,
  key: string,
  offset = 0,
): AsyncGenerator<Metric[]> {
  let after: { timestamp: number; step: number; value: number; is_nan: boolean | number } | undefined;
  let first = true;
  for (;;) {
    let q = baseQuery(ctx, runId, key);
    if (first && offset > 0) q = q.offset(offset);
    if (after) {
      const a = after;
      q = q.where(
        sql<boolean>`(timestamp, step, value, is_nan) > (${a.timestamp}, ${a.step}, ${a.value}, ${a.is_nan})`,
      );
    }
    const rows = await q.limit(PAGE).execute();
    first = false;
    if (rows.length > 0) yield rows.map(metricEntity);
    if (rows.length < PAGE) return;
    const last = rows[rows.length - 1]!;
    after = { timestamp: last.timestamp, step: last.step, value: last.value, is_nan: last.is_nan };
  }
}

/**
 * get_metric_history_bulk (the UI's ajax get-history-bulk): the histories of several runs, ordered by
 * run id, then timestamp, step, value; at most maxResults rows in all.
 */
export async function getMetricHistoryBulk(
  ctx: StoreContext,
  runIds: string[],
  key: string,
  maxResults: number,
): Promise<MetricWithRunId[]> {
  if (runIds.length === 0) return [];
  const rows = await ctx.db
    .selectFrom('metrics')
    .select(['run_uuid', 'key', 'value', 'timestamp', 'step', 'is_nan'])
    .where('key', '=', key)
    .where('run_uuid', 'in', runIds)
    .orderBy('run_uuid')
    .orderBy('timestamp')
    .orderBy('step')
    .orderBy('value')
    .limit(maxResults)
    .execute();
  return rows.map((r) => ({ ...metricEntity(r), run_id: r.run_uuid }));
}

/**
 * get_metric_history_bulk_interval: per run, up to maxResults rows evenly sampled in SQL (NTILE
 * buckets over (step, timestamp, value, is_nan), first row of each bucket) plus the run's last row,
 * optionally within [startStep, endStep].
 */
export async function getMetricHistoryBulkInterval(
  ctx: StoreContext,
  runIds: string[],
  key: string,
  maxResults: number,
  startStep: number | undefined,
  endStep: number | undefined,
): Promise<MetricWithRunId[]> {
  const n = Math.max(1, maxResults);
  const out: MetricWithRunId[] = [];
  for (const runId of runIds) {
    const range =
      startStep !== undefined && endStep !== undefined
        ? sql`AND step >= ${startStep} AND step <= ${endStep}`
        : sql``;
    const sampled = await sql<{ value: number; timestamp: number; step: number; is_nan: boolean | number }>`
      SELECT value, timestamp, step, is_nan FROM (
        SELECT value, timestamp, step, is_nan,
               ROW_NUMBER() OVER (PARTITION BY bucket ORDER BY step, timestamp, value, is_nan) AS rn
        FROM (
          SELECT value, timestamp, step, is_nan,
                 NTILE(${n}) OVER (ORDER BY step, timestamp, value, is_nan) AS bucket
          FROM metrics WHERE run_uuid = ${runId} AND key = ${key} ${range}
        ) bucketed
      ) ranked
      WHERE rn = 1
      ORDER BY step, timestamp, value, is_nan`.execute(ctx.db);
    const rows = sampled.rows;
    const last = await sql<{ value: number; timestamp: number; step: number; is_nan: boolean | number }>`
      SELECT value, timestamp, step, is_nan FROM metrics
      WHERE run_uuid = ${runId} AND key = ${key} ${range}
      ORDER BY step DESC, timestamp DESC, value DESC, is_nan DESC
      LIMIT 1`.execute(ctx.db);
    const lastRow = last.rows[0];
    const same = (a: (typeof rows)[number], b: (typeof rows)[number]): boolean =>
      a.step === b.step &&
      a.timestamp === b.timestamp &&
      Boolean(a.is_nan) === Boolean(b.is_nan) &&
      (Boolean(a.is_nan) || a.value === b.value);
    if (lastRow && (rows.length === 0 || !same(rows[rows.length - 1]!, lastRow))) {
      if (rows.length >= n) rows[rows.length - 1] = lastRow;
      else rows.push(lastRow);
    }
    for (const r of rows) out.push({ ...metricEntity({ ...r, key }), run_id: runId });
  }
  return out;
}
