/**
 * The command line and environment of the Python child: the real `python -m mlflow server`
 * on 127.0.0.1 and a private port, with the same store/artifact options as ours and everything
 * only Python can honour (--app-name, --expose-prometheus, gunicorn/uvicorn options...).
 */

export interface ChildOptions {
  python: string;
  port: number;
  workers: number;
  backendStoreUri: string;
  readReplicaBackendStoreUri: string | undefined;
  registryStoreUri: string;
  defaultArtifactRoot: string;
  serveArtifacts: boolean;
  artifactsOnly: boolean;
  artifactsPresignedOnly: boolean;
  artifactsDestination: string;
  staticPrefix: string;
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
  /** Environment to start from (ours after --env-file); server variables are removed from it. */
  baseEnv: Readonly<Record<string, string | undefined>>;
  /** Names of the environment variables `mlflow server` reads for its options. */
  serverEnvVars: readonly string[];
}

/**
 * Runs the real server as a grandchild and watches its stdin: when mlflow-ts dies in any way
 * (even SIGKILL) the pipe closes, and the watchdog terminates the whole process group, so no
 * Python process outlives us. It ignores SIGTERM itself so that a group-wide SIGTERM lets it
 * report the server's exit status.
 */
export const WATCHDOG = [
  'import os, signal, subprocess, sys, threading, time',
  'signal.signal(signal.SIGTERM, lambda *a: None)',
  'signal.signal(signal.SIGINT, lambda *a: None)',
  'proc = subprocess.Popen(sys.argv[1:], stdin=subprocess.DEVNULL)',
  'def watch():',
  '    while os.read(0, 65536):',
  '        pass',
  '    try:',
  '        os.killpg(0, signal.SIGTERM)',
  '        time.sleep(5)',
  '        os.killpg(0, signal.SIGKILL)',
  '    except OSError:',
  '        pass',
  'threading.Thread(target=watch, daemon=True).start()',
  // os._exit: a daemon thread blocked on stdin would abort a normal interpreter shutdown.
  'os._exit(proc.wait())',
].join('\n');

export function childCommand(o: ChildOptions): {
  command: string;
  args: string[];
  env: Record<string, string>;
} {
  const args: string[] = ['-m', 'mlflow'];
  if (o.envFile) args.push('--env-file', o.envFile);
  args.push('server');
  args.push('--backend-store-uri', o.backendStoreUri, '--registry-store-uri', o.registryStoreUri);
  if (o.readReplicaBackendStoreUri)
    args.push('--read-replica-backend-store-uri', o.readReplicaBackendStoreUri);
  args.push('--default-artifact-root', o.defaultArtifactRoot);
  args.push(o.serveArtifacts ? '--serve-artifacts' : '--no-serve-artifacts');
  args.push('--artifacts-destination', o.artifactsDestination);
  if (o.artifactsOnly) args.push('--artifacts-only');
  if (o.artifactsPresignedOnly) args.push('--artifacts-presigned-only');
  args.push('--host', '127.0.0.1', '--port', String(o.port), '--workers', String(o.workers));
  if (o.staticPrefix) args.push('--static-prefix', o.staticPrefix);
  if (o.dev) args.push('--dev');
  else if (o.gunicornOpts !== undefined) args.push('--gunicorn-opts', o.gunicornOpts);
  else if (o.waitressOpts !== undefined) args.push('--waitress-opts', o.waitressOpts);
  else if (o.uvicornOpts !== undefined) args.push('--uvicorn-opts', o.uvicornOpts);
  if (o.exposePrometheus) args.push('--expose-prometheus', o.exposePrometheus);
  if (o.appName) args.push('--app-name', o.appName);
  if (o.traceArchivalConfig) args.push('--trace-archival-config', o.traceArchivalConfig);
  args.push('--secrets-cache-ttl', String(o.secretsCacheTtl));
  args.push('--secrets-cache-max-size', String(o.secretsCacheMaxSize));
  if (o.workspaceStoreUri) args.push('--workspace-store-uri', o.workspaceStoreUri);
  args.push(o.enableWorkspaces ? '--enable-workspaces' : '--disable-workspaces');

  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(o.baseEnv)) {
    if (v === undefined || o.serverEnvVars.includes(k) || k.startsWith('MLFLOW_TS_')) continue;
    env[k] = v;
  }
  // The front applies the security middleware to every route; the child only ever sees our
  // loopback requests, and a second layer would duplicate CORS/frame headers.
  env.MLFLOW_SERVER_DISABLE_SECURITY_MIDDLEWARE = 'true';
  env.MLFLOW_ENABLE_WORKSPACES = o.enableWorkspaces ? 'true' : 'false';
  env.PYTHONUNBUFFERED = '1';
  return { command: o.python, args: ['-c', WATCHDOG, o.python, ...args], env };
}
