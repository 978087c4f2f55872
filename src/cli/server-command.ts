import { findPython, pythonCandidates, type FoundPython } from './find-python.js';
import { serverHelp } from './help.js';
import { nativeOffReason } from './native-policy.js';
import { parseOptions } from './parse-args.js';
import { runServer } from './run-server.js';
import { resolveServerConfig, type ServerConfig } from './server-config.js';
import { SERVER_OPTIONS } from './server-options.js';
import { UsageError } from './usage-error.js';
import { shareGeneratedWebhookKey } from './webhook-env.js';
import cluster from 'node:cluster';
import { locateUi } from './ui-dir.js';
import { pinnedMlflowVersion } from '../http/health.js';

export interface ServerInvocation {
  config: ServerConfig;
  python: FoundPython | undefined;
}

/**
 * Parses and validates `mlflow-ts server` arguments against `env`, and finds the Python child.
 * Pure apart from the filesystem checks and the Python probe; returns undefined after --help.
 */
export function prepareServer(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  opts: { cwd: string; envFile: string | undefined; command: string; out: (s: string) => void },
): ServerInvocation | undefined {
  const parsed = parseOptions(argv, SERVER_OPTIONS, env);
  if (parsed.help) {
    opts.out(serverHelp(SERVER_OPTIONS, opts.command));
    return undefined;
  }
  const config = resolveServerConfig(parsed, env, { cwd: opts.cwd, envFile: opts.envFile });
  const python = config.noPython ? undefined : findPython(config.python, env, opts.cwd);
  const off = nativeOffReason(config);
  if (!python && off && !config.appName && !config.artifactsOnly) {
    throw new UsageError(
      `${off}, and there is no Python MLflow child to serve it (give --python, drop --no-python).`,
    );
  }
  if (!python && config.appName) {
    throw new UsageError(
      `--app-name ${config.appName} needs the Python MLflow child (it guards every route), ` +
        'but none is available: give --python / MLFLOW_TS_PYTHON and do not use --no-python.',
    );
  }
  return { config, python };
}

/** Pythons whose mlflow package may hold the UI: the child's, else (standalone) the usual ones. */
function uiPythons(inv: ServerInvocation, cwd: string): string[] {
  if (inv.python) return [inv.python.path];
  if (inv.config.python) return [inv.config.python];
  return pythonCandidates(cwd);
}

export async function serverCommand(
  argv: readonly string[],
  env: Record<string, string | undefined>,
  opts: { envFile: string | undefined; command: string },
): Promise<void> {
  const primary = cluster.isPrimary;
  let inv: ServerInvocation | undefined;
  try {
    inv = prepareServer(argv, env, {
      cwd: process.cwd(),
      envFile: opts.envFile,
      command: opts.command,
      out: (s) => process.stdout.write(s),
    });
  } catch (err) {
    if (err instanceof UsageError || !(err instanceof Error)) throw err;
    // Configuration problems (bad --python, MLFLOW_WORKSPACE set...) are reported, not traced.
    process.stderr.write(`mlflow-ts: error: ${err.message}\n`);
    process.exitCode = 1;
    return;
  }
  if (!inv) return;
  if (primary) {
    for (const n of inv.config.notices) process.stdout.write(`${n}\n`);
    for (const w of inv.config.warnings) process.stderr.write(`${w}\n`);
    const pinned = pinnedMlflowVersion();
    if (inv.python && inv.python.mlflowVersion !== pinned) {
      process.stderr.write(
        `mlflow-ts: warning: ${inv.python.path} has mlflow ${inv.python.mlflowVersion}, but mlflow-ts is built ` +
          `against ${pinned}; proxied routes may behave differently.\n`,
      );
    }
    if (!inv.python && !inv.config.noPython) {
      process.stderr.write(
        'mlflow-ts: no Python with mlflow found (python3, ./.venv): running standalone; ' +
          'routes not served natively answer 501. Use --python to enable the fallback.\n',
      );
    }
  }
  // The primary fills the UI cache if it must; workers (started after) then find it there.
  inv.config.ui = await locateUi({
    staticDir: inv.config.staticDir,
    pythons: uiPythons(inv, process.cwd()),
    pin: pinnedMlflowVersion(),
    env,
    cwd: process.cwd(),
    download: primary && !inv.config.noUiDownload,
    say: (line) => {
      if (primary) process.stderr.write(`${line}\n`);
    },
  });
  if (primary) shareGeneratedWebhookKey(inv.config.webhooks, env, process.env);
  await runServer(inv.config, inv.python, env, Boolean(process.stdout.isTTY));
}
