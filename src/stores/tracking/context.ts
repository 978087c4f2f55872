import type { Kysely, Transaction } from 'kysely';
import type { StoreDialect } from '../dialects/dialect.js';
import type { TrackingDatabase } from '../tables.js';

/** What the tracking store's query modules share. */
export interface StoreContext {
  dialect: StoreDialect;
  db: Kysely<TrackingDatabase>;
  /** The default artifact root, already resolved (resolve_uri_if_local). */
  artifactRoot: string;
  /** MLFLOW_ARTIFACT_LOCATION_MAX_LENGTH (default 2048). */
  artifactLocationMaxLength: number;
  /** MLFLOW_SQL_TRACE_ROLLUPS_ENABLED: write paths enqueue rollup rebuilds (trace-rollups.ts). */
  traceRollups?: boolean;
}

export type Db = Kysely<TrackingDatabase> | Transaction<TrackingDatabase>;

/** Milliseconds since the epoch, as mlflow.utils.time.get_current_time_millis. */
export const nowMillis = (): number => Date.now();
