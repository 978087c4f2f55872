/**
 * The LLM cost step of MLflow's translate_span_when_storing (mlflow.tracing.otel.translation):
 * calculate_cost_by_model_and_token_usage over the span's stored mlflow.chat.tokenUsage,
 * mlflow.llm.model and mlflow.llm.provider, as the pinned server runs it, i.e. without litellm
 * (not installed with it): prices come from mlflow.utils.providers.cost_per_token, first with the
 * span's provider (its remote catalog at MLFLOW_MODEL_CATALOG_URI, else the bundled one), then by
 * scanning every bundled provider. _cost_per_token_from_custom_catalog is not reproduced: MLflow
 * only calls it when litellm is importable.
 */
import { pyJsonDumpsExact, pyJsonLoadsExact, pyTruthyExact, type PyExact } from '../../py/json-exact.js';
import { PyFloat } from '../../py/values.js';
import {
  bundledCatalog,
  bundledProvider,
  CatalogLookupError,
  configureModelCatalog,
  loadRemoteProviders,
  remoteModels,
  type ModelCatalogConfig,
} from './model-catalog.js';
import { costFromPrices, PyArithmeticError, pyEqualsZero, type ModelPrices } from './token-cost.js';

export { DEFAULT_MODEL_CATALOG_URI, type ModelCatalogConfig } from './model-catalog.js';

/** Model names that are routing ids, never priced (_SKIP_COST_PREFIXES). */
const SKIP_PREFIXES = ['gateway:/', 'endpoints:/'];

/** The TokenUsageKey names cost reads. */
const USAGE = {
  input: 'input_tokens',
  output: 'output_tokens',
  cacheRead: 'cache_read_input_tokens',
  cacheCreation: 'cache_creation_input_tokens',
  cacheCreation1h: 'cache_creation_input_tokens_above_1hr',
} as const;

/** Server settings MLFLOW_MODEL_CATALOG_URI / MLFLOW_MODEL_CATALOG_CACHE_TTL (src/cli reads them). */
export function configureModelCost(c: ModelCatalogConfig): void {
  configureModelCatalog(c);
}

/** Python's str.lower() (ASCII provider names in practice; full Unicode mapping otherwise). */
const lower = (s: string): string => s.toLowerCase();

/**
 * The provider whose catalog cost_per_token looks up first for these stored attribute texts
 * (Databricks endpoint names always use the Databricks catalog), or null: what to hand to
 * prepareModelCost for the span.
 */
export function modelCostProvider(modelText: string, providerText: string | undefined): string | null {
  try {
    const model = pyJsonLoadsExact(modelText);
    if (typeof model === 'string' && (model.startsWith('databricks-') || model.startsWith('databricks/'))) {
      return 'databricks';
    }
    if (providerText === undefined) return null;
    const provider = pyJsonLoadsExact(providerText);
    return typeof provider === 'string' && provider !== '' ? provider : null;
  } catch {
    return null;
  }
}

/**
 * Load the catalogs the given providers need (remote MLFLOW_MODEL_CATALOG_URI, TTL-cached,
 * bundled fallback). Never throws. Providers are the decoded mlflow.llm.provider values (as
 * modelCostProvider gives them, 'databricks' included for Databricks endpoint names); null and ''
 * need nothing.
 */
export async function prepareModelCost(providers: Iterable<string | null>): Promise<void> {
  const wanted: string[] = [];
  for (const p of providers) if (typeof p === 'string' && p !== '') wanted.push(lower(p));
  try {
    await loadRemoteProviders(wanted);
  } catch {
    // Failures are cached as empty catalogs by the loader; nothing else can fail here.
  }
}

/**
 * translate_span_when_storing's cost step: the mlflow.llm.cost attribute text exactly as Python's
 * dump_span_attribute_value(cost) would store it, or null when MLflow stores no cost.
 * Arguments are the stored attribute texts (JSON dumps) of mlflow.chat.tokenUsage, mlflow.llm.model
 * and mlflow.llm.provider (undefined when absent). Synchronous; call after prepareModelCost.
 * Throws NotNative for what is not reproduced (a remote catalog not loaded by prepareModelCost, a
 * provider naming a path out of the bundled catalog).
 */
