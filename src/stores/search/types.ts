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
