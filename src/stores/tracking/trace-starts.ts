/**
 * Creating a trace's record (SqlAlchemyStore.start_trace, the insert path): the trace_info row
 * with the promoted metadata in its columns and the trace name tag in trace_name, the other tags
 * plus the trace's artifact location, and the metadata with MLflow's `infoFinalized` marker.
 * Inputs arrive validated (services/traces/trace-starts.ts).
 *
 * When the trace exists already (its spans arrived first, through log_spans), the two records are
 * merged under a row lock (mergeTrace): the request's fields replace the row's (previews only when
 * given), its tags and metadata are upserted, and the trace's spans and assessments move to its
 * experiment. Assessments sent along are inserted with a new trace, and merged by id into one that
 * exists (after MLflow's check that none belongs to another trace).
 */
import { appendToUriPath } from '../artifact-uri.js';
import type { NewAssessment } from './assessments.js';
import type { StoreContext } from './context.js';
import { checkExperimentActive, getExperimentRow } from './experiments.js';
import { MlflowError } from '../../errors/mlflow-error.js';
import { withDeadlockRetry } from './retry.js';
import { enqueueRollupRebuilds, nanosToMillis, type RollupPartition } from './trace-rollups.js';
import { upsertTraceTags } from './span-writes.js';
import { analyticsColumns } from './trace-analytics.js';
import {
  ARTIFACT_LOCATION_TAG,
  buildTraceInfos,
  getTraceRow,
  INFO_FINALIZED_KEY,
  PROMOTED_METADATA_KEYS,
  SPANS_LOCATION_TAG,
  TRACE_NAME_TAG,
  type TraceInfoEntity,
} from './trace-infos.js';

/** TraceMetadataKey.TRACE_INFO_FINALIZED */

export interface StartTraceArgs {
  traceId: string;
  experimentId: string;
  requestTime: number;
  executionDuration: number | null;
  state: string;
  clientRequestId: string | null;
  requestPreview: string | null;
  responsePreview: string | null;
  metadata: ReadonlyMap<string, string>;
  /** Without the system tags (the handler drops them). */
  tags: ReadonlyMap<string, string>;
  /** Called after the experiment checks, where MLflow validates the trace id. */
  validateTraceId: (traceId: string) => void;
  /** The v3 start marks the record final (TRACE_INFO_FINALIZED); the v2 start does not. */
  finalized: boolean;
  /** Assessments logged with the trace (v3), in the request's order. */
  assessments?: readonly NewAssessment[];
}

/** _replace_nul: PostgreSQL text cannot hold NUL. */
const replaceNul = (s: string | null): string | null => (s ? s.replace(/\0/g, '\ufffd') : s);

