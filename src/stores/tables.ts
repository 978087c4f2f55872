/**
 * Kysely table types for the tracking tables of MLflow's schema (mlflow/store/tracking/dbmodels/models.py
 * at the pinned alembic head; the DDL itself is src/gen/sql/). Only the tables mlflow-ts reads or
 * writes are typed; the rest exist in the database all the same.
 *
 * Conventions: BIGINT columns read as `number` (the PostgreSQL driver is configured to parse int8;
 * MLflow's millisecond timestamps and steps fit in 2^53). Boolean columns read as `boolean` on
 * PostgreSQL and 0/1 on SQLite, hence `SqlBool`; write them through `dialect.bool()`.
 */
import type { ColumnType, Generated } from 'kysely';

export type SqlBool = ColumnType<boolean | number, boolean | number, boolean | number>;

export interface ExperimentsTable {
  experiment_id: Generated<number>;
  name: string;
  artifact_location: string | null;
  lifecycle_stage: string | null;
  creation_time: number | null;
  last_update_time: number | null;
  workspace: ColumnType<string, string | undefined, string>;
}

export interface ExperimentTagsTable {
  key: string;
  value: string | null;
  experiment_id: number;
}

export interface RunsTable {
  run_uuid: string;
  name: string | null;
  source_type: string | null;
  source_name: string | null;
  entry_point_name: string | null;
  user_id: string | null;
  status: string | null;
  start_time: number | null;
  end_time: number | null;
  deleted_time: number | null;
  source_version: string | null;
  lifecycle_stage: string | null;
  artifact_uri: string | null;
  experiment_id: number | null;
}

export interface TagsTable {
  key: string;
  value: string | null;
  run_uuid: string;
}

export interface ParamsTable {
  key: string;
  value: string;
  run_uuid: string;
}

export interface MetricsTable {
  key: string;
  value: number;
  timestamp: number;
  run_uuid: string;
  step: number;
  is_nan: SqlBool;
}

export interface LatestMetricsTable {
  key: string;
  value: number;
  timestamp: number | null;
  step: number;
  is_nan: SqlBool;
  run_uuid: string;
}

export interface DatasetsTable {
  dataset_uuid: string;
  experiment_id: number;
  name: string;
  digest: string;
  dataset_source_type: string;
  dataset_source: string;
  dataset_schema: string | null;
  dataset_profile: string | null;
}

export interface InputsTable {
  input_uuid: string;
  source_type: string;
  source_id: string;
  destination_type: string;
  destination_id: string;
  step: ColumnType<number, number | undefined, number>;
}

export interface InputTagsTable {
  input_uuid: string;
  name: string;
  value: string;
}

export interface LoggedModelMetricsTable {
  model_id: string;
  metric_name: string;
  metric_timestamp_ms: number;
  metric_step: number;
  metric_value: number | null;
  experiment_id: number;
  run_id: string;
  dataset_uuid: string | null;
  dataset_name: string | null;
  dataset_digest: string | null;
}

export interface AssessmentsTable {
  assessment_id: string;
  trace_id: string;
  run_id: string | null;
  assessment_metadata: string | null;
}

export interface AlembicVersionTable {
  version_num: string;
}

/** The database as Kysely sees it (tracking tables). */
export interface TrackingDatabase {
  experiments: ExperimentsTable;
  experiment_tags: ExperimentTagsTable;
  runs: RunsTable;
  tags: TagsTable;
  params: ParamsTable;
  metrics: MetricsTable;
  latest_metrics: LatestMetricsTable;
  datasets: DatasetsTable;
  inputs: InputsTable;
  input_tags: InputTagsTable;
  logged_model_metrics: LoggedModelMetricsTable;
  assessments: AssessmentsTable;
  alembic_version: AlembicVersionTable;
}
