/** MlflowService.searchExperiments (handlers._search_experiments + SqlAlchemyStore.search_experiments). */
import type { SearchExperiments, SearchExperiments_Response } from '../../gen/messages.js';
import type { MlflowService } from '../../gen/services.js';
import type { StoreDialect } from '../../stores/dialects/dialect.js';
import { searchExperimentsInStore } from '../../stores/search/experiment-search.js';
import type { StoredExperiment } from '../../stores/tracking/entities.js';
import { planExperimentSearch } from '../search/experiment-search-plan.js';
import { createPageToken } from '../search/page-token.js';
import type { DomainContext, DomainHandlers } from '../types.js';

export interface SearchExperimentsResult {
  experiments: StoredExperiment[];
  nextPageToken?: string;
}

export async function searchExperiments(
  dialect: StoreDialect,
  req: SearchExperiments,
): Promise<SearchExperimentsResult> {
  const plan = planExperimentSearch({
    // No proto default: an absent max_results reaches the store as 0 and is rejected (as MLflow).
    maxResults: req.max_results ?? 0,
    filter: req.filter,
    orderBy: req.order_by ?? [],
    viewType: req.view_type,
    pageToken: req.page_token,
  });
  const rows = await searchExperimentsInStore(dialect, plan);
  const hasMore = rows.length === plan.maxResults + 1;
  const result: SearchExperimentsResult = { experiments: hasMore ? rows.slice(0, plan.maxResults) : rows };
  if (hasMore) result.nextPageToken = createPageToken(plan.offset + plan.maxResults);
  return result;
}

export const searchExperimentsHandlers = {
  async searchExperiments(req, { stores }) {
    const { experiments, nextPageToken } = await searchExperiments(stores.dialect, req);
    const res: SearchExperiments_Response = {};
    if (experiments.length > 0) res.experiments = experiments;
    if (nextPageToken !== undefined) res.next_page_token = nextPageToken;
    return res;
  },
} satisfies DomainHandlers<MlflowService<DomainContext>>;
