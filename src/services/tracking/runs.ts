import type { RunStatus } from '../../gen/messages.js';
import type { MlflowService } from '../../gen/services.js';
import type { DomainContext, DomainHandlers } from '../types.js';
import { truncateLongValues, validateTag } from './validation.js';

/** Handlers of the run RPCs (server/handlers.py), over the tracking store. */
export const runHandlers = {
  async createRun(req, { stores }) {
    // The proto's unset fields read as '' / 0 in Python, and that is what MLflow stores.
    const run = await stores.tracking.createRun({
      experimentId: req.experiment_id ?? '',
      userId: req.user_id ?? '',
      startTime: req.start_time ?? 0,
      tags: (req.tags ?? []).map((t) => ({ key: t.key ?? '', value: t.value ?? '' })),
      runName: req.run_name || undefined,
    });
    return { run };
  },

  async getRun(req, { stores }) {
    return { run: await stores.tracking.getRun(req.run_id || req.run_uuid || '') };
  },

  async updateRun(req, { stores }) {
    const runInfo = await stores.tracking.updateRunInfo(
      req.run_id || req.run_uuid || '',
      req.status as RunStatus | undefined,
      req.end_time,
      req.run_name,
    );
    return { run_info: runInfo };
  },

  async deleteRun(req, { stores }) {
    await stores.tracking.deleteRun(req.run_id ?? '');
    return {};
  },

  async restoreRun(req, { stores }) {
    await stores.tracking.restoreRun(req.run_id ?? '');
    return {};
  },

  async setTag(req, { stores }) {
    const tag = validateTag(req.key ?? '', req.value ?? '', '', truncateLongValues(stores));
    await stores.tracking.setTag(req.run_id || req.run_uuid || '', tag.key, tag.value);
    return {};
  },

  async deleteTag(req, { stores }) {
    await stores.tracking.deleteTag(req.run_id ?? '', req.key ?? '');
    return {};
  },
} satisfies DomainHandlers<MlflowService<DomainContext>>;