export async function startTrace(ctx: StoreContext, a: StartTraceArgs): Promise<TraceInfoEntity | undefined> {
  const experiment = await getExperimentRow(ctx.db, a.experimentId, 'ALL');
  checkExperimentActive(experiment);
  const columns = analyticsColumns(a.metadata);
  a.validateTraceId(a.traceId);
  const artifactUri = appendToUriPath(experiment.artifact_location ?? '', 'traces', a.traceId, 'artifacts');
  const tags = [...a.tags].filter(([k]) => k !== TRACE_NAME_TAG);
  tags.push([ARTIFACT_LOCATION_TAG, artifactUri]);
  const metadata = new Map([...a.metadata].filter(([k]) => !PROMOTED_METADATA_KEYS.has(k)));
  if (a.finalized) metadata.set(INFO_FINALIZED_KEY, 'true');
  try {
    return await ctx.db.transaction().execute(async (trx) => {
      // The new trace's partitions (the v2 start queues its trace metrics only); a conflicting
      // insert rolls this back with it, as MLflow's session rollback does.
      await enqueueRollupRebuilds(
        ctx,
        trx,
        (a.finalized ? (['trace_metric', 'assessment'] as const) : (['trace_metric'] as const)).map(
          (family): RollupPartition => [family, experiment.experiment_id, [a.requestTime]],
        ),
      );
      await trx
        .insertInto('trace_info')
        .values({
          request_id: a.traceId,
          experiment_id: experiment.experiment_id,
          timestamp_ms: a.requestTime,
          execution_time_ms: a.executionDuration,
          status: a.state,
          client_request_id: a.clientRequestId,
          request_preview: replaceNul(a.requestPreview),
          response_preview: replaceNul(a.responsePreview),
          trace_name: a.tags.get(TRACE_NAME_TAG) ?? null,
          ...columns,
        })
        .execute();
      // One row per key (a later duplicate replaces an earlier one, as in a dict).
      const tagRows = [...new Map(tags)].map(([key, value]) => ({ request_id: a.traceId, key, value }));
      await trx.insertInto('trace_tags').values(tagRows).execute();
      const metadataRows = [...metadata]
        .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
        .map(([key, value]) => ({ request_id: a.traceId, key, value }));
      if (metadataRows.length > 0)
        await trx.insertInto('trace_request_metadata').values(metadataRows).execute();
      const assessments = (a.assessments ?? []).map((x) => ({
        ...x,
        experiment_id: experiment.experiment_id,
        trace_timestamp_ms: a.requestTime,
        valid: ctx.dialect.bool(true),
        is_numeric_value: ctx.dialect.bool(x.is_numeric_value),
      }));
      if (assessments.length > 0) await trx.insertInto('assessments').values(assessments).execute();
      const info = (await buildTraceInfos(trx, [await getTraceRow(trx, a.traceId)]))[0]!;
      // MLflow answers with the collection it built, in the request's order.
      if (assessments.length > 0) info.assessments = assessments;
      return info;
    });
  } catch (err) {
    if (!ctx.dialect.isUniqueViolation(err)) throw err;
    // The v2 start draws a random id: a collision is not a trace to merge into.
    if (!a.finalized) return undefined;
    // Otherwise the conflict may be the trace's or an assessment's: MLflow takes its merge path
    // either way (a new trace whose assessment id is taken finds no trace there: "no longer exists").
  }
  return withDeadlockRetry(() => mergeTrace(ctx, a, experiment.experiment_id, columns, tags, metadata));
}

