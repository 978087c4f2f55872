/**
 * Opt-in SQL trace rollups, standalone (no Python to hand over to):
 * - a queryTraceMetrics form MLflow reads from materialized rollup rows answers 501 (NotNative)
 *   once such a row exists for a candidate day with no queued rebuild, and stays native otherwise
 *   (no rows, a queued day, a form MLflow never reads from rollups);
 * - with rollups disabled, a database holding rollup rows is refused at start-up with MLflow's
 *   message (validate_sql_trace_rollup_startup), and accepted again with rollups enabled.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from './server-harness.js';

const T0 = 1_600_000_000_000;
const DAY = 86_400_000;
const DAY0 = Math.floor(T0 / DAY) * DAY;
const ON = { MLFLOW_SQL_TRACE_ROLLUPS_ENABLED: 'true' };

describe('trace rollups, standalone', () => {
  let srv: RunningServer;
  let db: string;
  let eid: string;

  const post = async (path: string, body: unknown) =>
    fetch(`${srv.base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const metrics = (extra: Record<string, unknown> = {}) =>
    post('/api/3.0/mlflow/traces/metrics', {
      experiment_ids: [eid],
      view_type: 'TRACES',
      metric_name: 'trace_count',
      aggregations: [{ aggregation_type: 'COUNT' }],
      time_interval_seconds: 86400,
      start_time_ms: DAY0,
      end_time_ms: DAY0 + 2 * DAY - 1,
      ...extra,
    });

  beforeAll(async () => {
    srv = await startServer(['--no-python'], { env: ON });
    db = join(srv.dir, 'mlflow.db');
    const created = (await (await post('/api/2.0/mlflow/experiments/create', { name: 'r' })).json()) as {
      experiment_id: string;
    };
    eid = created.experiment_id;
    const res = await post('/api/3.0/mlflow/traces', {
      trace: {
        trace_info: {
          trace_id: 'tr-0123456789abcdef0123456789abcdef',
          trace_location: { type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: eid } },
          request_time: new Date(T0).toISOString(),
          state: 'OK',
        },
      },
    });
    expect(res.status).toBe(200);
  });
  afterAll(async () => {
    await srv?.stop();
  });

  it('hands over only what MLflow would read from rollup rows', async () => {
    expect((await metrics()).status).toBe(200);
    const conn = new Database(db);
    try {
      // The start queued its day (T0 is long past): a queued day is not read from rollups.
      expect(
        conn.prepare('SELECT rollup_day, rollup_family FROM sql_trace_rollup_rebuild_queue ORDER BY 2').all(),
      ).toEqual([
        { rollup_day: '2020-09-13', rollup_family: 'assessment' },
        { rollup_day: '2020-09-13', rollup_family: 'trace_metric' },
      ]);
      conn
        .prepare(
          `INSERT INTO sql_trace_metric_daily_rollups (experiment_id, rollup_day, metric_name, grouping_set, sample_count, sum_value)
           VALUES (?, '2020-09-13', 'trace_count', 'global', 1, 1)`,
        )
        .run(Number(eid));
      expect((await metrics()).status).toBe(200);
      conn.prepare('DELETE FROM sql_trace_rollup_rebuild_queue').run();
    } finally {
      conn.close();
    }
    expect((await metrics()).status).toBe(501);
    // Forms MLflow never reads from rollups stay native.
    expect((await metrics({ time_interval_seconds: 3600 })).status).toBe(200);
    expect((await metrics({ dimensions: ['trace_name'] })).status).toBe(200);
    expect((await metrics({ filters: ["trace.status = 'OK'"] })).status).toBe(200);
    expect((await metrics({ experiment_ids: [eid, eid] })).status).toBe(200);
    // Another grouping set has no rows.
    expect((await metrics({ dimensions: ['trace_status'] })).status).toBe(200);
  });

  it('refuses to start with rollups disabled while rollup rows exist', async () => {
    // stop() removes the directory: a new database, with a rollup row.
    await srv.stop();
    srv = await startServer(['--no-python'], { env: ON });
    db = join(srv.dir, 'mlflow.db');
    const conn = new Database(db);
    conn
      .prepare(
        `INSERT INTO sql_assessment_daily_rollups (experiment_id, rollup_day, metric_name, grouping_set, sample_count)
         VALUES (0, '2020-09-13', 'assessment_count', 'global', 1)`,
      )
      .run();
    conn.close();
    const uri = `sqlite:///${db}`;
    const refused = await startServer(['--no-python', '--backend-store-uri', uri], {
      env: { MLFLOW_SQL_TRACE_ROLLUPS_ENABLED: undefined },
      ready: /SQL trace rollups cannot be disabled|mlflow-ts listening on/,
    });
    const code = await refused.exited;
    expect(refused.output()).toContain(
      'SQL trace rollups cannot be disabled while materialized rollup rows exist. Stop all MLflow servers ' +
        'using this database, then run `mlflow db delete-trace-rollups <database-url>` before restarting.',
    );
    expect(code).toBe(1);
    await refused.stop();
    const accepted = await startServer(['--no-python', '--backend-store-uri', uri], { env: ON });
    expect(accepted.output()).toContain('mlflow-ts listening on');
    await accepted.stop();
  });
});
