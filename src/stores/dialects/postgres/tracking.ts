/**
 * The tracking store's named operations on PostgreSQL: each a single statement run as a named
 * server-side prepared statement (autocommit, so atomic; parsed and planned once per connection).
 */
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { TrackingDatabase } from '../../tables.js';
import type { TrackingDialectOps } from '../../tracking/dialect-ops.js';
import type { StoredRun as Run } from '../../tracking/entities.js';
import { checkExperimentActive, experimentNotFound, getExperimentRow } from '../../tracking/experiments.js';
import type { CreateRunArgs, MetricInput, ParamInput } from '../../tracking/inputs.js';
import { EXCLUDED_IS_NEWER, NEWEST_FIRST, sanitizeMetricValue } from '../../tracking/latest-metric.js';
import { withDeadlockRetry } from '../../tracking/retry.js';
import { paramChangedError } from '../../tracking/run-data.js';
import { insertNewTrace } from './new-trace.js';
import { checkRunActive, createdRun, newRun, runNotFound } from '../../tracking/runs.js';

export type RunPrepared = <R>(name: string, text: string, values: readonly unknown[]) => Promise<R[]>;

/**
 * One statement (autocommit, so all or nothing): the run's lifecycle stage, the metric rows in
 * primary-key order (duplicates ignored), and latest_metrics in key order, so that concurrent
 * batches on one run take row locks in one order and no lock is held across round trips. Per key
 * the newest of the batch (the first of equals in request order) replaces the stored row only
 * when strictly newer. Nothing is written unless the run is active.
 */
const LOG_METRICS = `WITH r AS (SELECT lifecycle_stage FROM runs WHERE run_uuid = $1),
v AS (
  SELECT * FROM unnest($2::text[], $3::float8[], $4::int8[], $5::int8[], $6::bool[]) WITH ORDINALITY
    AS t(key, value, timestamp, step, is_nan, ord)
  WHERE (SELECT lifecycle_stage FROM r) = 'active'
),
m AS (
  INSERT INTO metrics (key, value, timestamp, run_uuid, step, is_nan)
  SELECT key, value, timestamp, $1, step, is_nan FROM v ORDER BY key, timestamp, step, value, is_nan
  ON CONFLICT DO NOTHING
),
l AS (
  INSERT INTO latest_metrics (key, value, timestamp, run_uuid, step, is_nan)
  SELECT DISTINCT ON (key) key, value, timestamp, $1, step, is_nan FROM v
  ORDER BY key, ${NEWEST_FIRST}, ord
  ON CONFLICT (key, run_uuid) DO UPDATE
  SET value = excluded.value, timestamp = excluded.timestamp, step = excluded.step, is_nan = excluded.is_nan
  WHERE ${EXCLUDED_IS_NEWER}
)
SELECT lifecycle_stage FROM r`;

/**
 * One statement (autocommit): the run's lifecycle stage, the param inserted if the run is active
 * and the key new, and otherwise the stored value (compared here: equal is fine, as in MLflow).
 */
const LOG_PARAM = `WITH r AS (SELECT lifecycle_stage FROM runs WHERE run_uuid = $1),
i AS (
  INSERT INTO params (key, value, run_uuid) SELECT $2, $3, $1 FROM r WHERE lifecycle_stage = 'active'
  ON CONFLICT DO NOTHING RETURNING 1
)
SELECT lifecycle_stage, EXISTS (SELECT 1 FROM i) AS inserted,
  (SELECT value FROM params WHERE run_uuid = $1 AND key = $2) AS stored
FROM r`;

/**
 * One statement (autocommit, so all or nothing): the experiment's lifecycle stage and artifact
 * location, and, when it is active and its location is the one the run's artifact_uri was built
 * from, the run and its tags. The first run of an experiment this process sees reads it first.
 */
const CREATE_RUN = `WITH e AS (
  SELECT lifecycle_stage, artifact_location FROM experiments
  WHERE experiment_id = $1 AND lifecycle_stage IN ('active', 'deleted')
),
r AS (
  INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, status,
    start_time, end_time, deleted_time, source_version, lifecycle_stage, artifact_uri, experiment_id)
  SELECT $2, $3, 'UNKNOWN', '', '', $4, 'RUNNING', $5, NULL, NULL, '', 'active', $6, $1 FROM e
  WHERE lifecycle_stage = 'active' AND artifact_location IS NOT DISTINCT FROM $7::text
  RETURNING run_uuid
),
t AS (
  INSERT INTO tags (key, value, run_uuid)
  SELECT x.key, x.value, r.run_uuid FROM r,
    unnest($8::text[], $9::text[]) WITH ORDINALITY AS x(key, value, ord)
  ORDER BY x.ord
)
SELECT lifecycle_stage, artifact_location, EXISTS (SELECT 1 FROM r) AS created FROM e`;

