/**
 * TEMPORARY Kysely table types of the model registry tables (mlflow/store/model_registry/dbmodels/
 * models.py at the pinned head), until the generated src/gen/sql table types land; then this file
 * is deleted and the store imports those.
 */
import type { ColumnType } from 'kysely';

type Workspace = ColumnType<string, string | undefined, string>;

export interface RegisteredModelsTable {
  workspace: Workspace;
  name: string;
  creation_time: number | null;
  last_updated_time: number | null;
  description: string | null;
}

export interface ModelVersionsTable {
  workspace: Workspace;
  name: string;
  version: number;
  creation_time: number | null;
  last_updated_time: number | null;
  description: string | null;
  user_id: string | null;
  current_stage: string | null;
  source: string | null;
  storage_location: string | null;
  run_id: string | null;
  run_link: string | null;
  status: string | null;
  status_message: string | null;
}

export interface RegisteredModelTagsTable {
  workspace: Workspace;
  name: string;
  key: string;
  value: string | null;
}

export interface ModelVersionTagsTable {
  workspace: Workspace;
  name: string;
  version: number;
  key: string;
  value: string | null;
}

export interface RegisteredModelAliasesTable {
  workspace: Workspace;
  name: string;
  alias: string;
  version: number;
}

export interface RegistryTables {
  registered_models: RegisteredModelsTable;
  model_versions: ModelVersionsTable;
  registered_model_tags: RegisteredModelTagsTable;
  model_version_tags: ModelVersionTagsTable;
  registered_model_aliases: RegisteredModelAliasesTable;
}
