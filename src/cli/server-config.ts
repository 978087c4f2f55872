import { accessSync, constants as fsConstants, readdirSync, existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { SecurityOptions } from '../http/security.js';
import type { S3Options } from '../stores/artifacts/s3.js';
import { resolveSecurityOptions } from '../http/security-defaults.js';
import type { WebhookOptions } from '../stores/webhooks/options.js';
import type { OptionValue, ParsedOptions } from './parse-args.js';
import { UsageError } from './usage-error.js';
import type { HttpLimits } from '../http/app.js';
import type { UiSource } from '../http/ui/static-ui.js';
import type { ServerInfoSettings } from '../services/ui/server-info.js';
import type { GraphqlLimits } from '../http/graphql/limits.js';
import { urlsplit } from '../py/urlparse.js';
import { webhookOptionsFromEnv } from './webhook-env.js';
import { modelCatalogFromEnv } from './model-catalog-env.js';
import type { ModelCatalogConfig } from '../services/traces/model-cost.js';
import { traceRollupsFromEnv, type TraceRollupsConfig } from './trace-rollups-env.js';

/** Everything `mlflow-ts server` runs with, resolved from flags, MLFLOW_* variables and defaults. */
export interface ServerConfig {
  backendStoreUri: string;
  readReplicaBackendStoreUri: string | undefined;
  registryStoreUri: string;
  defaultArtifactRoot: string;
  serveArtifacts: boolean;
  artifactsOnly: boolean;
  artifactsPresignedOnly: boolean;
  artifactsDestination: string;
  host: string;
  port: number;
  workers: number;
  /** '' when not set. */
  staticPrefix: string;
  security: SecurityOptions;
  gunicornOpts: string | undefined;
  waitressOpts: string | undefined;
  uvicornOpts: string | undefined;
  dev: boolean;
  exposePrometheus: string | undefined;
  appName: string | undefined;
  traceArchivalConfig: string | undefined;
  secretsCacheTtl: number;
  secretsCacheMaxSize: number;
  workspaceStoreUri: string | undefined;
  enableWorkspaces: boolean;
  envFile: string | undefined;
  logLevel: string;
  shutdownTimeoutMs: number;
  /** Explicit --python / MLFLOW_TS_PYTHON, if any (discovery happens later). */
  python: string | undefined;
  noPython: boolean;
  /** --static-dir / MLFLOW_TS_UI_DIR */
  staticDir: string | undefined;
  /** --no-ui-download */
  noUiDownload: boolean;
  /** The UI build found at start-up (src/cli/ui-dir.ts); undefined until then. */
  ui?: UiSource;
  pythonWorkers: number;
  pythonStartupTimeoutMs: number;
  /** Request limits and timeouts of the HTTP front (ms, bytes). */
  http: HttpLimits;
  /** PostgreSQL statement / answer / connection timeout; MySQL connection timeout (ms). */
  dbTimeoutMs: number;
  /** MLFLOW_MYSQL_SSL_CA / _CERT / _KEY: certificate files for MySQL connections. */
  mysqlSsl: { ca?: string; cert?: string; key?: string } | undefined;
  /** MLFLOW_TRUNCATE_LONG_VALUES (MLflow default: true). */
  truncateLongValues: boolean;
  /** MLFLOW_ARTIFACT_LOCATION_MAX_LENGTH (MLflow default: 2048). */
  artifactLocationMaxLength: number | undefined;
  /** MLFLOW_WEBHOOK_* settings given (webhook-env.ts). */
  webhooks: Partial<WebhookOptions>;
  /** MLFLOW_CREATE_MODEL_VERSION_SOURCE_VALIDATION_REGEX: model version sources must match it. */
  modelVersionSourceRegex: string | undefined;
  /** MLFLOW_PRESIGNED_DOWNLOAD_URL_TTL_SECONDS */
  presignedDownloadTtl: number | undefined;
  /** S3 artifact settings from MLFLOW_S3_* / AWS_REGION (credentials: the AWS SDK's own chain). */
  s3: S3Options;
  /** What GET server-info reports when mlflow-ts answers it (standalone). */
  serverInfo: ServerInfoSettings;
  /**
   * Nothing is set up for MLflow's assistant: no ~/.mlflow/assistant, no `claude` or `codex` on
   * PATH, no MLFLOW_ENABLE_REMOTE_ASSISTANT / MLFLOW_ENABLE_ASSISTANT_SANDBOX.
   */
  assistantUnconfigured: boolean;
  /** MLFLOW_DEPLOYMENTS_TARGET (the gateway-proxy route's upstream), if set. */
  deploymentsTarget: string | undefined;
  /** MLFLOW_SERVER_GRAPHQL_MAX_ROOT_FIELDS / MLFLOW_SERVER_GRAPHQL_MAX_ALIASES (default 10). */
  graphqlLimits: GraphqlLimits;
  /** MLFLOW_MODEL_CATALOG_URI / MLFLOW_MODEL_CATALOG_CACHE_TTL: where LLM span costs find model prices. */
  modelCatalog: ModelCatalogConfig;
  /** MLFLOW_SQL_TRACE_ROLLUPS_ENABLED and the rollup maintenance settings (trace-rollups-env.ts). */
  traceRollups: TraceRollupsConfig;
  /** Lines `mlflow server` echoes while resolving (printed before start-up). */
  notices: string[];
  /** Lines `mlflow server` prints to stderr (warnings, security summary). */
  warnings: string[];
}

const DEFAULT_TRACKING_URI = 'sqlite:///mlflow.db';
const DEFAULT_LOCAL_PATH = './mlruns';
const DEFAULT_ARTIFACTS_URI = 'mlflow-artifacts:/';

/** As MLflow decides: ./mlruns is kept as the default store only when it already holds experiments. */
function hasExistingMlrunsData(cwd: string): boolean {
  const dir = join(cwd, 'mlruns');
  try {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory() && /^\d+$/.test(entry.name) && existsSync(join(dir, entry.name, 'meta.yaml'))) {
        return true;
      }
    }
  } catch {
    return false;
  }
  return false;
}

