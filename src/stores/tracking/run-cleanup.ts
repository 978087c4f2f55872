import { sql } from 'kysely';
import type { Db, StoreContext } from './context.js';
import {
  enqueueRollupRebuilds,
  MS_PER_DAY,
  ROLLUP_ELIGIBILITY_LAG_MS,
  type RollupPartition,
} from './trace-rollups.js';
import { nowMillis } from './context.js';

/** mlflow.tracing.constant.AssessmentMetadataKey.SOURCE_RUN_ID */
const SOURCE_RUN_ID_KEY = 'mlflow.assessment.sourceRunId';

/**
 * SqlAlchemyStore._mark_run_deleted also deletes the assessments whose metadata names the run as
 * their source (a JSON substring match on assessment_metadata). With opt-in trace rollups, their
 * (experiment, day) assessment partitions are queued for rebuild first
 * (_enqueue_assessment_rebuilds_for_filter: the day is floor(trace_timestamp_ms / 86400000)
 * computed by the database, as MLflow's query does, over rows at least a day old).
 */
export async function deleteAssessmentsOfRun(ctx: StoreContext, db: Db, runId: string): Promise<void> {
  const pattern = `%"${SOURCE_RUN_ID_KEY}": "${runId}"%`;
  if (ctx.traceRollups) {
    const rows = await db
      .selectFrom('assessments')
      .select([
        'experiment_id',
        sql<number | string>`floor(trace_timestamp_ms / ${sql.lit(MS_PER_DAY)})`.as('day_bucket'),
      ])
      .where('assessment_metadata', 'like', pattern)
      .where('experiment_id', 'is not', null)
      .where('trace_timestamp_ms', 'is not', null)
      .where('trace_timestamp_ms', '<=', nowMillis() - ROLLUP_ELIGIBILITY_LAG_MS)
      .distinct()
      .execute();
    await enqueueRollupRebuilds(
      ctx,
      db,
      rows.map((r): RollupPartition => [
        'assessment',
        Number(r.experiment_id),
        [Number(r.day_bucket) * MS_PER_DAY],
      ]),
    );
  }
  await db.deleteFrom('assessments').where('assessment_metadata', 'like', pattern).execute();
}

/** The same for every run of an experiment; a cheap probe first, since most databases have none. */
export async function deleteAssessmentsOfRuns(
  ctx: StoreContext,
  db: Db,
  experimentId: number,
): Promise<void> {
  const any = await db
    .selectFrom('assessments')
    .select('assessment_id')
    .where('assessment_metadata', 'like', `%"${SOURCE_RUN_ID_KEY}": "%`)
    .limit(1)
    .executeTakeFirst();
  if (!any) return;
  const runs = await db
    .selectFrom('runs')
    .select('run_uuid')
    .where('experiment_id', '=', experimentId)
    .execute();
  for (const r of runs) await deleteAssessmentsOfRun(ctx, db, r.run_uuid);
}
