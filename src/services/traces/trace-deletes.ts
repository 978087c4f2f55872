/**
 * deleteTraces and deleteTracesV3 (one MLflow handler, handlers._delete_traces, behind both the
 * v2 and the v3 route): by ids, or by age with an optional count.
 */
import type { DeleteTraces } from '../../gen/messages.js';
import type { MlflowService } from '../../gen/services.js';
import type { DomainContext, DomainHandlers } from '../types.js';
import { validateDeleteTraces } from './validation.js';

async function deleteTraces(req: DeleteTraces, ctx: DomainContext): Promise<{ traces_deleted: number }> {
  // Unset optional fields stay unset (HasField): 0 and absent mean opposite things here.
  const args = {
    maxTimestampMillis: req.max_timestamp_millis,
    maxTraces: req.max_traces,
    traceIds: req.request_ids ?? [],
  };
  validateDeleteTraces(args);
  const deleted = await ctx.stores.tracking.deleteTraces(
    { experimentId: req.experiment_id ?? '', ...args },
    { artifacts: ctx.stores.artifacts, log: ctx.log },
  );
  return { traces_deleted: deleted };
}

export const traceDeleteHandlers = {
  deleteTraces,
  deleteTracesV3: deleteTraces,
} satisfies DomainHandlers<MlflowService<DomainContext>>;
