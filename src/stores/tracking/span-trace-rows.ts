/**
 * The rows log_spans leaves for a trace: the tags one batch writes over a trace's, and the
 * trace_info row of a trace the batch creates, as it stands once MLflow has inserted it and then
 * applied the batch (so that span-writes.ts inserts it once instead of inserting and updating).
 */
import type { NewTraceRow, TraceSpans } from './span-rows.js';

export type { NewTraceRow };
import { finiteFloat, tokenCount } from './trace-analytics.js';
import { COST_COLUMNS, SPANS_LOCATION_TAG, TOKEN_COLUMNS, TRACE_NAME_TAG } from './trace-infos.js';

const TRACKING_STORE = 'TRACKING_STORE';
/** The request metadata key of a trace's user (from the spans' `user.id`). */
export const TRACE_USER_KEY = 'mlflow.trace.user';

/**
 * The batch's tags of trace `t` after those in `first`: the spans location, the resource
 * attributes, then the root span's trace tags (user tags win over resource attributes, as in
 * MLflow; the trace name goes to its column instead).
 */
export function batchTraceTags(t: TraceSpans, first = new Map<string, string>()): Map<string, string> {
  const tags = first;
  tags.set(SPANS_LOCATION_TAG, TRACKING_STORE);
  for (const [k, v] of t.resourceTags) tags.set(k, v);
  for (const [k, v] of t.tags) if (k !== TRACE_NAME_TAG) tags.set(k, v);
  return tags;
}

/**
 * MLflow's new row (the batch's earliest start, its end minus that start, the root status or
 * IN_PROGRESS) after the batch's update: the time range CASEs leave it as is, previews, name and
 * session set, the token and cost columns the aggregates hold, and the payload generation bumped
 * once from 0.
 */
export function newTraceRow(
  t: TraceSpans,
  experimentId: number | string,
  usage: ReadonlyMap<string, unknown> | null | undefined,
  cost: ReadonlyMap<string, unknown> | null | undefined,
): NewTraceRow {
  const row: NewTraceRow = {
    request_id: t.traceId,
    experiment_id: Number(experimentId),
    timestamp_ms: t.minStartMs,
    execution_time_ms: t.maxEndMs === null ? null : t.maxEndMs - t.minStartMs,
    status: t.rootStatus ?? 'IN_PROGRESS',
    client_request_id: null,
    request_preview: t.requestPreview ?? null,
    response_preview: t.responsePreview ?? null,
    trace_name: t.tags.get(TRACE_NAME_TAG) ?? null,
    session_id: t.sessionId || null,
    db_payload_generation: 1,
  };
  if (usage) {
    for (const column of TOKEN_COLUMNS) {
      const v = tokenCount(usage.get(column));
      if (v !== null) row[column] = v;
    }
  }
  if (cost) {
    for (const column of COST_COLUMNS) {
      const v = finiteFloat(cost.get(column));
      if (v !== null) row[column] = v;
    }
  }
  return row;
}
