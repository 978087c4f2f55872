import type { ModelVersion, RegisteredModel } from '../../gen/messages.js';
import type { StoreDialect } from '../dialects/dialect.js';
import type { RegistryContext } from './context.js';
import type { TagRow } from './entities.js';
import * as versions from './model-versions.js';
import * as models from './registered-models.js';
import * as search from './search.js';

export type { CreateVersionArgs } from './model-versions.js';
export type {
  ModelColumn,
  ModelSortColumn,
  RegistrySearchQuery,
  VersionColumn,
  VersionSortColumn,
} from './search.js';

/**
 * The model registry store: MLflow's model_registry SqlAlchemyStore semantics (existence checks,
 * uniqueness, version numbering, soft deletes) over the registry database. Inputs are validated by
 * the services (src/services/registry/validation.ts). Writes that MLflow follows with a webhook
 * resolve to whether the model is a prompt (`_is_prompt`), read in the same transaction.
 */
export interface RegistryStore {
  readonly policy: RegistryPolicy;
  createRegisteredModel(
    name: string,
    tags: readonly TagRow[],
    description: string | null,
  ): Promise<RegisteredModel>;
  getRegisteredModel(name: string): Promise<RegisteredModel>;
  /** Whether `name` is a registered model tagged as a prompt (RESOURCE_DOES_NOT_EXIST if none). */
  isPrompt(name: string): Promise<boolean>;
  updateRegisteredModel(name: string, description: string | null): Promise<RegisteredModel>;
  renameRegisteredModel(name: string, newName: string): Promise<RegisteredModel>;
  deleteRegisteredModel(name: string): Promise<void>;
  setRegisteredModelTag(name: string, key: string, value: string): Promise<boolean>;
  deleteRegisteredModelTag(name: string, key: string): Promise<boolean>;
  searchRegisteredModels(
    q: search.RegistrySearchQuery<search.ModelColumn, search.ModelSortColumn>,
  ): Promise<{ models: RegisteredModel[]; rows: number }>;

  createModelVersion(args: versions.CreateVersionArgs): Promise<ModelVersion>;
  getModelVersion(name: string, version: number): Promise<ModelVersion>;
  updateModelVersion(name: string, version: number, description: string | null): Promise<ModelVersion>;
  transitionModelVersionStage(
    name: string,
    version: number,
    stage: string,
    archiveExisting: boolean,
  ): Promise<ModelVersion>;
  deleteModelVersion(name: string, version: number): Promise<void>;
  getModelVersionDownloadUri(name: string, version: number): Promise<string>;
  getLatestVersions(name: string, stages: () => ReadonlySet<string> | undefined): Promise<ModelVersion[]>;
  setModelVersionTag(name: string, version: number, key: string, value: string): Promise<boolean>;
  deleteModelVersionTag(name: string, version: number, key: string): Promise<boolean>;
  searchModelVersions(
    q: search.RegistrySearchQuery<search.VersionColumn, search.VersionSortColumn>,
  ): Promise<{ versions: ModelVersion[]; rows: number }>;

  setRegisteredModelAlias(name: string, alias: string, version: number): Promise<boolean>;
  deleteRegisteredModelAlias(name: string, alias: string): Promise<boolean>;
  getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion>;
}

/** Server settings the registry handlers apply (they reach them through the store, as its data). */
export interface RegistryPolicy {
  /** MLFLOW_CREATE_MODEL_VERSION_SOURCE_VALIDATION_REGEX: sources must match it (`re.search`). */
  modelVersionSourceRegex?: string | undefined;
}

export class SqlRegistryStore implements RegistryStore {
  readonly ctx: RegistryContext;

  constructor(
    dialect: StoreDialect,
    readonly policy: RegistryPolicy = {},
  ) {
    this.ctx = { dialect, db: dialect.db };
  }

  createRegisteredModel(name: string, tags: readonly TagRow[], description: string | null) {
    return models.createRegisteredModel(this.ctx, name, tags, description);
  }
  getRegisteredModel(name: string) {
    return models.getRegisteredModel(this.ctx, name);
  }
  async isPrompt(name: string) {
    return models.isPromptModel(await models.findModel(this.ctx.db, name));
  }
  updateRegisteredModel(name: string, description: string | null) {
    return models.updateRegisteredModel(this.ctx, name, description);
  }
  renameRegisteredModel(name: string, newName: string) {
    return models.renameRegisteredModel(this.ctx, name, newName);
  }
  deleteRegisteredModel(name: string) {
    return models.deleteRegisteredModel(this.ctx, name);
  }
  setRegisteredModelTag(name: string, key: string, value: string) {
    return models.setRegisteredModelTag(this.ctx, name, key, value);
  }
  deleteRegisteredModelTag(name: string, key: string) {
    return models.deleteRegisteredModelTag(this.ctx, name, key);
  }
  searchRegisteredModels(q: search.RegistrySearchQuery<search.ModelColumn, search.ModelSortColumn>) {
    return search.searchRegisteredModels(this.ctx, q);
  }

  createModelVersion(args: versions.CreateVersionArgs) {
    return versions.createModelVersion(this.ctx, args);
  }
  getModelVersion(name: string, version: number) {
    return versions.getModelVersion(this.ctx, name, version);
  }
  updateModelVersion(name: string, version: number, description: string | null) {
    return versions.updateModelVersion(this.ctx, name, version, description);
  }
  transitionModelVersionStage(name: string, version: number, stage: string, archiveExisting: boolean) {
    return versions.transitionModelVersionStage(this.ctx, name, version, stage, archiveExisting);
  }
  deleteModelVersion(name: string, version: number) {
    return versions.deleteModelVersion(this.ctx, name, version);
  }
  getModelVersionDownloadUri(name: string, version: number) {
    return versions.getModelVersionDownloadUri(this.ctx, name, version);
  }
  getLatestVersions(name: string, stages: () => ReadonlySet<string> | undefined) {
    return versions.getLatestVersions(this.ctx, name, stages);
  }
  setModelVersionTag(name: string, version: number, key: string, value: string) {
    return versions.setModelVersionTag(this.ctx, name, version, key, value);
  }
  deleteModelVersionTag(name: string, version: number, key: string) {
    return versions.deleteModelVersionTag(this.ctx, name, version, key);
  }
  searchModelVersions(q: search.RegistrySearchQuery<search.VersionColumn, search.VersionSortColumn>) {
    return search.searchModelVersions(this.ctx, q);
  }
  setRegisteredModelAlias(name: string, alias: string, version: number) {
    return versions.setRegisteredModelAlias(this.ctx, name, alias, version);
  }
  deleteRegisteredModelAlias(name: string, alias: string) {
    return versions.deleteRegisteredModelAlias(this.ctx, name, alias);
  }
  getModelVersionByAlias(name: string, alias: string) {
    return versions.getModelVersionByAlias(this.ctx, name, alias);
  }
}
