import { sql } from 'kysely';
import type { StoreContext } from './context.js';
import type { StoredMetric as Metric, StoredMetricWithRunId as MetricWithRunId } from './entities.js';
import { metricEntity } from './run-entities.js';

/**
 * Rows fetched per round trip when a whole history is walked. Small enough that a page's objects
 * (about 100 bytes a row) never fill most of a 256 KB V8 new-space page: a page still alive at a
 * scavenge is then copied and dies young, where 5,000 rows would at times get whole new-space
 * pages promoted to the old generation, which then grew by ~100 MB over a 1M-point stream.
 */
const PAGE = 1000;

/**
 * get_metric_history: ordered by (timestamp, step, value), from row `offset`; with maxResults one
 * page and whether more rows follow (MLflow's offset-based pages), without it every row. The run
 * is not required to exist (MLflow answers an empty list).
 */
export async function getMetricHistory(
  ctx: StoreContext,
  runId: string,
  key: string,
  maxResults?: number,
  offset = 0,
): Promise<{ metrics: Metric[]; hasMore: boolean }> {
  if (maxResults === undefined) {
    const metrics: Metric[] = [];
    for await (const page of iterateMetricHistory(ctx, runId, key, offset)) metrics.push(...page);
    return { metrics, hasMore: false };
  }
  const rows = await baseQuery(ctx, runId, key)
    .offset(offset)
    .limit(maxResults + 1)
    .execute();
  return { metrics: rows.slice(0, maxResults).map(metricEntity), hasMore: rows.length === maxResults + 1 };
}

function baseQuery(ctx: StoreContext, runId: string, key: string) {
  return keylessQuery(ctx, runId, key).select('key');
}

/**
 * The history's rows without their key column: every row's key equals `key` (both dialects compare
 * keys byte for byte), so a long walk does not have the driver decode one key string per row.
 */
function keylessQuery(ctx: StoreContext, runId: string, key: string) {
  return ctx.db
    .selectFrom('metrics')
    .select(['value', 'timestamp', 'step', 'is_nan'])
    .where('run_uuid', '=', runId)
    .where('key', '=', key)
    .orderBy('timestamp')
    .orderBy('step')
    .orderBy('value')
    .orderBy('is_nan');
}

/**
 * get_metric_history without max_results, streamed: the pages of `iterateMetricHistory` from row
 * `offset`. The database is read only as the pages are pulled.
 */
export function streamMetricHistory(
  ctx: StoreContext,
  runId: string,
  key: string,
  offset = 0,
): () => AsyncGenerator<Metric[]> {
  return () => iterateMetricHistory(ctx, runId, key, offset);
}

/**
 * Walks a metric's whole history in pages of PAGE rows with keyset pagination on the query's
 * order (timestamp, step, value, is_nan), so a long history is never held by the database driver
 * in one result. Each page is its own query: no connection is held between pages (better-sqlite3
 * blocks only for one page at a time; a PostgreSQL pool connection is returned after each page).
 */
async function* iterateMetricHistory(
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
  let q = keylessQuery(ctx, runId, key);
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
  const compiled = query.compile();
  const rows = await ctx.dialect.selectRows<Awaited<ReturnType<typeof query.execute>>[number]>(
    compiled.sql,
    compiled.parameters,
  );
  const l = rows[rows.length - 1];
  return {
    metrics: rows.map((r) => ({
      key,
      value: r.is_nan ? NaN : r.value,
      timestamp: r.timestamp ?? 0,
      step: r.step,
    })),
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
 * get_metric_history_bulk_interval: per run, MLflow's sample of up to maxResults rows (optionally
 * within [startStep, endStep]): the first row of each of NTILE(maxResults) buckets over the order
 * (step, timestamp, value, is_nan), then the run's last row appended (or put in place of the last
 * sampled row when there are already maxResults). One statement for all runs: each row's position
 * `ra` and its run's row count `cnt` come from one window pass, and a row is kept when it starts an
 * NTILE bucket (computed arithmetically: with q = cnt / n and r = cnt % n, the first r buckets hold
 * q + 1 rows and the others q, so bucket starts are at 0, q+1, ..., r(q+1), r(q+1)+q, ...) or is
 * the last row; only those rows leave the database.
 */
