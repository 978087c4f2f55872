/**
 * Hand-kept constraints the descriptors do not carry, merged into the generated JSON Schemas
 * (OpenAPI documentation) and field metadata. Values come from the pinned release's
 * mlflow/utils/validation.py (MAX_* constants), mlflow/store/tracking/__init__.py and the
 * handler schemas in mlflow/server/handlers.py. Enforcement (with MLflow's messages) lives in
 * src/http/validation/ and the services; this table only describes.
 */
export interface FieldRule {
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  maxItems?: number;
  /** Free text shown in the OpenAPI description. */
  note?: string;
}

/** Full message name -> field name -> rule. */
export const FIELD_RULES: Readonly<Record<string, Readonly<Record<string, FieldRule>>>> = {
  'mlflow.CreateExperiment': { name: { maxLength: 500 } },
  'mlflow.UpdateExperiment': { new_name: { maxLength: 500 } },
  'mlflow.ExperimentTag': { key: { maxLength: 250 }, value: { maxLength: 20000 } },
  'mlflow.SetExperimentTag': { key: { maxLength: 250 }, value: { maxLength: 20000 } },
  'mlflow.SearchExperiments': { max_results: { minimum: 1, maximum: 50000 } },
  'mlflow.RunTag': { key: { maxLength: 250 }, value: { maxLength: 8000 } },
  'mlflow.SetTag': { key: { maxLength: 250 }, value: { maxLength: 8000 } },
  'mlflow.Param': { key: { maxLength: 250 }, value: { maxLength: 6000 } },
  'mlflow.LogParam': { key: { maxLength: 250 }, value: { maxLength: 6000 } },
  'mlflow.Metric': { key: { maxLength: 250 } },
  'mlflow.LogMetric': { key: { maxLength: 250 } },
  'mlflow.LogBatch': {
    metrics: { maxItems: 1000, note: 'at most 1000 metrics, 1000 entities in total' },
    params: { maxItems: 100 },
    tags: { maxItems: 100 },
  },
  'mlflow.LogInputs': { datasets: { maxItems: 1000 } },
  'mlflow.SearchRuns': { max_results: { maximum: 50000 } },
  'mlflow.GetMetricHistory': { max_results: { maximum: 25000 } },
  'mlflow.GetMetricHistoryBulkInterval': {
    run_ids: { maxItems: 100 },
    max_results: { minimum: 1, maximum: 2500 },
  },
  'mlflow.SearchTraces': { max_results: { maximum: 500 } },
  'mlflow.SearchTracesV3': { max_results: { maximum: 500 } },
  'mlflow.LinkTracesToRun': { trace_ids: { maxItems: 100 } },
  'mlflow.SearchDatasets': { experiment_ids: { maxItems: 20 } },
  'mlflow.SearchLoggedModels': { max_results: { maximum: 50 } },
  'mlflow.SearchRegisteredModels': { max_results: { maximum: 1000 } },
  'mlflow.SearchModelVersions': { max_results: { maximum: 200000 } },
  'mlflow.RegisteredModelTag': { key: { maxLength: 250 }, value: { maxLength: 100000 } },
  'mlflow.ModelVersionTag': { key: { maxLength: 250 }, value: { maxLength: 100000 } },
  'mlflow.SetRegisteredModelAlias': { alias: { maxLength: 255 } },
  'mlflow.datasets.Dataset': { name: { maxLength: 500 }, digest: { maxLength: 36 } },
  'mlflow.Dataset': {
    name: { maxLength: 500 },
    digest: { maxLength: 36 },
    schema: { maxLength: 1048575 },
    source: { maxLength: 65535 },
    profile: { maxLength: 16777215 },
  },
  'mlflow.InputTag': { key: { maxLength: 255 }, value: { maxLength: 500 } },
  'mlflow.TraceTag': { key: { maxLength: 250 }, value: { maxLength: 8000 } },
};
