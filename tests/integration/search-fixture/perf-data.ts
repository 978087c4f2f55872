/**
 * Bulk loader for search performance checks: `runs` runs in one experiment, each with
 * `perRun` latest metrics, params and tags, inserted set-wise straight into the tables.
 */
import type { StoreDialect } from '../../../src/stores/dialects/dialect.js';

export async function loadPerfRuns(
  d: StoreDialect,
  experimentId: number,
  runs: number,
  perRun: number,
): Promise<void> {
  const chunk = 500;
  for (let start = 0; start < runs; start += chunk) {
    const ids = Array.from({ length: Math.min(chunk, runs - start) }, (_, k) => start + k);
    const uuid = (i: number): string => `perf${String(i).padStart(28, '0')}`;
    await d.db
      .insertInto('runs')
      .values(
        ids.map((i) => ({
          run_uuid: uuid(i),
          name: `run-${i}`,
          source_type: 'LOCAL',
          source_name: '',
          entry_point_name: '',
          user_id: `user${i % 7}`,
          status: i % 3 === 0 ? 'RUNNING' : 'FINISHED',
          start_time: 1_700_000_000_000 + i * 1000,
          end_time: i % 3 === 0 ? null : 1_700_000_000_000 + i * 1000 + 500,
          deleted_time: null,
          source_version: '',
          lifecycle_stage: 'active',
          artifact_uri: `/tmp/a/${uuid(i)}`,
          experiment_id: experimentId,
        })),
      )
      .execute();
    const rows = <T>(f: (i: number, k: number) => T): T[] =>
      ids.flatMap((i) => Array.from({ length: perRun }, (_, k) => f(i, k)));
    await d.db
      .insertInto('latest_metrics')
      .values(
        rows((i, k) => ({
          key: `m${k}`,
          value: (i * 7919 + k) % 1000,
          timestamp: 1,
          step: 0,
          is_nan: d.bool(false) as never,
          run_uuid: uuid(i),
        })),
      )
      .execute();
    await d.db
      .insertInto('params')
      .values(rows((i, k) => ({ key: `p${k}`, value: String((i + k) % 13), run_uuid: uuid(i) })))
      .execute();
    await d.db
      .insertInto('tags')
      .values(
        rows((i, k) => ({
          key: k === 0 ? 'mlflow.runName' : `t${k}`,
          value: k === 0 ? `run-${i}` : `v${i % 5}`,
          run_uuid: uuid(i),
        })),
      )
      .execute();
  }
}
