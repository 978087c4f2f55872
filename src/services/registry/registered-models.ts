/** Registered model RPCs (server/handlers.py _create_registered_model ... _delete_registered_model_tag). */
import type {
  CreateRegisteredModel,
  CreateRegisteredModel_Response,
  DeleteRegisteredModel,
  DeleteRegisteredModelTag,
  GetLatestVersions,
  GetLatestVersions_Response,
  GetRegisteredModel,
  GetRegisteredModel_Response,
  RenameRegisteredModel,
  RenameRegisteredModel_Response,
  SetRegisteredModelTag,
  UpdateRegisteredModel,
  UpdateRegisteredModel_Response,
} from '../../gen/messages.js';
import { emitRegistryEvent } from './events.js';
import { IS_PROMPT_TAG_KEY, isPromptRequest, PROMPT_TYPE_TAG_KEY, tagDict } from './prompts.js';
import type { ModelService } from './service-type.js';
import {
  canonicalStage,
  validateModelName,
  validateModelRenaming,
  validateRegisteredModelTag,
  validateTagName,
} from './validation.js';

export const registeredModelHandlers = {
  async createRegisteredModel(req: CreateRegisteredModel, ctx): Promise<CreateRegisteredModel_Response> {
    const name = req.name ?? '';
    const description = req.description ?? '';
    const tags = (req.tags ?? []).map((t) => ({ key: t.key ?? '', value: t.value ?? '' }));
    validateModelName(name);
    for (const t of tags) validateRegisteredModelTag(t.key, t.value);
    const registered_model = await ctx.stores.registry.createRegisteredModel(name, tags, description);
    if (isPromptRequest(req.tags)) {
      emitRegistryEvent(ctx, {
        entity: 'prompt',
        action: 'created',
        payload: { name, tags: tagDict(req.tags, [IS_PROMPT_TAG_KEY, PROMPT_TYPE_TAG_KEY]), description },
      });
    } else {
      emitRegistryEvent(ctx, {
        entity: 'registered_model',
        action: 'created',
        payload: { name, tags: tagDict(req.tags), description },
      });
    }
    return { registered_model };
  },

  async getRegisteredModel(req: GetRegisteredModel, ctx): Promise<GetRegisteredModel_Response> {
    validateModelName(req.name);
    return { registered_model: await ctx.stores.registry.getRegisteredModel(req.name) };
  },

  async updateRegisteredModel(req: UpdateRegisteredModel, ctx): Promise<UpdateRegisteredModel_Response> {
    validateModelName(req.name);
    return {
      registered_model: await ctx.stores.registry.updateRegisteredModel(req.name, req.description ?? ''),
    };
  },

  async renameRegisteredModel(req: RenameRegisteredModel, ctx): Promise<RenameRegisteredModel_Response> {
    validateModelRenaming(req.new_name ?? '');
    validateModelName(req.name);
    return { registered_model: await ctx.stores.registry.renameRegisteredModel(req.name, req.new_name!) };
  },

  async deleteRegisteredModel(req: DeleteRegisteredModel, ctx): Promise<Record<string, never>> {
    validateModelName(req.name);
    await ctx.stores.registry.deleteRegisteredModel(req.name);
    return {};
  },

  async setRegisteredModelTag(req: SetRegisteredModelTag, ctx): Promise<Record<string, never>> {
    const name = req.name ?? '';
    const key = req.key ?? '';
    const value = req.value ?? '';
    validateModelName(name);
    validateRegisteredModelTag(key, value);
    if (await ctx.stores.registry.setRegisteredModelTag(name, key, value)) {
      emitRegistryEvent(ctx, { entity: 'prompt_tag', action: 'set', payload: { name, key, value } });
    }
    return {};
  },

  async deleteRegisteredModelTag(req: DeleteRegisteredModelTag, ctx): Promise<Record<string, never>> {
    const name = req.name ?? '';
    const key = req.key ?? '';
    validateModelName(name);
    validateTagName(key);
    if (await ctx.stores.registry.deleteRegisteredModelTag(name, key)) {
      emitRegistryEvent(ctx, { entity: 'prompt_tag', action: 'deleted', payload: { name, key } });
    }
    return {};
  },

  async getLatestVersions(req: GetLatestVersions, ctx): Promise<GetLatestVersions_Response> {
    validateModelName(req.name);
    const stages = req.stages ?? [];
    const versions = await ctx.stores.registry.getLatestVersions(req.name, () =>
      stages.length ? new Set(stages.map(canonicalStage)) : undefined,
    );
    return versions.length ? { model_versions: versions } : {};
  },
} satisfies Partial<ModelService>;
