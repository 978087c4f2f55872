/**
 * What the tracking store returns: the generated message types (src/gen/messages.ts), with the
 * fields the store always sets marked as such. Nothing here declares a field of its own; a field's
 * name and type are the generator's.
 */
import type * as M from '../../gen/messages.js';

/** `T` with the fields `K` always present. */
type With<T, K extends keyof T> = T & Required<Pick<T, K>>;

/** A stored metric: NaN comes back as NaN (is_nan), infinities as +-max double (as MLflow). */
export type StoredMetric = With<M.Metric, 'key' | 'value' | 'timestamp' | 'step'>;
export type StoredMetricWithRunId = With<
  M.MetricWithRunId,
  'key' | 'value' | 'timestamp' | 'step' | 'run_id'
>;
/** A param or tag; a tag's value may be unset (NULL). */
export type StoredKeyValue = With<M.RunTag, 'key'>;

export type StoredRunInfo = With<
  M.RunInfo,
  'run_id' | 'run_uuid' | 'experiment_id' | 'status' | 'lifecycle_stage'
>;

export type StoredRun = M.Run & {
  info: StoredRunInfo;
  data: M.RunData & { metrics?: StoredMetric[]; params?: StoredKeyValue[]; tags?: StoredKeyValue[] };
  inputs: M.RunInputs;
};

export type StoredExperiment = With<M.Experiment, 'experiment_id' | 'name'> & {
  tags?: With<M.ExperimentTag, 'key'>[];
};
