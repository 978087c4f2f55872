/**
 * The routes mlflow-ts serves natively outside the generated RPC table: MLflow's own non-proto
 * routes (the UI's files and endpoints, OTLP ingest, artifact downloads, GraphQL) and mlflow-ts'
 * health endpoints. `mlflow-ts endpoints` lists them; tests/integration/route-table.test.ts checks
 * this list against the server's route table.
 */
export interface ExtraRoute {
  method: 'GET' | 'POST';
  url: string;
  what: string;
}

export const NATIVE_EXTRA_ROUTES: readonly ExtraRoute[] = [
  { method: 'POST', url: '/v1/traces', what: 'OTLP/HTTP span ingest (protobuf or JSON)' },
  { method: 'GET', url: '/ajax-api/2.0/mlflow/get-trace-artifact', what: "a trace's spans or an attachment (UI)" },
  { method: 'GET', url: '/ajax-api/3.0/mlflow/get-trace-artifact', what: "a trace's spans or an attachment (UI)" },
  { method: 'GET', url: '/get-artifact', what: 'a run artifact (UI)' },
  { method: 'GET', url: '/model-versions/get-artifact', what: 'a model version artifact (UI)' },
  {
    method: 'GET',
    url: '/ajax-api/2.0/mlflow/logged-models/:model_id/artifacts/files',
    what: 'a logged model artifact (UI)',
  },
  { method: 'POST', url: '/ajax-api/2.0/mlflow/upload-artifact', what: 'a run artifact upload (UI)' },
  {
    method: 'GET',
    url: '/ajax-api/2.0/mlflow/metrics/get-history-bulk',
    what: 'metric histories (UI charts)',
  },
  { method: 'POST', url: '/ajax-api/2.0/mlflow/experiments/search-datasets', what: 'dataset summaries (UI)' },
  { method: 'GET', url: '/graphql', what: 'GraphQL (UI)' },
  { method: 'POST', url: '/graphql', what: 'GraphQL (UI)' },
  { method: 'GET', url: '/api/3.0/mlflow/server-info', what: 'server flags (UI)' },
  { method: 'GET', url: '/ajax-api/3.0/mlflow/server-info', what: 'server flags (UI)' },
  { method: 'GET', url: '/ajax-api/3.0/mlflow/ui-telemetry', what: 'UI telemetry (off)' },
  { method: 'POST', url: '/ajax-api/3.0/mlflow/ui-telemetry', what: 'UI telemetry (off)' },
  {
    method: 'GET',
    url: '/api/2.0/mlflow/users/current',
    what: "the current user (404 without MLflow's auth app)",
  },
  {
    method: 'GET',
    url: '/ajax-api/2.0/mlflow/users/current',
    what: "the current user (404 without MLflow's auth app)",
  },
  { method: 'GET', url: '/ajax-api/2.0/mlflow/gateway-proxy', what: 'AI gateway proxy (nothing configured)' },
  {
    method: 'POST',
    url: '/ajax-api/2.0/mlflow/gateway-proxy',
    what: 'AI gateway proxy (nothing configured)',
  },
  {
    method: 'GET',
    url: '/ajax-api/3.0/mlflow/assistant/config',
    what: "MLflow's assistant settings (nothing set up)",
  },
  {
    method: 'GET',
    url: '/ajax-api/3.0/mlflow/assistant/providers',
    what: "MLflow's assistant providers (nothing set up)",
  },
  { method: 'GET', url: '/', what: 'the UI (index.html)' },
  { method: 'GET', url: '/static-files/*', what: "the UI's files" },
  { method: 'GET', url: '/build/*', what: "the UI's files" },
  { method: 'GET', url: '/health', what: 'liveness' },
  { method: 'GET', url: '/ready', what: 'readiness' },
  { method: 'GET', url: '/version', what: 'the MLflow version served' },
];
