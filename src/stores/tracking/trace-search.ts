/**
 * A page of trace infos of some experiments (SqlAlchemyStore.search_traces without a filter):
 * ordered by the caller's attribute keys, then MLflow's tie-breakers (timestamp_ms descending,
 * request_id ascending, each unless already ordered by), one row past the page to tell whether
 * a next page exists. Nullable columns sort their NULLs last whatever the direction, as MLflow's
 * `CASE WHEN col IS NULL THEN 1 ELSE 0 END` column does.
 */
import { sql, type RawBuilder } from 'kysely';
import type { StoreContext } from './context.js';
import { buildTraceInfos, type TraceInfoEntity } from './trace-infos.js';

/** The trace_info expressions a search may order by. */
export type TraceOrderKey =
  | 'timestamp_ms'
  | 'execution_time_ms'
  | 'end_time_ms'
  | 'status'
  | 'request_id'
  | 'experiment_id'
  | 'trace_name';

export interface TraceOrder {
  key: TraceOrderKey;
  ascending: boolean;
}

const NULLABLE: ReadonlySet<TraceOrderKey> = new Set(['execution_time_ms', 'trace_name']);

function expr(key: TraceOrderKey): RawBuilder<unknown> {
  // end_time = timestamp_ms + execution_time_ms (a missing duration counts as 0)
  if (key === 'end_time_ms') return sql`(timestamp_ms + COALESCE(execution_time_ms, 0))`;
  return sql.ref(key);
}

export interface TraceSearchPage {
  infos: TraceInfoEntity[];
  hasMore: boolean;
}

export async function searchTraceInfos(
  ctx: StoreContext,
  experimentIds: readonly number[],
  order: readonly TraceOrder[],
  offset: number,
  maxResults: number,
): Promise<TraceSearchPage> {
  if (experimentIds.length === 0) return { infos: [], hasMore: false };
  const terms: RawBuilder<unknown>[] = [];
  for (const o of order) {
    const e = expr(o.key);
    if (NULLABLE.has(o.key)) terms.push(sql`CASE WHEN ${e} IS NULL THEN 1 ELSE 0 END`);
    terms.push(o.ascending ? e : sql`${e} DESC`);
  }
  if (!order.some((o) => o.key === 'timestamp_ms')) terms.push(sql`timestamp_ms DESC`);
  if (!order.some((o) => o.key === 'request_id')) terms.push(sql.ref('request_id'));
  const rows = await ctx.db
    .selectFrom('trace_info')
    .selectAll()
    .where('experiment_id', 'in', experimentIds)
    .orderBy(sql.join(terms))
    .limit(maxResults + 1)
    .offset(offset)
    .execute();
  const hasMore = rows.length > maxResults;
  return { infos: await buildTraceInfos(ctx.db, rows.slice(0, maxResults)), hasMore };
}

export const traceSearchOperations = { searchTraceInfos };
