/** MlflowService.searchRuns (handlers.search_runs_impl + SqlAlchemyStore.search_runs). */
import type { SearchRuns, SearchRuns_Response } from '../../gen/messages.js';
import type { MlflowService } from '../../gen/services.js';
import type { StoreDialect } from '../../stores/dialects/dialect.js';
import { searchRunPage } from '../../stores/search/run-search.js';
import type { StoredRun } from '../../stores/tracking/entities.js';
import { SEARCH_MAX_RESULTS_DEFAULT } from '../search/max-results.js';
import { createPageToken } from '../search/page-token.js';
import { planRunSearch } from '../search/run-search-plan.js';
import type { DomainContext, DomainHandlers } from '../types.js';

export interface SearchRunsResult {
  runs: StoredRun[];
  nextPageToken?: string;
}

export async function searchRuns(dialect: StoreDialect, req: SearchRuns): Promise<SearchRunsResult> {
  const plan = planRunSearch({
    experimentIds: req.experiment_ids ?? [],
    filter: req.filter,
    runViewType: req.run_view_type,
    // The proto default; an explicit 0 or negative value is the store's error.
    maxResults: req.max_results ?? SEARCH_MAX_RESULTS_DEFAULT,
    orderBy: req.order_by ?? [],
    pageToken: req.page_token,
  });
  const page = await searchRunPage(dialect, plan);
  // One extra run was requested: if it came back, there is a next page.
  const hasMore = page.length === plan.maxResults + 1;
  const runs = hasMore ? page.slice(0, plan.maxResults) : page;
  const result: SearchRunsResult = { runs };
  if (hasMore) result.nextPageToken = createPageToken(plan.offset + plan.maxResults);
  return result;
}

export const searchRunsHandlers = {
  async searchRuns(req, { stores }) {
    const { runs, nextPageToken } = await searchRuns(stores.dialect, req);
    const res: SearchRuns_Response = {};
    if (runs.length > 0) res.runs = runs;
    if (nextPageToken !== undefined) res.next_page_token = nextPageToken;
    return res;
  },
} satisfies DomainHandlers<MlflowService<DomainContext>>;
