/**
 * MlflowService.searchEvaluationDatasets (handlers._search_evaluation_datasets_handler over
 * SqlAlchemyStore.search_datasets): the evaluation datasets of some experiments (or all), by
 * created_time DESC unless order_by says otherwise, with offset page tokens. Each dataset is
 * rendered as EvaluationDataset.to_proto renders a stored row: tags as Python's json.dumps of
 * the tag dict, no records and no experiment ids. Filters outside a plain subset (see
 * search/evaluation-dataset-filter.ts) are handed to the Python server.
 */
import { MlflowError } from '../../errors/mlflow-error.js';
import type { MlflowDatasets_Dataset } from '../../gen/messages.js';
import type { MlflowService } from '../../gen/services.js';
import { jsonDumpsDefault } from '../../py/json.js';
import type {
  EvaluationDatasetEntity,
  EvaluationDatasetSortKey,
} from '../../stores/tracking/evaluation-datasets.js';
import { NotNative } from '../raw-reply.js';
import {
  planEvaluationDatasetFilter,
  type EvaluationDatasetFilter,
} from '../search/evaluation-dataset-filter.js';
import { SEARCH_MAX_RESULTS_DEFAULT, validateMaxResults } from '../search/max-results.js';
import { parseOrderByString } from '../search/order-by.js';
import { createPageToken, parsePageToken } from '../search/page-token.js';
import type { DomainContext } from '../types.js';

const ORDER_BY_KEYS: readonly string[] = ['name', 'created_time', 'last_update_time'];

/** `_get_search_datasets_order_by_clauses` (before the dataset_id tie-breaker the store adds). */
function planOrder(orderBy: readonly string[]): { key: EvaluationDatasetSortKey; ascending: boolean }[] {
  const clauses = orderBy.length > 0 ? orderBy : ['created_time DESC'];
  return clauses.map((clause) => {
    const { token, ascending } = parseOrderByString(clause);
    const id = token.trim();
    const dot = id.indexOf('.');
    if (dot < 0) {
      if (!ORDER_BY_KEYS.includes(id)) {
        // MLflow lists the valid keys as a Python set, whose order varies between processes.
        throw new NotNative('an order_by key outside the valid attributes');
      }
      return { key: id as EvaluationDatasetSortKey, ascending };
    }
    const prefix = id.slice(0, dot);
    if (prefix === 'tags') throw MlflowError.invalidParameter('Invalid order_by entity: tag');
    throw MlflowError.invalidParameter(`Invalid identifier token '${prefix}' specified`);
  });
}

/** `json.dumps` of the tag dict, keys in the order the rows came. */
function tagsJson(tags: readonly [string, string | null][]): string {
  return `{${tags.map(([k, v]) => `${jsonDumpsDefault(k)}: ${jsonDumpsDefault(v)}`).join(', ')}}`;
}

function datasetMessage(d: EvaluationDatasetEntity): MlflowDatasets_Dataset {
  if (d.digest === null || d.created_time === null || d.last_update_time === null) {
    throw new NotNative('an evaluation dataset without digest or times');
  }
  return {
    dataset_id: d.dataset_id,
    name: d.name,
    tags: tagsJson(d.tags),
    ...(d.schema !== null ? { schema: d.schema } : {}),
    ...(d.profile !== null ? { profile: d.profile } : {}),
    digest: d.digest,
    created_time: d.created_time,
    last_update_time: d.last_update_time,
    ...(d.created_by !== null ? { created_by: d.created_by } : {}),
    ...(d.last_updated_by !== null ? { last_updated_by: d.last_updated_by } : {}),
  };
}

/**
 * The token's offset. A token that decodes to something other than a JSON object (or to an
 * offset int() refuses) fails in Python outside MlflowException: Flask's HTML 500 page, which
 * the Python server renders.
 */
function pageOffset(token: string | undefined): number {
  let offset: number;
  try {
    offset = parsePageToken(token || undefined);
  } catch (e) {
    if (e instanceof MlflowError && e.errorCode === 'INTERNAL_ERROR') {
      throw new NotNative('a page token Python fails on outside MlflowException');
    }
    throw e;
  }
  // A negative OFFSET is each database's own error (or none on SQLite), rendered by MLflow.
  if (offset < 0 || !Number.isSafeInteger(offset)) throw new NotNative('a page token offset out of range');
  return offset;
}

export const evaluationDatasetHandlers = {
  async searchEvaluationDatasets(req, { stores }) {
    // The handler passes `max_results or None`: an explicit 0 reaches the store as None.
    const maxResults = req.max_results ?? SEARCH_MAX_RESULTS_DEFAULT;
    if (maxResults === 0) {
      throw MlflowError.invalidParameter(
        "Invalid value None for parameter 'max_results' supplied. It must be a positive integer",
      );
    }
    validateMaxResults(maxResults);
    const offset = pageOffset(req.page_token);
    let filters: EvaluationDatasetFilter[] = [];
    if (req.filter_string) {
      const planned = planEvaluationDatasetFilter(req.filter_string);
      if (planned === undefined) throw new NotNative('a filter outside the plain subset');
      filters = planned;
    }
    const ids = req.experiment_ids ?? [];
    const sort = planOrder(req.order_by ?? []);
    const page = await stores.tracking.searchEvaluationDatasets({
      ...(ids.length > 0 ? { experimentIds: ids } : {}),
      filters,
      sort,
      offset,
      maxResults,
    });
    return {
      datasets: page.datasets.map(datasetMessage),
      ...(page.hasMore ? { next_page_token: createPageToken(offset + maxResults) } : {}),
    };
  },
} satisfies Partial<MlflowService<DomainContext>>;
