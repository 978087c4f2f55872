import type { Kysely, Transaction } from 'kysely';
import type { StoreDialect } from '../dialects/dialect.js';
import type { TrackingDatabase } from '../tables.js';

/** What the registry store's query modules share: the registry database (maybe not the backend's). */
export interface RegistryContext {
  dialect: StoreDialect;
  db: Kysely<TrackingDatabase>;
}

export type RegistryDb = Kysely<TrackingDatabase> | Transaction<TrackingDatabase>;

/** Single-tenant MLflow: every registry row lives in the default workspace. */
export const WORKSPACE = 'default';

/** Model version stages (entities/model_registry/model_version_stages.py). */
export const STAGE_NONE = 'None';
export const STAGE_ARCHIVED = 'Archived';
export const STAGE_DELETED_INTERNAL = 'Deleted_Internal';

export const IS_PROMPT_TAG_KEY = 'mlflow.prompt.is_prompt';

/** Milliseconds since the epoch, as mlflow.utils.time.get_current_time_millis. */
export const nowMillis = (): number => Date.now();
