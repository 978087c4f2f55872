/**
 * Trace metadata RPCs of MlflowService: getTraceInfoV3, batchGetTraceInfos, the v2 getTraceInfo
 * (handlers._get_trace_info_v3, _batch_get_trace_infos, _deprecated_get_trace_info_v2).
 */
import type { MlflowService } from '../../gen/services.js';
import { parseExperimentId } from '../../stores/tracking/experiments.js';
import { rawHasField } from '../raw-field.js';
import type { DomainContext, DomainHandlers } from '../types.js';
import { traceInfoV2, traceInfoV3 } from './trace-info-message.js';

export const traceInfoHandlers = {
  async getTraceInfoV3(req, { stores }) {
    const info = await stores.tracking.getTraceInfo(req.trace_id ?? '');
    return { trace: { trace_info: traceInfoV3(info) } };
  },

  async getTraceInfo(req, { stores }) {
    return { trace_info: traceInfoV2(await stores.tracking.getTraceInfo(req.request_id ?? '')) };
  },

  async batchGetTraceInfos(req, ctx) {
    const { stores } = ctx;
    // An experiment_ids field present in the body, even empty, scopes the lookup.
    const scoped = rawHasField(ctx, 'experiment_ids', 'experimentIds');
    const experimentIds = scoped ? (req.experiment_ids ?? []).map(parseExperimentId) : undefined;
    const infos = await stores.tracking.batchGetTraceInfos(req.trace_ids ?? [], experimentIds);
    return { trace_infos: infos.map(traceInfoV3) };
  },
} satisfies DomainHandlers<MlflowService<DomainContext>>;
