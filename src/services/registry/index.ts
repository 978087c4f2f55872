/**
 * The model registry domain: every ModelRegistryService RPC, with MLflow's model_registry store
 * semantics (validation here, SQL in src/stores/registry). Database errors read as MLflow's.
 */
import { withDbErrors } from '../tracking/db-errors.js';
import { modelVersionHandlers } from './model-versions.js';
import { registeredModelHandlers } from './registered-models.js';
import { searchHandlers } from './search.js';
import type { ModelService } from './service-type.js';

export const registryHandlers = withDbErrors({
  ...registeredModelHandlers,
  ...modelVersionHandlers,
  ...searchHandlers,
}) satisfies Partial<ModelService>;
