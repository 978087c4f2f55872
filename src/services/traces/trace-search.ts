/**
 * searchTracesV3 and the v2 searchTraces (handlers._search_traces_v3 / _deprecated_search_traces_v2
 * over SqlAlchemyStore.search_traces): the whole trace filter grammar and order_by (see
 * trace-search-plan.ts for the forms still handed to the Python server).
 */
import type { MlflowService } from '../../gen/services.js';
import { MlflowError } from '../../errors/mlflow-error.js';
import { INT32_MAX } from '../../stores/tracking/experiments.js';
import type { Stores } from '../../stores/index.js';
import { validateMaxResults } from '../search/max-results.js';
import { createPageToken, parsePageToken } from '../search/page-token.js';
import { NotNative } from '../raw-reply.js';
import { planTraceFilter, planTraceOrder } from './trace-search-plan.js';
import type { DomainContext, DomainHandlers } from '../types.js';
import { traceInfoV2, traceInfoV3 } from './trace-info-message.js';
import type { TraceInfoEntity } from '../../stores/tracking/trace-infos.js';

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
  // In MLflow's order: the locations, max_results, order_by, the filter, then the page token.
  const experimentIdList = experimentIds(a.ids);
  validateMaxResults(a.maxResults);
  const sort = planTraceOrder(a.orderBy);
  const plan = planTraceFilter(a.filter);
  const offset = parsePageToken(a.pageToken);
  const page = await stores.tracking.searchTraceInfos({
    experimentIds: experimentIdList,
    ...plan,
    sort,
    offset,
    maxResults: a.maxResults,
  });
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
