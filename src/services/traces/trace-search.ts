/**
 * searchTracesV3 and the v2 searchTraces (handlers._search_traces_v3 / _deprecated_search_traces_v2
 * over SqlAlchemyStore.search_traces), served natively for the common form: no filter, and
 * order_by clauses on trace attributes (`timestamp_ms DESC`, `attributes.execution_time ASC`,
 * `name`, ...). Filters (the trace grammar: tags, metadata, spans, assessments, prompts, issues)
 * and any other order_by go to the Python server, until the grammar is native.
 */
import type { MlflowService } from '../../gen/services.js';
import { MlflowError } from '../../errors/mlflow-error.js';
import { INT32_MAX } from '../../stores/tracking/experiments.js';
import type { TraceOrder, TraceOrderKey } from '../../stores/tracking/trace-search.js';
import type { Stores } from '../../stores/index.js';
import { validateMaxResults } from '../search/max-results.js';
import { createPageToken, parsePageToken } from '../search/page-token.js';
import { NotNative } from '../raw-reply.js';
import type { DomainContext, DomainHandlers } from '../types.js';
import { traceInfoV2, traceInfoV3 } from './trace-info-message.js';
import type { TraceInfoEntity } from '../../stores/tracking/trace-infos.js';

/** VALID_ORDER_BY_ATTRIBUTE_KEYS after SEARCH_KEY_TO_ATTRIBUTE / SEARCH_KEY_TO_TAG (`name`). */
const ORDER_KEYS: Readonly<Record<string, TraceOrderKey>> = {
  timestamp: 'timestamp_ms',
  timestamp_ms: 'timestamp_ms',
  execution_time: 'execution_time_ms',
  execution_time_ms: 'execution_time_ms',
  end_time: 'end_time_ms',
  end_time_ms: 'end_time_ms',
  status: 'status',
  request_id: 'request_id',
  experiment_id: 'experiment_id',
  name: 'trace_name',
};
/** An attribute order_by clause in its plain form; anything else is left to MLflow's parser. */
const SIMPLE_ORDER = /^\s*(?:(?:attribute|attributes|trace)\.)?([a-z_]+)(?:\s+(ASC|DESC|asc|desc))?\s*$/;

function parseOrder(orderBy: readonly string[]): TraceOrder[] {
  const out: TraceOrder[] = [];
  for (const clause of orderBy) {
    const m = SIMPLE_ORDER.exec(clause);
    const key = m ? ORDER_KEYS[m[1]!] : undefined;
    if (!m || !key) throw new NotNative(`order_by ${JSON.stringify(clause)}`);
    if (out.some((o) => o.key === key)) throw new NotNative('a duplicate order_by field');
    out.push({ key, ascending: (m[2] ?? 'ASC').toUpperCase() === 'ASC' });
  }
  return out;
}

/** _resolve_experiment_ids_and_locations, then `int(e)` of each. */
function experimentIds(ids: readonly string[]): number[] {
  const invalid = ids.filter((id) => id.includes('.'));
  if (invalid.length > 0) {
    let listed = invalid.join(', ');
    if ([...listed].length > 20) listed = [...listed].slice(0, 20).join('') + '...';
    throw MlflowError.invalidParameter(
      `Locations must be a list of experiment IDs. Found invalid experiment IDs: ${listed}.`,
    );
  }
  return ids.map((id) => {
    if (!/^\s*[+-]?\d+\s*$/.test(id)) throw new NotNative(`experiment id ${JSON.stringify(id)}`);
    const n = Number(id);
    if (Math.abs(n) > INT32_MAX) throw new NotNative('an experiment id beyond INTEGER');
    return n;
  });
}

interface SearchArgs {
  ids: readonly string[];
  filter: string | undefined;
  maxResults: number;
  orderBy: readonly string[];
  pageToken: string | undefined;
}

async function search(stores: Stores, a: SearchArgs): Promise<{ infos: TraceInfoEntity[]; token?: string }> {
  if (a.filter) throw new NotNative('a trace filter');
  // In MLflow's order: the locations, max_results, order_by, then the page token.
  const ids = experimentIds(a.ids);
  validateMaxResults(a.maxResults);
  const order = parseOrder(a.orderBy);
  const offset = parsePageToken(a.pageToken);
  const page = await stores.tracking.searchTraceInfos(ids, order, offset, a.maxResults);
  return page.hasMore
    ? { infos: page.infos, token: createPageToken(offset + a.maxResults) }
    : { infos: page.infos };
}

export const traceSearchHandlers = {
  async searchTracesV3(req, { stores }) {
    const ids = (req.locations ?? []).flatMap((l) =>
      l.mlflow_experiment !== undefined ? [l.mlflow_experiment.experiment_id ?? ''] : [],
    );
    const r = await search(stores, {
      ids,
      filter: req.filter,
      maxResults: req.max_results ?? 100,
      orderBy: req.order_by ?? [],
      pageToken: req.page_token,
    });
    return { traces: r.infos.map(traceInfoV3), ...(r.token ? { next_page_token: r.token } : {}) };
  },

  async searchTraces(req, { stores }) {
    const r = await search(stores, {
      ids: req.experiment_ids ?? [],
      filter: req.filter,
      maxResults: req.max_results ?? 100,
      orderBy: req.order_by ?? [],
      pageToken: req.page_token,
    });
    return { traces: r.infos.map(traceInfoV2), ...(r.token ? { next_page_token: r.token } : {}) };
  },
} satisfies DomainHandlers<MlflowService<DomainContext>>;
