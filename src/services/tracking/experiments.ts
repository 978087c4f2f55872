import { MlflowError } from '../../errors/mlflow-error.js';
import type { MlflowService } from '../../gen/services.js';
import type { DomainContext, DomainHandlers } from '../types.js';
import { artifactHostPolicyOf, validateArtifactUriHost } from './host-policy.js';
import {
  customViewLimitError,
  isCustomViewTag,
  MAX_CUSTOM_VIEWS_PER_EXPERIMENT,
  validateArtifactLocation,
  validateExperimentName,
  validateExperimentTag,
} from './validation.js';

/** Handlers of the experiment RPCs (server/handlers.py), over the tracking store. */
export const experimentHandlers = {
  async createExperiment(req, { stores }) {
    const tags = (req.tags ?? []).map((t) => ({ key: t.key ?? '', value: t.value ?? '' }));
    if (tags.filter((t) => isCustomViewTag(t.key)).length > MAX_CUSTOM_VIEWS_PER_EXPERIMENT) {
      throw customViewLimitError();
    }
    if (req.artifact_location) {
      validateArtifactLocation(req.artifact_location, 'artifact_location', () =>
        validateArtifactUriHost(
          req.artifact_location!,
          'artifact_location',
          artifactHostPolicyOf(stores.options),
        ),
      );
    }
    validateExperimentName(req.name);
    for (const t of tags) validateExperimentTag(t.key, t.value);
    const id = await stores.tracking.createExperiment(req.name, req.artifact_location || undefined, tags);
    return { experiment_id: id };
  },

  async getExperiment(req, { stores }) {
    return { experiment: await stores.tracking.getExperiment(req.experiment_id ?? '') };
  },

  async getExperimentByName(req, { stores }) {
    const name = req.experiment_name ?? '';
    const exp = await stores.tracking.getExperimentByName(name);
    if (!exp) throw MlflowError.notFound(`Could not find experiment with name '${name}'`);
    return { experiment: exp };
  },

  async deleteExperiment(req, { stores }) {
    await stores.tracking.deleteExperiment(req.experiment_id ?? '');
    return {};
  },

  async restoreExperiment(req, { stores }) {
    await stores.tracking.restoreExperiment(req.experiment_id ?? '');
    return {};
  },

  async updateExperiment(req, { stores }) {
    if (req.new_name) {
      validateExperimentName(req.new_name);
      await stores.tracking.renameExperiment(req.experiment_id ?? '', req.new_name);
    }
    return {};
  },

  async setExperimentTag(req, { stores }) {
    const key = req.key!;
    const value = req.value ?? '';
    if (isCustomViewTag(key)) {
      // handlers._validate_custom_view_tag_write: only a new custom-view tag is capped.
      const exp = await stores.tracking.getExperiment(req.experiment_id ?? '');
      const tags = exp.tags ?? [];
      if (
        !tags.some((t) => t.key === key) &&
        tags.filter((t) => isCustomViewTag(t.key ?? '')).length >= MAX_CUSTOM_VIEWS_PER_EXPERIMENT
      ) {
        throw customViewLimitError(exp.experiment_id);
      }
    }
    validateExperimentTag(key, value);
    await stores.tracking.setExperimentTag(req.experiment_id ?? '', key, value);
    return {};
  },

  async deleteExperimentTag(req, { stores }) {
    await stores.tracking.deleteExperimentTag(req.experiment_id ?? '', req.key ?? '');
    return {};
  },
} satisfies DomainHandlers<MlflowService<DomainContext>>;
