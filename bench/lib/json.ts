// Shapes of the MLflow REST answers the benchmark reads (only the fields it uses; every system
// under test answers MLflow's JSON), and of rows read back from the databases.

export interface KeyValueJson {
  key: string;
  value?: string;
}

export interface MetricJson {
  key: string;
  value: number;
  timestamp: number;
  step: number;
  run_id?: string;
}

export interface RunJson {
  info: { run_id: string; run_name?: string };
  data: { metrics?: MetricJson[]; params?: KeyValueJson[]; tags?: KeyValueJson[] };
}

export interface ModelVersionJson {
  name: string;
  version: string;
  source?: string;
  aliases?: string[];
  tags?: KeyValueJson[];
}

export interface RegisteredModelJson {
  name: string;
  tags?: KeyValueJson[];
  aliases?: { alias: string; version: string }[];
}

/** The union of the answer fields the setup calls and result checks look at. */
export interface MlflowAnswer {
  experiment_id?: string;
  experiment?: { experiment_id: string };
  run?: RunJson;
  runs?: RunJson[];
  experiments?: { experiment_id: string }[];
  metrics?: MetricJson[];
  next_page_token?: string;
  model_version?: ModelVersionJson;
  registered_models?: RegisteredModelJson[];
  model_versions?: ModelVersionJson[];
  error_code?: string;
}

/** A database row as the driver returns it; callers that read columns name the row type. */
export type DbRow = Record<string, unknown>;
