/** The search RPCs of the tracking service, keyed by RPC name (wired in src/services/native.ts). */
import type { StoreDialect } from '../../stores/dialects/dialect.js';
import type { NativeHandler } from '../types.js';
import { createSearchExperimentsHandler } from './search-experiments.js';
import { createSearchRunsHandler } from './search-runs.js';

export function searchServices(
  dialect: StoreDialect,
): Record<'searchRuns' | 'searchExperiments', NativeHandler> {
  return {
    searchRuns: createSearchRunsHandler(dialect),
    searchExperiments: createSearchExperimentsHandler(dialect),
  };
}
