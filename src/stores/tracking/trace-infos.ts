/**
 * Trace metadata reads (SqlAlchemyStore.get_trace_info, batch_get_trace_infos and
 * _build_trace_infos_from_rows): a trace_info row with its tags, request metadata and
 * assessments, as the TraceInfo entity that the services render as the v3 or the v2 message.
 *
 * Child rows are read with the queries MLflow issues (`request_id IN (...)` in chunks of 500,
 * without ORDER BY), so a trace's assessments come in the order each database gives Python.
 */
import { MlflowError } from '../../errors/mlflow-error.js';
import { jsonDumpsDefault } from '../../py/json.js';
import { PyFloat, type PyJson } from '../../py/values.js';
import type { Selectable } from 'kysely';
import type { AssessmentsTable, TraceInfoTable } from '../tables.js';
import type { Db, StoreContext } from './context.js';

export type TraceInfoRow = Selectable<TraceInfoTable>;
export type AssessmentRow = Selectable<AssessmentsTable>;

/** TraceTagKey / TraceMetadataKey names this layer reads or writes. */
export const TRACE_NAME_TAG = 'mlflow.traceName';
export const TRACE_SESSION_KEY = 'mlflow.trace.session';
export const TOKEN_USAGE_KEY = 'mlflow.trace.tokenUsage';
export const COST_KEY = 'mlflow.trace.cost';
export const SPANS_LOCATION_TAG = 'mlflow.trace.spansLocation';
export const ARTIFACT_LOCATION_TAG = 'mlflow.artifactLocation';
/** TraceMetadataKey.TRACE_INFO_FINALIZED: start_trace wrote the trace's top-level fields. */
export const INFO_FINALIZED_KEY = 'mlflow.trace.infoFinalized';

/** trace_analytics.PROMOTED_TRACE_METADATA_KEYS: metadata kept in trace_info columns instead. */
export const PROMOTED_METADATA_KEYS: ReadonlySet<string> = new Set([
  TRACE_SESSION_KEY,
  TOKEN_USAGE_KEY,
  COST_KEY,
]);

/** TOKEN_COLUMN_BY_KEY and COST_COLUMN_BY_KEY (the metadata JSON's keys are the column names). */
export const TOKEN_COLUMNS = [
  'input_tokens',
  'output_tokens',
  'total_tokens',
  'cache_read_input_tokens',
  'cache_creation_input_tokens',
  'cache_creation_input_tokens_above_1hr',
] as const;
export const COST_COLUMNS = ['input_cost', 'output_cost', 'total_cost'] as const;

/** _TRACE_CHILD_QUERY_BATCH_SIZE / _TRACE_BATCH_QUERY_ID_CHUNK_SIZE. */
const CHUNK = 500;

export interface TraceInfoEntity {
  traceId: string;
  experimentId: string;
  requestTime: number;
  executionDuration: number | null;
  /** TraceState name as stored (trace_info.status). */
  state: string;
  /** Tags in read order; the trace name (a column) last, as MLflow adds it. */
  tags: Map<string, string | null>;
  metadata: Map<string, string | null>;
  clientRequestId: string | null;
  requestPreview: string | null;
  responsePreview: string | null;
  assessments: AssessmentRow[];
}

export const traceNotFound = (traceId: string): MlflowError =>
  MlflowError.notFound(`Trace with ID '${traceId}' not found.`);

/** Items in slices of at most `size` (an IN list's bound-parameter budget). */
export function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** trace_analytics.compatibility_metadata_from_columns: the promoted keys, rebuilt from columns. */
function compatibilityMetadata(row: TraceInfoRow): [string, string][] {
  const out: [string, string][] = [];
  if (row.session_id !== null) out.push([TRACE_SESSION_KEY, row.session_id]);
  const tokens: Record<string, PyJson> = {};
  for (const column of TOKEN_COLUMNS) {
    const v = row[column];
    if (v !== null && v !== undefined) tokens[column] = Number(v);
  }
  if (Object.keys(tokens).length > 0) out.push([TOKEN_USAGE_KEY, jsonDumpsDefault(tokens)]);
  const cost: Record<string, PyJson> = {};
  for (const column of COST_COLUMNS) {
    const v = row[column];
    if (v !== null && v !== undefined) cost[column] = new PyFloat(Number(v));
  }
  if (Object.keys(cost).length > 0) out.push([COST_KEY, jsonDumpsDefault(cost)]);
  return out;
}

