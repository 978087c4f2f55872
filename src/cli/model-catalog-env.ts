/**
 * MLFLOW_MODEL_CATALOG_URI and MLFLOW_MODEL_CATALOG_CACHE_TTL (mlflow/environment_variables.py),
 * read as MLflow reads them: the URI as given ('' disables the remote catalog), the TTL with int().
 * A TTL that is not an int does not stop the server: MLflow only converts it when it first needs
 * the remote catalog, and then fails that lookup (every time), so it is passed on as undefined.
 */
import { intOf } from '../py/numbers.js';
import { DEFAULT_MODEL_CATALOG_URI, type ModelCatalogConfig } from '../services/traces/model-cost.js';

type Env = Readonly<Record<string, string | undefined>>;

/** MLflow's default MLFLOW_MODEL_CATALOG_CACHE_TTL (24 hours). */
const DEFAULT_TTL_SECONDS = 86400;

export function modelCatalogFromEnv(env: Env): ModelCatalogConfig {
  const rawTtl = env.MLFLOW_MODEL_CATALOG_CACHE_TTL;
  return {
    catalogUri: env.MLFLOW_MODEL_CATALOG_URI ?? DEFAULT_MODEL_CATALOG_URI,
    ttlSeconds: rawTtl === undefined ? DEFAULT_TTL_SECONDS : intOf(rawTtl),
  };
}