export function postgresTrackingOps(
  db: Kysely<TrackingDatabase>,
  runPrepared: RunPrepared,
): TrackingDialectOps {
  /**
   * Experiments' artifact locations by id: MLflow never changes one, and the insert re-checks it
   * anyway (a mismatch, say an id reused after gc, inserts nothing and refreshes).
   */
  const artifactLocations = new Map<number, string | null>();

  return {
    latestMetricsInKeyOrder: true,
    emptyExperimentIdMessage: 'invalid input syntax for type integer: ""',

    async logMetrics(runId: string, metrics: readonly MetricInput[]): Promise<void> {
      const n = metrics.length;
      const keys = new Array<string>(n);
      const values = new Array<number>(n);
      const timestamps = new Array<number>(n);
      const steps = new Array<number>(n);
      const nans = new Array<boolean>(n);
      for (let i = 0; i < n; i++) {
        const m = metrics[i]!;
        const s = sanitizeMetricValue(m.value);
        keys[i] = m.key;
        values[i] = s.value;
        timestamps[i] = m.timestamp;
        steps[i] = m.step;
        nans[i] = s.isNan;
      }
      const rows = await withDeadlockRetry(() =>
        runPrepared<{ lifecycle_stage: string | null }>('mlflow_ts_log_metrics', LOG_METRICS, [
          runId,
          keys,
          values,
          timestamps,
          steps,
          nans,
        ]),
      );
      if (rows.length === 0) throw runNotFound(runId);
      checkRunActive({ run_uuid: runId, lifecycle_stage: rows[0]!.lifecycle_stage });
    },

    async logParam(runId: string, param: ParamInput): Promise<boolean> {
      const [r] = await runPrepared<{
        lifecycle_stage: string | null;
        inserted: boolean;
        stored: string | null;
      }>('mlflow_ts_log_param', LOG_PARAM, [runId, param.key, param.value]);
      if (!r) throw runNotFound(runId);
      checkRunActive({ run_uuid: runId, lifecycle_stage: r.lifecycle_stage });
      if (r.inserted) return true;
      // Not inserted and not visible: a concurrent writer committed the key after this statement's
      // snapshot was taken.
      if (r.stored === null) return false;
      if (r.stored !== param.value) throw paramChangedError(runId, param, r.stored);
      return true;
    },

    async createRun(args: CreateRunArgs, experimentId: number): Promise<Run | undefined> {
      const known = artifactLocations.get(experimentId);
      let location: string | null;
      if (known !== undefined) location = known;
      else {
        const exp = await getExperimentRow(db, args.experimentId, 'ALL');
        checkExperimentActive(exp);
        location = exp.artifact_location;
        if (artifactLocations.size >= 10_000) artifactLocations.clear();
        artifactLocations.set(experimentId, location);
      }
      for (let attempt = 0; attempt < 3; attempt++) {
        const { row, tags } = newRun(args, experimentId, location);
        const [e] = await runPrepared<{
          lifecycle_stage: string | null;
          artifact_location: string | null;
          created: boolean;
        }>('mlflow_ts_create_run', CREATE_RUN, [
          experimentId,
          row.run_uuid,
          row.name,
          row.user_id,
          row.start_time,
          row.artifact_uri,
          location,
          [...tags.keys()],
          [...tags.values()],
        ]);
        if (!e) throw experimentNotFound(experimentId);
        checkExperimentActive({ experiment_id: experimentId, lifecycle_stage: e.lifecycle_stage });
        if (e.created) return createdRun(row, tags);
        location = e.artifact_location;
        artifactLocations.set(experimentId, location);
      }
      return undefined;
    },

    insertNewTrace: (write) => insertNewTrace(runPrepared, write),

    /**
     * The ids as one array parameter: a page of 1000 experiments otherwise compiles, binds and
     * parses 1000 parameters.
     */
    async experimentTags(ids: readonly number[]) {
      const res = await sql<{
        experiment_id: number;
        key: string;
        value: string | null;
      }>`SELECT experiment_id, key, value FROM experiment_tags WHERE experiment_id = ANY(${ids}::int[])`.execute(
        db,
      );
      return res.rows;
    },
  };
}
