/**
 * MLflow's opt-in SQL trace rollups (MLFLOW_SQL_TRACE_ROLLUPS_ENABLED), the parts a write path and
 * start-up need (mlflow/store/tracking/utils/sql_trace_rollups.py, mlflow/store/db/trace_rollups.py):
 * - enqueue: a source write invalidates the (experiment, UTC day, family) partitions it touches by
 *   upserting their keys into sql_trace_rollup_rebuild_queue, in the write's own transaction and
 *   before the source rows change (enqueue_rollup_rebuild_partitions). Only days old enough to have
 *   been published count: a timestamp newer than now - ROLLUP_ELIGIBILITY_LAG_MS is skipped, as
 *   the maintenance job finds those days from the raw data itself. Keys go in one sorted order
 *   (experiment, day, family) so concurrent writers lock them alike; MySQL gets MLflow's
 *   `ON DUPLICATE KEY UPDATE rollup_family = VALUES(rollup_family)` (the upsert plugin), PostgreSQL
 *   and SQLite a conflict update of the same no-op, which locks an existing key as MLflow's
 *   SELECT ... FOR UPDATE (SQLite: its no-op UPDATE) does.
 * - whether materialized rollup rows exist (sql_trace_rollup_rows_exist: any row in the three
 *   rollup tables; the queue does not count), for the start-up refusal.
 * - which requested days have rollup rows and no queued rebuild (compute_covered_day_starts), for
 *   queryTraceMetrics routing.
 * The rebuild job itself is not here: see docs (the Python child's job runner runs it).
 */
import { sql } from 'kysely';
import type { StoreContext, Db } from './context.js';
import { nowMillis } from './context.js';
import { chunks } from './trace-infos.js';
import { MlflowError } from '../../errors/mlflow-error.js';

export type RollupFamily = 'trace_metric' | 'span_cost' | 'assessment';

export const MS_PER_DAY = 86_400_000;
/** ROLLUP_ELIGIBILITY_LAG_MS: partitions younger than a day are not invalidated. */
export const ROLLUP_ELIGIBILITY_LAG_MS = MS_PER_DAY;

/** One source write's partitions: a family, the experiment (none: nothing), the timestamps (ms). */
export type RollupPartition = readonly [
  RollupFamily,
  number | null | undefined,
  Iterable<number | null | undefined>,
];

/** datetime.fromtimestamp(ms / 1000, tz=utc).date().isoformat(), as the DATE key is bound. */
export function utcDay(ms: number): string {
  const d = new Date(Math.floor(ms / MS_PER_DAY) * MS_PER_DAY);
  const y = d.getUTCFullYear();
  const yyyy = String(y).padStart(4, '0');
  return `${yyyy}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}`;
}

/**
 * enqueue_rollup_rebuild_partitions: nothing unless rollups are enabled; else every distinct
 * (experiment, day, family) whose timestamp is at least a day old, upserted in sorted order.
 */
export async function enqueueRollupRebuilds(
  ctx: StoreContext,
  db: Db,
  partitions: Iterable<RollupPartition>,
): Promise<void> {
  if (!ctx.traceRollups) return;
  const cutoff = nowMillis() - ROLLUP_ELIGIBILITY_LAG_MS;
  const keys = new Map<string, { experimentId: number; day: string; family: RollupFamily }>();
  for (const [family, experimentId, timestamps] of partitions) {
    if (experimentId === null || experimentId === undefined) continue;
    for (const ts of timestamps) {
      if (ts === null || ts === undefined || ts > cutoff) continue;
      const day = utcDay(ts);
      keys.set(`${experimentId}\u0000${day}\u0000${family}`, { experimentId, day, family });
    }
  }
  const sorted = [...keys.values()].sort(
    (a, b) =>
      a.experimentId - b.experimentId ||
      (a.day < b.day ? -1 : a.day > b.day ? 1 : 0) ||
      (a.family < b.family ? -1 : a.family > b.family ? 1 : 0),
  );
  for (const k of sorted) {
    await db
      .insertInto('sql_trace_rollup_rebuild_queue')
      .values({ experiment_id: k.experimentId, rollup_day: k.day, rollup_family: k.family })
      .onConflict((oc) =>
        oc
          .columns(['experiment_id', 'rollup_day', 'rollup_family'])
          .doUpdateSet({ rollup_family: (eb) => eb.ref('excluded.rollup_family') }),
      )
      .execute();
  }
}

/** int(start_time_unix_nano) // 1_000_000, exactly (nanoseconds exceed 2**53). */
export function nanosToMillis(v: unknown): number {
  const n = BigInt(String(v));
  const q = n / 1_000_000n;
  // BigInt division truncates; Python's // floors.
  return Number(n < 0n && q * 1_000_000n !== n ? q - 1n : q);
}