/** The row-locked merge of a start into a trace its spans created (start_trace's IntegrityError path). */
async function mergeTrace(
  ctx: StoreContext,
  a: StartTraceArgs,
  experimentId: number,
  columns: ReturnType<typeof analyticsColumns>,
  tags: [string, string][],
  metadata: Map<string, string>,
): Promise<TraceInfoEntity | undefined> {
  return ctx.db.transaction().execute(async (trx) => {
    if (ctx.traceRollups) {
      // MLflow snapshots the trace's old partitions (trace, assessments, its spans' days, under
      // the old and the new experiment) and queues them with the new ones before locking it.
      const snapshot = await trx
        .selectFrom('trace_info')
        .select(['experiment_id', 'timestamp_ms'])
        .where('request_id', '=', a.traceId)
        .executeTakeFirst();
      if (!snapshot) throw MlflowError.notFound(`Trace with ID '${a.traceId}' no longer exists.`);
      const spans = await trx
        .selectFrom('spans')
        .select(['experiment_id', 'start_time_unix_nano'])
        .where('trace_id', '=', a.traceId)
        .where('experiment_id', 'is not', null)
        .where('start_time_unix_nano', 'is not', null)
        .execute();
      const spanParts = spans.map(
        (s) => [Number(s.experiment_id), nanosToMillis(s.start_time_unix_nano)] as const,
      );
      const families = ['trace_metric', 'assessment'] as const;
      await enqueueRollupRebuilds(ctx, trx, [
        ...families.map((f): RollupPartition => [f, experimentId, [a.requestTime]]),
        ...families.map((f): RollupPartition => [
          f,
          Number(snapshot.experiment_id),
          [Number(snapshot.timestamp_ms)],
        ]),
        ...spanParts.map(([e, ms]): RollupPartition => ['span_cost', e, [ms]]),
        ...spanParts.map(([, ms]): RollupPartition => ['span_cost', experimentId, [ms]]),
      ]);
    }
    let q = trx.selectFrom('trace_info').selectAll().where('request_id', '=', a.traceId);
    if (ctx.dialect.rowLocks) q = q.forUpdate();
    const row = await q.executeTakeFirst();
    if (!row) throw MlflowError.notFound(`Trace with ID '${a.traceId}' no longer exists.`);
    if (String(row.experiment_id) !== a.experimentId) {
      throw MlflowError.invalidParameter(
        `Trace with ID '${a.traceId}' already exists in another experiment.`,
      );
    }
    // MLflow answers with the tags it loaded here, before its merge (its ORM keeps that collection).
    const priorTags = await trx
      .selectFrom('trace_tags')
      .select(['key', 'value'])
      .where('request_id', '=', a.traceId)
      .execute();
    const location = priorTags.find((t) => t.key === SPANS_LOCATION_TAG);
    if (location && location.value !== 'TRACKING_STORE') {
      throw new MlflowError(
        `Cannot update traces that are no longer DB-backed: '${a.traceId}'.`,
        'INVALID_STATE',
      );
    }
    // Assessments are merged by id alone: one of another trace would be moved here, so MLflow refuses.
    const assessmentIds = (a.assessments ?? []).map((x) => x.assessment_id);
    if (assessmentIds.length > 0) {
      const foreign = await trx
        .selectFrom('assessments')
        .select('assessment_id')
        .where('assessment_id', 'in', assessmentIds)
        .where('trace_id', '!=', a.traceId)
        .executeTakeFirst();
      if (foreign) {
        throw MlflowError.invalidParameter(
          `Assessment with ID '${foreign.assessment_id}' belongs to another trace.`,
        );
      }
    }
    await trx
      .updateTable('trace_info')
      .set((eb) => ({ db_payload_generation: eb('db_payload_generation', '+', 1) }))
      .where('request_id', '=', a.traceId)
      .execute();
    const name = a.tags.get(TRACE_NAME_TAG);
    await trx
      .updateTable('trace_info')
      .set({
        timestamp_ms: a.requestTime,
        execution_time_ms: a.executionDuration,
        status: a.state,
        client_request_id: a.clientRequestId,
        ...(name !== undefined ? { trace_name: name } : {}),
        ...columns,
        ...(a.requestPreview !== null ? { request_preview: replaceNul(a.requestPreview) } : {}),
        ...(a.responsePreview !== null ? { response_preview: replaceNul(a.responsePreview) } : {}),
      })
      .where('request_id', '=', a.traceId)
      .execute();
    const tagRows = [...new Map(tags)].map(([key, value]) => ({ request_id: a.traceId, key, value }));
    await upsertTraceTags(trx, tagRows);
    const metadataRows = [...metadata]
      .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
      .map(([key, value]) => ({ request_id: a.traceId, key, value }));
    if (metadataRows.length > 0) {
      await trx
        .insertInto('trace_request_metadata')
        .values(metadataRows)
        .onConflict((oc) =>
          oc.columns(['key', 'request_id']).doUpdateSet((eb) => ({ value: eb.ref('excluded.value') })),
        )
        .execute();
    }
    // session.merge of each assessment: every column of the sent one replaces the stored row's
    // (SqlAssessments.from_mlflow_entity sets them all, valid included), or it is inserted.
    const assessmentRows = (a.assessments ?? []).map((x) => ({
      ...x,
      experiment_id: experimentId,
      trace_timestamp_ms: a.requestTime,
      valid: ctx.dialect.bool(true),
      is_numeric_value: ctx.dialect.bool(x.is_numeric_value),
    }));
    for (const assessment of assessmentRows) {
      const { assessment_id: _id, ...rest } = assessment;
      await trx
        .insertInto('assessments')
        .values(assessment)
        .onConflict((oc) => oc.column('assessment_id').doUpdateSet(rest))
        .execute();
    }
    await trx
      .updateTable('spans')
      .set({ experiment_id: experimentId })
      .where('trace_id', '=', a.traceId)
      .execute();
    await trx
      .updateTable('assessments')
      .set({ experiment_id: experimentId, trace_timestamp_ms: a.requestTime })
      .where('trace_id', '=', a.traceId)
      .execute();
    const row2 = await getTraceRow(trx, a.traceId);
    const info = (await buildTraceInfos(trx, [row2]))[0]!;
    info.tags = new Map(priorTags.filter((t) => t.key !== TRACE_NAME_TAG).map((t) => [t.key, t.value]));
    if (row2.trace_name !== null) info.tags.set(TRACE_NAME_TAG, row2.trace_name);
    return info;
  });
}

export const traceStartOperations = { startTrace };
