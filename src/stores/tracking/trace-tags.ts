/**
 * Trace tags (SqlAlchemyStore.set_trace_tag / delete_trace_tag). The trace name tag lives in the
 * trace_info.trace_name column, every other tag in trace_tags. Keys and values arrive validated
 * (services/traces/validation.ts).
 */
import { MlflowError } from '../../errors/mlflow-error.js';
import type { StoreContext } from './context.js';
import { getTraceRow, TRACE_NAME_TAG, traceNotFound } from './trace-infos.js';

export async function setTraceTag(
  ctx: StoreContext,
  traceId: string,
  key: string,
  value: string,
): Promise<void> {
  if (key === TRACE_NAME_TAG) {
    const updated = await ctx.db
      .updateTable('trace_info')
      .set({ trace_name: value })
      .where('request_id', '=', traceId)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) {
      // MySQL counts matched-but-unchanged rows as 0 (without CLIENT_FOUND_ROWS): look again.
      await getTraceRow(ctx.db, traceId);
    }
    return;
  }
  // session.merge: insert, or update the existing tag; a missing trace fails its foreign key.
  await ctx.db
    .insertInto('trace_tags')
    .values({ request_id: traceId, key, value })
    .onConflict((oc) =>
      oc.columns(['key', 'request_id']).doUpdateSet((eb) => ({ value: eb.ref('excluded.value') })),
    )
    .execute();
}

export async function deleteTraceTag(ctx: StoreContext, traceId: string, key: string): Promise<void> {
  const missing = () => MlflowError.notFound(`No trace tag with key '${key}' for trace with ID '${traceId}'`);
  if (key === TRACE_NAME_TAG) {
    const row = await ctx.db
      .selectFrom('trace_info')
      .select('trace_name')
      .where('request_id', '=', traceId)
      .executeTakeFirst();
    if (!row) throw traceNotFound(traceId);
    if (row.trace_name === null) throw missing();
    await ctx.db
      .updateTable('trace_info')
      .set({ trace_name: null })
      .where('request_id', '=', traceId)
      .execute();
    return;
  }
  const deleted = await ctx.db
    .deleteFrom('trace_tags')
    .where('request_id', '=', traceId)
    .where('key', '=', key)
    .executeTakeFirst();
  if (Number(deleted.numDeletedRows) === 0) throw missing();
}

export const traceTagOperations = { setTraceTag, deleteTraceTag };