function isLocalUri(uri: string): boolean {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(uri);
  return !m || m[1]!.toLowerCase() === 'file';
}

/** MLflow's boolean env parsing for MLFLOW_ENABLE_WORKSPACES / MLFLOW_ARTIFACTS_PRESIGNED_ONLY. */
function envBool(name: string, raw: string | undefined): boolean {
  if (raw === undefined) return false;
  const v = raw.toLowerCase();
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new Error(
    `${name} value must be one of ['true', 'false', '1', '0'] (case-insensitive), but got ${raw}`,
  );
}

function str(v: OptionValue): string | undefined {
  return v === undefined ? undefined : String(v);
}

function validateStaticPrefix(value: string | undefined): void {
  if (value === undefined) return;
  if (!value.startsWith('/')) throw new UsageError("--static-prefix must begin with a '/'.");
  if (value.endsWith('/')) throw new UsageError("--static-prefix should not end with a '/'.");
  if (value.includes('{') || value.includes('}'))
    throw new UsageError("--static-prefix must not contain '{' or '}'.");
}

function summarize(list: string): string {
  const items = list.split(',');
  const shown = items.slice(0, 3);
  if (items.length > 3) shown.push(`and ${items.length - 3} more`);
  return shown.join(', ');
}

/**
 * Applies `mlflow server`'s validation rules (same messages) and defaults. `env` is the process
 * environment after --env-file; it is read for the few variables MLflow reads outside click.
 */
