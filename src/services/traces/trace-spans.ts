/**
 * getTrace and batchGetTraces (handlers._get_trace, _batch_get_traces): a trace with its spans.
 * Served natively where MLflow's SQL store has no spans to give: a missing trace, and a trace whose
 * spans are not in the database (its `traces.json` artifact: MLflow answers its 500 "Trace data
 * not stored in tracking store", and clients read the artifact). Spans in the database or an
 * archive go to the Python server until the span messages are native.
 */
import type { MlflowService } from '../../gen/services.js';
import { MlflowError } from '../../errors/mlflow-error.js';
import { parseExperimentId } from '../../stores/tracking/experiments.js';
import { SPANS_LOCATION_TAG, type TraceInfoEntity } from '../../stores/tracking/trace-infos.js';
import { NotNative } from '../raw-reply.js';
import { rawHasField } from '../raw-field.js';
import type { DomainContext, DomainHandlers } from '../types.js';

/** _get_spans_with_trace_info for a trace whose spans MLflow's SQL store does not hold. */
function spansOf(info: TraceInfoEntity): never {
  const location = info.tags.get(SPANS_LOCATION_TAG);
  if (location === 'TRACKING_STORE' || location === 'ARCHIVE_REPO') {
    throw new NotNative('spans stored in the database or an archive');
  }
  throw new MlflowError('Trace data not stored in tracking store', 'INTERNAL_ERROR');
}

export const traceSpanHandlers = {
  async getTrace(req, { stores }) {
    const traceId = req.trace_id ?? '';
    let info: TraceInfoEntity;
    try {
      info = await stores.tracking.getTraceInfo(traceId);
    } catch (err) {
      if (err instanceof MlflowError && err.errorCode === 'RESOURCE_DOES_NOT_EXIST') {
        throw MlflowError.notFound(`Trace with ID ${traceId} is not found.`);
      }
      throw err;
    }
    return spansOf(info);
  },

  async batchGetTraces(req, ctx) {
    const scoped = rawHasField(ctx, 'experiment_ids', 'experimentIds');
    const experimentIds = scoped ? (req.experiment_ids ?? []).map(parseExperimentId) : undefined;
    const infos = await ctx.stores.tracking.batchGetTraceInfos(req.trace_ids ?? [], experimentIds);
    // Any trace with stored spans: MLflow reads them (and fails on the others): handed over whole.
    if (
      infos.some((i) => ['TRACKING_STORE', 'ARCHIVE_REPO'].includes(i.tags.get(SPANS_LOCATION_TAG) ?? ''))
    ) {
      throw new NotNative('spans stored in the database or an archive');
    }
    if (infos.length > 0) spansOf(infos[0]!);
    return {};
  },
} satisfies DomainHandlers<MlflowService<DomainContext>>;
