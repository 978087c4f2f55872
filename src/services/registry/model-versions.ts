/** Model version and alias RPCs (server/handlers.py _create_model_version ... _get_model_version_by_alias). */
import { MlflowError } from '../../errors/mlflow-error.js';
import type {
  CreateModelVersion,
  CreateModelVersion_Response,
  DeleteModelVersion,
  DeleteModelVersionTag,
  DeleteRegisteredModelAlias,
  GetModelVersion,
  GetModelVersion_Response,
  GetModelVersionByAlias,
  GetModelVersionByAlias_Response,
  GetModelVersionDownloadUri,
  GetModelVersionDownloadUri_Response,
  SetModelVersionTag,
  SetRegisteredModelAlias,
  TransitionModelVersionStage,
  TransitionModelVersionStage_Response,
  UpdateModelVersion,
  UpdateModelVersion_Response,
} from '../../gen/messages.js';
import { artifactHostPolicyOf, validateArtifactUriHost } from '../tracking/host-policy.js';
import { emitRegistryEvent } from './events.js';
import { modelVersionByAlias } from './lookups.js';
import {
  IS_PROMPT_TAG_KEY,
  isPromptRequest,
  PROMPT_SOURCE_PLACEHOLDERS,
  PROMPT_TEXT_TAG_KEY,
  PROMPT_TYPE_TAG_KEY,
  tagDict,
} from './prompts.js';
import type { ModelService } from './service-type.js';
import {
  resolveSourceLineage,
  storageLocation,
  validateSourceModel,
  validateSourceRun,
  type Lineage,
} from './source.js';
import {
  ACTIVE_STAGES,
  canonicalStage,
  parseModelVersion,
  validateAliasName,
  validateAliasNameReserved,
  validateModelName,
  validateModelVersionTag,
  validateTagName,
} from './validation.js';

/**
 * MLFLOW_CREATE_MODEL_VERSION_SOURCE_VALIDATION_REGEX: a non-empty source must match (re.search).
 * A pattern JavaScript cannot compile fails the request as Python's re.error does (500).
 */
function checkSourceRegex(source: string, pattern: string | undefined): void {
  if (!source || !pattern) return;
  let re: RegExp;
  try {
    re = new RegExp(pattern, 'u');
  } catch (e) {
    throw new MlflowError(
      `Invalid MLFLOW_CREATE_MODEL_VERSION_SOURCE_VALIDATION_REGEX: ${(e as Error).message}`,
    );
  }
  if (!re.test(source)) throw MlflowError.invalidParameter(`Invalid model version source: '${source}'.`);
}

/** `_get_sql_model_version`'s checks: the name, then the version as an integer. */
function nameAndVersion(req: { name?: string; version?: string }): [string, number] {
  validateModelName(req.name);
  return [req.name, parseModelVersion(req.version)];
}