export function resolveServerConfig(
  parsed: ParsedOptions,
  env: Readonly<Record<string, string | undefined>>,
  opts: { cwd: string; envFile: string | undefined },
): ServerConfig {
  const v = parsed.values;
  const fromCmdline = (k: string): boolean => parsed.sources[k] === 'commandline';
  const notices: string[] = [];
  const warnings: string[] = [];

  validateStaticPrefix(str(v.static_prefix));

  let uvicornOpts = str(v.uvicorn_opts);
  const gunicornOpts = str(v.gunicorn_opts);
  const waitressOpts = str(v.waitress_opts);
  const appName = str(v.app_name);
  const dev = v.dev === true;
  if (dev) {
    if (gunicornOpts) throw new UsageError("'--dev' and '--gunicorn-opts' cannot be specified together.");
    if (uvicornOpts) throw new UsageError("'--dev' and '--uvicorn-opts' cannot be specified together.");
    if (appName) {
      throw new UsageError(
        "'--dev' cannot be used with '--app-name'. Development mode with auto-reload " +
          'is only supported for the default MLflow tracking server.',
      );
    }
    uvicornOpts = '--reload --log-level debug';
  }
  const serverOpts = [gunicornOpts, waitressOpts, uvicornOpts].filter((o) => o !== undefined).length;
  if (serverOpts > 1) {
    throw new UsageError(
      "Cannot specify multiple server options. Choose one of: '--gunicorn-opts', '--waitress-opts', or '--uvicorn-opts'.",
    );
  }
  const flaskOnly = gunicornOpts !== undefined || waitressOpts !== undefined;
  if (
    flaskOnly &&
    (fromCmdline('allowed_hosts') ||
      fromCmdline('cors_allowed_origins') ||
      fromCmdline('disable_security_middleware'))
  ) {
    throw new UsageError(
      'Security middleware parameters (--allowed-hosts, --cors-allowed-origins, ' +
        '--disable-security-middleware) are only supported with the default uvicorn server. ' +
        'They cannot be used with --gunicorn-opts or --waitress-opts. To use security features, ' +
        'run without specifying a server option (uses uvicorn by default) or explicitly use --uvicorn-opts.',
    );
  }

  // click reads a flag's env var as "set" when non-empty; MLflow re-reads these two with its own parser.
  let enableWorkspaces = v.enable_workspaces === true;
  if (!enableWorkspaces && !fromCmdline('enable_workspaces')) {
    enableWorkspaces = envBool('MLFLOW_ENABLE_WORKSPACES', env.MLFLOW_ENABLE_WORKSPACES);
  }
  let artifactsPresignedOnly = v.artifacts_presigned_only === true;
  if (!fromCmdline('artifacts_presigned_only')) {
    artifactsPresignedOnly = envBool('MLFLOW_ARTIFACTS_PRESIGNED_ONLY', env.MLFLOW_ARTIFACTS_PRESIGNED_ONLY);
  }
  if (env.MLFLOW_WORKSPACE) {
    throw new Error(
      `MLFLOW_WORKSPACE=${env.MLFLOW_WORKSPACE} is client-only. Unset it before starting the server.`,
    );
  }

  const disableSecurity = v.disable_security_middleware === true;
  const allowedHosts = str(v.allowed_hosts);
  const corsOrigins = str(v.cors_allowed_origins);
  if (!disableSecurity) {
    if (allowedHosts === '*') {
      notices.push(
        'WARNING: Accepting ALL hosts. This may leave the server vulnerable to DNS rebinding attacks.',
      );
    }
    if (corsOrigins === '*') {
      notices.push(
        'WARNING: Allowing ALL origins for CORS. This allows ANY website to access your MLflow data. ' +
          'This configuration is only recommended for local development.',
      );
    }
  }

  let backendStoreUri = str(v.backend_store_uri);
  if (!backendStoreUri) {
    backendStoreUri = hasExistingMlrunsData(opts.cwd) ? DEFAULT_LOCAL_PATH : DEFAULT_TRACKING_URI;
    notices.push(`Backend store URI not provided. Using ${backendStoreUri}`);
  }
  let registryStoreUri = str(v.registry_store_uri);
  if (!registryStoreUri) {
    registryStoreUri = backendStoreUri;
    notices.push('Registry store URI not provided. Using backend store URI.');
  }
  const serveArtifacts = v.serve_artifacts !== false;
  let defaultArtifactRoot = str(v.default_artifact_root);
  if (!defaultArtifactRoot) {
    if (serveArtifacts) defaultArtifactRoot = DEFAULT_ARTIFACTS_URI;
    else defaultArtifactRoot = isLocalUri(backendStoreUri) ? backendStoreUri : DEFAULT_LOCAL_PATH;
  }

  const artifactsOnly = v.artifacts_only === true;
  const workspaceStoreUri = str(v.workspace_store_uri);
  const traceArchivalConfig = str(v.trace_archival_config);
  if (artifactsOnly && enableWorkspaces && !workspaceStoreUri) {
    throw new UsageError(
      '--workspace-store-uri is required when combining --enable-workspaces with ' +
        '--artifacts-only so artifact requests can be validated against a workspace provider.',
    );
  }
  if (artifactsOnly && backendStoreUri !== DEFAULT_TRACKING_URI && backendStoreUri !== DEFAULT_LOCAL_PATH) {
    throw new UsageError(
      'You are starting a tracking server in `--artifacts-only` mode and have provided a ' +
        `value for \`--backend_store_uri\`: '${backendStoreUri}'. A tracking server in ` +
        '`--artifacts-only` mode cannot have a value set for `--backend_store_uri` to ' +
        'properly proxy access to the artifact storage location.',
    );
  }
  if (artifactsOnly && traceArchivalConfig !== undefined) {
    throw new UsageError(
      '--trace-archival-config cannot be combined with --artifacts-only because ' +
        'artifact-only servers do not initialize the tracking store required for ' +
        'server-owned trace archival.',
    );
  }
  if (artifactsPresignedOnly && !serveArtifacts) {
    throw new UsageError(
      '--artifacts-presigned-only requires artifact serving to be enabled; --no-serve-artifacts is not supported.',
    );
  }
  if (workspaceStoreUri && !enableWorkspaces) {
    warnings.push(
      'Ignoring --workspace-store-uri because workspaces are not enabled. ' +
        'Use --enable-workspaces to activate workspace mode.',
    );
  }

  if (disableSecurity) {
    warnings.push(
      '[MLflow] WARNING: Security middleware is DISABLED. Your MLflow server is vulnerable to various attacks.',
    );
  } else if (!allowedHosts && !corsOrigins) {
    warnings.push(
      '[MLflow] Security middleware enabled with default settings (localhost-only). To allow connections ' +
        'from other hosts, use --host 0.0.0.0 and configure --allowed-hosts and --cors-allowed-origins.',
    );
  } else {
    const parts = ['[MLflow] Security middleware enabled'];
    if (allowedHosts) parts.push(`Allowed hosts: ${summarize(allowedHosts)}`);
    if (corsOrigins) parts.push(`CORS origins: ${summarize(corsOrigins)}`);
    warnings.push(parts.join('. ') + '.');
  }

  const staticPrefix = str(v.static_prefix) ?? '';
  const expose = str(v.expose_prometheus);
  if (expose !== undefined && existsSync(expose) && !statSync(expose).isDirectory()) {
    throw new UsageError(`--expose-prometheus must be a directory: '${expose}'`);
  }

  const s3Opts = s3Options(env);
  return {
    backendStoreUri,
    readReplicaBackendStoreUri: str(v.read_replica_backend_store_uri),
    registryStoreUri,
    defaultArtifactRoot,
    serveArtifacts,
    artifactsOnly,
    artifactsPresignedOnly,
    artifactsDestination: str(v.artifacts_destination) ?? './mlartifacts',
    host: str(v.host) ?? '127.0.0.1',
    port: Number(v.port ?? 5000),
    workers: v.workers === undefined ? 1 : Number(v.workers),
    staticPrefix,
    security: resolveSecurityOptions({
      disabled: disableSecurity,
      allowedHosts,
      corsAllowedOrigins: corsOrigins,
      xFrameOptions: str(v.x_frame_options),
      staticPrefix,
    }),
    gunicornOpts,
    waitressOpts,
    uvicornOpts,
    dev,
    exposePrometheus: expose,
    appName,
    traceArchivalConfig,
    secretsCacheTtl: Number(v.secrets_cache_ttl ?? 60),
    secretsCacheMaxSize: Number(v.secrets_cache_max_size ?? 1000),
    workspaceStoreUri,
    enableWorkspaces,
    envFile: opts.envFile,
    logLevel: str(v.log_level) ?? 'info',
    shutdownTimeoutMs: Number(v.shutdown_timeout ?? 60) * 1000,
    python: str(v.python),
    noPython: v.no_python === true,
    staticDir: str(v.static_dir),
    noUiDownload: v.no_ui_download === true,
    pythonWorkers: Number(v.python_workers ?? 1),
    pythonStartupTimeoutMs: Number(v.python_startup_timeout ?? 180) * 1000,
    http: {
      maxBodyBytes: Number(v.max_body_size ?? 64) * 1024 * 1024,
      headersTimeoutMs: Number(v.headers_timeout ?? 30) * 1000,
      bodyTimeoutMs: Number(v.body_timeout ?? 120) * 1000,
      idleTimeoutMs: Number(v.idle_timeout ?? 120) * 1000,
      keepAliveTimeoutMs: Number(v.keep_alive_timeout ?? 72) * 1000,
    },
    dbTimeoutMs: Number(v.db_timeout ?? 30) * 1000,
    mysqlSsl:
      env.MLFLOW_MYSQL_SSL_CA || env.MLFLOW_MYSQL_SSL_CERT || env.MLFLOW_MYSQL_SSL_KEY
        ? {
            ca: env.MLFLOW_MYSQL_SSL_CA || undefined,
            cert: env.MLFLOW_MYSQL_SSL_CERT || undefined,
            key: env.MLFLOW_MYSQL_SSL_KEY || undefined,
          }
        : undefined,
    truncateLongValues:
      env.MLFLOW_TRUNCATE_LONG_VALUES === undefined
        ? true
        : envBool('MLFLOW_TRUNCATE_LONG_VALUES', env.MLFLOW_TRUNCATE_LONG_VALUES),
    artifactLocationMaxLength: env.MLFLOW_ARTIFACT_LOCATION_MAX_LENGTH
      ? Number(env.MLFLOW_ARTIFACT_LOCATION_MAX_LENGTH)
      : undefined,
    webhooks: webhookOptionsFromEnv(env),
    modelCatalog: modelCatalogFromEnv(env),
    traceRollups: traceRollupsFromEnv(env, { artifactsOnly }),
    modelVersionSourceRegex: env.MLFLOW_CREATE_MODEL_VERSION_SOURCE_VALIDATION_REGEX || undefined,
    s3: s3Opts,
    deploymentsTarget: env.MLFLOW_DEPLOYMENTS_TARGET || undefined,
    graphqlLimits: {
      maxRootFields: intEnv(env, 'MLFLOW_SERVER_GRAPHQL_MAX_ROOT_FIELDS', 10),
      maxAliases: intEnv(env, 'MLFLOW_SERVER_GRAPHQL_MAX_ALIASES', 10),
    },
    serverInfo: serverInfoSettings(env, {
      artifactsOnly,
      serveArtifacts,
      artifactsPresignedOnly,
      artifactsDestination: str(v.artifacts_destination) ?? './mlartifacts',
      s3: s3Opts,
    }),
    assistantUnconfigured: assistantUnconfigured(env),
    presignedDownloadTtl: env.MLFLOW_PRESIGNED_DOWNLOAD_URL_TTL_SECONDS
      ? Number(env.MLFLOW_PRESIGNED_DOWNLOAD_URL_TTL_SECONDS)
      : undefined,
    notices,
    warnings,
  };
}

