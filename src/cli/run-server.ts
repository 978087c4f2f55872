import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import type { RouteStats } from '../http/app.js';
import { createLogger } from '../logging.js';
import { ChildLink, type ChildLinkState } from '../proxy/child-link.js';
import { PythonChild } from '../proxy/python-child.js';
import { logBanner } from './banner.js';
import type { FoundPython } from './find-python.js';
import { startFront, storeOptionsLogged } from './front.js';
import { nativeOffReason } from './native-policy.js';
import { loadNativeLayer } from '../http/native-layer.js';
import type { ServerConfig } from './server-config.js';
import { SERVER_OPTIONS } from './server-options.js';

interface ChildMessage {
  type: 'mlflow-ts:child';
  state: ChildLinkState;
}

interface StatsMessage {
  type: 'mlflow-ts:stats';
  stats: RouteStats;
  nativeLayer: boolean;
}

function isChildMessage(m: unknown): m is ChildMessage {
  return typeof m === 'object' && m !== null && (m as { type?: unknown }).type === 'mlflow-ts:child';
}

function isStatsMessage(m: unknown): m is StatsMessage {
  return typeof m === 'object' && m !== null && (m as { type?: unknown }).type === 'mlflow-ts:stats';
}

const SERVER_ENV_VARS = SERVER_OPTIONS.filter((o) => o.env && !o.ours).map((o) => o.env!);

function makeChild(
  config: ServerConfig,
  python: FoundPython,
  env: Readonly<Record<string, string | undefined>>,
  link: ChildLink,
  log: Logger,
  onFatal: (err: Error) => void,
): PythonChild {
  return new PythonChild({
    ...config,
    python: python.path,
    workers: config.pythonWorkers,
    baseEnv: env,
    serverEnvVars: SERVER_ENV_VARS,
    startupTimeoutMs: config.pythonStartupTimeoutMs,
    log: log.child({ component: 'python' }),
    link,
    onFatal,
  });
}

/** Runs the server until SIGTERM/SIGINT: one process, or a primary with --workers Node workers. */
export async function runServer(
  config: ServerConfig,
  python: FoundPython | undefined,
  env: Readonly<Record<string, string | undefined>>,
  pretty: boolean,
): Promise<void> {
  const log = createLogger(config.logLevel, { pretty });
  if (cluster.isWorker) return runWorker(config, python, log);

  const link = new ChildLink();
  let exiting = false;
  const child = python
    ? makeChild(config, python, env, link, log, (err) => void shutdown(1, err))
    : undefined;
  if (!child) link.update({ status: 'down', port: undefined, reason: 'standalone mode' });
  // No Python process may outlive us, however we exit.
  process.once('exit', () => child?.killNow());
  process.once('uncaughtException', (err) => {
    log.fatal({ err }, 'uncaught exception');
    child?.killNow();
    process.exit(1);
  });

  const workers = new Set<Worker>();
  let front: Awaited<ReturnType<typeof startFront>> | undefined;

  async function shutdown(code: number, err?: Error): Promise<void> {
    if (exiting) return;
    exiting = true;
    if (err) log.error(err.message);
    log.info('shutting down: draining in-flight requests');
    const drains: Promise<unknown>[] = [];
    if (front)
      drains.push(front.close().catch((e: unknown) => log.warn({ err: e }, 'closing the HTTP front failed')));
    for (const w of workers) {
      drains.push(
        new Promise<void>((resolve) => {
          const kill = setTimeout(() => w.process.kill('SIGKILL'), config.shutdownTimeoutMs + 5000);
          w.once('exit', () => {
            clearTimeout(kill);
            resolve();
          });
          w.process.kill('SIGTERM');
        }),
      );
    }
    await Promise.all(drains);
    await child?.stop();
    log.info('stopped');
    log.flush?.();
    process.exit(code);
  }
  process.once('SIGTERM', () => void shutdown(0));
  process.once('SIGINT', () => void shutdown(0));
  process.once('SIGHUP', () => void shutdown(0));

  // Our store layer creates (or verifies) the schema before anything else touches the database:
  // the Python child and the workers then find it at head instead of racing to create it.
  let childStart: Promise<void> | undefined;
  const startChild = (): void => {
    if (child) childStart = child.start().catch((err: Error) => shutdown(1, err));
  };

  try {
    if (config.workers > 1) {
      if (!nativeOffReason(config) && !config.artifactsOnly) {
        const layer = await loadNativeLayer(config.backendStoreUri, storeOptionsLogged(config, log));
        await layer.close();
      }
      startChild();
      forkWorkers();
    } else {
      front = await startFront(config, { link: child ? link : undefined, log, listen: true });
      startChild();
      logBanner(log, config, { stats: front.stats, python, nativeLayer: front.native !== undefined });
    }
  } catch (err) {
    await shutdown(1, err instanceof Error ? err : new Error(String(err)));
  }
  await childStart;

  function forkWorkers(): void {
    const broadcast = (state: ChildLinkState): void => {
      for (const w of workers)
        if (w.isConnected()) w.send({ type: 'mlflow-ts:child', state } satisfies ChildMessage);
    };
    link.onChange(broadcast);
    let listening = 0;
    const fork = (): void => {
      const w = cluster.fork();
      workers.add(w);
      w.on('online', () => w.send({ type: 'mlflow-ts:child', state: link.current } satisfies ChildMessage));
      w.on('message', (m: unknown) => {
        if (!isStatsMessage(m)) return;
        listening++;
        if (listening === config.workers)
          logBanner(log, config, { stats: m.stats, python, nativeLayer: m.nativeLayer });
      });
      w.on('exit', (codeOrNull, signal) => {
        workers.delete(w);
        if (exiting) return;
        log.error({ code: codeOrNull, signal }, 'worker died; starting a new one');
        setTimeout(fork, 1000).unref();
      });
    };
    for (let i = 0; i < config.workers; i++) fork();
  }
}

/** A cluster worker: serves HTTP; the child's address and state come from the primary. */
async function runWorker(config: ServerConfig, python: FoundPython | undefined, log: Logger): Promise<void> {
  const link = new ChildLink();
  if (!python) link.update({ status: 'down', port: undefined, reason: 'standalone mode' });
  process.on('message', (m) => {
    if (isChildMessage(m)) link.update(m.state);
  });
  const front = await startFront(config, { link: python ? link : undefined, log, listen: true });
  process.send?.({
    type: 'mlflow-ts:stats',
    stats: front.stats,
    nativeLayer: front.native !== undefined,
  } satisfies StatsMessage);
  let exiting = false;
  const stop = (): void => {
    if (exiting) return;
    exiting = true;
    void front.close().finally(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // The primary going away means nobody supervises us any more.
  process.on('disconnect', stop);
}
