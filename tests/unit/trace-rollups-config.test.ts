/**
 * MLFLOW_SQL_TRACE_ROLLUPS_ENABLED and the rollup maintenance settings, validated as `mlflow server`
 * validates them (trace_rollup_service.validate_and_resolve_sql_trace_rollup_schedule, huey's strict
 * crontab), and the queryTraceMetrics forms MLflow may read from rollups (resolve_rollup_read).
 */
import { describe, expect, it } from 'vitest';
import { cronMatches, parseStrictCrontab } from '../../src/cli/cron-schedule.js';
import { traceRollupsFromEnv } from '../../src/cli/trace-rollups-env.js';
import { rollupReadPlan, type RollupReadQuery } from '../../src/services/traces/trace-rollup-routing.js';

const cron = (s: string) => parseStrictCrontab(s.split(' ') as [string, string, string, string, string]);
const on = (env: Record<string, string>) =>
  traceRollupsFromEnv({ MLFLOW_SQL_TRACE_ROLLUPS_ENABLED: 'true', ...env }, { artifactsOnly: false });

describe('huey strict crontab', () => {
  it('reads the accepted forms', () => {
    expect(cron('0 2 * * *')).toMatchObject({ minute: [0], hour: [2] });
    expect(cron('*/15 1-3 1,15 */6 1-5')).toMatchObject({
      minute: [0, 15, 30, 45],
      hour: [1, 2, 3],
      day: [1, 15],
      month: [1, 7],
      dayOfWeek: [1, 2, 3, 4, 5],
    });
    // Day-of-week 7 is Sunday (0); a wrapping range runs past the end to the start.
    expect(cron('0 22-2 * * 7')).toMatchObject({ hour: [0, 1, 2, 22, 23], dayOfWeek: [0] });
    expect(cron('0 0 * * 5-1')).toMatchObject({ dayOfWeek: [0, 1, 5, 6] });
    expect(cron('0-59/20 * * * *')).toMatchObject({ minute: [0, 20, 40] });
  });

  it('refuses what strict huey refuses', () => {
    for (const bad of [
      '60 * * * *',
      '* 24 * * *',
      '* * 0 * *',
      '* * * 13 *',
      '* * * * 8',
      '* * * * */2',
      'x * * * *',
      '*/0 * * * *',
      '1-5/0 * * * *',
      '1,,2 * * * *',
      '? * * * *',
      'MON * * * *',
    ]) {
      expect(cron(bad), bad).toBeUndefined();
    }
  });

  it('matches UTC minutes with Sunday as 0', () => {
    const f = cron('30 2 * * 0')!;
    expect(cronMatches(f, new Date(Date.UTC(2026, 11, 6, 2, 30)))).toBe(true); // a Sunday
    expect(cronMatches(f, new Date(Date.UTC(2026, 11, 7, 2, 30)))).toBe(false);
  });
});

