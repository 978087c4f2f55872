/**
 * Creating a trace's record (SqlAlchemyStore.start_trace, the insert path): the trace_info row
 * with the promoted metadata in its columns and the trace name tag in trace_name, the other tags
 * plus the trace's artifact location, and the metadata with MLflow's `infoFinalized` marker.
 * Inputs arrive validated (services/traces/trace-starts.ts).
 *
 * When the trace exists already (its spans arrived first, through log_spans), MLflow merges the
 * two records under a row lock; that path is not this module's: it answers undefined, and the
 * service hands the request to the Python server.
 */
import { appendToUriPath } from '../artifact-uri.js';
import type { StoreContext } from './context.js';
import { checkExperimentActive, getExperimentRow } from './experiments.js';
import { analyticsColumns } from './trace-analytics.js';
import {
  ARTIFACT_LOCATION_TAG,
  buildTraceInfos,
  getTraceRow,
  PROMOTED_METADATA_KEYS,
  TRACE_NAME_TAG,
  type TraceInfoEntity,
} from './trace-infos.js';

/** TraceMetadataKey.TRACE_INFO_FINALIZED */
const INFO_FINALIZED_KEY = 'mlflow.trace.infoFinalized';

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
      return (await buildTraceInfos(trx, [await getTraceRow(trx, a.traceId)]))[0]!;
    });
  } catch (err) {
    if (ctx.dialect.isUniqueViolation(err)) return undefined;
    throw err;
  }
}

export const traceStartOperations = { startTrace };
