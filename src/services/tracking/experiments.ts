import { MlflowError } from '../../errors/mlflow-error.js';
import type {
  CreateExperiment,
  CreateExperiment_Response,
  DeleteExperiment,
  DeleteExperimentTag,
  GetExperiment,
  GetExperimentByName,
  RestoreExperiment,
  SetExperimentTag,
  UpdateExperiment,
} from '../../gen/messages.js';
import type { SqlTrackingStore } from '../../stores/tracking/store.js';
import type { Experiment } from '../../stores/tracking/entities.js';
import { validateArtifactUriHost } from './host-policy.js';
import {
  customViewLimitError,
  isCustomViewTag,
  MAX_CUSTOM_VIEWS_PER_EXPERIMENT,
  validateArtifactLocation,
  validateExperimentName,
  validateExperimentTag,
} from './validation.js';

/** Handlers of the experiment RPCs (server/handlers.py), over the tracking store. */
export function experimentServices(store: SqlTrackingStore) {
  return {
    async createExperiment(req: CreateExperiment): Promise<CreateExperiment_Response> {
      const tags = (req.tags ?? []).map((t) => ({ key: t.key ?? '', value: t.value ?? '' }));
      if (tags.filter((t) => isCustomViewTag(t.key)).length > MAX_CUSTOM_VIEWS_PER_EXPERIMENT) {
        throw customViewLimitError();
      }
      if (req.artifact_location) {
        validateArtifactLocation(req.artifact_location, 'artifact_location', () =>
          validateArtifactUriHost(req.artifact_location!, 'artifact_location', store.ctx.artifactHostPolicy),
        );
      }
      validateExperimentName(req.name);
      for (const t of tags) validateExperimentTag(t.key, t.value);
      const id = await store.createExperiment(req.name, req.artifact_location || undefined, tags);
      return { experiment_id: id };
    },

    async getExperiment(req: GetExperiment): Promise<{ experiment: Experiment }> {
      return { experiment: await store.getExperiment(req.experiment_id ?? '') };
    },

    async getExperimentByName(req: GetExperimentByName): Promise<{ experiment: Experiment }> {
      const name = req.experiment_name ?? '';
      const exp = await store.getExperimentByName(name);
      if (!exp) throw MlflowError.notFound(`Could not find experiment with name '${name}'`);
      return { experiment: exp };
    },

    async deleteExperiment(req: DeleteExperiment): Promise<Record<string, never>> {
      await store.deleteExperiment(req.experiment_id ?? '');
      return {};
    },

    async restoreExperiment(req: RestoreExperiment): Promise<Record<string, never>> {
      await store.restoreExperiment(req.experiment_id ?? '');
      return {};
    },

    async updateExperiment(req: UpdateExperiment): Promise<Record<string, never>> {
      if (req.new_name) {
        validateExperimentName(req.new_name);
        await store.renameExperiment(req.experiment_id ?? '', req.new_name);
      }
      return {};
    },

    async setExperimentTag(req: SetExperimentTag): Promise<Record<string, never>> {
      const key = req.key!;
      const value = req.value ?? '';
      if (isCustomViewTag(key)) {
        // handlers._validate_custom_view_tag_write: only a new custom-view tag is capped.
        const exp = await store.getExperiment(req.experiment_id ?? '');
        const tags = exp.tags ?? [];
        if (
          !tags.some((t) => t.key === key) &&
          tags.filter((t) => isCustomViewTag(t.key)).length >= MAX_CUSTOM_VIEWS_PER_EXPERIMENT
        ) {
          throw customViewLimitError(exp.experiment_id);
        }
      }
      validateExperimentTag(key, value);
      await store.setExperimentTag(req.experiment_id ?? '', key, value);
      return {};
    },

    async deleteExperimentTag(req: DeleteExperimentTag): Promise<Record<string, never>> {
      await store.deleteExperimentTag(req.experiment_id ?? '', req.key ?? '');
      return {};
    },
  };
}
