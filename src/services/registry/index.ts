/**
 * The model registry domain: every ModelRegistryService RPC, with MLflow's model_registry store
 * semantics (validation here, SQL in src/stores/registry). Database errors are mapped as MLflow's
 * by the domain table (services/domains.ts).
 */
import { modelVersionHandlers } from './model-versions.js';
import { registeredModelHandlers } from './registered-models.js';
import { searchHandlers } from './search.js';
import type { ModelService } from './service-type.js';

export const registryHandlers = {
  ...registeredModelHandlers,
  ...modelVersionHandlers,
  ...searchHandlers,
} satisfies Partial<ModelService>;
