/**
 * What the search service hands the store: already parsed and validated predicates and sort
 * keys, in terms of tables rather than filter syntax.
 */

export type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'LIKE' | 'ILIKE' | 'IN' | 'NOT IN';

/** Columns of `runs` a filter or sort may address (MLflow attribute name -> column). */
export type RunColumn =
  'run_uuid' | 'name' | 'user_id' | 'status' | 'artifact_uri' | 'start_time' | 'end_time';

export type RunPredicate =
  | { on: 'column'; column: RunColumn; op: CompareOp; value: string | number | readonly string[] }
  /** attributes.run_name is matched against the mlflow.runName tag, as MLflow does. */
  | { on: 'run_name_tag'; op: CompareOp; value: string | readonly string[] }
  | { on: 'metric'; key: string; op: CompareOp; value: number }
  | { on: 'param' | 'tag'; key: string; op: CompareOp; value: string | readonly string[] }
  | { on: 'param' | 'tag'; key: string; op: 'IS NULL' | 'IS NOT NULL' }
  | { on: 'dataset'; field: 'name' | 'digest' | 'context'; op: CompareOp; value: string | readonly string[] };

export type RunSortKey =
  | { on: 'column'; column: RunColumn; ascending: boolean }
  | { on: 'metric' | 'param' | 'tag'; key: string; ascending: boolean };

export interface RunSearchQuery {
  experimentIds: readonly number[];
  lifecycleStages: readonly string[];
  predicates: readonly RunPredicate[];
  /** User sort keys in order; the store appends start_time DESC (unless present) and run_uuid ASC. */
  sort: readonly RunSortKey[];
  offset: number;
  /** Rows to fetch (MLflow asks for max_results + 1 to learn whether another page exists). */
  limit: number;
}

export type ExperimentColumn = 'experiment_id' | 'name' | 'creation_time' | 'last_update_time';

export type ExperimentPredicate =
  | { on: 'column'; column: ExperimentColumn; op: CompareOp; value: string | number | readonly number[] }
  | { on: 'tag'; key: string; op: CompareOp; value: string }
  | { on: 'tag'; key: string; op: 'IS NULL' | 'IS NOT NULL' };

export interface ExperimentSearchQuery {
  lifecycleStages: readonly string[];
  predicates: readonly ExperimentPredicate[];
  sort: readonly { column: ExperimentColumn; ascending: boolean }[];
  offset: number;
  limit: number;
}

/** Columns of `logged_models` a filter or sort may address (SqlLoggedModel's columns). */
export type LoggedModelColumn =
  | 'model_id'
  | 'experiment_id'
  | 'name'
  | 'artifact_location'
  | 'creation_timestamp_ms'
  | 'last_updated_timestamp_ms'
  | 'status'
  | 'lifecycle_stage'
  | 'model_type'
  | 'source_run_id'
  | 'status_message';

/** A metric sort key's own dataset conditions (AND-ed to the request's datasets filter). */
export interface MetricDatasetFilter {
  name?: string;
  digest?: string;
}

export type LoggedModelPredicate =
  | {
      on: 'column';
      column: LoggedModelColumn;
      op: CompareOp;
      value: string | number | readonly (string | number)[];
    }
  /** Compared against each model's latest value of the metric (on the request's datasets). */
  | { on: 'metric'; key: string; op: CompareOp; value: number }
  | { on: 'param' | 'tag'; key: string; op: CompareOp; value: string | number | readonly (string | number)[] };

export type LoggedModelSortKey =
  | { on: 'column'; column: LoggedModelColumn; ascending: boolean }
  | { on: 'metric'; key: string; ascending: boolean; dataset: MetricDatasetFilter };

export interface LoggedModelSearchQuery {
  experimentIds: readonly number[];
  predicates: readonly LoggedModelPredicate[];
  /** The request's `datasets`: metrics on any of them (a missing digest matches a NULL one). */
  datasets: readonly { name: string; digest: string | null }[];
  /** With datasets and no metric predicate, only models with a metric on one of them qualify. */
  requireDatasetMetric: boolean;
  sort: readonly LoggedModelSortKey[];
  offset: number;
  limit: number;
}
