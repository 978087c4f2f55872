import { MlflowError } from '../errors/mlflow-error.js';
import { makeArtifactHostPolicy } from '../services/tracking/host-policy.js';
import { resolveUriIfLocal } from './artifact-uri.js';
import { openArtifactStores, type ArtifactStoreOptions, type ArtifactStores } from './artifacts/index.js';
import type { StoreDialect } from './dialects/dialect.js';
import { ensureSchema } from './schema.js';
import type { StoreContext } from './tracking/context.js';
import { checkSingleTenant, ensureDefaultExperiment } from './tracking/experiments.js';
import { SqlTrackingStore } from './tracking/store.js';
import { parseBackendUri } from './uri.js';

export { SqlTrackingStore } from './tracking/store.js';
export type { StoreDialect } from './dialects/dialect.js';

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
  /** The artifact repositories (mlflow-artifacts service, run artifacts); MLflow's defaults when absent. */
  artifacts?: ArtifactStoreOptions;
}

/** What services get: the stores over one database. */
export interface Stores {
  tracking: SqlTrackingStore;
  dialect: StoreDialect;
  /** Artifact backends (local filesystem, S3), chosen by URI. */
  artifacts: ArtifactStores;
  close(): Promise<void>;
}

/**
 * Opens the backend store URI: connects, creates the schema on an empty database (or verifies it is
 * at the pinned alembic head, refusing older revisions with MLflow's message), and seeds the Default
 * experiment (id 0) as SqlAlchemyStore.__init__ does.
 */
export async function openStores(backendUri: string, opts: OpenStoresOptions): Promise<Stores> {
  const loc = parseBackendUri(backendUri);
  // Only the driver (and DDL) of the backend in use is loaded: pg for SQLite servers, better-sqlite3
  // for PostgreSQL ones, would only cost start time and memory.
  const dialect =
    loc.dialect === 'sqlite'
      ? (await import('./dialects/sqlite.js')).openSqlite(loc.path)
      : (await import('./dialects/postgres.js')).openPostgres(loc.connectionString, opts.poolSize);
  try {
    await ensureSchema(dialect);
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
    const artifacts = openArtifactStores(
      opts.artifacts ?? {
        serveArtifacts: true,
        artifactsDestination: opts.artifactsDestination ?? './mlartifacts',
      },
    );
    return {
      tracking: new SqlTrackingStore(ctx),
      dialect,
      artifacts,
      close: async () => {
        await artifacts.close();
        await dialect.close();
      },
    };
  } catch (err) {
    await dialect.close().catch(() => undefined);
    if (err instanceof MlflowError) throw err;
    throw err;
  }
}

/** The name the HTTP layer's loader (src/http/native-layer.ts) looks for; same as openStores. */
export const openStore = openStores;
