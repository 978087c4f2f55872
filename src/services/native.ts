/**
 * The natively served RPCs: which keys (static, so `mlflow-ts endpoints` knows without a database)
 * and their implementations over the stores. Every other RPC is proxied to the Python server.
 */
import type { Stores } from '../stores/index.js';
import { bindDomainHandlers, DOMAIN_RPC_KEYS } from './domains.js';
import { withDbErrors } from './tracking/db-errors.js';
import { experimentServices } from './tracking/experiments.js';
import { loggingServices } from './tracking/logging.js';
import { metricHistoryServices } from './tracking/metric-history.js';
import { runServices } from './tracking/runs.js';
import { searchServices } from './tracking/search.js';
import type { NativeHandler, NativeHandlers } from './types.js';

/** Tracking RPCs implemented by src/services/tracking (the write side and single-entity reads). */
const TRACKING_RPCS = [
  'createExperiment',
  'getExperiment',
  'getExperimentByName',
  'updateExperiment',
  'deleteExperiment',
  'restoreExperiment',
  'setExperimentTag',
  'deleteExperimentTag',
  'createRun',
  'getRun',
  'updateRun',
  'deleteRun',
  'restoreRun',
  'setTag',
  'deleteTag',
  'logMetric',
  'logParam',
  'logBatch',
  'logInputs',
  'getMetricHistory',
  'getMetricHistoryBulkInterval',
  'searchRuns',
  'searchExperiments',
] as const;

export const NATIVE_RPC_KEYS: readonly string[] = [
  ...TRACKING_RPCS.map((rpc) => `MlflowService.${rpc}`),
  ...DOMAIN_RPC_KEYS,
];

export function createNativeHandlers(stores: Stores): NativeHandlers {
  const store = stores.tracking;
  const opts = { truncateLongValues: store.ctx.truncateLongValues };
  const services: Record<string, NativeHandler> = withDbErrors({
    ...experimentServices(store),
    ...runServices(store, opts),
    ...loggingServices(store, opts),
    ...metricHistoryServices(store),
    ...searchServices(stores.dialect),
  });
  const handlers: Record<string, NativeHandler> = bindDomainHandlers(stores);
  for (const rpc of TRACKING_RPCS) handlers[`MlflowService.${rpc}`] = services[rpc]!;
  return handlers;
}
