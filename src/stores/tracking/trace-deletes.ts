/**
 * Deleting traces (SqlAlchemyStore._delete_traces): by ids, or an experiment's traces up to a
 * timestamp, the oldest `max_traces` of them first. trace_info rows go, and with them (ON DELETE
 * CASCADE) their tags, metadata, spans, metrics and assessments, plus the review-queue items that
 * point at them. Arguments arrive validated (services/traces/validation.ts).
 *
 * A trace whose spans were archived (spans location ARCHIVE_REPO) keeps its row until its archived
 * payload is deleted from the archive's artifact store, as in MLflow; when that store is not one
 * mlflow-ts opens natively, the row is left intact (MLflow's outcome of a failed payload delete).
 * With opt-in trace rollups (MLFLOW_SQL_TRACE_ROLLUPS_ENABLED), the selected traces' trace, span-cost
 * and assessment partitions are queued for rebuild before their rows go, and again for archived
 * traces in the transaction that finally deletes them (trace-rollups.ts).
 */
import type { Logger } from 'pino';
import type { ArtifactStores } from '../artifacts/index.js';
import type { StoreContext } from './context.js';
import { parseExperimentId } from './experiments.js';
import { chunks, SPANS_LOCATION_TAG } from './trace-infos.js';
import { enqueueRollupRebuilds, traceDeletePartitions } from './trace-rollups.js';

const ARCHIVE_LOCATION_TAG = 'mlflow.trace.archiveLocation';
const ARCHIVE_REPO = 'ARCHIVE_REPO';
/** tracing.otel.otel_archival.TRACE_ARCHIVAL_FILENAME */
const ARCHIVE_FILE = 'traces.pb';

export interface DeleteTracesArgs {
  experimentId: string;
  maxTimestampMillis?: number;
  maxTraces?: number;
  traceIds?: readonly string[];
}

export interface ArchiveCleanup {
  artifacts: ArtifactStores;
  log: Pick<Logger, 'error'>;
}

export async function deleteTraces(
  ctx: StoreContext,
  args: DeleteTracesArgs,
  cleanup?: ArchiveCleanup,
): Promise<number> {
  const experimentId = parseExperimentId(args.experimentId);
  const archived = new Map<string, string | null>();
  let deleted = 0;
  await ctx.db.transaction().execute(async (trx) => {
    let q = trx.selectFrom('trace_info').select('request_id').where('experiment_id', '=', experimentId);
    if (args.maxTimestampMillis !== undefined) q = q.where('timestamp_ms', '<=', args.maxTimestampMillis);
    if (args.traceIds && args.traceIds.length > 0) q = q.where('request_id', 'in', args.traceIds);
    if (args.maxTraces !== undefined) {
      // The oldest max_traces of those (a derived table: MySQL takes no LIMIT directly inside IN).
      const limited = q.orderBy('timestamp_ms').orderBy('request_id').limit(args.maxTraces);
      q = q.where('request_id', 'in', (eb) =>
        eb.selectFrom(limited.as('anon_1')).select('anon_1.request_id'),
      );
    }
    const selected = (await q.orderBy('timestamp_ms').orderBy('request_id').execute()).map(
      (r) => r.request_id,
    );
    if (selected.length === 0) return;
    if (ctx.traceRollups)
      await enqueueRollupRebuilds(ctx, trx, await traceDeletePartitions(trx, experimentId, selected));
    for (const ids of chunks(selected)) {
      const rows = await trx
        .selectFrom('trace_tags as s')
        .leftJoin('trace_tags as a', (j) =>
          j.onRef('a.request_id', '=', 's.request_id').on('a.key', '=', ARCHIVE_LOCATION_TAG),
        )
        .select(['s.request_id as id', 'a.value as uri'])
        .where('s.request_id', 'in', ids)
        .where('s.key', '=', SPANS_LOCATION_TAG)
        .where('s.value', '=', ARCHIVE_REPO)
        .execute();
      for (const r of rows) archived.set(r.id, r.uri);
    }
    const dbBacked = selected.filter((id) => !archived.has(id));
    for (const ids of chunks(dbBacked)) deleted += await deleteRows(trx, ids);
  });
  if (archived.size === 0) return deleted;
  const payloadsGone: string[] = [];
  for (const [traceId, uri] of archived) {
    if (uri === null) {
      payloadsGone.push(traceId);
      continue;
    }
    const repo = cleanup?.artifacts.repositoryFor(uri);
    try {
      if (!repo) throw new Error(`no native artifact store for ${uri}`);
      await repo.delete(ARCHIVE_FILE);
      payloadsGone.push(traceId);
    } catch (err) {
      cleanup?.log.error(
        { err, traceId },
        'Failed to clean up archived payload for trace; leaving the trace row intact.',
      );
    }
  }
  for (const ids of chunks(payloadsGone))
    deleted += await ctx.db.transaction().execute(async (trx) => {
      if (ctx.traceRollups)
        await enqueueRollupRebuilds(ctx, trx, await traceDeletePartitions(trx, experimentId, ids));
      return deleteRows(trx, ids);
    });
  return deleted;
}

async function deleteRows(trx: StoreContext['db'], ids: readonly string[]): Promise<number> {
  const res = await trx.deleteFrom('trace_info').where('request_id', 'in', ids).executeTakeFirst();
  await trx
    .deleteFrom('review_queue_items')
    .where('item_type', '=', 'trace')
    .where('item_id', 'in', ids)
    .execute();
  return Number(res.numDeletedRows);
}

export const traceDeleteOperations = { deleteTraces };