/**
 * The S3 settings MLflow's S3ArtifactRepository reads from the environment. Credentials
 * (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, profiles) are not read here: the
 * AWS SDK reads them from process.env itself, through its default provider chain, as boto3 does.
 */
function s3Options(env: Readonly<Record<string, string | undefined>>): S3Options {
  let uploadExtraArgs: Record<string, unknown> | undefined;
  if (env.MLFLOW_S3_UPLOAD_EXTRA_ARGS) {
    try {
      uploadExtraArgs = JSON.parse(env.MLFLOW_S3_UPLOAD_EXTRA_ARGS) as Record<string, unknown>;
    } catch {
      throw new UsageError(
        `MLFLOW_S3_UPLOAD_EXTRA_ARGS is not valid JSON: ${env.MLFLOW_S3_UPLOAD_EXTRA_ARGS}`,
      );
    }
  }
  return {
    endpointUrl: env.MLFLOW_S3_ENDPOINT_URL || undefined,
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined,
    uploadExtraArgs,
    partSize: env.MLFLOW_MULTIPART_UPLOAD_CHUNK_SIZE
      ? Number(env.MLFLOW_MULTIPART_UPLOAD_CHUNK_SIZE)
      : undefined,
  };
}

/** An executable of this name in a PATH directory (shutil.which). */
function onPath(env: Readonly<Record<string, string | undefined>>, name: string): boolean {
  return (env.PATH ?? '').split(':').some((dir) => {
    if (!dir) return false;
    try {
      accessSync(join(dir, name), fsConstants.X_OK);
      return statSync(join(dir, name)).isFile();
    } catch {
      return false;
    }
  });
}

