/**
 * The tracking store's named operations on SQLite: prepared statements run synchronously on the
 * one connection inside a group-committed transaction (see writeSync in ./index.ts).
 */
import type { Kysely } from 'kysely';
import type { TrackingDatabase } from '../../tables.js';
import type { TrackingDialectOps } from '../../tracking/dialect-ops.js';
import type { StoredRun as Run } from '../../tracking/entities.js';
import {
  checkExperimentActive,
  experimentNotFound,
  experimentTagsInBatches,
} from '../../tracking/experiments.js';
import type { CreateRunArgs, MetricInput, ParamInput } from '../../tracking/inputs.js';
import { EXCLUDED_IS_NEWER, metricRow, newerThan, type MetricRow } from '../../tracking/latest-metric.js';
import { paramChangedError } from '../../tracking/run-data.js';
import { checkRunActive, createdRun, newRun, runNotFound } from '../../tracking/runs.js';
import type { SyncDb, WriteSync } from './group-commit.js';

const INSERT_METRIC =
  'INSERT INTO metrics (key, value, timestamp, run_uuid, step, is_nan) VALUES (?, ?, ?, ?, ?, ?) ' +
  'ON CONFLICT DO NOTHING';
const UPSERT_LATEST =
  'INSERT INTO latest_metrics (key, value, timestamp, run_uuid, step, is_nan) VALUES (?, ?, ?, ?, ?, ?) ' +
  'ON CONFLICT (key, run_uuid) DO UPDATE SET value = excluded.value, timestamp = excluded.timestamp, ' +
  `step = excluded.step, is_nan = excluded.is_nan WHERE ${EXCLUDED_IS_NEWER}`;
const SELECT_RUN = 'SELECT run_uuid, lifecycle_stage FROM runs WHERE run_uuid = ?';

/** The run's row, or the errors MLflow answers for a missing or deleted run. */
function activeRun(d: SyncDb, runId: string): void {
  const run = d.get<{ run_uuid: string; lifecycle_stage: string | null }>(SELECT_RUN, runId);
  if (!run) throw runNotFound(runId);
  checkRunActive(run);
}

/** Metric rows in request order, as MLflow inserts them; a repeated row is ignored by its key. */
function logMetrics(d: SyncDb, runId: string, metrics: readonly MetricInput[]): void {
  activeRun(d, runId);
  const newest = new Map<string, MetricRow>();
  for (const m of metrics) {
    const row = metricRow(m);
    d.run(INSERT_METRIC, row.key, row.value, row.timestamp, runId, row.step, row.isNan ? 1 : 0);
    const cur = newest.get(row.key);
    if (!cur || newerThan(row, cur)) newest.set(row.key, row);
  }
  for (const m of newest.values()) {
    d.run(UPSERT_LATEST, m.key, m.value, m.timestamp, runId, m.step, m.isNan ? 1 : 0);
  }
}

function logParam(d: SyncDb, runId: string, param: ParamInput): boolean {
  activeRun(d, runId);
  const stored = d.get<{ value: string }>(
    'SELECT value FROM params WHERE run_uuid = ? AND key = ?',
    runId,
    param.key,
  );
  if (stored === undefined) {
    d.run('INSERT INTO params (key, value, run_uuid) VALUES (?, ?, ?)', param.key, param.value, runId);
  } else if (stored.value !== param.value) {
    throw paramChangedError(runId, param, stored.value);
  }
  return true;
}

/** Read the experiment, insert the run and its tags. */
function createRun(d: SyncDb, args: CreateRunArgs, experimentId: number): Run {
  const exp = d.get<{ lifecycle_stage: string | null; artifact_location: string | null }>(
    "SELECT lifecycle_stage, artifact_location FROM experiments WHERE experiment_id = ? AND lifecycle_stage IN ('active', 'deleted')",
    experimentId,
  );
  if (!exp) throw experimentNotFound(experimentId);
  checkExperimentActive({ experiment_id: experimentId, lifecycle_stage: exp.lifecycle_stage });
  const { row, tags } = newRun(args, experimentId, exp.artifact_location);
  d.run(
    'INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, status, ' +
      'start_time, end_time, deleted_time, source_version, lifecycle_stage, artifact_uri, experiment_id) ' +
      "VALUES (?, ?, 'UNKNOWN', '', '', ?, 'RUNNING', ?, NULL, NULL, '', 'active', ?, ?)",
    row.run_uuid,
    row.name,
    row.user_id,
    row.start_time,
    row.artifact_uri,
    experimentId,
  );
  for (const [key, value] of tags) {
    d.run('INSERT INTO tags (key, value, run_uuid) VALUES (?, ?, ?)', key, value, row.run_uuid);
  }
  return createdRun(row, tags);
}

export function sqliteTrackingOps(
  db: Kysely<TrackingDatabase>,
  writeSync: WriteSync,
  maxBindParams: number,
): TrackingDialectOps {
  return {
    // One connection: nothing to order locks against; rows go in MLflow's (first appearance) order.
    latestMetricsInKeyOrder: false,
    emptyExperimentIdMessage: 'FOREIGN KEY constraint failed',
    logMetrics: (runId, metrics) => writeSync((d) => logMetrics(d, runId, metrics)),
    logParam: (runId, param) => writeSync((d) => logParam(d, runId, param)),
    createRun: (args, experimentId) => writeSync((d) => createRun(d, args, experimentId)),
    // experiment_tags has no experiment_id index: the scan lists tags in rowid order, which MLflow shows.
    experimentTags: (ids) => experimentTagsInBatches(db, ids, maxBindParams),
  };
}
