/** MlflowService.searchLoggedModels (handlers._search_logged_models + SqlAlchemyStore.search_logged_models). */
import type { SearchLoggedModels_Response } from '../../gen/messages.js';
import type { MlflowService } from '../../gen/services.js';
import { MlflowError } from '../../errors/mlflow-error.js';
import { searchLoggedModelsInStore } from '../../stores/search/logged-model-search.js';
import { parseExperimentId } from '../../stores/tracking/experiments.js';
import {
  loggedModelPredicates,
  loggedModelSortKeys,
  parseLoggedModelFilter,
  type OrderByArg,
} from '../search/logged-model-filter.js';
import { encodeLoggedModelsPageToken, readLoggedModelsPageToken } from '../search/logged-model-page-token.js';
import type { DomainContext, DomainHandlers } from '../types.js';

/** SEARCH_LOGGED_MODEL_MAX_RESULTS_DEFAULT (the store's, not the proto's 50). */
const MAX_RESULTS_DEFAULT = 100;

export const searchLoggedModelsHandlers = {
  async searchLoggedModels(req, { stores }) {
    const experimentIds = req.experiment_ids ?? [];
    const filter = req.filter || null;
    const datasets = req.datasets?.length
      ? req.datasets.map((d) => ({ name: d.dataset_name ?? '', digest: d.dataset_digest || null }))
      : null;
    const orderBy: OrderByArg[] | null = req.order_by?.length
      ? req.order_by.map((o) => ({
          field_name: o.field_name ?? '',
          ascending: o.ascending ?? true,
          dataset_name: o.dataset_name || null,
          dataset_digest: o.dataset_digest || null,
        }))
      : null;
    if (datasets && !datasets.every((d) => d.name)) {
      throw MlflowError.invalidParameter('`dataset_name` in the `datasets` clause must be specified.');
    }
    let offset = 0;
    if (req.page_token) {
      const raw = readLoggedModelsPageToken(req.page_token, experimentIds, filter, orderBy);
      if (typeof raw !== 'number' || !Number.isInteger(raw)) {
        throw new MlflowError(`Query.offset() got a non-integer offset: ${String(raw)}`, 'INTERNAL_ERROR');
      }
      offset = raw;
    }
    const maxResults = req.max_results || MAX_RESULTS_DEFAULT;

    // From here on MLflow works inside its session (non-MLflow errors become INTERNAL_ERROR).
    const comparisons = parseLoggedModelFilter(filter ?? undefined);
    const ids = experimentIds.map((id) => parseExperimentId(id));
    const { predicates, hasMetricFilter } = loggedModelPredicates(comparisons);
    const sort = loggedModelSortKeys(orderBy ?? []);
    const models = await searchLoggedModelsInStore(stores.dialect, {
      experimentIds: ids,
      predicates,
      datasets: datasets ?? [],
      requireDatasetMetric: datasets !== null && !hasMetricFilter,
      sort,
      offset,
      limit: maxResults + 1,
    });
    const res: SearchLoggedModels_Response = {};
    // A negative max_results goes to the database as is (SQLite: no limit; PostgreSQL refuses
    // it), and Python's models[:max_results] then drops that many from the end.
    if (models.length > maxResults) {
      const page = models.slice(0, maxResults);
      if (page.length > 0) res.models = page;
      res.next_page_token = encodeLoggedModelsPageToken(experimentIds, filter, orderBy, offset + maxResults);
    } else if (models.length > 0) {
      res.models = models;
    }
    return res;
  },
} satisfies DomainHandlers<MlflowService<DomainContext>>;
