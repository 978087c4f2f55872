/**
 * A trace's assessments (SqlAlchemyStore.get_assessment, delete_assessment): read one, or delete
 * one and give back validity to the assessment it overrode. Deleting a missing one does nothing,
 * as in MLflow. With opt-in trace rollups, create / update / delete queue the assessment's
 * (experiment, trace day) partition for rebuild first, as MLflow does (trace-rollups.ts).
 */
import { MlflowError } from '../../errors/mlflow-error.js';
import type { Db, StoreContext } from './context.js';
import type { AssessmentRow } from './trace-infos.js';
import { enqueueRollupRebuilds } from './trace-rollups.js';

const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

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
      .select(['assessment_id', 'overrides', 'experiment_id', 'trace_timestamp_ms'])
      .where('trace_id', '=', traceId)
      .where('assessment_id', '=', assessmentId)
      .executeTakeFirst();
    if (!row) return;
    await enqueueRollupRebuilds(ctx, trx, [
      ['assessment', numOrNull(row.experiment_id), [numOrNull(row.trace_timestamp_ms)]],
    ]);
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

/** The columns update_assessment rewrites. */
export type AssessmentUpdate = Pick<
  AssessmentRow,
  | 'name'
  | 'value'
  | 'error'
  | 'last_updated_timestamp'
  | 'rationale'
  | 'assessment_metadata'
  | 'aggregate_value'
  | 'is_numeric_value'
>;

/**
 * update_assessment: the assessment read (MLflow's two "not found" messages), `change` computes
 * the new column values from it (and may refuse), then they are written; returns the row as it
 * now is.
 */
export async function updateAssessment(
  ctx: StoreContext,
  traceId: string,
  assessmentId: string,
  change: (existing: AssessmentRow) => AssessmentUpdate,
): Promise<AssessmentRow> {
  return ctx.db.transaction().execute(async (trx) => {
    const existing = await assessmentRow(trx, traceId, assessmentId);
    await enqueueRollupRebuilds(ctx, trx, [
      ['assessment', numOrNull(existing.experiment_id), [numOrNull(existing.trace_timestamp_ms)]],
    ]);
    const update = change(existing);
    await trx
      .updateTable('assessments')
      .set({ ...update, is_numeric_value: ctx.dialect.bool(Boolean(update.is_numeric_value)) })
      .where('trace_id', '=', traceId)
      .where('assessment_id', '=', assessmentId)
      .execute();
    return { ...existing, ...update };
  });
}

export const assessmentOperations = { getAssessment, deleteAssessment, createAssessment, updateAssessment };

/** A new assessment row, as SqlAssessments.from_mlflow_entity builds it. */
export type NewAssessment = Omit<
  AssessmentRow,
  'experiment_id' | 'trace_timestamp_ms' | 'valid' | 'is_numeric_value'
> & {
  is_numeric_value: boolean;
};

/**
 * create_assessment: the trace is read (its experiment and timestamp are copied onto the
 * assessment; MLflow also row-locks it against a concurrent span write moving the trace), the
 * overridden assessment of the same trace marked invalid, then the assessment inserted valid.
 */
export async function createAssessment(ctx: StoreContext, a: NewAssessment): Promise<AssessmentRow> {
  return ctx.db.transaction().execute(async (trx) => {
    const trace = await trx
      .selectFrom('trace_info')
      .select(['experiment_id', 'timestamp_ms'])
      .where('request_id', '=', a.trace_id)
      .executeTakeFirst();
    if (!trace) throw MlflowError.notFound(`Trace with ID '${a.trace_id}' not found.`);
    await enqueueRollupRebuilds(ctx, trx, [
      ['assessment', Number(trace.experiment_id), [Number(trace.timestamp_ms)]],
    ]);
    if (a.overrides) {
      const res = await trx
        .updateTable('assessments')
        .set({ valid: ctx.dialect.bool(false) })
        .where('trace_id', '=', a.trace_id)
        .where('assessment_id', '=', a.overrides)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) === 0) {
        // MySQL counts only changed rows: an overridden assessment already invalid is still found.
        const found = await trx
          .selectFrom('assessments')
          .select('assessment_id')
          .where('trace_id', '=', a.trace_id)
          .where('assessment_id', '=', a.overrides)
          .executeTakeFirst();
        if (!found) {
          throw MlflowError.notFound(
            `Assessment with ID '${a.overrides}' not found for trace '${a.trace_id}'`,
          );
        }
      }
    }
    const row = {
      ...a,
      experiment_id: trace.experiment_id,
      trace_timestamp_ms: Number(trace.timestamp_ms),
      valid: ctx.dialect.bool(true),
      is_numeric_value: ctx.dialect.bool(a.is_numeric_value),
    };
    try {
      await trx.insertInto('assessments').values(row).execute();
    } catch (err) {
      if (ctx.dialect.isUniqueViolation(err)) {
        throw new MlflowError(
          `Failed to create assessment for trace '${a.trace_id}' due to a constraint violation.`,
          'INTERNAL_ERROR',
        );
      }
      throw err;
    }
    return { ...row } as AssessmentRow;
  });
}