export function costAttribute(
  usageText: string,
  modelText: string,
  providerText: string | undefined,
): string | null {
  let usage: PyExact;
  let model: PyExact;
  let provider: PyExact;
  try {
    usage = pyJsonLoadsExact(usageText);
    model = pyJsonLoadsExact(modelText);
    provider = providerText === undefined ? null : pyJsonLoadsExact(providerText);
  } catch {
    return null;
  }
  const cost = calculateCost(model, usage, provider);
  if (cost === null) return null;
  const [input, output] = cost;
  return pyJsonDumpsExact(
    new Map<string, PyExact>([
      ['input_cost', new PyFloat(input)],
      ['output_cost', new PyFloat(output)],
      ['total_cost', new PyFloat(input + output)],
    ]),
  );
}

/**
 * calculate_cost_by_model_and_token_usage(model_name, usage, model_provider) without litellm:
 * (input_cost, output_cost), or null where it returns None or raises (the caller's try/except).
 */
function calculateCost(model: PyExact, usage: PyExact, provider: PyExact): [number, number] | null {
  if (!pyTruthyExact(model) || !pyTruthyExact(usage)) return null;
  // model_name.startswith / usage.get: anything but a str and a dict raises.
  if (typeof model !== 'string' || !(usage instanceof Map)) return null;
  if (SKIP_PREFIXES.some((p) => model.startsWith(p))) return null;
  if (model.startsWith('databricks-') || model.startsWith('databricks/')) provider = 'databricks';

  const prompt = usage.has(USAGE.input) ? usage.get(USAGE.input)! : 0;
  const completion = usage.has(USAGE.output) ? usage.get(USAGE.output)! : 0;
  if (pyEqualsZero(prompt) && pyEqualsZero(completion)) return null;
  // Cache counts given as None are not passed, i.e. the default None.
  const given = (key: string): PyExact | undefined => {
    const v = usage.get(key);
    return v === null ? undefined : v;
  };
  const tokens = {
    prompt,
    completion,
    cacheRead: given(USAGE.cacheRead),
    cacheCreation: given(USAGE.cacheCreation),
    cacheCreation1h: given(USAGE.cacheCreation1h),
  };

  // With the provider first (only a non-empty str: `.lower()` of anything else raises, and the
  // try around the call moves on), then without.
  if (pyTruthyExact(provider) && typeof provider === 'string') {
    const priced = costPerToken(model, tokens, lower(provider));
    if (priced !== null) return priced;
  }
  return costPerToken(model, tokens, undefined);
}

/** cost_per_token: the model's prices, then the cost; null where it returns None or raises. */
function costPerToken(
  model: string,
  tokens: Parameters<typeof costFromPrices>[1],
  provider: string | undefined,
): [number, number] | null {
  let info: ModelPrices | undefined;
  try {
    info = lookupModelInfo(model, provider);
  } catch (e) {
    if (e instanceof CatalogLookupError) return null;
    throw e;
  }
  if (info === undefined) return null;
  try {
    return costFromPrices(info, tokens);
  } catch (e) {
    if (e instanceof PyArithmeticError) return null;
    throw e;
  }
}

/**
 * _lookup_model_info: the part of the model name after its first `/`, in the provider's catalog
 * (remote if it has any model, else bundled); without a provider, the first bundled provider
 * (sorted) listing it with a non-zero input price, else the first listing it at all.
 */
function lookupModelInfo(model: string, provider: string | undefined): ModelPrices | undefined {
  const slash = model.indexOf('/');
  const bare = slash < 0 ? model : model.slice(slash + 1);
  if (provider !== undefined) {
    const table = remoteModels(provider) ?? bundledProvider(provider);
    return table?.get(bare);
  }
  let fallback: ModelPrices | undefined;
  for (const table of bundledCatalog().values()) {
    const info = table.get(bare);
    if (info === undefined) continue;
    // `if info.get("input_cost_per_token")`: present and non-zero (NaN counts).
    if (info.input !== undefined && info.input !== 0) return info;
    fallback ??= info;
  }
  return fallback;
}
