import { sql } from 'kysely';
import type { StoreContext } from './context.js';
import type { Metric, MetricWithRunId } from './entities.js';
import { createOffsetToken, parseOffsetToken } from './page-token.js';
import { metricEntity } from './run-entities.js';

/** mlflow.store.tracking.MAX_RESULTS_GET_METRIC_HISTORY */
export const MAX_RESULTS_GET_METRIC_HISTORY = 25000;
/**
 * Rows fetched per round trip when a whole history is walked. Small enough that a page's objects
 * (about 100 bytes a row) never fill most of a 256 KB V8 new-space page: a page still alive at a
 * scavenge is then copied and dies young, where 5,000 rows would at times get whole new-space
 * pages promoted to the old generation, which then grew by ~100 MB over a 1M-point stream.
 */
const PAGE = 1000;

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
 * get_metric_history without max_results, streamed: the pages of `iterateMetricHistory` from the
 * page token's offset. The token is checked now (its MLflow error comes before any output); the
 * database is read only as the pages are pulled.
 */
export function streamMetricHistory(
  ctx: StoreContext,
  runId: string,
  key: string,
  pageToken: string | undefined,
): () => AsyncGenerator<Metric[]> {
  const offset = parseOffsetToken(pageToken);
  return () => iterateMetricHistory(ctx, runId, key, offset);
}

/**
 * Walks a metric's whole history in pages of PAGE rows with keyset pagination on the query's
 * order (timestamp, step, value, is_nan), so a long history is never held by the database driver
 * in one result. Each page is its own query: no connection is held between pages (better-sqlite3
 * blocks only for one page at a time; a PostgreSQL pool connection is returned after each page).
 */
export async function* iterateMetricHistory(
  ctx: StoreContext,
  runId: string,
  key: string,
  offset = 0,
): AsyncGenerator<Metric[]> {
  let after: KeysetPosition | undefined;
  let first = true;
  for (;;) {
    const page = await fetchPage(ctx, runId, key, first ? offset : 0, after);
    first = false;
    after = page.last;
    // Only the yielded array stays referenced while the consumer works on it: the driver's rows
    // are already garbage, so a long walk keeps about one page alive at a time.
    if (page.metrics.length > 0) yield page.metrics;
    if (!page.more) return;
  }
}

interface KeysetPosition {
  timestamp: number;
  step: number;
  value: number;
  is_nan: boolean | number;
}

async function fetchPage(
  ctx: StoreContext,
  runId: string,
  key: string,
  offset: number,
  after: KeysetPosition | undefined,
): Promise<{ metrics: Metric[]; last: KeysetPosition | undefined; more: boolean }> {
  let q = baseQuery(ctx, runId, key);
  if (offset > 0) q = q.offset(offset);
  if (after) {
    const a = after;
    q = q.where(
      sql<boolean>`(timestamp, step, value, is_nan) > (${a.timestamp}, ${a.step}, ${a.value}, ${a.is_nan})`,
    );
  }
  const query = q.limit(PAGE);
  // PostgreSQL: pool.query (see StoreDialect.selectRows); over Kysely's checked-out client the
  // pages' rows regularly ended up in V8's old generation (~70 MB of garbage over 1M points).
  const rows = ctx.dialect.selectRows
    ? await ctx.dialect.selectRows<Awaited<ReturnType<typeof query.execute>>[number]>(
        ...(({ sql: text, parameters }) => [text, parameters] as const)(query.compile()),
      )
    : await query.execute();
  const l = rows[rows.length - 1];
  return {
    metrics: rows.map(metricEntity),
    last: l && { timestamp: l.timestamp, step: l.step, value: l.value, is_nan: l.is_nan },
    more: rows.length === PAGE,
  };
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
