/**
 * The logged-model RPCs of MlflowService (handlers._create_logged_model ... _delete_logged_model_tag,
 * and _log_outputs): MLflow 3's record of a model, its tags, params and status. The model id is
 * the path's (`/logged-models/<model_id>`), as in MLflow, whatever the body says.
 */
import type { MlflowService } from '../../gen/services.js';
import { STATUS_NAMES } from '../../stores/tracking/logged-models.js';
import type { DomainContext, DomainHandlers } from '../types.js';
import { validateLoggedModelName } from './validation.js';

const kv = (list: readonly { key?: string; value?: string }[] | undefined) =>
  (list ?? []).map((t) => ({ key: t.key ?? '', value: t.value ?? '' }));

export const loggedModelHandlers = {
  async createLoggedModel(req, { stores }) {
    const name = req.name || undefined;
    validateLoggedModelName(name);
    const model = await stores.tracking.createLoggedModel({
      experimentId: req.experiment_id ?? '',
      name,
      // Unset proto2 strings read as "" in the handler, and are stored so.
      modelType: req.model_type ?? '',
      sourceRunId: req.source_run_id ?? '',
      params: kv(req.params),
      tags: kv(req.tags),
    });
    return { model };
  },

  async getLoggedModel(req, { stores, args }) {
    const allowDeleted = (args?.().get('allow_deleted') ?? 'false').toLowerCase() === 'true';
    return { model: await stores.tracking.getLoggedModel(req.model_id ?? '', allowDeleted) };
  },

  async finalizeLoggedModel(req, { stores }) {
    const status = Math.max(0, STATUS_NAMES.indexOf(req.status ?? 'LOGGED_MODEL_STATUS_UNSPECIFIED'));
    return { model: await stores.tracking.finalizeLoggedModel(req.model_id ?? '', status) };
  },

  async deleteLoggedModel(req, { stores }) {
    await stores.tracking.deleteLoggedModel(req.model_id ?? '');
    return {};
  },

  async setLoggedModelTags(req, { stores }) {
    await stores.tracking.setLoggedModelTags(req.model_id ?? '', kv(req.tags));
    return {};
  },

  async deleteLoggedModelTag(req, { stores }) {
    await stores.tracking.deleteLoggedModelTag(req.model_id ?? '', req.tag_key ?? '');
    return {};
  },

  async LogLoggedModelParams(req, { stores }) {
    await stores.tracking.logLoggedModelParams(req.model_id ?? '', kv(req.params));
    return {};
  },

  async logOutputs(req, { stores }) {
    const models = (req.models ?? []).map((m) => ({ model_id: m.model_id ?? '', step: m.step ?? 0 }));
    await stores.tracking.logOutputs(req.run_id ?? '', models);
    return {};
  },
} satisfies DomainHandlers<MlflowService<DomainContext>>;