describe('trace rollup settings', () => {
  it('defaults to disabled, and reads the flag strictly', () => {
    expect(traceRollupsFromEnv({}, { artifactsOnly: false }).enabled).toBe(false);
    expect(on({}).enabled).toBe(true);
    expect(on({ MLFLOW_SQL_TRACE_ROLLUPS_ENABLED: '0' }).enabled).toBe(false);
    expect(() => on({ MLFLOW_SQL_TRACE_ROLLUPS_ENABLED: 'yes' })).toThrow(
      "MLFLOW_SQL_TRACE_ROLLUPS_ENABLED value must be one of ['true', 'false', '1', '0'] (case-insensitive), but got yes",
    );
    // Not read with --artifacts-only (MLflow skips the check there).
    expect(
      traceRollupsFromEnv({ MLFLOW_SQL_TRACE_ROLLUPS_ENABLED: 'yes' }, { artifactsOnly: true }).enabled,
    ).toBe(false);
  });

  it('validates the maintenance settings with MLflow messages when rollups and jobs are on', () => {
    expect(on({})).toMatchObject({
      maxPartitionsPerRun: 1000,
      maxWorkers: 4,
      schedule: { minute: [0], hour: [2] },
    });
    expect(on({ MLFLOW_TRACE_ROLLUPS_MAX_WORKERS: ' 8 ' }).maxWorkers).toBe(8);
    expect(() => on({ MLFLOW_TRACE_ROLLUPS_MAX_PARTITIONS_PER_RUN: 'many' })).toThrow(
      'MLFLOW_TRACE_ROLLUPS_MAX_PARTITIONS_PER_RUN must be a positive integer.',
    );
    expect(() => on({ MLFLOW_TRACE_ROLLUPS_MAX_WORKERS: '0' })).toThrow(
      'MLFLOW_TRACE_ROLLUPS_MAX_WORKERS must be a positive integer, got 0.',
    );
    expect(() => on({ MLFLOW_TRACE_ROLLUPS_SCHEDULE: '0 2 * *' })).toThrow(
      "MLFLOW_TRACE_ROLLUPS_SCHEDULE must be a five-field UTC cron expression, got '0 2 * *'.",
    );
    expect(() => on({ MLFLOW_TRACE_ROLLUPS_SCHEDULE: ' 61 2 * * * ' })).toThrow(
      "MLFLOW_TRACE_ROLLUPS_SCHEDULE must be a valid five-field UTC cron expression, got '61 2 * * *'.",
    );
    // Irrelevant (unchecked) while rollups or job execution are off.
    expect(
      traceRollupsFromEnv({ MLFLOW_TRACE_ROLLUPS_SCHEDULE: 'bad' }, { artifactsOnly: false }).schedule,
    ).toBeUndefined();
    expect(
      on({ MLFLOW_SERVER_ENABLE_JOB_EXECUTION: 'false', MLFLOW_TRACE_ROLLUPS_SCHEDULE: 'bad' }).enabled,
    ).toBe(true);
  });
});

describe('rollup-servable queryTraceMetrics forms', () => {
  const DAY = 86_400_000;
  const base: RollupReadQuery = {
    view: 'TRACES',
    metric: 'trace_count',
    aggregations: [{ type: 'COUNT' }],
    dimensions: [],
    filters: [],
    bucketSeconds: 86_400,
    startMs: 0,
    endMs: 3 * DAY - 1,
    experimentIds: [1],
    dialect: 'sqlite',
  };

  it('plans the full UTC days of a servable request', () => {
    expect(rollupReadPlan(base)).toEqual({
      family: 'trace_metric',
      experimentId: 1,
      metricName: 'trace_count',
      groupingSet: 'global',
      days: ['1970-01-01', '1970-01-02', '1970-01-03'],
    });
    // Partial edge days are not candidates.
    expect(rollupReadPlan({ ...base, startMs: 1, endMs: 3 * DAY - 2 })?.days).toEqual(['1970-01-02']);
    expect(
      rollupReadPlan({
        ...base,
        view: 'SPANS',
        metric: 'total_cost',
        dimensions: ['span_model_provider', 'span_model_name'],
      }),
    ).toMatchObject({ family: 'span_cost', groupingSet: 'model_provider' });
    expect(
      rollupReadPlan({ ...base, dimensions: ['trace_status'], bucketSeconds: undefined })?.groupingSet,
    ).toBe('status');
    expect(
      rollupReadPlan({
        ...base,
        aggregations: [{ type: 'PERCENTILE', percentile: 90 }],
        dialect: 'postgresql',
      }),
    ).toBeDefined();
  });

  it('leaves the others to the raw path', () => {
    const raw: Partial<RollupReadQuery>[] = [
      { metric: 'session_count' },
      { filters: ["trace.status = 'OK'"] },
      { dimensions: ['trace_name'] },
      { bucketSeconds: 3600 },
      { startMs: undefined },
      { experimentIds: [1, 1] },
      { aggregations: [] },
      { aggregations: [{ type: 'PERCENTILE', percentile: 90 }] },
      { aggregations: [{ type: 'PERCENTILE', percentile: 95 }], dialect: 'postgresql' },
      {
        aggregations: [{ type: 'PERCENTILE', percentile: 50 }],
        dialect: 'postgresql',
        bucketSeconds: undefined,
      },
      { startMs: 1, endMs: DAY },
      { endMs: 1001 * DAY },
      { view: 'ASSESSMENTS', metric: 'assessment_value', dimensions: ['assessment_name'] },
    ];
    for (const r of raw) expect(rollupReadPlan({ ...base, ...r }), JSON.stringify(r)).toBeUndefined();
  });
});
