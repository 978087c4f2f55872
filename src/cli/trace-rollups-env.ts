/**
 * MLflow's opt-in SQL trace rollups (mlflow/environment_variables.py): MLFLOW_SQL_TRACE_ROLLUPS_ENABLED
 * and the maintenance settings MLFLOW_TRACE_ROLLUPS_SCHEDULE / _MAX_PARTITIONS_PER_RUN / _MAX_WORKERS,
 * read and validated as `mlflow server` does at start-up:
 * - the flag is a strict boolean (a bad value stops the server; not read with --artifacts-only);
 * - the maintenance settings only matter when rollups and job execution are both enabled
 *   (validate_and_resolve_sql_trace_rollup_schedule runs only then), and are checked then with
 *   MLflow's messages, the schedule in huey's strict crontab form (cron-schedule.ts).
 */
import { intOf } from '../py/numbers.js';
import { reprStr } from '../py/repr.js';
import { parseStrictCrontab, type CronFields } from './cron-schedule.js';

type Env = Readonly<Record<string, string | undefined>>;

export interface TraceRollupsConfig {
  /** MLFLOW_SQL_TRACE_ROLLUPS_ENABLED (default false). */
  enabled: boolean;
  /** The five cron fields, when rollups and job execution are enabled (MLflow validated them). */
  schedule: CronFields | undefined;
  maxPartitionsPerRun: number;
  maxWorkers: number;
}

const DEFAULT_SCHEDULE = '0 2 * * *';

/** _BooleanEnvironmentVariable.get: true/false/1/0 in any case, else its ValueError. */
function strictBool(env: Env, name: string, dflt: boolean): boolean {
  const raw = env[name];
  if (raw === undefined) return dflt;
  const v = raw.toLowerCase();
  if (!['true', 'false', '1', '0'].includes(v)) {
    throw new Error(
      `${name} value must be one of ['true', 'false', '1', '0'] (case-insensitive), but got ${raw}`,
    );
  }
  return v === 'true' || v === '1';
}

/** A positive int() of the variable, else MLflow's "must be a positive integer" message. */
function positiveInt(env: Env, name: string, dflt: number): number {
  const raw = env[name];
  if (raw === undefined) return dflt;
  const value = intOf(raw);
  if (value === undefined) throw new Error(`${name} must be a positive integer.`);
  if (value < 1) throw new Error(`${name} must be a positive integer, got ${value}.`);
  return value;
}

export function traceRollupsFromEnv(env: Env, opts: { artifactsOnly: boolean }): TraceRollupsConfig {
  const enabled = opts.artifactsOnly ? false : strictBool(env, 'MLFLOW_SQL_TRACE_ROLLUPS_ENABLED', false);
  const off: TraceRollupsConfig = { enabled, schedule: undefined, maxPartitionsPerRun: 1000, maxWorkers: 4 };
  // MLflow checks the maintenance settings only when it would register the scheduler.
  if (!enabled || !strictBool(env, 'MLFLOW_SERVER_ENABLE_JOB_EXECUTION', true)) return off;
  const maxPartitionsPerRun = positiveInt(env, 'MLFLOW_TRACE_ROLLUPS_MAX_PARTITIONS_PER_RUN', 1000);
  const maxWorkers = positiveInt(env, 'MLFLOW_TRACE_ROLLUPS_MAX_WORKERS', 4);
  const schedule = (env.MLFLOW_TRACE_ROLLUPS_SCHEDULE ?? DEFAULT_SCHEDULE).replace(/^\s+|\s+$/gu, '');
  const fields = schedule.split(/\s+/u).filter((f) => f !== '');
  if (fields.length !== 5) {
    throw new Error(
      `MLFLOW_TRACE_ROLLUPS_SCHEDULE must be a five-field UTC cron expression, got ${reprStr(schedule)}.`,
    );
  }
  const parsed = parseStrictCrontab(fields as [string, string, string, string, string]);
  if (!parsed) {
    throw new Error(
      `MLFLOW_TRACE_ROLLUPS_SCHEDULE must be a valid five-field UTC cron expression, got ${reprStr(schedule)}.`,
    );
  }
  return { enabled, schedule: parsed, maxPartitionsPerRun, maxWorkers };
}
