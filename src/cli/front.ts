import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { buildApp, type RouteStats } from '../http/app.js';
import { pinnedMlflowVersion } from '../http/health.js';
import { loadArtifactsOnlyLayer, loadNativeLayer, type NativeLayer } from '../http/native-layer.js';
import type { ChildLink } from '../proxy/child-link.js';
import type { createForwarder } from '../proxy/forward.js';
import type { OpenStoresOptions } from '../stores/index.js';
import { configureModelCost } from '../services/traces/model-cost.js';
import { nativeOffReason } from './native-policy.js';
import type { ServerConfig } from './server-config.js';

export interface Front {
  app: FastifyInstance;
  stats: RouteStats;
  native: NativeLayer | undefined;
  /** Stops accepting, lets in-flight requests finish (up to the shutdown timeout), then closes. */
  close(): Promise<void>;
}

/** What the native layer's stores are opened with. */
export function nativeStoreOptions(config: ServerConfig): OpenStoresOptions {
  return {
    defaultArtifactRoot: config.defaultArtifactRoot,
    truncateLongValues: config.truncateLongValues,
    artifactLocationMaxLength: config.artifactLocationMaxLength,
    traceRollups: config.traceRollups.enabled,
    dbTimeoutMs: config.dbTimeoutMs,
    mysqlSsl: config.mysqlSsl,
    webhooks: config.webhooks,
    registryStoreUri: config.registryStoreUri,
    modelVersionSourceRegex: config.modelVersionSourceRegex,
    artifacts: {
      serveArtifacts: config.serveArtifacts,
      artifactsDestination: config.artifactsDestination,
      artifactsPresignedOnly: config.artifactsPresignedOnly,
      presignedDownloadTtl: config.presignedDownloadTtl,
      s3: config.s3,
    },
  };
}

/** nativeStoreOptions, saying on `log` while it waits for an unreachable database at startup. */
export function storeOptionsLogged(config: ServerConfig, log: Logger): OpenStoresOptions {
  return {
    ...nativeStoreOptions(config),
    onConnectRetry: ({ attempt, attempts, delayMs, reason }) =>
      log.warn(
        `waiting for the database: ${reason}; attempt ${attempt} of ${attempts} failed, ` +
          `retrying in ${(delayMs / 1000).toFixed(1)} s`,
      ),
  };
}

/** Builds and starts the HTTP front of one process (the only process, or one cluster worker). */
export async function startFront(
  config: ServerConfig,
  opts: { link: ChildLink | undefined; log: Logger; listen: boolean },
): Promise<Front> {
  const { log, link } = opts;
  const guardedByApp = config.appName !== undefined;
  configureModelCost(config.modelCatalog);
  const native = nativeOffReason(config)
    ? undefined
    : config.artifactsOnly
      ? loadArtifactsOnlyLayer(nativeStoreOptions(config))
      : await loadNativeLayer(config.backendStoreUri, storeOptionsLogged(config, log));
  // The proxy (undici) is loaded only when there is a Python child to forward to: standalone
  // servers start faster and stay smaller without it.
  const forwarder: ReturnType<typeof createForwarder> | undefined = link
    ? (await import('../proxy/forward.js')).createForwarder(link)
    : undefined;
  const { app, stats } = await buildApp({
    logger: log,
    security: config.security,
    staticPrefix: config.staticPrefix,
    version: pinnedMlflowVersion(),
    forward: forwarder?.forward,
    native,
    guardedByApp,
    limits: config.http,
    ui: config.ui,
    serverInfo: config.serverInfo,
    assistantUnconfigured: config.assistantUnconfigured,
    graphqlLimits: config.graphqlLimits,
    deploymentsTarget: config.deploymentsTarget,
  });
  if (opts.listen) await app.listen({ host: config.host, port: config.port });
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      const force = setTimeout(() => {
        log.warn('shutdown timeout reached: closing the remaining connections');
        app.server.closeAllConnections();
      }, config.shutdownTimeoutMs);
      force.unref();
      // Keep-alive connections that finish their request after close() began would otherwise
      // stay open until the timeout: close each one as soon as it goes idle.
      const sweep = setInterval(() => app.server.closeIdleConnections(), 100);
      try {
        await app.close();
      } finally {
        clearTimeout(force);
        clearInterval(sweep);
      }
      await forwarder?.close().catch(() => undefined);
      await native?.close().catch((err: unknown) => log.warn({ err }, 'closing the store failed'));
    })();
    return closing;
  };
  return { app, stats, native, close };
}
