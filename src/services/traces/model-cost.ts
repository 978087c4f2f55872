/**
 * MLflow's LLM cost step of translate_span_when_storing (mlflow.tracing.otel.translation), without
 * litellm (not installed with the pinned server): calculate_cost_by_model_and_token_usage priced by
 * mlflow.utils.providers.cost_per_token from the model catalog (remote MLFLOW_MODEL_CATALOG_URI,
 * TTL-cached, then the bundled catalog of the pinned release).
 *
 * First version: the interface only; every span still gets no cost (callers keep handing over).
 */

/** Load the catalogs the given providers need (remote MLFLOW_MODEL_CATALOG_URI, TTL-cached, bundled fallback). Never throws. */
export async function prepareModelCost(providers: Iterable<string | null>): Promise<void> {
  void providers;
  return Promise.resolve();
}

/**
 * translate_span_when_storing's cost step: the mlflow.llm.cost attribute text exactly as Python's
 * dump_span_attribute_value(cost) would store it, or null when MLflow stores no cost.
 * Arguments are the stored attribute texts (JSON dumps) of mlflow.chat.tokenUsage, mlflow.llm.model
 * and mlflow.llm.provider (undefined when absent). Synchronous; call after prepareModelCost.
 */
export function costAttribute(
  usageText: string,
  modelText: string,
  providerText: string | undefined,
): string | null {
  void usageText;
  void modelText;
  void providerText;
  return null;
}
