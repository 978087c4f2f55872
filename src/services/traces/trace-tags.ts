/**
 * Trace tag and link RPCs of MlflowService: setTraceTag / setTraceTagV3, deleteTraceTag /
 * deleteTraceTagV3 (the v2 and v3 routes differ only in the path parameter's name) and
 * linkTracesToRun.
 */
import type { MlflowService } from '../../gen/services.js';
import type { Stores } from '../../stores/index.js';
import type { DomainContext, DomainHandlers } from '../types.js';
import { checkTagMutation, checkTraceLinkCount, validateTraceTag } from './validation.js';

async function setTag(stores: Stores, traceId: string, key: string, value: string): Promise<void> {
  checkTagMutation(key, 'set');
  const tag = validateTraceTag(stores, key, value);
  await stores.tracking.setTraceTag(traceId, tag.key, tag.value);
}

async function deleteTag(stores: Stores, traceId: string, key: string): Promise<void> {
  checkTagMutation(key, 'deleted');
  await stores.tracking.deleteTraceTag(traceId, key);
}

export const traceTagHandlers = {
  async setTraceTag(req, { stores }) {
    await setTag(stores, req.request_id ?? '', req.key ?? '', req.value ?? '');
    return {};
  },

  async setTraceTagV3(req, { stores }) {
    await setTag(stores, req.trace_id ?? '', req.key ?? '', req.value ?? '');
    return {};
  },

  async deleteTraceTag(req, { stores }) {
    await deleteTag(stores, req.request_id ?? '', req.key ?? '');
    return {};
  },

  async deleteTraceTagV3(req, { stores }) {
    await deleteTag(stores, req.trace_id ?? '', req.key ?? '');
    return {};
  },

  async linkTracesToRun(req, { stores }) {
    const traceIds = req.trace_ids ?? [];
    checkTraceLinkCount(traceIds.length);
    await stores.tracking.linkTracesToRun(traceIds, req.run_id ?? '');
    return {};
  },
} satisfies DomainHandlers<MlflowService<DomainContext>>;