export async function getMetricHistoryBulkInterval(
  ctx: StoreContext,
  runIds: string[],
  key: string,
  maxResults: number,
  startStep: number | undefined,
  endStep: number | undefined,
): Promise<MetricWithRunId[]> {
  if (runIds.length === 0) return [];
  const n = Math.max(1, Math.trunc(maxResults));
  const distinct = [...new Set(runIds)];
  const range =
    startStep !== undefined && endStep !== undefined
      ? sql`AND step >= ${startStep} AND step <= ${endStep}`
      : sql``;
  const N = sql.lit(n);
  const q = ctx.dialect.sql.intDiv(sql`cnt`, N);
  const r = sql`(cnt % ${N})`;
  // Each returned row carries `flags` (1: starts a bucket, 2: the run's last row); the run id only
  // on a run's first row (always a bucket start; rows come ordered by run then position), which
  // keeps the driver from decoding the same 32-character id for every sampled point.
  const rows = (
    await sql<SampledRow>`
      SELECT CASE WHEN ra = 1 THEN run_uuid END AS run_uuid, value, timestamp, step, is_nan,
        (CASE
          WHEN cnt <= ${N} THEN 1
          WHEN ra - 1 < ${r} * (${q} + 1) THEN CASE WHEN (ra - 1) % (${q} + 1) = 0 THEN 1 ELSE 0 END
          ELSE CASE WHEN (ra - 1 - ${r} * (${q} + 1)) % ${q} = 0 THEN 1 ELSE 0 END
        END) + (CASE WHEN ra = cnt THEN 2 ELSE 0 END) AS flags
      FROM (
        SELECT run_uuid, value, timestamp, step, is_nan,
               ROW_NUMBER() OVER (PARTITION BY run_uuid ORDER BY step, timestamp, value, is_nan) AS ra,
               COUNT(*) OVER (PARTITION BY run_uuid) AS cnt
        FROM metrics
        WHERE metrics.key = ${key} AND run_uuid IN (${sql.join(distinct)}) ${range}
      ) positioned
      WHERE ra = cnt OR cnt <= ${N}
        OR ra - 1 < ${r} * (${q} + 1) AND (ra - 1) % (${q} + 1) = 0
        OR ra - 1 >= ${r} * (${q} + 1) AND (ra - 1 - ${r} * (${q} + 1)) % NULLIF(${q}, 0) = 0
      ORDER BY positioned.run_uuid, ra`.execute(ctx.db)
  ).rows;

  const byRun = new Map<string, MetricWithRunId[]>();
  let i = 0;
  while (i < rows.length) {
    const runId = rows[i]!.run_uuid!;
    const sampled: SampledRow[] = [];
    let last: SampledRow | undefined;
    do {
      const row = rows[i]!;
      const flags = Number(row.flags);
      if (flags & 1) sampled.push(row);
      if (flags & 2) last = row;
      i++;
    } while (i < rows.length && rows[i]!.run_uuid === null);
    if (last && (sampled.length === 0 || !sameRowKey(sampled[sampled.length - 1]!, last))) {
      if (sampled.length >= n) sampled[sampled.length - 1] = last;
      else sampled.push(last);
    }
    byRun.set(
      runId,
      sampled.map((s) => ({
        key,
        value: s.is_nan ? NaN : s.value,
        timestamp: s.timestamp ?? 0,
        step: s.step,
        run_id: runId,
      })),
    );
  }
  const out: MetricWithRunId[] = [];
  for (const runId of runIds) {
    const metrics = byRun.get(runId);
    if (metrics) for (const m of metrics) out.push(m);
  }
  return out;
}

interface SampledRow {
  run_uuid: string | null;
  value: number;
  timestamp: number;
  step: number;
  is_nan: boolean | number;
  flags: number | string;
}

/** MLflow's _row_key: (step, timestamp, value or None when NaN, is_nan). */
function sameRowKey(a: SampledRow, b: SampledRow): boolean {
  return (
    a.step === b.step &&
    a.timestamp === b.timestamp &&
    Boolean(a.is_nan) === Boolean(b.is_nan) &&
    (Boolean(a.is_nan) || a.value === b.value)
  );
}

/** The metric-history operations of the tracking store (see store.ts). */
export const metricHistoryOperations = {
  getMetricHistory,
  streamMetricHistory,
  getMetricHistoryBulk,
  getMetricHistoryBulkInterval,
};
