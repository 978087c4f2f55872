/**
 * The v2 end of a trace (SqlAlchemyStore.deprecated_end_trace_v2): the execution time from the
 * end timestamp, the status, and the request's metadata and tags merged into the trace's (the
 * promoted metadata into trace_info's columns, the trace name tag into trace_name). Inputs arrive
 * validated; the trace name was checked by the service. All or nothing, in one transaction.
 */
import type { StoreContext } from './context.js';
import { analyticsColumns } from './trace-analytics.js';
import { enqueueRollupRebuilds } from './trace-rollups.js';
import {
  buildTraceInfos,
  getTraceRow,
  PROMOTED_METADATA_KEYS,
  TRACE_NAME_TAG,
  type TraceInfoEntity,
} from './trace-infos.js';

export interface EndTraceArgs {
  timestampMs: number;
  /** TraceStatus value as stored ('OK', 'ERROR', 'IN_PROGRESS'). */
  status: string;
  metadata: ReadonlyMap<string, string>;
  tags: ReadonlyMap<string, string>;
  /** The service's checks, run where MLflow runs them: after the trace and its session id. */
  validate: () => void;
}

export async function endTraceV2(
  ctx: StoreContext,
  traceId: string,
  args: EndTraceArgs,
): Promise<TraceInfoEntity> {
  return ctx.db.transaction().execute(async (trx) => {
    const row = await getTraceRow(trx, traceId);
    // Rollups: the trace's (experiment, start day) trace metrics are queued for rebuild first.
    await enqueueRollupRebuilds(ctx, trx, [
      ['trace_metric', Number(row.experiment_id), [Number(row.timestamp_ms)]],
    ]);
    const columns = analyticsColumns(args.metadata);
    args.validate();
    const name = args.tags.get(TRACE_NAME_TAG);
    await trx
      .updateTable('trace_info')
      .set({
        execution_time_ms: args.timestampMs - Number(row.timestamp_ms),
        status: args.status,
        ...columns,
        ...(name !== undefined ? { trace_name: name } : {}),
      })
      .where('request_id', '=', traceId)
      .execute();
    // Sorted keys: concurrent writers take the primary-key locks in one order (as MLflow does).
    const metadata = [...args.metadata]
      .filter(([k]) => !PROMOTED_METADATA_KEYS.has(k))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    if (metadata.length > 0) {
      await trx
        .insertInto('trace_request_metadata')
        .values(metadata.map(([key, value]) => ({ request_id: traceId, key, value })))
        .onConflict((oc) =>
          oc.columns(['key', 'request_id']).doUpdateSet((eb) => ({ value: eb.ref('excluded.value') })),
        )
        .execute();
    }
    const tags = [...args.tags].filter(([k]) => k !== TRACE_NAME_TAG);
    if (tags.length > 0) {
      await trx
        .insertInto('trace_tags')
        .values(tags.map(([key, value]) => ({ request_id: traceId, key, value })))
        .onConflict((oc) =>
          oc.columns(['key', 'request_id']).doUpdateSet((eb) => ({ value: eb.ref('excluded.value') })),
        )
        .execute();
    }
    return (await buildTraceInfos(trx, [await getTraceRow(trx, traceId)]))[0]!;
  });
}

export const traceEndOperations = { endTraceV2 };
