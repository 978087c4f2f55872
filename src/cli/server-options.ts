/**
 * The `mlflow-ts server` option table: every option of the pinned `mlflow server` (same names,
 * short flags, environment variables and defaults), followed by mlflow-ts's own options.
 * The parser (parse-args.ts) and the help text (help.ts) are both driven by this table so
 * they cannot drift apart.
 */

export type OptionKind =
  | { type: 'string' }
  | { type: 'int'; min?: number; max?: number }
  | { type: 'flag' }
  /** `--x/--no-x` style boolean pair, as click declares them. */
  | { type: 'bool-pair'; negative: string }
  | { type: 'choice'; choices: readonly string[] }
  /** A file that must exist (click.Path(exists=True, dir_okay=False)). */
  | { type: 'existing-file' };

export interface OptionSpec {
  /** Key in the parsed result (snake_case, as click names the parameter). */
  key: string;
  long: string;
  short?: string;
  env?: string;
  kind: OptionKind;
  default?: string | number | boolean;
  metavar?: string;
  help: string;
  /** Our own option (not part of `mlflow server`). */
  ours?: boolean;
}

const s = { type: 'string' } as const;
const flag = { type: 'flag' } as const;

export const SERVER_OPTIONS: readonly OptionSpec[] = [
  {
    key: 'backend_store_uri',
    long: '--backend-store-uri',
    env: 'MLFLOW_BACKEND_STORE_URI',
    kind: s,
    metavar: 'PATH',
    help:
      "URI to which to persist experiment and run data (e.g. 'sqlite:///path/to/file.db' or " +
      "'postgresql://...'). Default: sqlite:///mlflow.db, or ./mlruns when an existing ./mlruns store is present.",
  },
  {
    key: 'read_replica_backend_store_uri',
    long: '--read-replica-backend-store-uri',
    env: 'MLFLOW_READ_REPLICA_BACKEND_STORE_URI',
    kind: s,
    metavar: 'URI',
    help: 'URI of a read-only database replica; read operations are routed to it (passed to the Python child).',
  },
  {
    key: 'registry_store_uri',
    long: '--registry-store-uri',
    env: 'MLFLOW_REGISTRY_STORE_URI',
    kind: s,
    metavar: 'URI',
    help: 'URI to which to persist registered models. Default: the backend store URI.',
  },
  {
    key: 'default_artifact_root',
    long: '--default-artifact-root',
    env: 'MLFLOW_DEFAULT_ARTIFACT_ROOT',
    kind: s,
    metavar: 'URI',
    help:
      'Artifact root for new experiments. Default: mlflow-artifacts:/ when serving artifacts, ' +
      'otherwise ./mlruns.',
  },
  {
    key: 'serve_artifacts',
    long: '--serve-artifacts',
    env: 'MLFLOW_SERVE_ARTIFACTS',
    kind: { type: 'bool-pair', negative: '--no-serve-artifacts' },
    default: true,
    help: 'Serve artifact uploads, downloads and listings through the server (--no-serve-artifacts to disable). Default: True',
  },
  {
    key: 'artifacts_only',
    long: '--artifacts-only',
    env: 'MLFLOW_ARTIFACTS_ONLY',
    kind: flag,
    default: false,
    help: 'Serve only the proxied artifact endpoints; tracking endpoints are disabled. Default: False',
  },
  {
    key: 'artifacts_presigned_only',
    long: '--artifacts-presigned-only',
    env: 'MLFLOW_ARTIFACTS_PRESIGNED_ONLY',
    kind: flag,
    default: false,
    help: 'Require direct-to-storage artifact transfers through presigned URLs. Default: False',
  },
  {
    key: 'artifacts_destination',
    long: '--artifacts-destination',
    env: 'MLFLOW_ARTIFACTS_DESTINATION',
    kind: s,
    metavar: 'URI',
    default: './mlartifacts',
    help: "Base location for served artifacts (e.g. 's3://my-bucket'). Default: ./mlartifacts",
  },
  {
    key: 'host',
    long: '--host',
    short: '-h',
    env: 'MLFLOW_HOST',
    kind: s,
    metavar: 'HOST',
    default: '127.0.0.1',
    help: "Network interface to bind to (default: 127.0.0.1; '0.0.0.0' for all). Not a security setting: see --allowed-hosts.",
  },
  {
    key: 'port',
    long: '--port',
    short: '-p',
    env: 'MLFLOW_PORT',
    kind: { type: 'int' },
    default: 5000,
    help: 'The port to listen on (default: 5000).',
  },
  {
    key: 'workers',
    long: '--workers',
    short: '-w',
    env: 'MLFLOW_WORKERS',
    kind: { type: 'int', min: 1 },
    help: 'Number of Node.js worker processes sharing the port (default: 1). The Python child keeps its own worker count (--python-workers).',
  },
  {
    key: 'static_prefix',
    long: '--static-prefix',
    env: 'MLFLOW_STATIC_PREFIX',
    kind: s,
    help: 'A prefix prepended to the path of all static paths (must start with / and not end with /).',
  },
  {
    key: 'allowed_hosts',
    long: '--allowed-hosts',
    env: 'MLFLOW_SERVER_ALLOWED_HOSTS',
    kind: s,
    help:
      "Comma-separated allowed Host headers (fnmatch wildcards; '*' allows all). " +
      'Default: localhost (any port) and private IPs.',
  },
  {
    key: 'cors_allowed_origins',
    long: '--cors-allowed-origins',
    env: 'MLFLOW_SERVER_CORS_ALLOWED_ORIGINS',
    kind: s,
    help: "Comma-separated allowed CORS origins (fnmatch wildcards; '*' allows all). Default: localhost origins on any port.",
  },
  {
    key: 'disable_security_middleware',
    long: '--disable-security-middleware',
    env: 'MLFLOW_SERVER_DISABLE_SECURITY_MIDDLEWARE',
    kind: flag,
    default: false,
    help: 'DANGEROUS: disable host validation, CORS protection and security headers.',
  },
  {
    key: 'x_frame_options',
    long: '--x-frame-options',
    env: 'MLFLOW_SERVER_X_FRAME_OPTIONS',
    kind: s,
    default: 'SAMEORIGIN',
    help: "X-Frame-Options header value: 'SAMEORIGIN' (default), 'DENY' or 'NONE' (no header).",
  },
  {
    key: 'gunicorn_opts',
    long: '--gunicorn-opts',
    env: 'MLFLOW_GUNICORN_OPTS',
    kind: s,
    help: 'Options forwarded to gunicorn in the Python child.',
  },
  {
    key: 'waitress_opts',
    long: '--waitress-opts',
    kind: s,
    help: 'Options for waitress-serve in the Python child (deprecated).',
  },
  {
    key: 'uvicorn_opts',
    long: '--uvicorn-opts',
    env: 'MLFLOW_UVICORN_OPTS',
    kind: s,
    help: 'Options forwarded to uvicorn in the Python child.',
  },
  {
    key: 'dev',
    long: '--dev',
    kind: flag,
    default: false,
    help: "Debug logging and auto-reload of the Python child. Cannot be used with '--gunicorn-opts', '--uvicorn-opts' or '--app-name'.",
  },
  {
    key: 'expose_prometheus',
    long: '--expose-prometheus',
    env: 'MLFLOW_EXPOSE_PROMETHEUS',
    kind: s,
    help: 'Directory for Prometheus metrics; exposes /metrics (served by the Python child).',
  },
  {
    key: 'app_name',
    long: '--app-name',
    kind: { type: 'choice', choices: ['basic-auth'] },
    help: 'Application name (e.g. basic-auth). Served by the Python child: every guarded route is proxied.',
  },
  {
    key: 'trace_archival_config',
    long: '--trace-archival-config',
    env: 'MLFLOW_TRACE_ARCHIVAL_CONFIG',
    kind: { type: 'existing-file' },
    metavar: 'PATH',
    help: 'Path to the YAML config file for server-owned trace archival.',
  },
  {
    key: 'secrets_cache_ttl',
    long: '--secrets-cache-ttl',
    kind: { type: 'int', min: 10, max: 300 },
    default: 60,
    help: 'Server-side secrets cache time-to-live in seconds (10-300).',
  },
  {
    key: 'secrets_cache_max_size',
    long: '--secrets-cache-max-size',
    kind: { type: 'int', min: 1, max: 10000 },
    default: 1000,
    help: 'Server-side secrets cache maximum entries (1-10000).',
  },
  {
    key: 'workspace_store_uri',
    long: '--workspace-store-uri',
    env: 'MLFLOW_WORKSPACE_STORE_URI',
    kind: s,
    metavar: 'URI',
    help: 'Workspace provider backend URI. Default: the backend store URI.',
  },
  {
    key: 'enable_workspaces',
    long: '--enable-workspaces',
    kind: { type: 'bool-pair', negative: '--disable-workspaces' },
    default: false,
    help: 'Enable workspaces mode (--disable-workspaces to turn off). MLFLOW_ENABLE_WORKSPACES is honoured.',
  },
  // mlflow-ts's own options.
  {
    key: 'log_level',
    long: '--log-level',
    env: 'MLFLOW_TS_LOG_LEVEL',
    kind: { type: 'choice', choices: ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] },
    default: 'info',
    help: 'Log level of mlflow-ts (pino).',
    ours: true,
  },
  {
    key: 'shutdown_timeout',
    long: '--shutdown-timeout',
    env: 'MLFLOW_TS_SHUTDOWN_TIMEOUT',
    kind: { type: 'int', min: 0 },
    default: 60,
    help: 'Seconds to let in-flight requests finish on SIGTERM/SIGINT before closing connections.',
    ours: true,
  },
  {
    key: 'max_body_size',
    long: '--max-body-size',
    env: 'MLFLOW_TS_MAX_BODY_SIZE',
    kind: { type: 'int', min: 1 },
    default: 64,
    metavar: 'MB',
    help:
      'Largest request body (MiB) a natively served route reads; larger ones answer 413. Proxied routes ' +
      '(artifact uploads) stream and have no limit.',
    ours: true,
  },
  {
    key: 'headers_timeout',
    long: '--headers-timeout',
    env: 'MLFLOW_TS_HEADERS_TIMEOUT',
    kind: { type: 'int', min: 1 },
    default: 30,
    help: 'Seconds a client has to send the request line and headers (Node headersTimeout).',
    ours: true,
  },
  {
    key: 'body_timeout',
    long: '--body-timeout',
    env: 'MLFLOW_TS_BODY_TIMEOUT',
    kind: { type: 'int', min: 1 },
    default: 120,
    help:
      'Seconds a client has to send the whole body of a natively served request (408 after). ' +
      'Proxied bodies (artifact uploads) are bounded by --idle-timeout only.',
    ours: true,
  },
  {
    key: 'idle_timeout',
    long: '--idle-timeout',
    env: 'MLFLOW_TS_IDLE_TIMEOUT',
    kind: { type: 'int', min: 1 },
    default: 120,
    help:
      'Seconds without a byte in either direction after which a connection with a request in progress ' +
      'is closed (Fastify connectionTimeout).',
    ours: true,
  },
  {
    key: 'keep_alive_timeout',
    long: '--keep-alive-timeout',
    env: 'MLFLOW_TS_KEEP_ALIVE_TIMEOUT',
    kind: { type: 'int', min: 1 },
    default: 72,
    help: 'Seconds an idle keep-alive connection stays open (Fastify keepAliveTimeout).',
    ours: true,
  },
  {
    key: 'db_timeout',
    long: '--db-timeout',
    env: 'MLFLOW_TS_DB_TIMEOUT',
    kind: { type: 'int', min: 1 },
    default: 30,
    help:
      'PostgreSQL: seconds a statement may run, and a query may wait for an answer or a connection, ' +
      'before the request answers 503 TEMPORARILY_UNAVAILABLE.',
    ours: true,
  },
  {
    key: 'python',
    long: '--python',
    env: 'MLFLOW_TS_PYTHON',
    kind: s,
    metavar: 'PATH',
    help:
      'Python executable with the pinned mlflow installed, run as the fallback child. Default: python3 on PATH ' +
      'if it can import mlflow, else ./.venv/bin/python.',
    ours: true,
  },
  {
    key: 'no_python',
    long: '--no-python',
    env: 'MLFLOW_TS_NO_PYTHON',
    kind: flag,
    default: false,
    help: 'Standalone mode: no Python child; routes not served natively answer 501 NOT_IMPLEMENTED.',
    ours: true,
  },
  {
    key: 'static_dir',
    long: '--static-dir',
    env: 'MLFLOW_TS_UI_DIR',
    kind: s,
    metavar: 'DIR',
    help:
      "The MLflow UI build to serve (a directory holding index.html). Default: the mlflow package's " +
      'server/js/build of a Python found as for --python, else a cache filled from the pinned wheel.',
    ours: true,
  },
  {
    key: 'no_ui_download',
    long: '--no-ui-download',
    env: 'MLFLOW_TS_NO_UI_DOWNLOAD',
    kind: flag,
    default: false,
    help:
      'Never download the pinned MLflow wheel from PyPI to get the UI (without another source, / answers a ' +
      'page saying how to get it).',
    ours: true,
  },
  {
    key: 'python_workers',
    long: '--python-workers',
    env: 'MLFLOW_TS_PYTHON_WORKERS',
    kind: { type: 'int', min: 1 },
    default: 1,
    help: 'Worker processes of the Python child (default: 1; mlflow-ts holds the concurrency).',
    ours: true,
  },
  {
    key: 'python_startup_timeout',
    long: '--python-startup-timeout',
    env: 'MLFLOW_TS_PYTHON_STARTUP_TIMEOUT',
    kind: { type: 'int', min: 1 },
    default: 180,
    help: 'Seconds to wait for the Python child to answer /health before giving up.',
    ours: true,
  },
];
