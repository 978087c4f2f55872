/** Registry reads shared by several handlers (MLflow store methods built on other store methods). */
import { MlflowError } from '../../errors/mlflow-error.js';
import type { ModelVersion } from '../../gen/messages.js';
import type { RegistryStore } from '../../stores/index.js';
import { validateAliasName, validateModelName } from './validation.js';

/** get_model_version_by_alias: 'latest' (any case) is the highest live version. */
export async function modelVersionByAlias(
  store: RegistryStore,
  name: string | undefined,
  alias: string | undefined,
): Promise<ModelVersion> {
  validateModelName(name);
  validateAliasName(alias);
  if (alias.toLowerCase() === 'latest') {
    const versions = await store.getLatestVersions(name, () => undefined);
    if (!versions.length) throw MlflowError.notFound(`Latest version not found for model ${name}.`);
    // max(): the first of the highest.
    return versions.reduce((best, v) => (Number(v.version) > Number(best.version) ? v : best));
  }
  return store.getModelVersionByAlias(name, alias);
}
