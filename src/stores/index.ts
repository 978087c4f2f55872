import { MlflowError } from '../errors/mlflow-error.js';
import { makeArtifactHostPolicy } from '../services/tracking/host-policy.js';
import { resolveUriIfLocal } from './artifact-uri.js';
import type { StoreDialect } from './dialects/dialect.js';
import { ensureSchema } from './schema.js';
import type { StoreContext } from './tracking/context.js';
import { checkSingleTenant, ensureDefaultExperiment } from './tracking/experiments.js';
import { SqlRegistryStore, type RegistryStore } from './registry/store.js';
import { checkRegistrySingleTenant } from './registry/tenancy.js';
import { SqlTrackingStore } from './tracking/store.js';
import { parseBackendUri } from './uri.js';

export { SqlTrackingStore } from './tracking/store.js';
export type { StoreDialect } from './dialects/dialect.js';
export type { RegistryStore } from './registry/store.js';

export interface OpenStoresOptions {
  /** The server's default artifact root (e.g. `mlflow-artifacts:/` when serving artifacts, or ./mlruns). */
  defaultArtifactRoot: string;
  /** MLFLOW_TRUNCATE_LONG_VALUES; MLflow's default is true. */
  truncateLongValues?: boolean;
  /** MLFLOW_ARTIFACT_LOCATION_MAX_LENGTH; MLflow's default is 2048. */
  artifactLocationMaxLength?: number;
  /** PostgreSQL pool size (default 10). */
  poolSize?: number;
  /** The server's artifacts destination (trusted host for artifact locations, as the root is). */
  artifactsDestination?: string;
  /** MLFLOW_ALLOWED_HOST_ADDRESSED_ARTIFACT_SCHEMES, split on commas. */
  allowedHostAddressedArtifactSchemes?: string[];
  /** `--registry-store-uri`: the model registry's database when not the backend store's. */
  registryStoreUri?: string;
  /** MLFLOW_CREATE_MODEL_VERSION_SOURCE_VALIDATION_REGEX (a Python `re` pattern). */
  modelVersionSourceRegex?: string;
}

/** What services get: the stores over one database. */
export interface Stores {
  tracking: SqlTrackingStore;
  /** The model registry, on the registry store URI (by default the backend store's database). */
  registry: RegistryStore;
  dialect: StoreDialect;
  close(): Promise<void>;
}

/**
 * Opens the backend store URI: connects, creates the schema on an empty database (or verifies it is
 * at the pinned alembic head, refusing older revisions with MLflow's message), and seeds the Default
 * experiment (id 0) as SqlAlchemyStore.__init__ does.
 */
export async function openStores(backendUri: string, opts: OpenStoresOptions): Promise<Stores> {
  const dialect = await openDialect(backendUri, opts.poolSize);
  let registryDialect: StoreDialect | undefined;
  try {
    await ensureSchema(dialect);
    // A registry store URI naming another database gets its own connection and schema, created or
    // verified as the backend's is (MLflow's registry store initializes its tables the same way).
    if (opts.registryStoreUri && !sameDatabase(opts.registryStoreUri, backendUri)) {
      registryDialect = await openDialect(opts.registryStoreUri, opts.poolSize);
      await ensureSchema(registryDialect);
    }
    const ctx: StoreContext = {
      dialect,
      db: dialect.db,
      artifactRoot: resolveUriIfLocal(opts.defaultArtifactRoot),
      truncateLongValues: opts.truncateLongValues ?? true,
      artifactLocationMaxLength: opts.artifactLocationMaxLength ?? 2048,
      artifactHostPolicy: makeArtifactHostPolicy(
        [opts.defaultArtifactRoot, opts.artifactsDestination],
        opts.allowedHostAddressedArtifactSchemes,
      ),
    };
    await checkSingleTenant(ctx);
    await ensureDefaultExperiment(ctx);
    const second = registryDialect;
    const registry = new SqlRegistryStore(second ?? dialect, {
      modelVersionSourceRegex: opts.modelVersionSourceRegex,
    });
    await checkRegistrySingleTenant(registry.ctx);
    return {
      tracking: new SqlTrackingStore(ctx),
      registry,
      dialect,
      close: async () => {
        await Promise.all([dialect.close(), second?.close()]);
      },
    };
  } catch (err) {
    await dialect.close().catch(() => undefined);
    await registryDialect?.close().catch(() => undefined);
    if (err instanceof MlflowError) throw err;
    throw err;
  }
}

/** Whether two store URIs name one database (`postgresql+psycopg2://` and `postgresql://` do). */
function sameDatabase(a: string, b: string): boolean {
  return a === b || JSON.stringify(parseBackendUri(a)) === JSON.stringify(parseBackendUri(b));
}

/** Connects to a store URI. Only the driver (and DDL) of the dialect in use is loaded. */
async function openDialect(uri: string, poolSize: number | undefined): Promise<StoreDialect> {
  const loc = parseBackendUri(uri);
  return loc.dialect === 'sqlite'
    ? (await import('./dialects/sqlite.js')).openSqlite(loc.path)
    : (await import('./dialects/postgres.js')).openPostgres(loc.connectionString, poolSize);
}

/** The name the HTTP layer's loader (src/http/native-layer.ts) looks for; same as openStores. */
export const openStore = openStores;
