/**
 * The tracking store's operations whose SQL differs per database, by name. Each dialect folder
 * (src/stores/dialects/<name>/tracking.ts) implements them; the shared store code calls them and
 * never asks which database it runs on.
 */
import type { StoredRun } from './entities.js';
import type { CreateRunArgs, MetricInput, ParamInput } from './inputs.js';
import type { NewTraceRow, SpanRow } from './span-rows.js';

export interface ExperimentTagRow {
  experiment_id: number;
  key: string;
  value: string | null;
}

/** One trace an OTLP batch creates, as log_spans leaves it (span-writes.ts builds the rows). */
export interface NewTraceWrite {
  experimentId: number;
  /** The experiment's artifact location the artifact-location tag was built from. */
  artifactLocation: string | null;
  row: NewTraceRow;
  /** Tags and request metadata, in insertion order. */
  tags: readonly (readonly [string, string])[];
  metadata: readonly (readonly [string, string])[];
  /** Distinct span ids. */
  spans: readonly SpanRow[];
}

/**
 * `created`: everything written. `exists`: the trace was stored already (nothing written).
 * `relocated`: the experiment is gone or its artifact location is not `artifactLocation`
 * (nothing written).
 */
export type NewTraceOutcome = 'created' | 'exists' | 'relocated';

export interface TrackingDialectOps {
  /**
   * log_metric / log_batch of metrics that name no logged model, all or nothing, on the dialect's
   * cheapest path: the run must exist and be active; rows already stored are ignored;
   * latest_metrics follows the rule of latest-metric.ts. A dialect without a cheaper path than
   * the shared transaction (run-data.ts) leaves it out.
   */
  logMetrics?(runId: string, metrics: readonly MetricInput[]): Promise<void>;
  /**
   * log_param on the cheapest path. False when the outcome stayed unknown (a concurrent writer):
   * the caller then takes the transactional path.
   */
  logParam(runId: string, param: ParamInput): Promise<boolean>;
  /**
   * create_run for a given experiment id within the INTEGER range and no run-name conflict.
   * Undefined when the caller should take the transactional path.
   */
  createRun(args: CreateRunArgs, experimentId: number): Promise<StoredRun | undefined>;
  /**
   * log_spans of a batch holding one trace that is not stored yet, in one statement, where the
   * dialect has a path cheaper than the shared transaction (span-writes.ts); nothing is written
   * unless the outcome is `created`.
   */
  insertNewTrace?(write: NewTraceWrite): Promise<NewTraceOutcome>;
  /** The tags of a search page's experiments (any order within an experiment MLflow would show). */
  experimentTags(ids: readonly number[]): Promise<ExperimentTagRow[]>;
  /**
   * Whether a transaction upserts latest_metrics in key order (so concurrent batches on one run
   * lock rows in one order) rather than in the batch's order of first appearance.
   */
  readonly latestMetricsInKeyOrder: boolean;
  /** The driver's message when a run is inserted with experiment_id '' (MLflow's BAD_REQUEST). */
  readonly emptyExperimentIdMessage: string;
}
