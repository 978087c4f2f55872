import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RPCS, type RpcInfo } from '../gen/routes.js';
import { artifactsPrecheck, RAW_BODY_RPCS } from '../services/artifacts/mlflow-artifacts.js';
import { createNativeHandlers, NATIVE_RPC_KEYS } from '../services/native.js';
import type { NativeHandler } from '../services/types.js';
import { openArtifactsOnlyStores, openStores, type OpenStoresOptions, type Stores } from '../stores/index.js';
import { registerArtifactsOnlyFlaskRoutes } from './artifacts-only.js';
import { registerExtraRoutes } from './extra-routes.js';
import { registerRpcRoutes, type RpcRoutesOptions } from './rpc-routes.js';
import { registerGraphqlRoute } from './graphql/route.js';
import { registerOtlpRoute } from './otlp-route.js';
import { registerAssistantRoutes } from './ui/assistant-routes.js';
import type { GraphqlLimits } from './graphql/limits.js';

/**
 * The native side of the server as the front sees it: the stores over the backend URI, the
 * native RPC handlers, and the routes they serve (RPC table + non-proto extras).
 */

export type Fallback = (request: FastifyRequest, reply: FastifyReply, rpc?: RpcInfo) => unknown;

export interface NativeRegisterOptions {
  fallback: Fallback;
  staticPrefix: string;
  maxBodyBytes?: number;
  bodyTimeoutMs?: number;
  /** MLFLOW_SERVER_GRAPHQL_MAX_ROOT_FIELDS / _ALIASES (default 10 each). */
  graphqlLimits?: GraphqlLimits;
  /** Nothing is set up for MLflow's assistant: its status routes are answered natively. */
  assistantUnconfigured?: boolean;
}

export interface NativeLayer {
  /** RPC keys served natively. */
  nativeKeys: readonly string[];
  register(app: FastifyInstance, opts: NativeRegisterOptions): void;
  /** Undefined when writes can succeed, else why not (the readiness endpoint answers 503 with it). */
  writeBlocker(): Promise<string | undefined>;
  close(): Promise<void>;
}

const ARTIFACTS_SERVICE = 'MlflowArtifactsService.';

/** The RPC routes' options of a native layer: its handlers and stores, the artifact service's hooks. */
function rpcRouteOptions(
  handlers: Record<string, NativeHandler>,
  stores: Stores,
  o: Pick<NativeRegisterOptions, 'fallback' | 'staticPrefix' | 'maxBodyBytes' | 'bodyTimeoutMs'>,
): RpcRoutesOptions {
  return {
    native: handlers,
    stores,
    fallback: o.fallback,
    staticPrefix: o.staticPrefix,
    ...(o.maxBodyBytes !== undefined ? { bodyLimit: o.maxBodyBytes } : {}),
    ...(o.bodyTimeoutMs !== undefined ? { bodyTimeoutMs: o.bodyTimeoutMs } : {}),
    rawBody: new Set([...RAW_BODY_RPCS].map((rpc) => ARTIFACTS_SERVICE + rpc)),
    precheck: (key, ctx) => {
      if (key.startsWith(ARTIFACTS_SERVICE)) {
        artifactsPrecheck(key.slice(ARTIFACTS_SERVICE.length), { ...ctx, stores });
      }
    },
  };
}

/** Opens the backend store (creating or verifying its schema) and prepares the native routes. */
export async function loadNativeLayer(
  backendStoreUri: string,
  opts: OpenStoresOptions,
): Promise<NativeLayer> {
  const stores: Stores = await openStores(backendStoreUri, opts);
  const handlers: Record<string, NativeHandler> = { ...createNativeHandlers(stores) };
  // The mlflow-artifacts service stays with the Python server when its destination is not a
  // native backend (GCS, Azure, ...) or transfers must be presigned.
  const artifactsNative = stores.artifacts.serviceNative;
  const nativeKeys = NATIVE_RPC_KEYS.filter((k) => artifactsNative || !k.startsWith(ARTIFACTS_SERVICE));
  for (const key of Object.keys(handlers)) if (!nativeKeys.includes(key)) delete handlers[key];
  return {
    nativeKeys,
    register(
      app,
      { fallback, staticPrefix, maxBodyBytes, bodyTimeoutMs, graphqlLimits, assistantUnconfigured },
    ) {
      registerRpcRoutes(
        app,
        rpcRouteOptions(handlers, stores, { fallback, staticPrefix, maxBodyBytes, bodyTimeoutMs }),
      );
      registerGraphqlRoute(app, {
        staticPrefix,
        handlers,
        stores,
        limits: graphqlLimits ?? { maxRootFields: 10, maxAliases: 10 },
        bodyLimit: maxBodyBytes ?? 64 * 1024 * 1024,
        fallback: (request, reply) => fallback(request, reply),
      });
      registerExtraRoutes(app, stores, {
        staticPrefix,
        fallback: (request, reply) => fallback(request, reply),
      });
      if (assistantUnconfigured) {
        registerAssistantRoutes(app, stores, {
          staticPrefix,
          fallback: (request, reply) => fallback(request, reply),
        });
      }
      registerOtlpRoute(app, stores, {
        staticPrefix,
        bodyLimit: maxBodyBytes ?? 64 * 1024 * 1024,
        fallback: (request, reply) => fallback(request, reply),
      });
    },
    writeBlocker: () => stores.writeBlocker(),
    close: () => stores.close(),
  };
}

/**
 * The native side in `--artifacts-only` mode: the mlflow-artifacts service over the artifact
 * backends (no database is opened), MLflow's 503 for everything it disables in that mode.
 */
export function loadArtifactsOnlyLayer(opts: OpenStoresOptions): NativeLayer {
  const stores = openArtifactsOnlyStores(opts);
  const all = createNativeHandlers(stores);
  const nativeKeys = stores.artifacts.serviceNative
    ? NATIVE_RPC_KEYS.filter((k) => k.startsWith(ARTIFACTS_SERVICE))
    : [];
  const handlers: Record<string, NativeHandler> = {};
  for (const key of nativeKeys) handlers[key] = all[key]!;
  return {
    nativeKeys,
    register(app, { fallback, staticPrefix, maxBodyBytes, bodyTimeoutMs }) {
      registerRpcRoutes(app, {
        ...rpcRouteOptions(handlers, stores, { fallback, staticPrefix, maxBodyBytes, bodyTimeoutMs }),
        artifactsOnly: true,
      });
      registerArtifactsOnlyFlaskRoutes(app, staticPrefix);
    },
    writeBlocker: async () => undefined,
    close: () => stores.close(),
  };
}

export { RPCS };
