/**
 * The span rows of traces whose spans are in the database (_load_tracking_store_span_snapshots):
 * their stored content, root spans first, then by start time, as _get_spans_with_trace_info
 * sorts them. The sort is done in SQL on the exact bigint times; rows MLflow's unordered query
 * would give in storage order on a tie are ordered by span id.
 */
import { sql } from 'kysely';
import type { StoreContext } from './context.js';
import { chunks } from './trace-infos.js';

export interface TraceSpanContents {
  /** Stored span contents by trace id, in read order. */
  spans: Map<string, string[]>;
  /** Traces with a row whose content was cleared (an archival in progress). */
  cleared: Set<string>;
}

export async function getTraceSpanContents(
  ctx: StoreContext,
  traceIds: readonly string[],
): Promise<TraceSpanContents> {
  const spans = new Map<string, string[]>();
  const cleared = new Set<string>();
  for (const ids of chunks([...new Set(traceIds)])) {
    if (ids.length === 0) continue;
    const rows = await ctx.db
      .selectFrom('spans')
      .select(['trace_id', 'content'])
      .where('trace_id', 'in', ids)
      .orderBy(sql`CASE WHEN parent_span_id IS NULL THEN 0 ELSE 1 END`)
      .orderBy('start_time_unix_nano')
      .orderBy('span_id')
      .execute();
    for (const row of rows) {
      if (row.content === '') {
        cleared.add(row.trace_id);
        continue;
      }
      let list = spans.get(row.trace_id);
      if (list === undefined) spans.set(row.trace_id, (list = []));
      list.push(row.content);
    }
  }
  return { spans, cleared };
}

export const traceSpanOperations = { getTraceSpanContents };