export const modelVersionHandlers = {
  async createModelVersion(req: CreateModelVersion, ctx): Promise<CreateModelVersion_Response> {
    const stores = ctx.stores;
    const requested = req.source ?? '';
    checkSourceRegex(requested, stores.registry.policy.modelVersionSourceRegex);
    const isPrompt = isPromptRequest(req.tags);
    if (isPrompt && !PROMPT_SOURCE_PLACEHOLDERS.has(requested)) {
      throw MlflowError.invalidParameter(
        `Invalid prompt source: '${requested}'. Prompt sources must use an MLflow placeholder.`,
      );
    }
    validateArtifactUriHost(requested, 'source', artifactHostPolicyOf(stores.options));
    // Prompts keep their placeholder source and the request's run and model ids as given.
    let lineage: Lineage = { source: requested, runId: req.run_id ?? '', modelId: req.model_id ?? '' };
    if (!isPrompt) {
      lineage = await resolveSourceLineage(stores, requested, req.run_id, req.model_id);
      if (lineage.modelId) await validateSourceModel(stores, lineage.source, lineage.modelId);
      else await validateSourceRun(stores, lineage.source, lineage.runId ?? '');
    }
    // The store's own checks come after the handler's source checks.
    const name = req.name ?? '';
    validateModelName(name);
    const tags = (req.tags ?? []).map((t) => ({ key: t.key ?? '', value: t.value ?? '' }));
    for (const t of tags) validateModelVersionTag(t.key, t.value);
    const { storageLocation: location, runId } = await storageLocation(stores, lineage);
    const model_version = await stores.registry.createModelVersion({
      name,
      source: lineage.source,
      storageLocation: location,
      runId,
      runLink: req.run_link ?? '',
      description: req.description ?? '',
      tags,
    });
    if (!isPrompt && lineage.modelId) {
      await stores.tracking.linkModelVersion(lineage.modelId, name, Number(model_version.version));
    }
    const version = model_version.version!;
    if (isPrompt) {
      const all = tagDict(req.tags);
      emitRegistryEvent(ctx, {
        entity: 'prompt_version',
        action: 'created',
        payload: {
          name,
          version,
          template: all[PROMPT_TEXT_TAG_KEY] ?? null,
          tags: tagDict(req.tags, [PROMPT_TEXT_TAG_KEY, IS_PROMPT_TAG_KEY, PROMPT_TYPE_TAG_KEY]),
          description: req.description || null,
        },
      });
    } else {
      emitRegistryEvent(ctx, {
        entity: 'model_version',
        action: 'created',
        payload: {
          name,
          version,
          source: lineage.source,
          run_id: lineage.runId || null,
          tags: tagDict(req.tags),
          description: req.description || null,
        },
      });
    }
    return { model_version };
  },

  async getModelVersion(req: GetModelVersion, ctx): Promise<GetModelVersion_Response> {
    const [name, version] = nameAndVersion(req);
    return { model_version: await ctx.stores.registry.getModelVersion(name, version) };
  },

  async updateModelVersion(req: UpdateModelVersion, ctx): Promise<UpdateModelVersion_Response> {
    const [name, version] = nameAndVersion(req);
    // Without a description in the request the stored one is cleared (MLflow passes None).
    const description = req.description ?? null;
    return { model_version: await ctx.stores.registry.updateModelVersion(name, version, description) };
  },

  async transitionModelVersionStage(
    req: TransitionModelVersionStage,
    ctx,
  ): Promise<TransitionModelVersionStage_Response> {
    const stage = canonicalStage(req.stage ?? '');
    const archive = req.archive_existing_versions ?? false;
    if (archive && !ACTIVE_STAGES.includes(stage)) {
      // A plain MlflowException in MLflow: INTERNAL_ERROR.
      throw new MlflowError(
        'Model version transition cannot archive existing model versions because ' +
          `'${req.stage}' is not an Active stage. Valid stages are ['Staging', 'Production']`,
      );
    }
    const [name, version] = nameAndVersion(req);
    return {
      model_version: await ctx.stores.registry.transitionModelVersionStage(name, version, stage, archive),
    };
  },

  async deleteModelVersion(req: DeleteModelVersion, ctx): Promise<Record<string, never>> {
    // delete_model_version reads the version as an integer before the name is checked.
    const version = parseModelVersion(req.version);
    validateModelName(req.name);
    await ctx.stores.registry.deleteModelVersion(req.name, version);
    return {};
  },

  async getModelVersionDownloadUri(
    req: GetModelVersionDownloadUri,
    ctx,
  ): Promise<GetModelVersionDownloadUri_Response> {
    const [name, version] = nameAndVersion(req);
    return { artifact_uri: await ctx.stores.registry.getModelVersionDownloadUri(name, version) };
  },

  async setModelVersionTag(req: SetModelVersionTag, ctx): Promise<Record<string, never>> {
    const [name, version] = nameAndVersion(req);
    const key = req.key ?? '';
    const value = req.value ?? '';
    validateModelVersionTag(key, value);
    const prompt = await ctx.stores.registry.setModelVersionTag(name, version, key, value);
    emitRegistryEvent(ctx, {
      entity: prompt ? 'prompt_version_tag' : 'model_version_tag',
      action: 'set',
      payload: { name, version: req.version ?? '', key, value },
    });
    return {};
  },

  async deleteModelVersionTag(req: DeleteModelVersionTag, ctx): Promise<Record<string, never>> {
    const [name, version] = nameAndVersion(req);
    const key = req.key ?? '';
    validateTagName(key);
    const prompt = await ctx.stores.registry.deleteModelVersionTag(name, version, key);
    emitRegistryEvent(ctx, {
      entity: prompt ? 'prompt_version_tag' : 'model_version_tag',
      action: 'deleted',
      payload: { name, version: req.version ?? '', key },
    });
    return {};
  },

  async setRegisteredModelAlias(req: SetRegisteredModelAlias, ctx): Promise<Record<string, never>> {
    validateModelName(req.name);
    validateAliasName(req.alias);
    validateAliasNameReserved(req.alias);
    const version = parseModelVersion(req.version);
    const { name, alias } = req;
    const prompt = await ctx.stores.registry.setRegisteredModelAlias(name, alias, version);
    emitRegistryEvent(ctx, {
      entity: prompt ? 'prompt_alias' : 'model_version_alias',
      action: 'created',
      payload: { name, alias, version: req.version ?? '' },
    });
    return {};
  },

  async deleteRegisteredModelAlias(req: DeleteRegisteredModelAlias, ctx): Promise<Record<string, never>> {
    validateModelName(req.name);
    validateAliasName(req.alias);
    const { name, alias } = req;
    const prompt = await ctx.stores.registry.deleteRegisteredModelAlias(name, alias);
    emitRegistryEvent(ctx, {
      entity: prompt ? 'prompt_alias' : 'model_version_alias',
      action: 'deleted',
      payload: { name, alias },
    });
    return {};
  },

  async getModelVersionByAlias(req: GetModelVersionByAlias, ctx): Promise<GetModelVersionByAlias_Response> {
    return { model_version: await modelVersionByAlias(ctx.stores.registry, req.name, req.alias) };
  },
} satisfies Partial<ModelService>;
