/**
 * What the tracking store takes (request side, already validated). What it returns are the
 * generated message types of src/gen/messages.ts (Run, Experiment, Metric, ...), wire-shaped so
 * services hand them to the serializer unchanged.
 */
import type { Dataset } from '../../gen/messages.js';

/** A metric as logged: value may be any double, including NaN and +-Infinity. */
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

/** A dataset to link to a run (log_inputs), with its input tags. */
export interface DatasetInputArgs {
  tags: TagInput[];
  dataset: Required<Pick<Dataset, 'name' | 'digest' | 'source_type' | 'source'>> &
    Pick<Dataset, 'schema' | 'profile'>;
}

export interface CreateRunArgs {
  experimentId: string | undefined;
  userId: string;
  startTime: number;
  tags: TagInput[];
  runName: string | undefined;
}

export interface BatchArgs {
  metrics: MetricInput[];
  params: ParamInput[];
  tags: TagInput[];
}
