/**
 * Spans written to the database (SqlAlchemyStore.log_spans), all or nothing in one transaction,
 * redriven whole on a deadlock: the traces' rows read and locked in id order; traces not seen yet
 * created in the experiment (their time range, the root span's status, the artifact location
 * tag); spans upserted by (trace id, span id); then per trace, in id order: the time range
 * widened atomically in SQL, the status from the root span, previews, name, session, the token
 * usage and cost (recomputed over every stored span of a trace that existed before, so a parent
 * and its children sent in different batches count once), the user metadata; finally the
 * db-payload generation bump and the tags (spans location, resource attributes, the root span's
 * trace tags). A trace created by the batch is inserted with its final values and tags at once
 * (the same rows, fewer statements); a batch of one such trace goes in one statement where the
 * dialect can (span-new-trace.ts).
 *
 * With opt-in trace rollups (MLFLOW_SQL_TRACE_ROLLUPS_ENABLED), the partitions the batch touches are
 * queued for rebuild first, in the same transaction (spanWritePartitions, as MLflow's
 * enqueue_span_write_rollup_partitions).
 */
import { sql } from 'kysely';
import { pyJsonLoadsExact, type PyDict } from '../../py/json-exact.js';
import { MlflowError } from '../../errors/mlflow-error.js';
import { appendToUriPath } from '../artifact-uri.js';
import type { Db, StoreContext } from './context.js';
import { getExperimentRow } from './experiments.js';
import { withDeadlockRetry } from './retry.js';
import { batchTraceTags, newTraceRow, TRACE_USER_KEY, type NewTraceRow } from './span-trace-rows.js';
import { logNewTraceAtOnce } from './span-new-trace.js';
import { enqueueRollupRebuilds, nanosToMillis, type RollupPartition } from './trace-rollups.js';
import {
  aggregateNodes,
  COST_KEYS,
  costNodes,
  USAGE_KEYS,
  USAGE_OPTIONAL_KEYS,
  usageNodes,
  type AggregationNode,
} from './span-aggregation.js';
import { finiteFloat, tokenCount } from './trace-analytics.js';
import {
  ARTIFACT_LOCATION_TAG,
  chunks,
  COST_COLUMNS,
  INFO_FINALIZED_KEY,
  SPANS_LOCATION_TAG,
  TOKEN_COLUMNS,
  TRACE_NAME_TAG,
  type TraceInfoRow,
} from './trace-infos.js';
import type { SpanRow, TraceSpans } from './span-rows.js';

const TRACKING_STORE = 'TRACKING_STORE';
const CREATE_ATTEMPTS = 10;

export type { SpanRow, TraceSpans };

class CreatedConcurrently extends Error {}

/** `write` (it creates traces), a unique violation meaning another writer created one first. */
async function createdConcurrentlyOn(ctx: StoreContext, write: () => Promise<unknown>): Promise<void> {
  try {
    await write();
  } catch (err) {
    // Roll back, then start over reading it as existing.
    if (ctx.dialect.isUniqueViolation(err)) throw new CreatedConcurrently();
    throw err;
  }
}

/** Raised when a trace is no longer stored in the database (an archival won the race). */
export class SpansNotInDatabase extends Error {}

function dictOf(value: unknown): PyDict | null {
  if (typeof value !== 'string') return null;
  try {
    const v = pyJsonLoadsExact(value);
    return v instanceof Map ? v : null;
  } catch {
    return null;
  }
}

async function lockedTraceRows(
  trx: Db,
  ctx: StoreContext,
  ids: readonly string[],
): Promise<Map<string, TraceInfoRow>> {
  const rows = new Map<string, TraceInfoRow>();
  for (const part of chunks([...ids].sort())) {
    let q = trx.selectFrom('trace_info').selectAll().where('request_id', 'in', part).orderBy('request_id');
    if (ctx.dialect.rowLocks) q = q.forUpdate();
    for (const row of await q.execute()) rows.set(row.request_id, row);
  }
  return rows;
}

/** Trace tags written over any stored under the same keys (MLflow's session.merge). */
export async function upsertTraceTags(
  trx: Db,
  rows: { request_id: string; key: string; value: string }[],
): Promise<void> {
  if (rows.length === 0) return;
  for (const part of chunks(rows, 300)) {
    await trx
      .insertInto('trace_tags')
      .values(part)
      .onConflict((oc) =>
        oc.columns(['key', 'request_id']).doUpdateSet((eb) => ({ value: eb.ref('excluded.value') })),
      )
      .execute();
  }
}

