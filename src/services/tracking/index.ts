/**
 * The tracking domain (MlflowService's experiments, runs, run data, metric history and search),
 * served natively over the tracking store. One handlers object, checked against the generated
 * service interface; services/domains.ts lists it.
 */
import type { MlflowService } from '../../gen/services.js';
import type { DomainContext, DomainHandlers } from '../types.js';
import { experimentHandlers } from './experiments.js';
import { metricHistoryHandlers } from './metric-history.js';
import { runDataHandlers } from './run-data.js';
import { runHandlers } from './runs.js';
import { searchExperimentsHandlers } from './search-experiments.js';
import { searchRunsHandlers } from './search-runs.js';
import { searchDatasetsHandlers } from './search-datasets.js';
import { evaluationDatasetHandlers } from './evaluation-datasets.js';

export const trackingHandlers = {
  ...experimentHandlers,
  ...runHandlers,
  ...runDataHandlers,
  ...metricHistoryHandlers,
  ...searchRunsHandlers,
  ...searchExperimentsHandlers,
  ...searchDatasetsHandlers,
  ...evaluationDatasetHandlers,
} satisfies DomainHandlers<MlflowService<DomainContext>>;
