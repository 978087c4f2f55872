import type { Db } from './context.js';

/** mlflow.tracing.constant.AssessmentMetadataKey.SOURCE_RUN_ID */
const SOURCE_RUN_ID_KEY = 'mlflow.assessment.sourceRunId';

/**
 * SqlAlchemyStore._mark_run_deleted also deletes the assessments whose metadata names the run as
 * their source (a JSON substring match on assessment_metadata). Opt-in trace rollups
 * (MLFLOW_SQL_TRACE_ROLLUPS_ENABLED) are not maintained by mlflow-ts.
 */
export async function deleteAssessmentsOfRun(db: Db, runId: string): Promise<void> {
  await db
    .deleteFrom('assessments')
    .where('assessment_metadata', 'like', `%"${SOURCE_RUN_ID_KEY}": "${runId}"%`)
    .execute();
}

/** The same for every run of an experiment; a cheap probe first, since most databases have none. */
export async function deleteAssessmentsOfRuns(db: Db, experimentId: number): Promise<void> {
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
  for (const r of runs) await deleteAssessmentsOfRun(db, r.run_uuid);
}
