/**
 * The SQL tracking store: MLflow's SqlAlchemyStore semantics (store/tracking/sqlalchemy_store.py)
 * on Kysely. Inputs are expected validated (services/tracking/validation.ts); this layer owns
 * existence / lifecycle checks, uniqueness and the SQL. Its interface is the operations of this
 * folder's modules, each written as `(ctx, ...args)` and bound here to one database's context; the
 * SQL that differs per database is the dialect's (StoreDialect.tracking, StoreDialect.sql).
 */
import type { Kysely } from 'kysely';
import type { TrackingDatabase } from '../tables.js';
import type { StoreContext } from './context.js';
import { assessmentOperations } from './assessments.js';
import { datasetSummaryOperations } from './dataset-summaries.js';
import { evaluationDatasetOperations } from './evaluation-datasets.js';
import { experimentOperations } from './experiments.js';
import { gatewayEndpointOperations } from './gateway-endpoints.js';
import { loggedModelLinkOperations } from './logged-model-links.js';
import { loggedModelOperations } from './logged-models.js';
import { metricHistoryOperations } from './metric-history.js';
import { runDataOperations } from './run-data.js';
import { runOperations } from './runs.js';
import { traceDeleteOperations } from './trace-deletes.js';
import { traceEndOperations } from './trace-ends.js';
import { traceSearchOperations } from './trace-search.js';
import { traceStartOperations } from './trace-starts.js';
import { traceInfoOperations } from './trace-infos.js';
import { traceLinkOperations } from './trace-links.js';
import { spanWriteOperations } from './span-writes.js';
import { traceSpanOperations } from './trace-spans.js';
import { traceTagOperations } from './trace-tags.js';
import { traceMetricOperations } from './trace-metrics.js';
import { traceRollupOperations } from './trace-rollups.js';

const OPERATIONS = {
  ...experimentOperations,
  ...gatewayEndpointOperations,
  ...runOperations,
  ...runDataOperations,
  ...metricHistoryOperations,
  ...loggedModelLinkOperations,
  ...loggedModelOperations,
  ...datasetSummaryOperations,
  ...evaluationDatasetOperations,
  ...traceInfoOperations,
  ...traceTagOperations,
  ...traceLinkOperations,
  ...traceDeleteOperations,
  ...traceEndOperations,
  ...traceStartOperations,
  ...traceSearchOperations,
  ...traceSpanOperations,
  ...spanWriteOperations,
  ...assessmentOperations,
  ...traceMetricOperations,
  ...traceRollupOperations,
};

type Operations = typeof OPERATIONS;

/** An operation with its context bound. */
type Bound<F> = F extends (ctx: StoreContext, ...args: infer A) => infer R ? (...args: A) => R : never;

export type TrackingStore = { readonly [K in keyof Operations]: Bound<Operations[K]> } & {
  /** The database (tests and the schema checks read it directly). */
  readonly db: Kysely<TrackingDatabase>;
};

export function createTrackingStore(ctx: StoreContext): TrackingStore {
  const store: Record<string, unknown> = { db: ctx.db };
  for (const [name, op] of Object.entries(OPERATIONS)) {
    store[name] = (...args: unknown[]) =>
      (op as (ctx: StoreContext, ...a: unknown[]) => unknown)(ctx, ...args);
  }
  return store as TrackingStore;
}