/** _build_trace_infos_from_rows: the rows' tags, metadata and assessments, in the rows' order. */
export async function buildTraceInfos(db: Db, rows: readonly TraceInfoRow[]): Promise<TraceInfoEntity[]> {
  if (rows.length === 0) return [];
  const tags = new Map<string, Map<string, string | null>>();
  const metadata = new Map<string, Map<string, string | null>>();
  const assessments = new Map<string, AssessmentRow[]>();
  const group = <V>(m: Map<string, V>, id: string, init: () => V): V => {
    let g = m.get(id);
    if (g === undefined) m.set(id, (g = init()));
    return g;
  };
  for (const ids of chunks(rows.map((r) => r.request_id))) {
    const [tagRows, metadataRows, assessmentRows] = await Promise.all([
      db
        .selectFrom('trace_tags')
        .select(['request_id', 'key', 'value'])
        .where('request_id', 'in', ids)
        .execute(),
      db
        .selectFrom('trace_request_metadata')
        .select(['request_id', 'key', 'value'])
        .where('request_id', 'in', ids)
        .execute(),
      db.selectFrom('assessments').selectAll().where('trace_id', 'in', ids).execute(),
    ]);
    for (const t of tagRows) {
      if (t.key !== TRACE_NAME_TAG) group(tags, t.request_id, () => new Map()).set(t.key, t.value);
    }
    for (const m of metadataRows) {
      if (!PROMOTED_METADATA_KEYS.has(m.key))
        group(metadata, m.request_id, () => new Map()).set(m.key, m.value);
    }
    for (const a of assessmentRows) group(assessments, a.trace_id, () => []).push(a);
  }
  return rows.map((row) => {
    const rowTags = tags.get(row.request_id) ?? new Map<string, string | null>();
    if (row.trace_name !== null) rowTags.set(TRACE_NAME_TAG, row.trace_name);
    const rowMetadata = metadata.get(row.request_id) ?? new Map<string, string | null>();
    for (const [k, v] of compatibilityMetadata(row)) rowMetadata.set(k, v);
    return {
      traceId: row.request_id,
      experimentId: String(row.experiment_id),
      requestTime: Number(row.timestamp_ms),
      executionDuration: row.execution_time_ms === null ? null : Number(row.execution_time_ms),
      state: row.status,
      tags: rowTags,
      metadata: rowMetadata,
      clientRequestId: row.client_request_id,
      requestPreview: row.request_preview,
      responsePreview: row.response_preview,
      assessments: assessments.get(row.request_id) ?? [],
    };
  });
}

/** The trace_info row, or RESOURCE_DOES_NOT_EXIST with MLflow's message. */
export async function getTraceRow(db: Db, traceId: string): Promise<TraceInfoRow> {
  const row = await db
    .selectFrom('trace_info')
    .selectAll()
    .where('request_id', '=', traceId)
    .executeTakeFirst();
  if (!row) throw traceNotFound(traceId);
  return row;
}

/** get_trace_info. */
export async function getTraceInfo(ctx: StoreContext, traceId: string): Promise<TraceInfoEntity> {
  const row = await getTraceRow(ctx.db, traceId);
  return (await buildTraceInfos(ctx.db, [row]))[0]!;
}

/**
 * batch_get_trace_infos (_query_trace_infos_in_batches): the traces found among `traceIds`, in
 * the order first requested, optionally only those of `experimentIds` (already parsed).
 */
export async function batchGetTraceInfos(
  ctx: StoreContext,
  traceIds: readonly string[],
  experimentIds?: readonly number[],
): Promise<TraceInfoEntity[]> {
  if (traceIds.length === 0) return [];
  // {id: index}: a repeated id keeps its first place among the queried ids but sorts by its last.
  const order = new Map<string, number>();
  traceIds.forEach((id, i) => order.set(id, i));
  const experimentChunks: (number[] | undefined)[] =
    experimentIds === undefined ? [undefined] : chunks([...new Set(experimentIds)]);
  const rows: TraceInfoRow[] = [];
  for (const ids of chunks([...order.keys()])) {
    for (const experiments of experimentChunks) {
      let q = ctx.db.selectFrom('trace_info').selectAll().where('request_id', 'in', ids);
      if (experiments !== undefined) q = q.where('experiment_id', 'in', experiments);
      rows.push(...(await q.execute()));
    }
  }
  rows.sort((a, b) => order.get(a.request_id)! - order.get(b.request_id)!);
  return buildTraceInfos(ctx.db, rows);
}

export const traceInfoOperations = { getTraceInfo, batchGetTraceInfos };
