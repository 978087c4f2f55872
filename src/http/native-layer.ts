import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RPCS, type RpcInfo } from '../gen/routes.js';
import { createNativeHandlers, NATIVE_RPC_KEYS } from '../services/native.js';
import { openStores, type OpenStoresOptions, type Stores } from '../stores/index.js';
import { registerExtraRoutes } from './extra-routes.js';
import { registerRpcRoutes } from './rpc-routes.js';

/**
 * The native side of the server as the front sees it: the stores over the backend URI, the
 * native RPC handlers, and the routes they serve (RPC table + non-proto extras).
 */

export type Fallback = (request: FastifyRequest, reply: FastifyReply, rpc: RpcInfo) => unknown;

export interface NativeLayer {
  /** RPC keys served natively. */
  nativeKeys: readonly string[];
  register(app: FastifyInstance, opts: { fallback: Fallback; staticPrefix: string }): void;
  close(): Promise<void>;
}

/** Opens the backend store (creating or verifying its schema) and prepares the native routes. */
export async function loadNativeLayer(
  backendStoreUri: string,
  opts: OpenStoresOptions,
): Promise<NativeLayer> {
  const stores: Stores = await openStores(backendStoreUri, opts);
  const handlers = createNativeHandlers(stores);
  return {
    nativeKeys: NATIVE_RPC_KEYS,
    register(app, { fallback, staticPrefix }) {
      registerRpcRoutes(app, { native: handlers, stores, fallback, staticPrefix });
      registerExtraRoutes(app, stores, { staticPrefix });
    },
    close: () => stores.close(),
  };
}

export { RPCS };
