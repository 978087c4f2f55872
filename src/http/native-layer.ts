import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { RPCS, type RpcInfo } from '../gen/routes.js';
import type { NativeHandlers } from '../services/types.js';

/**
 * The native side of the server (RPC route registration, services, stores) is built by other
 * layers; this module is the one place that finds it. Modules are loaded by name at run time so
 * the front (proxy, security, CLI) also runs when a layer is absent, e.g. in a partial checkout:
 * then everything is served by the Python child (or answers 501 in standalone mode).
 */

export type Fallback = (request: FastifyRequest, reply: FastifyReply, rpc: RpcInfo) => unknown;

export interface NativeLayer {
  /** RPC keys served natively (empty when the layer is absent). */
  nativeKeys: readonly string[];
  register(app: FastifyInstance, opts: { fallback: Fallback; staticPrefix: string }): void;
  close(): Promise<void>;
  /** Where native data lives (for the banner). */
  description: string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyModule = Record<string, any>;

async function tryImport(specifier: string, log: Logger): Promise<AnyModule | undefined> {
  try {
    return (await import(specifier)) as AnyModule;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' && String((err as Error).message).includes(specifier.replace(/^\.\.?\//, ''))) {
      log.debug({ specifier }, 'native layer module not present');
      return undefined;
    }
    throw err;
  }
}

/** The routes (method + Fastify url) of every RPC, as registration puts them (static prefix on ajax-api). */
export function rpcRouteKeys(rpcs: readonly RpcInfo[], staticPrefix: string): Map<string, RpcInfo> {
  const out = new Map<string, RpcInfo>();
  for (const rpc of rpcs) {
    for (const r of rpc.routes) {
      const url = r.prefix === 'ajax-api' ? `${staticPrefix}${r.url}` : r.url;
      out.set(`${r.method} ${url}`, rpc);
    }
  }
  return out;
}

export async function loadNativeLayer(opts: {
  backendStoreUri: string;
  registryStoreUri: string;
  defaultArtifactRoot: string;
  artifactsDestination: string;
  serveArtifacts: boolean;
  log: Logger;
}): Promise<NativeLayer | undefined> {
  const { log } = opts;
  const rpcRoutes = await tryImport('./rpc-routes.js', log);
  const native = await tryImport('../services/native.js', log);
  const stores = await tryImport('../stores/index.js', log);
  if (!rpcRoutes?.registerRpcRoutes || !native?.createNativeHandlers || !stores?.openStore) {
    log.info('native layer not available: every route is served by the Python child (or 501)');
    return undefined;
  }
  const extra = await tryImport('./extra-routes.js', log);
  const opened = await stores.openStore(opts.backendStoreUri, opts);
  const handlers = native.createNativeHandlers(opened) as NativeHandlers;
  const nativeKeys: readonly string[] = native.NATIVE_RPC_KEYS ?? Object.keys(handlers);
  return {
    nativeKeys,
    description: opts.backendStoreUri,
    register(app, { fallback, staticPrefix }) {
      rpcRoutes.registerRpcRoutes(app, { native: handlers, fallback, staticPrefix });
      if (extra?.registerExtraRoutes) extra.registerExtraRoutes(app, opened, { staticPrefix, ...opts });
    },
    async close() {
      if (typeof opened?.close === 'function') await opened.close();
    },
  };
}

export { RPCS };