/** The partitions a trace delete invalidates (_enqueue_rollup_rebuilds_for_trace_delete). */
export async function traceDeletePartitions(
  db: Db,
  experimentId: number,
  traceIds: readonly string[],
): Promise<RollupPartition[]> {
  const timestamps: number[] = [];
  const spanDays = new Map<number, number[]>();
  const assessmentDays = new Map<number, number[]>();
  const add = (m: Map<number, number[]>, k: number, v: number): void => {
    const list = m.get(k);
    if (list) list.push(v);
    else m.set(k, [v]);
  };
  for (const ids of chunks(traceIds)) {
    const traces = await db
      .selectFrom('trace_info')
      .select('timestamp_ms')
      .where('request_id', 'in', ids)
      .execute();
    for (const t of traces) timestamps.push(Number(t.timestamp_ms));
    const spans = await db
      .selectFrom('spans')
      .select(['experiment_id', 'start_time_unix_nano'])
      .where('trace_id', 'in', ids)
      .where('experiment_id', 'is not', null)
      .where('start_time_unix_nano', 'is not', null)
      .execute();
    for (const s of spans) add(spanDays, Number(s.experiment_id), nanosToMillis(s.start_time_unix_nano));
    const assessments = await db
      .selectFrom('assessments')
      .select(['experiment_id', 'trace_timestamp_ms'])
      .where('trace_id', 'in', ids)
      .where('experiment_id', 'is not', null)
      .where('trace_timestamp_ms', 'is not', null)
      .execute();
    for (const a of assessments) add(assessmentDays, Number(a.experiment_id), Number(a.trace_timestamp_ms));
  }
  return [
    ['trace_metric', experimentId, timestamps],
    ...[...spanDays].map(([e, ts]): RollupPartition => ['span_cost', e, ts]),
    ...[...assessmentDays].map(([e, ts]): RollupPartition => ['assessment', e, ts]),
  ];
}

/** Whether any of the three rollup tables holds a row (sql_trace_rollup_rows_exist). */
export async function rollupRowsExist(db: Db): Promise<boolean> {
  for (const table of [
    'sql_trace_metric_daily_rollups',
    'sql_span_cost_daily_rollups',
    'sql_assessment_daily_rollups',
  ] as const) {
    const row = await db
      .selectFrom(table)
      .select(sql<number>`1`.as('one'))
      .limit(1)
      .executeTakeFirst();
    if (row) return true;
  }
  return false;
}

const ROLLUP_TABLE: Record<
  RollupFamily,
  'sql_trace_metric_daily_rollups' | 'sql_span_cost_daily_rollups' | 'sql_assessment_daily_rollups'
> = {
  trace_metric: 'sql_trace_metric_daily_rollups',
  span_cost: 'sql_span_cost_daily_rollups',
  assessment: 'sql_assessment_daily_rollups',
};

/**
 * Whether any candidate day would be served from rollups (compute_covered_day_starts is not
 * empty): a rollup row for the metric and grouping set on a day with no queued rebuild.
 */
async function anyRollupDayCovered(
  ctx: StoreContext,
  q: {
    family: RollupFamily;
    experimentId: number;
    metricName: string;
    groupingSet: string;
    days: readonly string[];
  },
): Promise<boolean> {
  const table = ROLLUP_TABLE[q.family];
  for (const days of chunks(q.days)) {
    const row = await ctx.db
      .selectFrom(table)
      .select(`${table}.rollup_day`)
      .where(`${table}.experiment_id`, '=', q.experimentId)
      .where(`${table}.metric_name`, '=', q.metricName)
      .where(`${table}.grouping_set`, '=', q.groupingSet)
      .where(`${table}.rollup_day`, 'in', days)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('sql_trace_rollup_rebuild_queue as q')
              .select('q.rollup_day')
              .where('q.experiment_id', '=', q.experimentId)
              .where('q.rollup_family', '=', q.family)
              .whereRef('q.rollup_day', '=', `${table}.rollup_day`),
          ),
        ),
      )
      .limit(1)
      .executeTakeFirst();
    if (row) return true;
  }
  return false;
}

/**
 * validate_sql_trace_rollup_startup: with rollups disabled, a database that holds materialized
 * rollup rows is refused (they would go stale unseen), with MLflow's message.
 */
export async function refuseDisabledRollups(db: Db): Promise<void> {
  if (await rollupRowsExist(db)) {
    throw new MlflowError(
      'SQL trace rollups cannot be disabled while materialized rollup rows exist. ' +
        'Stop all MLflow servers using this database, then run ' +
        '`mlflow db delete-trace-rollups <database-url>` before restarting.',
      'INVALID_PARAMETER_VALUE',
    );
  }
}

export const traceRollupOperations = {
  /** MLFLOW_SQL_TRACE_ROLLUPS_ENABLED, as the store was opened. */
  traceRollupsEnabled: (ctx: StoreContext): boolean => ctx.traceRollups ?? false,
  anyRollupDayCovered,
};