/** See ServerConfig.assistantUnconfigured. */
function assistantUnconfigured(env: Readonly<Record<string, string | undefined>>): boolean {
  const home = env.HOME ?? homedir();
  return (
    !existsSync(join(home, '.mlflow', 'assistant')) &&
    !env.MLFLOW_ENABLE_REMOTE_ASSISTANT &&
    !env.MLFLOW_ENABLE_ASSISTANT_SANDBOX &&
    !onPath(env, 'claude') &&
    !onPath(env, 'codex')
  );
}

/** A boolean MLFLOW_* variable read where MLflow reads it per request: a bad value reads as false. */
function lenientBool(raw: string | undefined): boolean {
  return raw !== undefined && ['true', '1'].includes(raw.toLowerCase());
}

function serverInfoSettings(
  env: Readonly<Record<string, string | undefined>>,
  o: {
    artifactsOnly: boolean;
    serveArtifacts: boolean;
    artifactsPresignedOnly: boolean;
    artifactsDestination: string;
    s3: S3Options;
  },
): ServerInfoSettings {
  const rawSize = env.MLFLOW_SKILL_CONTENT_MAX_DECOMPRESSED_SIZE;
  const size =
    rawSize === undefined ? 25 * 1024 * 1024 : /^\s*[+-]?\d+\s*$/.test(rawSize) ? Number(rawSize) : NaN;
  return {
    artifactsOnly: o.artifactsOnly,
    serveArtifacts: o.serveArtifacts,
    artifactsPresignedOnly: o.artifactsPresignedOnly,
    destinationSupportsMultipart: urlsplit(o.artifactsDestination).scheme === 's3',
    proxyMultipartUpload: lenientBool(env.MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD),
    proxyMultipartDownload: lenientBool(env.MLFLOW_ENABLE_PROXY_MULTIPART_DOWNLOAD),
    sseCustomerKey: o.s3.uploadExtraArgs !== undefined && 'SSECustomerKey' in o.s3.uploadExtraArgs,
    skillContentMaxSize: Number.isFinite(size) && size > 0 ? size : undefined,
    trackingAuth: env.MLFLOW_SERVER_INFO_TRACKING_AUTH ?? '',
  };
}

/** An int MLFLOW_* variable (Python int() of it); a value int() refuses is a configuration error. */
function intEnv(env: Readonly<Record<string, string | undefined>>, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined) return fallback;
  if (!/^\s*[+-]?\d+(_\d+)*\s*$/.test(raw)) throw new UsageError(`${name} must be an integer, got '${raw}'`);
  return Number(raw.trim().replace(/_/g, ''));
}