/**
 * enqueue_span_write_rollup_partitions: per trace, its trace-metric and assessment partitions at
 * the stored timestamp (a new trace: the batch's earliest span start), plus the batch's earliest
 * start unless start_trace has finalized the stored record; the span-cost days the batch's spans
 * were stored under before (those it rewrites) and those they are written to.
 */
async function spanWritePartitions(
  trx: Db,
  experimentId: string,
  traces: readonly TraceSpans[],
): Promise<RollupPartition[]> {
  const ids = traces.map((t) => t.traceId);
  const location = Number(experimentId);
  const snapshots = new Map<string, readonly [number, number]>();
  const finalized = new Set<string>();
  for (const part of chunks(ids)) {
    const rows = await trx
      .selectFrom('trace_info')
      .select(['request_id', 'experiment_id', 'timestamp_ms'])
      .where('request_id', 'in', part)
      .execute();
    for (const r of rows) snapshots.set(r.request_id, [Number(r.experiment_id), Number(r.timestamp_ms)]);
    const marks = await trx
      .selectFrom('trace_request_metadata')
      .select('request_id')
      .where('request_id', 'in', part)
      .where('key', '=', INFO_FINALIZED_KEY)
      .execute();
    for (const m of marks) finalized.add(m.request_id);
  }
  const partitions: RollupPartition[] = [];
  for (const t of traces) {
    const snapshot = snapshots.get(t.traceId);
    const [exp, oldTs] = snapshot ?? [location, t.minStartMs];
    const timestamps = [oldTs];
    if (!snapshot || !finalized.has(t.traceId)) timestamps.push(t.minStartMs);
    partitions.push(['trace_metric', exp, timestamps], ['assessment', exp, timestamps]);
  }
  const batchKeys = new Set(traces.flatMap((t) => t.spans.map((s) => `${s.traceId}\u0000${s.spanId}`)));
  const spanIds = [...new Set(traces.flatMap((t) => t.spans.map((s) => s.spanId)))];
  if (batchKeys.size > 0) {
    for (const tracePart of chunks(ids)) {
      for (const spanPart of chunks(spanIds)) {
        const previous = await trx
          .selectFrom('spans')
          .select(['trace_id', 'span_id', 'experiment_id', 'start_time_unix_nano'])
          .where('trace_id', 'in', tracePart)
          .where('span_id', 'in', spanPart)
          .execute();
        for (const p of previous) {
          if (!batchKeys.has(`${p.trace_id}\u0000${p.span_id}`)) continue;
          if (p.experiment_id === null || p.start_time_unix_nano === null) continue;
          partitions.push(['span_cost', Number(p.experiment_id), [nanosToMillis(p.start_time_unix_nano)]]);
        }
      }
    }
  }
  for (const t of traces) {
    const exp = snapshots.get(t.traceId)?.[0] ?? location;
    for (const s of t.spans) partitions.push(['span_cost', exp, [nanosToMillis(s.startNs)]]);
  }
  return partitions;
}

