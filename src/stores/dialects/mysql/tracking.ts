/**
 * The tracking store's named operations on MySQL. Writes take the shared transactional paths
 * (run-data.ts, runs.ts): InnoDB has no single-statement form of "insert the rows if the run is
 * active" that beats a short transaction on one connection, and the shared path already writes
 * metrics in primary-key order and latest_metrics in key order (latestMetricsInKeyOrder), so
 * concurrent batches on one run take their row locks in one order.
 */
import type { Kysely } from 'kysely';
import type { TrackingDatabase } from '../../tables.js';
import type { ExperimentTagRow, TrackingDialectOps } from '../../tracking/dialect-ops.js';

export function mysqlTrackingOps(
  db: Kysely<TrackingDatabase>,
  database: string,
  maxBindParams: number,
): TrackingDialectOps {
  return {
    latestMetricsInKeyOrder: true,
    // What MySQL answers (strict mode) when MLflow inserts the run with experiment_id '', as
    // PyMySQL prints it.
    emptyExperimentIdMessage: `(1366, "Incorrect integer value: '' for column \`${database}\`.\`runs\`.\`experiment_id\` at row 1")`,
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
