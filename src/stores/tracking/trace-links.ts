/**
 * Traces linked to a run (SqlAlchemyStore.link_traces_to_run) and prompt versions linked to a
 * trace (link_prompts_to_trace): entity_associations rows. For run links neither the run nor the
 * traces are looked up, as in MLflow; a prompt link needs the trace. A link that exists already
 * is kept as is.
 */
import { randomUUID } from 'node:crypto';
import { MlflowError } from '../../errors/mlflow-error.js';
import { nowMillis, type Db, type StoreContext } from './context.js';

const TRACE = 'trace';
const RUN = 'run';
const PROMPT_VERSION = 'prompt_version';

/** New entity_associations rows from `trace` ids to `destination` ids of one type. */
async function insertLinks(
  trx: Db,
  destinationType: string,
  pairs: readonly { traceId: string; destinationId: string }[],
): Promise<void> {
  if (pairs.length === 0) return;
  const now = nowMillis();
  await trx
    .insertInto('entity_associations')
    .values(
      pairs.map((p) => ({
        association_id: randomUUID().replace(/-/g, ''),
        source_type: TRACE,
        source_id: p.traceId,
        destination_type: destinationType,
        destination_id: p.destinationId,
        created_time: now,
      })),
    )
    .execute();
}

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
    await insertLinks(
      trx,
      RUN,
      toAdd.map((traceId) => ({ traceId, destinationId: runId })),
    );
  });
}

/** link_prompts_to_trace: `promptIds` are `name/version`, each linked once. */
export async function linkPromptsToTrace(
  ctx: StoreContext,
  traceId: string,
  promptIds: readonly string[],
): Promise<void> {
  if (promptIds.length === 0) return;
  await ctx.db.transaction().execute(async (trx) => {
    const trace = await trx
      .selectFrom('trace_info')
      .select('request_id')
      .where('request_id', '=', traceId)
      .executeTakeFirst();
    if (!trace) throw MlflowError.notFound(`Trace with ID '${traceId}' not found.`);
    const existing = await trx
      .selectFrom('entity_associations')
      .select('destination_id')
      .where('source_type', '=', TRACE)
      .where('source_id', '=', traceId)
      .where('destination_type', '=', PROMPT_VERSION)
      .where('destination_id', 'in', promptIds)
      .execute();
    const linked = new Set(existing.map((r) => r.destination_id));
    const toAdd = promptIds.filter((id) => !linked.has(id));
    await insertLinks(
      trx,
      PROMPT_VERSION,
      toAdd.map((destinationId) => ({ traceId, destinationId })),
    );
  });
}

export const traceLinkOperations = { linkTracesToRun, linkPromptsToTrace };
