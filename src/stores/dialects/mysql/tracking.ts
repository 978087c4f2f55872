/**
 * The tracking store's named operations on MySQL.
 *
 * log_metric and metrics-only log_batch (the hot path) are one round trip on a connection of the
 * write pool (connection.ts: multi-statement connections, used for nothing else): one transaction
 * that reads the run's lifecycle stage under a share lock (a concurrent delete waits), inserts the
 * metric rows in primary-key order (INSERT IGNORE: rows already stored are skipped) and upserts
 * latest_metrics in key order (the newest row per key replaces the stored one only when newer, the
 * condition evaluated once, see upserts.ts), both only if the run is active, commits, and answers
 * the stage it read. The rows travel as one JSON parameter read by JSON_TABLE (MySQL 8.0.4+,
 * MariaDB 10.6+), so the inserts can be conditional. Concurrent batches on one run take their row
 * locks in one order; a deadlock victim is retried whole. The other writes take the shared
 * transactional paths.
 */
import type { Kysely } from 'kysely';
import type mysql from 'mysql2';
import type { TrackingDatabase } from '../../tables.js';
import type { TrackingDialectOps } from '../../tracking/dialect-ops.js';
import type { MetricInput } from '../../tracking/inputs.js';
import { EXCLUDED_IS_NEWER, type MetricRow } from '../../tracking/latest-metric.js';
import { withDeadlockRetry } from '../../tracking/retry.js';
import { metricRows } from '../../tracking/run-data.js';
import { experimentTagsInBatches } from '../../tracking/experiments.js';
import { checkRunActive, getRunRow, runNotFound } from '../../tracking/runs.js';
import { mysqlInt64Param } from './connection.js';

/** latest-metric.ts's rule, in ON DUPLICATE KEY UPDATE's terms (the incoming row is VALUES(col)). */
const NEWER = EXCLUDED_IS_NEWER.replace(/\bexcluded\.(\w+)/g, 'VALUES($1)').replace(
  /\blatest_metrics\./g,
  '',
);

const ROWS =
  "JSON_TABLE(?, '$[*]' COLUMNS (k VARCHAR(250) CHARACTER SET utf8mb4 PATH '$[0]', v DOUBLE PATH '$[1]', " +
  "t BIGINT PATH '$[2]', s BIGINT PATH '$[3]', n TINYINT PATH '$[4]')) j";

const LOG_METRICS =
  'SET @mlflow_ts_stage = NULL;\n' +
  'START TRANSACTION;\n' +
  'SELECT lifecycle_stage INTO @mlflow_ts_stage FROM runs WHERE run_uuid = ? LOCK IN SHARE MODE;\n' +
  'INSERT IGNORE INTO metrics (`key`, value, timestamp, run_uuid, step, is_nan)\n' +
  `  SELECT j.k, j.v, j.t, ?, j.s, j.n FROM ${ROWS} WHERE @mlflow_ts_stage = 'active';\n` +
  'INSERT INTO latest_metrics (`key`, value, timestamp, run_uuid, step, is_nan)\n' +
  `  SELECT j.k, j.v, j.t, ?, j.s, j.n FROM ${ROWS} WHERE @mlflow_ts_stage = 'active'\n` +
  `ON DUPLICATE KEY UPDATE value = IF(@mlflow_ts_newer := (${NEWER}), VALUES(value), value),\n` +
  '  timestamp = IF(@mlflow_ts_newer, VALUES(timestamp), timestamp), step = IF(@mlflow_ts_newer, VALUES(step), step),\n' +
  '  is_nan = IF(@mlflow_ts_newer, VALUES(is_nan), is_nan);\n' +
  'COMMIT;\n' +
  'SELECT @mlflow_ts_stage AS lifecycle_stage';

/** A BIGINT as JSON text: beyond 2^53 the exact int64 the client sent (see mysqlInt64Param). */
const int64 = (v: number): string => String(mysqlInt64Param(v));

/** The rows as one JSON array of [key, value, timestamp, step, is_nan]. */
function rowsJson(rows: readonly MetricRow[]): string {
  const parts = new Array<string>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const m = rows[i]!;
    parts[i] =
      `[${JSON.stringify(m.key)},${JSON.stringify(m.value)},${int64(m.timestamp)},${int64(m.step)},${m.isNan ? 1 : 0}]`;
  }
  return `[${parts.join(',')}]`;
}

function query<R>(conn: mysql.PoolConnection, text: string, params: unknown[] = []): Promise<R> {
  return new Promise((resolve, reject) =>
    conn.query(text, params, (err, res) => (err ? reject(err) : resolve(res as R))),
  );
}

function getConnection(pool: mysql.Pool): Promise<mysql.PoolConnection> {
  return new Promise((resolve, reject) => pool.getConnection((err, c) => (err ? reject(err) : resolve(c))));
}

export function mysqlTrackingOps(
  db: Kysely<TrackingDatabase>,
  writePool: mysql.Pool,
  database: string,
  maxBindParams: number,
): TrackingDialectOps {
  async function logMetricsOnce(runId: string, metrics: readonly MetricInput[]): Promise<void> {
    const { rows, latest } = metricRows(metrics, true);
    const conn = await getConnection(writePool);
    try {
      const results = await query<unknown[]>(conn, LOG_METRICS, [
        runId,
        runId,
        rowsJson(rows),
        runId,
        rowsJson(latest),
      ]);
      const [run] = results[results.length - 1] as { lifecycle_stage: string | null }[];
      if (!run || run.lifecycle_stage === null) throw runNotFound(runId);
      checkRunActive({ run_uuid: runId, lifecycle_stage: run.lifecycle_stage });
    } catch (err) {
      // A statement that failed inside the transaction leaves it open (a deadlock has already
      // rolled it back); after the COMMIT this does nothing.
      await query(conn, 'ROLLBACK').catch(() => conn.destroy());
      throw err;
    } finally {
      conn.release();
    }
  }

  return {
    latestMetricsInKeyOrder: true,
    // What MySQL answers (strict mode) when MLflow inserts the run with experiment_id '', as
    // PyMySQL prints it.
    emptyExperimentIdMessage: `(1366, "Incorrect integer value: '' for column \`${database}\`.\`runs\`.\`experiment_id\` at row 1")`,
    // An empty batch still checks the run (MLflow reads it before writing nothing).
    logMetrics: async (runId, metrics) =>
      metrics.length === 0
        ? checkRunActive(await getRunRow(db, runId))
        : withDeadlockRetry(() => logMetricsOnce(runId, metrics)),
    logParam: async () => false,
    createRun: async () => undefined,
    experimentTags: (ids) => experimentTagsInBatches(db, ids, maxBindParams),
  };
}
