import type {
  CreateRun,
  DeleteRun,
  DeleteTag,
  GetRun,
  RestoreRun,
  SetTag,
  UpdateRun,
} from '../../gen/messages.js';
import type { Run, RunInfo, RunStatus } from '../../stores/tracking/entities.js';
import type { SqlTrackingStore } from '../../stores/tracking/store.js';
import { validateTag } from './validation.js';

/** Handlers of the run RPCs (server/handlers.py), over the tracking store. */
export function runServices(store: SqlTrackingStore, opts: { truncateLongValues: boolean }) {
  return {
    async createRun(req: CreateRun): Promise<{ run: Run }> {
      // The proto's unset fields read as '' / 0 in Python, and that is what MLflow stores.
      const run = await store.createRun({
        experimentId: req.experiment_id ?? '',
        userId: req.user_id ?? '',
        startTime: req.start_time ?? 0,
        tags: (req.tags ?? []).map((t) => ({ key: t.key ?? '', value: t.value ?? '' })),
        runName: req.run_name || undefined,
      });
      return { run };
    },

    async getRun(req: GetRun): Promise<{ run: Run }> {
      return { run: await store.getRun(req.run_id || req.run_uuid || '') };
    },

    async updateRun(req: UpdateRun): Promise<{ run_info: RunInfo }> {
      const runInfo = await store.updateRunInfo(
        req.run_id || req.run_uuid || '',
        req.status as RunStatus | undefined,
        req.end_time,
        req.run_name,
      );
      return { run_info: runInfo };
    },

    async deleteRun(req: DeleteRun): Promise<Record<string, never>> {
      await store.deleteRun(req.run_id ?? '');
      return {};
    },

    async restoreRun(req: RestoreRun): Promise<Record<string, never>> {
      await store.restoreRun(req.run_id ?? '');
      return {};
    },

    async setTag(req: SetTag): Promise<Record<string, never>> {
      const tag = validateTag(req.key ?? '', req.value ?? '', '', opts.truncateLongValues);
      await store.setTag(req.run_id || req.run_uuid || '', tag.key, tag.value);
      return {};
    },

    async deleteTag(req: DeleteTag): Promise<Record<string, never>> {
      await store.deleteTag(req.run_id ?? '', req.key ?? '');
      return {};
    },
  };
}
