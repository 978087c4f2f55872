/**
 * The tracking store's named operations on MySQL.
 *
 * log_metric and metrics-only log_batch (the hot path) take two round trips on one connection of
 * the write pool (connection.ts: multi-statement connections, used for nothing else): the first
 * sends, as one multi-statement transaction, a share lock on the run row (a concurrent delete
 * waits), the metric rows in primary-key order (INSERT IGNORE: rows already stored are skipped)
 * and latest_metrics in key order (the newest row per key replaces the stored one only when newer,
 * see upserts.ts for the one-time condition); the second commits if the run was active, else
 * rolls back. Concurrent batches on one run so take their row locks in one order; a deadlock
 * victim is retried whole. The other writes take the shared transactional paths.
 */
import type { Kysely } from 'kysely';
import type mysql from 'mysql2';
import type { TrackingDatabase } from '../../tables.js';
import type { ExperimentTagRow, TrackingDialectOps } from '../../tracking/dialect-ops.js';
import type { MetricInput } from '../../tracking/inputs.js';
import type { MetricRow } from '../../tracking/latest-metric.js';
import { withDeadlockRetry } from '../../tracking/retry.js';
import { metricRows } from '../../tracking/run-data.js';
import { checkRunActive, runNotFound } from '../../tracking/runs.js';
import { mysqlParams } from './connection.js';

/** ER_NO_REFERENCED_ROW_2: a foreign key's parent row is missing. */
const NO_REFERENCED_ROW = 1452;

const NEWER =
  'VALUES(step) > step OR (VALUES(step) = step AND (VALUES(timestamp) > timestamp OR ' +
  '(VALUES(timestamp) = timestamp AND VALUES(value) > value)))';

const LOG_METRICS =
  'START TRANSACTION;\n' +
  'SELECT lifecycle_stage FROM runs WHERE run_uuid = ? LOCK IN SHARE MODE;\n' +
  'INSERT IGNORE INTO metrics (`key`, value, timestamp, run_uuid, step, is_nan) VALUES ?;\n' +
  'INSERT INTO latest_metrics (`key`, value, timestamp, run_uuid, step, is_nan) VALUES ?\n' +
  `ON DUPLICATE KEY UPDATE value = IF(@mlflow_ts_newer := (${NEWER}), VALUES(value), value),\n` +
  '  timestamp = IF(@mlflow_ts_newer, VALUES(timestamp), timestamp), step = IF(@mlflow_ts_newer, VALUES(step), step),\n' +
  '  is_nan = IF(@mlflow_ts_newer, VALUES(is_nan), is_nan)';

function query<R>(conn: mysql.PoolConnection, text: string, params: unknown[] = []): Promise<R> {
  return new Promise((resolve, reject) =>
    conn.query(text, params, (err, res) => (err ? reject(err) : resolve(res as R))),
  );
}

function getConnection(pool: mysql.Pool): Promise<mysql.PoolConnection> {
  return new Promise((resolve, reject) => pool.getConnection((err, c) => (err ? reject(err) : resolve(c))));
}

const rowsOf = (runId: string, rows: readonly MetricRow[]) =>
  rows.map((m) => mysqlParams([m.key, m.value, m.timestamp, runId, m.step, m.isNan ? 1 : 0]));

export function mysqlTrackingOps(
  db: Kysely<TrackingDatabase>,
  writePool: mysql.Pool,
  database: string,
  maxBindParams: number,
): TrackingDialectOps {
  async function logMetricsOnce(runId: string, metrics: readonly MetricInput[]): Promise<void> {
    const { rows, latest } = metricRows(metrics, true);
    const conn = await getConnection(writePool);
    let open = false;
    try {
      open = true;
      const results = await query<unknown[]>(conn, LOG_METRICS, [
        runId,
        rowsOf(runId, rows),
        rowsOf(runId, latest),
      ]);
      const run = (results[1] as { lifecycle_stage: string | null }[])[0];
      if (!run) throw runNotFound(runId);
      checkRunActive({ run_uuid: runId, lifecycle_stage: run.lifecycle_stage });
      await query(conn, 'COMMIT');
      open = false;
    } finally {
      if (open) await query(conn, 'ROLLBACK').catch(() => conn.destroy());
      conn.release();
    }
  }

  return {
    latestMetricsInKeyOrder: true,
    // What MySQL answers (strict mode) when MLflow inserts the run with experiment_id '', as
    // PyMySQL prints it.
    emptyExperimentIdMessage: `(1366, "Incorrect integer value: '' for column \`${database}\`.\`runs\`.\`experiment_id\` at row 1")`,
    async logMetrics(runId, metrics) {
      if (metrics.length === 0) return checkRunOnly(db, runId);
      try {
        await withDeadlockRetry(() => logMetricsOnce(runId, metrics));
      } catch (err) {
        // No such run: the metric insert's foreign key fails before the run's row is read.
        if ((err as { errno?: unknown }).errno === NO_REFERENCED_ROW) await checkRunOnly(db, runId);
        throw err;
      }
    },
    logParam: async () => false,
    createRun: async () => undefined,
    async experimentTags(ids) {
      const tags: ExperimentTagRow[] = [];
      const batch = Math.max(1, maxBindParams - 16);
      for (let i = 0; i < ids.length; i += batch) {
        tags.push(
          ...(await db
            .selectFrom('experiment_tags')
            .select(['experiment_id', 'key', 'value'])
            .where('experiment_id', 'in', ids.slice(i, i + batch))
            .execute()),
        );
      }
      return tags;
    },
  };
}

/** An empty batch still checks the run (MLflow reads it before writing nothing). */
async function checkRunOnly(db: Kysely<TrackingDatabase>, runId: string): Promise<void> {
  const run = await db
    .selectFrom('runs')
    .select(['run_uuid', 'lifecycle_stage'])
    .where('run_uuid', '=', runId)
    .executeTakeFirst();
  if (!run) throw runNotFound(runId);
  checkRunActive(run);
}
