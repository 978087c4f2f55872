import { resolveUriIfLocal } from './artifact-uri.js';
import { isConnectionLoss } from './driver-error.js';
import { openArtifactStores, type ArtifactStoreOptions, type ArtifactStores } from './artifacts/index.js';
import type { StoreDialect } from './dialects/dialect.js';
import { ensureSchema } from './schema.js';
import { refuseDisabledRollups } from './tracking/trace-rollups.js';
import type { StoreContext } from './tracking/context.js';
import { checkSingleTenant, ensureDefaultExperiment } from './tracking/experiments.js';
import { createTrackingStore, type TrackingStore } from './tracking/store.js';
import { parseBackendUri, type BackendLocation } from './uri.js';
import type { WebhookStore } from './webhooks/entities.js';
import type { WebhookOptions } from './webhooks/options.js';
import { SqlWebhookStore } from './webhooks/store.js';
import { SqlRegistryStore, type RegistryStore } from './registry/store.js';
import { checkRegistrySingleTenant } from './registry/tenancy.js';

export type { TrackingStore } from './tracking/store.js';
export type { StoreDialect } from './dialects/dialect.js';
export type { RegistryStore } from './registry/store.js';

export interface OpenStoresOptions {
  /** The server's default artifact root (e.g. `mlflow-artifacts:/` when serving artifacts, or ./mlruns). */
  defaultArtifactRoot: string;
  /** MLFLOW_TRUNCATE_LONG_VALUES; MLflow's default is true. */
  truncateLongValues?: boolean;
  /** MLFLOW_ARTIFACT_LOCATION_MAX_LENGTH; MLflow's default is 2048. */
  artifactLocationMaxLength?: number;
  /** MLFLOW_SQL_TRACE_ROLLUPS_ENABLED (default false). */
  traceRollups?: boolean;
  /** MLFLOW_MYSQL_SSL_CA / _CERT / _KEY: certificate files for MySQL connections (MLflow's connect_args). */
  mysqlSsl?: { ca?: string; cert?: string; key?: string };
  /** PostgreSQL / MySQL pool size (default 10). */
  poolSize?: number;
  /** PostgreSQL: statement, answer and connection timeout in ms (default 30 s). */
  dbTimeoutMs?: number;
  /** The server's artifacts destination (trusted host for artifact locations, as the root is). */
  artifactsDestination?: string;
  /** MLFLOW_ALLOWED_HOST_ADDRESSED_ARTIFACT_SCHEMES, split on commas. */
  allowedHostAddressedArtifactSchemes?: string[];
  /** MLFLOW_WEBHOOK_* settings (MLflow's defaults for any not given). */
  webhooks?: Partial<WebhookOptions>;
  /** `--registry-store-uri`: the model registry's database when not the backend store's. */
  registryStoreUri?: string;
  /** MLFLOW_CREATE_MODEL_VERSION_SOURCE_VALIDATION_REGEX (a Python `re` pattern). */
  modelVersionSourceRegex?: string;
  /** The artifact repositories (mlflow-artifacts service, run artifacts); MLflow's defaults when absent. */
  artifacts?: ArtifactStoreOptions;
  /**
   * Told of each failed attempt to reach the database at startup before the next one (MLflow's
   * create_sqlalchemy_engine_with_retry: up to 10 attempts, 0.1 * (2^n - 1) s apart). Without
   * it, the retries happen silently.
   */
  onConnectRetry?: (info: { attempt: number; attempts: number; delayMs: number; reason: string }) => void;
  /** Attempts before giving up (default 10, MLflow's MAX_RETRY_COUNT); 1 disables the wait. */
  connectAttempts?: number;
}

/**
 * Whether a failure to open the store means the database cannot be reached yet (refused or
 * lost connection, a server still starting up, no free connection slot), which is worth waiting
 * for at startup. A refusal of the database itself (a stale schema, bad credentials) is not.
 */
function isUnreachable(err: unknown): boolean {
  if (isConnectionLoss(err)) return true;
  const code = typeof err === 'object' && err !== null ? String((err as { code?: unknown }).code ?? '') : '';
  return /^E[A-Z]+$/.test(code) || /^08/.test(code) || code === '57P03' || code === '53300';
}

/** openStores, waiting for an unreachable database with MLflow's backoff at startup. */
async function openWithRetry(backendUri: string, opts: OpenStoresOptions): Promise<Stores> {
  const attempts = opts.connectAttempts ?? 10;
  for (let attempt = 1; ; attempt++) {
    try {
      return await openStoresOnce(backendUri, opts);
    } catch (err) {
      if (attempt >= attempts || !isUnreachable(err)) throw err;
      const delayMs = 100 * (2 ** attempt - 1);
      opts.onConnectRetry?.({ attempt, attempts, delayMs, reason: (err as Error).message });
      await new Promise((r) => setTimeout(r, delayMs));
    }
  }
}

/** What services get: the stores over one database, and the options they were opened with. */
export interface Stores {
  tracking: TrackingStore;
  /** Webhooks (in MLflow they live in the model registry's database). */
  webhooks: WebhookStore;
  /** The model registry, on the registry store URI (by default the backend store's database). */
  registry: RegistryStore;
  dialect: StoreDialect;
  /** Undefined when a write can succeed now, else the reason (for the readiness endpoint). */
  writeBlocker(): Promise<string | undefined>;
  options: Readonly<OpenStoresOptions>;
  /** Artifact backends (local filesystem, S3), chosen by URI. */
  artifacts: ArtifactStores;
  close(): Promise<void>;
}