async function logSpansOnce(
  ctx: StoreContext,
  experimentId: string,
  traces: readonly TraceSpans[],
): Promise<void> {
  const byId = new Map(traces.map((t) => [t.traceId, t]));
  const ids = [...byId.keys()];
  return ctx.db.transaction().execute(async (trx) => {
    // The rebuild queue is locked before the traces (MLflow's lock order for writers and publishers).
    if (ctx.traceRollups)
      await enqueueRollupRebuilds(ctx, trx, await spanWritePartitions(trx, experimentId, traces));
    const existing = await lockedTraceRows(trx, ctx, ids);
    const created = new Set<string>();
    const missing = ids.filter((id) => !existing.has(id));
    /** New traces' rows not written yet (they go in front of the first span statement). */
    let pending:
      { traces: NewTraceRow[]; tags: { request_id: string; key: string; value: string }[] } | undefined;
    const batchUsage = new Map(
      traces.map((t) => [t.traceId, aggregateNodes(usageNodes(t.spans), USAGE_KEYS, USAGE_OPTIONAL_KEYS)]),
    );
    const batchCost = new Map(traces.map((t) => [t.traceId, aggregateNodes(costNodes(t.spans), COST_KEYS)]));
    if (missing.length > 0) {
      // New traces are inserted as they stand after the batch (newTraceRow): no later update.
      const experiment = await getExperimentRow(trx, experimentId, 'ALL');
      const rows = missing.map((id) =>
        newTraceRow(byId.get(id)!, experiment.experiment_id, batchUsage.get(id), batchCost.get(id)),
      );
      const tagRows: { request_id: string; key: string; value: string }[] = [];
      const userRows: { request_id: string; key: string; value: string }[] = [];
      for (const id of missing) {
        const t = byId.get(id)!;
        const uri = appendToUriPath(experiment.artifact_location ?? '', 'traces', id, 'artifacts');
        // The artifact location first, then the batch's tags over it.
        for (const [key, value] of batchTraceTags(t, new Map([[ARTIFACT_LOCATION_TAG, uri]]))) {
          tagRows.push({ request_id: id, key, value });
        }
        if (t.userId) userRows.push({ request_id: id, key: TRACE_USER_KEY, value: t.userId });
        created.add(id);
        // As MLflow's new row holds it: the header's text (`01` stays `01` until reread).
        existing.set(id, { request_id: id, experiment_id: experimentId } as unknown as TraceInfoRow);
      }
      const deferrable =
        ctx.dialect.writableCtes &&
        rows.length <= 25 &&
        tagRows.length <= 300 &&
        userRows.length === 0 &&
        missing.every((id) => byId.get(id)!.spans.length > 0);
      if (deferrable) {
        // PostgreSQL: they go with the first span statement (one round trip for a new trace).
        pending = { traces: rows, tags: tagRows };
      } else {
        await createdConcurrentlyOn(ctx, async () => {
          for (const part of chunks(rows, 25)) await trx.insertInto('trace_info').values(part).execute();
        });
        for (const part of chunks(tagRows, 300)) await trx.insertInto('trace_tags').values(part).execute();
        if (userRows.length > 0) await trx.insertInto('trace_request_metadata').values(userRows).execute();
      }
    }
    const foreign = ids.filter((id) => String(existing.get(id)!.experiment_id) !== experimentId).sort();
    if (foreign.length > 0) {
      throw MlflowError.invalidParameter(
        `Trace with ID '${foreign[0]}' already exists in another experiment.`,
      );
    }

    // Phase 3: the span rows, upserted.
    const spanRows = traces.flatMap((t) =>
      t.spans.map((s) => ({
        trace_id: s.traceId,
        experiment_id: Number(existing.get(s.traceId)!.experiment_id),
        span_id: s.spanId,
        parent_span_id: s.parentSpanId,
        name: s.name,
        type: s.type,
        status: s.status,
        // Nanoseconds past 2^53, bound as exact decimal text.
        start_time_unix_nano: String(s.startNs) as unknown as number,
        end_time_unix_nano: String(s.endNs) as unknown as number,
        content: s.content,
        input_cost: s.inputCost,
        output_cost: s.outputCost,
        total_cost: s.totalCost,
        model_name: s.modelName,
        model_provider: s.modelProvider,
      })),
    );
    for (const part of chunks(spanRows, 100)) {
      const first = pending;
      pending = undefined;
      const creator: Pick<Db, 'insertInto'> = first
        ? trx
            .with('new_traces', (db) => db.insertInto('trace_info').values(first.traces))
            .with('new_tags', (db) => db.insertInto('trace_tags').values(first.tags))
        : trx;
      const upsert = creator
        .insertInto('spans')
        .values(part)
        .onConflict((oc) =>
          oc.columns(['trace_id', 'span_id']).doUpdateSet((eb) => ({
            experiment_id: eb.ref('excluded.experiment_id'),
            parent_span_id: eb.ref('excluded.parent_span_id'),
            name: eb.ref('excluded.name'),
            type: eb.ref('excluded.type'),
            status: eb.ref('excluded.status'),
            start_time_unix_nano: eb.ref('excluded.start_time_unix_nano'),
            end_time_unix_nano: eb.ref('excluded.end_time_unix_nano'),
            content: eb.ref('excluded.content'),
            input_cost: eb.ref('excluded.input_cost'),
            output_cost: eb.ref('excluded.output_cost'),
            total_cost: eb.ref('excluded.total_cost'),
            model_name: eb.ref('excluded.model_name'),
            model_provider: eb.ref('excluded.model_provider'),
          })),
        );
      await (first ? createdConcurrentlyOn(ctx, () => upsert.execute()) : upsert.execute());
    }

    // Phase 4: start_trace's values, where it wrote them, are not overwritten from spans (a trace
    // created here has no metadata yet, and is done).
    const stored = ids.filter((id) => !created.has(id));
    const withAnalytics = stored.filter(
      (id) => batchUsage.get(id) || batchCost.get(id) || byId.get(id)!.sessionId,
    );
    const finalized = new Set<string>();
    for (const part of chunks(withAnalytics.sort())) {
      const rows = await trx
        .selectFrom('trace_request_metadata')
        .select('request_id')
        .where('request_id', 'in', part)
        .where('key', '=', INFO_FINALIZED_KEY)
        .execute();
      for (const r of rows) finalized.add(r.request_id);
    }
    const anySet = (row: TraceInfoRow, columns: readonly string[]): boolean =>
      columns.some((c) => (row as unknown as Record<string, unknown>)[c] !== null);
    const usageAuthoritative = (id: string): boolean =>
      finalized.has(id) && anySet(existing.get(id)!, TOKEN_COLUMNS);
    const costAuthoritative = (id: string): boolean =>
      finalized.has(id) && anySet(existing.get(id)!, COST_COLUMNS);
    const recomputeUsage = ids.filter(
      (id) => batchUsage.get(id) && !created.has(id) && !usageAuthoritative(id),
    );
    const recomputeCost = ids.filter((id) => batchCost.get(id) && !created.has(id) && !costAuthoritative(id));
    const storedUsage = new Map<string, AggregationNode[]>();
    const storedCost = new Map<string, AggregationNode[]>();
    const recompute = [...new Set([...recomputeUsage, ...recomputeCost])].sort();
    if (recompute.length > 0) {
      const inBatch = new Set(traces.flatMap((t) => t.spans.map((s) => `${s.traceId}\u0000${s.spanId}`)));
      for (const part of chunks(recompute)) {
        const rows = await trx
          .selectFrom('spans')
          .select(['trace_id', 'span_id', 'parent_span_id', 'content'])
          .where('trace_id', 'in', part)
          .execute();
        for (const r of rows) {
          if (inBatch.has(`${r.trace_id}\u0000${r.span_id}`)) continue;
          let attributes: PyDict | undefined;
          try {
            const c = pyJsonLoadsExact(r.content);
            const a = c instanceof Map ? c.get('attributes') : undefined;
            attributes = a instanceof Map ? a : undefined;
          } catch {
            continue;
          }
          const node = (key: string): AggregationNode => {
            const v = attributes?.get(key);
            return { spanId: r.span_id, parentId: r.parent_span_id, data: v instanceof Map ? v : dictOf(v) };
          };
          if (recomputeUsage.includes(r.trace_id)) {
            (storedUsage.get(r.trace_id) ?? storedUsage.set(r.trace_id, []).get(r.trace_id)!).push(
              node('mlflow.chat.tokenUsage'),
            );
          }
          if (recomputeCost.includes(r.trace_id)) {
            (storedCost.get(r.trace_id) ?? storedCost.set(r.trace_id, []).get(r.trace_id)!).push(
              node('mlflow.llm.cost'),
            );
          }
        }
      }
    }

    // Phase 5: per stored trace, in id order (MLflow's lock order).
    for (const id of [...stored].sort()) {
      const t = byId.get(id)!;
      const row = existing.get(id)!;
      const set: Record<string, unknown> = {};
      let timestampMayChange = false;
      const notFinal = !finalized.has(id);
      const tsExpr = sql<number>`CASE WHEN timestamp_ms > ${t.minStartMs} THEN ${t.minStartMs} ELSE timestamp_ms END`;
      if (notFinal) {
        set['timestamp_ms'] = tsExpr;
        timestampMayChange = Number(row.timestamp_ms) > t.minStartMs;
      }
      if (t.maxEndMs !== null && notFinal) {
        set['execution_time_ms'] =
          sql<number>`CASE WHEN (timestamp_ms + execution_time_ms) > ${t.maxEndMs} THEN timestamp_ms + execution_time_ms ELSE ${t.maxEndMs} END - ${tsExpr}`;
      }
      if ((row.status === 'IN_PROGRESS' || row.status === 'STATE_UNSPECIFIED') && t.rootStatus) {
        set['status'] = t.rootStatus;
      }
      if (row.request_preview === null && t.requestPreview !== undefined)
        set['request_preview'] = t.requestPreview;
      if (row.response_preview === null && t.responsePreview !== undefined)
        set['response_preview'] = t.responsePreview;
      const name = t.tags.get(TRACE_NAME_TAG);
      if (name !== undefined) set['trace_name'] = name;
      if (batchUsage.get(id) && !usageAuthoritative(id)) {
        const usage = created.has(id)
          ? batchUsage.get(id)
          : aggregateNodes(
              [...usageNodes(t.spans), ...(storedUsage.get(id) ?? [])],
              USAGE_KEYS,
              USAGE_OPTIONAL_KEYS,
            );
        if (usage) {
          for (const column of TOKEN_COLUMNS) {
            const v = tokenCount(usage.get(column));
            if (v !== null) set[column] = v;
          }
        }
      }
      if (batchCost.get(id) && !costAuthoritative(id)) {
        const cost = created.has(id)
          ? batchCost.get(id)
          : aggregateNodes([...costNodes(t.spans), ...(storedCost.get(id) ?? [])], COST_KEYS);
        if (cost) {
          for (const column of COST_COLUMNS) {
            const v = finiteFloat(cost.get(column));
            if (v !== null) set[column] = v;
          }
        }
      }
      if (t.sessionId && row.session_id === null) set['session_id'] = t.sessionId;
      if (t.userId) {
        const user = await trx
          .selectFrom('trace_request_metadata')
          .select('key')
          .where('request_id', '=', id)
          .where('key', '=', TRACE_USER_KEY)
          .executeTakeFirst();
        if (!user) {
          await trx
            .insertInto('trace_request_metadata')
            .values({ request_id: id, key: TRACE_USER_KEY, value: t.userId })
            .execute();
        }
      }
      if (Object.keys(set).length > 0) {
        await trx.updateTable('trace_info').set(set).where('request_id', '=', id).execute();
      }
      if (timestampMayChange) {
        await trx
          .updateTable('assessments')
          .set({ trace_timestamp_ms: t.minStartMs })
          .where('trace_id', '=', id)
          .execute();
      }
    }

    // The generation bump: a trace no longer stored in the database (archived meanwhile) fails
    // the whole write, as in MLflow.
    // (A created trace was inserted at generation 1, nothing else being stored for it.)
    let bumped = 0n;
    for (const part of chunks(stored)) {
      const result = await trx
        .updateTable('trace_info')
        .set((eb) => ({ db_payload_generation: eb('db_payload_generation', '+', 1) }))
        .where('request_id', 'in', part)
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('trace_tags')
                .select('key')
                .whereRef('trace_tags.request_id', '=', 'trace_info.request_id')
                .where('trace_tags.key', '=', SPANS_LOCATION_TAG)
                .where('trace_tags.value', '!=', TRACKING_STORE),
            ),
          ),
        )
        .executeTakeFirst();
      bumped += BigInt(result.numUpdatedRows);
    }
    if (bumped !== BigInt(stored.length)) throw new SpansNotInDatabase();

    const tagRows: { request_id: string; key: string; value: string }[] = [];
    for (const id of stored) {
      for (const [key, value] of batchTraceTags(byId.get(id)!)) tagRows.push({ request_id: id, key, value });
    }
    await upsertTraceTags(trx, tagRows);
  });
}

/** log_spans of one request's spans into the experiment `experimentId` (the OTLP header). */
export async function logSpans(
  ctx: StoreContext,
  experimentId: string,
  traces: readonly TraceSpans[],
): Promise<void> {
  if (traces.length === 0) return;
  if (traces.length === 1 && (await logNewTraceAtOnce(ctx, experimentId, traces[0]!))) return;
  for (let attempt = 0; attempt < CREATE_ATTEMPTS; attempt++) {
    try {
      return await withDeadlockRetry(() => logSpansOnce(ctx, experimentId, traces));
    } catch (err) {
      if (!(err instanceof CreatedConcurrently)) throw err;
    }
  }
  // MLflow drops the spans of traces it could not create after its retries (with a warning).
}

export const spanWriteOperations = { logSpans };
