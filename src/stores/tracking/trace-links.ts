/**
 * Traces linked to a run (SqlAlchemyStore.link_traces_to_run): entity_associations rows from
 * each trace to the run. Neither the run nor the traces are looked up, as in MLflow; a link that
 * exists already is kept as is.
 */
import { randomUUID } from 'node:crypto';
import { nowMillis, type StoreContext } from './context.js';

const TRACE = 'trace';
const RUN = 'run';

export async function linkTracesToRun(
  ctx: StoreContext,
  traceIds: readonly string[],
  runId: string,
): Promise<void> {
  if (traceIds.length === 0) return;
  await ctx.db.transaction().execute(async (trx) => {
    const existing = await trx
      .selectFrom('entity_associations')
      .select('source_id')
      .where('source_type', '=', TRACE)
      .where('source_id', 'in', traceIds)
      .where('destination_type', '=', RUN)
      .where('destination_id', '=', runId)
      .execute();
    const linked = new Set(existing.map((r) => r.source_id));
    // A trace id repeated in the request is inserted twice and fails the primary key, as in MLflow.
    const toAdd = traceIds.filter((id) => !linked.has(id));
    if (toAdd.length === 0) return;
    const now = nowMillis();
    await trx
      .insertInto('entity_associations')
      .values(
        toAdd.map((id) => ({
          association_id: randomUUID().replace(/-/g, ''),
          source_type: TRACE,
          source_id: id,
          destination_type: RUN,
          destination_id: runId,
          created_time: now,
        })),
      )
      .execute();
  });
}

export const traceLinkOperations = { linkTracesToRun };
