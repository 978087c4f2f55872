/**
 * MlflowService.searchDatasets (handlers.search_datasets_impl): the dataset summaries of up to 20
 * experiments, for the runs table's dataset filter. Served at MLflow's generated route and at the
 * Flask route the UI calls (POST /ajax-api/2.0/mlflow/experiments/search-datasets).
 */
import { MlflowError } from '../../errors/mlflow-error.js';
import type { MlflowService } from '../../gen/services.js';
import { checkContentType } from '../content-type.js';
import { parseExperimentId } from '../search/experiment-comparators.js';
import type { DomainContext } from '../types.js';

const MAX_EXPERIMENT_IDS_PER_REQUEST = 20;

export const searchDatasetsHandlers = {
  async searchDatasets(request, ctx) {
    // search_datasets_impl checks the content type itself, after the message was read.
    const contentType = ctx.headers?.['content-type'];
    checkContentType('POST', Array.isArray(contentType) ? contentType[0] : contentType);
    const ids = request.experiment_ids ?? [];
    if (ids.length === 0) {
      throw MlflowError.invalidParameter('SearchDatasets request must specify at least one experiment_id.');
    }
    if (ids.length > MAX_EXPERIMENT_IDS_PER_REQUEST) {
      throw MlflowError.invalidParameter(
        `SearchDatasets request cannot specify more than ${MAX_EXPERIMENT_IDS_PER_REQUEST} experiment_ids. ` +
          `Received ${ids.length} experiment_ids.`,
      );
    }
    const rows = await ctx.stores.tracking.searchDatasetSummaries(ids.map((id) => parseExperimentId(id)));
    return {
      dataset_summaries: rows.map((r) => ({
        experiment_id: String(r.experiment_id),
        name: r.name,
        digest: r.digest,
        ...(r.value !== null ? { context: r.value } : {}),
      })),
    };
  },
} satisfies Partial<MlflowService<DomainContext>>;
