import type { Logger } from 'pino';
import type { RouteStats } from '../http/app.js';
import type { FoundPython } from './find-python.js';
import { nativeOffReason } from './native-policy.js';
import type { ServerConfig } from './server-config.js';

/** The start-up banner: where the data lives, what is native vs proxied, and the child's state. */
export function logBanner(
  log: Logger,
  config: ServerConfig,
  info: { stats: RouteStats; python: FoundPython | undefined; nativeLayer: boolean },
): void {
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}${config.staticPrefix}`;
  const fallback = info.python
    ? `proxied to Python MLflow ${info.python.mlflowVersion} (${info.python.path}; child starting on a private 127.0.0.1 port)`
    : 'answer 501 NOT_IMPLEMENTED (standalone: no Python MLflow child)';
  const lines = [
    `mlflow-ts listening on ${url} (${config.workers} worker${config.workers > 1 ? 's' : ''})`,
    `  backend store: ${config.backendStoreUri}; registry store: ${config.registryStoreUri}`,
    `  artifacts: default root ${config.defaultArtifactRoot}` +
      (config.serveArtifacts ? `, served from ${config.artifactsDestination}` : ', not served'),
    `  RPCs: ${info.stats.nativeRpcs} native, ${info.stats.proxiedRpcs} ${fallback}; other routes likewise`,
  ];
  if (config.appName) lines.push('  UI: served by the Python child (behind --app-name)');
  else if (config.ui?.dir) lines.push(`  UI: served natively from ${config.ui.origin}`);
  else if (info.python) lines.push('  UI: proxied to the Python child (no UI build found)');
  else lines.push(`  UI: not available (${config.ui?.origin ?? 'not looked for'}); / says how to get it`);
  if (config.artifactsOnly) {
    lines.push(
      "  --artifacts-only: the mlflow-artifacts service only; tracking and registry routes answer MLflow's 503, no database is opened",
    );
  }
  if (config.traceArchivalConfig !== undefined) {
    // Server-owned trace archival is a loop of the Python server: mlflow-ts passes the flag on.
    lines.push(
      info.python
        ? `  trace archival (${config.traceArchivalConfig}): run by the Python child; archived traces are read through it`
        : `  trace archival (${config.traceArchivalConfig}): NOT running (it is the Python server's; no child in standalone mode)`,
    );
  }
  if (config.traceRollups.enabled) {
    // The rollup rebuild is the Python server's scheduled job (its job runner registers it from
    // the inherited MLFLOW_SQL_TRACE_ROLLUPS_ENABLED); mlflow-ts only queues and routes.
    lines.push(
      info.python
        ? "  SQL trace rollups: on; writes queue rebuilds, rebuilt on schedule by the Python child's job runner"
        : "  SQL trace rollups: on; writes queue rebuilds, but NOTHING rebuilds them here (the job is the Python server's; no child in standalone mode)",
    );
  }
  const off = nativeOffReason(config);
  if (off) {
    const exempt = config.appName ? '/health' : '/health and /version';
    lines.push(
      `  nothing is served natively (${off}): every route but ${exempt} goes to ${info.python ? 'the Python child' : '501'}`,
    );
  }
  lines.push(
    config.security.disabled
      ? '  security middleware: DISABLED'
      : `  security middleware: on (allowed hosts: ${config.security.checkHost ? config.security.allowedHosts.length + ' patterns' : 'all'}, X-Frame-Options: ${config.security.xFrameOptions ?? 'none'})`,
  );
  log.info(
    {
      url,
      backendStoreUri: config.backendStoreUri,
      nativeRpcs: info.stats.nativeRpcs,
      proxiedRpcs: info.stats.proxiedRpcs,
      python: info.python?.path ?? null,
    },
    lines.join('\n'),
  );
}
