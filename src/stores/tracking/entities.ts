/**
 * Wire-shaped entities the tracking store returns (proto field names, int64 as number, enums by
 * name), so services hand them to the serializer unchanged. Unset optional fields are absent.
 */
export interface KeyValue {
  key: string;
  value?: string;
}

export interface Experiment {
  experiment_id: string;
  name: string;
  artifact_location?: string;
  lifecycle_stage?: string;
  last_update_time?: number;
  creation_time?: number;
  tags?: KeyValue[];
  workspace?: string;
}

export type RunStatus = 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED';

export interface RunInfo {
  run_id: string;
  run_uuid: string;
  run_name?: string;
  experiment_id: string;
  user_id?: string;
  status: RunStatus;
  start_time?: number;
  end_time?: number;
  artifact_uri?: string;
  lifecycle_stage: string;
}

/** A stored metric value: NaN comes back as NaN (is_nan), infinities as +-max double (as MLflow). */
export interface Metric {
  key: string;
  value: number;
  timestamp: number;
  step: number;
}

export interface MetricWithRunId extends Metric {
  run_id: string;
}

export interface Dataset {
  name: string;
  digest: string;
  source_type: string;
  source: string;
  schema?: string;
  profile?: string;
}

export interface DatasetInput {
  tags?: KeyValue[];
  dataset: Dataset;
}

export interface Run {
  info: RunInfo;
  data: { metrics?: Metric[]; params?: KeyValue[]; tags?: KeyValue[] };
  inputs: { dataset_inputs?: DatasetInput[]; model_inputs?: { model_id: string }[] };
  outputs?: { model_outputs?: { model_id: string; step: number }[] };
}

/** A metric as logged (request side): value may be any double, including NaN and +-Infinity. */
export interface MetricInput {
  key: string;
  value: number;
  timestamp: number;
  step: number;
  model_id?: string | undefined;
  dataset_name?: string | undefined;
  dataset_digest?: string | undefined;
}

export interface ParamInput {
  key: string;
  value: string;
}

export interface TagInput {
  key: string;
  value: string;
}

export interface DatasetInputInput {
  tags: { key: string; value: string }[];
  dataset: Dataset;
}

export const LIFECYCLE_ACTIVE = 'active';
export const LIFECYCLE_DELETED = 'deleted';
export const RUN_NAME_TAG = 'mlflow.runName';
export const DEFAULT_EXPERIMENT_ID = '0';
export const DEFAULT_EXPERIMENT_NAME = 'Default';
export const DEFAULT_WORKSPACE = 'default';

/** ViewType of the protos: which lifecycle stages a lookup sees. */
export type ViewType = 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL';
export function stagesFor(view: ViewType): string[] {
  if (view === 'ACTIVE_ONLY') return [LIFECYCLE_ACTIVE];
  if (view === 'DELETED_ONLY') return [LIFECYCLE_DELETED];
  return [LIFECYCLE_ACTIVE, LIFECYCLE_DELETED];
}
