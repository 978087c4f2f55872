/**
 * A trace's assessments (SqlAlchemyStore.get_assessment, delete_assessment): read one, or delete
 * one and give back validity to the assessment it overrode. Deleting a missing one does nothing,
 * as in MLflow. Opt-in trace rollups are not maintained by mlflow-ts.
 */
import { MlflowError } from '../../errors/mlflow-error.js';
import type { Db, StoreContext } from './context.js';
import type { AssessmentRow } from './trace-infos.js';

/** _get_sql_assessment, with its two messages. */
async function assessmentRow(db: Db, traceId: string, assessmentId: string): Promise<AssessmentRow> {
  const row = await db
    .selectFrom('assessments')
    .selectAll()
    .where('trace_id', '=', traceId)
    .where('assessment_id', '=', assessmentId)
    .executeTakeFirst();
  if (row) return row;
  const trace = await db
    .selectFrom('trace_info')
    .select('request_id')
    .where('request_id', '=', traceId)
    .executeTakeFirst();
  if (!trace) throw MlflowError.notFound(`Trace with request_id '${traceId}' not found`);
  throw MlflowError.notFound(`Assessment with ID '${assessmentId}' not found for trace '${traceId}'`);
}

export async function getAssessment(
  ctx: StoreContext,
  traceId: string,
  assessmentId: string,
): Promise<AssessmentRow> {
  return assessmentRow(ctx.db, traceId, assessmentId);
}

export async function deleteAssessment(
  ctx: StoreContext,
  traceId: string,
  assessmentId: string,
): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('assessments')
      .select(['assessment_id', 'overrides'])
      .where('trace_id', '=', traceId)
      .where('assessment_id', '=', assessmentId)
      .executeTakeFirst();
    if (!row) return;
    if (row.overrides) {
      await trx
        .updateTable('assessments')
        .set({ valid: ctx.dialect.bool(true) })
        .where('assessment_id', '=', row.overrides)
        .execute();
    }
    await trx.deleteFrom('assessments').where('assessment_id', '=', assessmentId).execute();
  });
}

export const assessmentOperations = { getAssessment, deleteAssessment };