type Opener<L> = (loc: L, opts: OpenStoresOptions) => Promise<StoreDialect>;

/**
 * Each engine's dialect folder, by the engine a URI names. Only the one in use is loaded (its
 * driver and DDL): pg for SQLite servers, better-sqlite3 for PostgreSQL ones, would only cost start
 * time and memory.
 */
const OPENERS: { [D in BackendLocation['dialect']]: Opener<Extract<BackendLocation, { dialect: D }>> } = {
  sqlite: async (loc) => (await import('./dialects/sqlite/index.js')).openSqlite(loc.path),
  postgresql: async (loc, opts) =>
    (await import('./dialects/postgres/index.js')).openPostgres(
      loc.connectionString,
      opts.poolSize,
      opts.dbTimeoutMs,
    ),
  mysql: async (loc, opts) =>
    (await import('./dialects/mysql/index.js')).openMysql(loc.mysql, {
      poolSize: opts.poolSize ?? 10,
      timeoutMs: opts.dbTimeoutMs ?? 30_000,
      ssl: opts.mysqlSsl,
    }),
};

/**
 * Opens the backend store URI: connects, creates the schema on an empty database (or verifies it is
 * at the pinned alembic head, refusing older revisions with MLflow's message), and seeds the Default
 * experiment (id 0) as SqlAlchemyStore.__init__ does.
 */
export async function openStores(backendUri: string, opts: OpenStoresOptions): Promise<Stores> {
  return openWithRetry(backendUri, opts);
}

async function openStoresOnce(backendUri: string, opts: OpenStoresOptions): Promise<Stores> {
  const loc = parseBackendUri(backendUri);
  const dialect = await (OPENERS[loc.dialect] as Opener<BackendLocation>)(loc, opts);
  let registryDialect: StoreDialect | undefined;
  try {
    await ensureSchema(dialect);
    // A registry store URI naming another database gets its own connection and schema, created or
    // verified as the backend's is (MLflow's registry store initializes its tables the same way).
    if (opts.registryStoreUri && !sameDatabase(opts.registryStoreUri, backendUri)) {
      const regLoc = parseBackendUri(opts.registryStoreUri);
      registryDialect = await (OPENERS[regLoc.dialect] as Opener<BackendLocation>)(regLoc, opts);
      await ensureSchema(registryDialect);
    }
    const ctx: StoreContext = {
      dialect,
      db: dialect.db,
      artifactRoot: resolveUriIfLocal(opts.defaultArtifactRoot),
      artifactLocationMaxLength: opts.artifactLocationMaxLength ?? 2048,
      traceRollups: opts.traceRollups ?? false,
    };
    if (!ctx.traceRollups) await refuseDisabledRollups(dialect.db);
    await checkSingleTenant(ctx);
    await ensureDefaultExperiment(ctx);
    const second = registryDialect;
    const registryDb = second ?? dialect;
    const registry = new SqlRegistryStore(registryDb, {
      modelVersionSourceRegex: opts.modelVersionSourceRegex,
    });
    await checkRegistrySingleTenant(registry.ctx);
    const artifacts = openArtifactStores(
      opts.artifacts ?? {
        serveArtifacts: true,
        artifactsDestination: opts.artifactsDestination ?? './mlartifacts',
      },
    );
    return {
      tracking: createTrackingStore(ctx),
      registry,
      // Webhooks live in the model registry's database, as in MLflow.
      webhooks: new SqlWebhookStore(registryDb, { encryptionKey: opts.webhooks?.encryptionKey }),
      dialect,
      options: opts,
      writeBlocker: () => dialect.writeBlocker(),
      artifacts,
      close: async () => {
        await artifacts.close();
        await Promise.all([dialect.close(), second?.close()]);
      },
    };
  } catch (err) {
    await dialect.close().catch(() => undefined);
    await registryDialect?.close().catch(() => undefined);
    throw err;
  }
}

/**
 * `--artifacts-only`: the artifact backends and no database (MLflow's artifacts-only server never
 * opens its tracking store for the artifact routes). Reaching for a database store is a bug.
 */
export function openArtifactsOnlyStores(opts: OpenStoresOptions): Stores {
  const artifacts = openArtifactStores(
    opts.artifacts ?? {
      serveArtifacts: true,
      artifactsDestination: opts.artifactsDestination ?? './mlartifacts',
    },
  );
  const none = (what: string) => (): never => {
    throw new Error(`no ${what} in --artifacts-only mode`);
  };
  return {
    get tracking(): TrackingStore {
      return none('tracking store')();
    },
    get registry(): RegistryStore {
      return none('model registry store')();
    },
    get webhooks(): WebhookStore {
      return none('webhook store')();
    },
    get dialect(): StoreDialect {
      return none('database')();
    },
    options: opts,
    writeBlocker: async () => undefined,
    artifacts,
    close: () => artifacts.close(),
  };
}

/** Whether two store URIs name one database (`postgresql+psycopg2://` and `postgresql://` do). */
function sameDatabase(a: string, b: string): boolean {
  return a === b || JSON.stringify(parseBackendUri(a)) === JSON.stringify(parseBackendUri(b));
}
