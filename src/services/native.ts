/**
 * The natively served RPCs: which keys (static, so `mlflow-ts endpoints` knows without a database)
 * and their implementations over the stores, both from the domain modules of domains.ts. Every
 * other RPC is proxied to the Python server.
 */
import { RPCS } from '../gen/routes.js';
import type { Stores } from '../stores/index.js';
import { bindDomainHandlers, DOMAIN_RPC_KEYS } from './domains.js';
import type { NativeHandlers } from './types.js';

/**
 * The domain modules' RPCs, and those MLflow maps to no handler (served natively as its
 * `_not_implemented` 404 by http/rpc-routes.ts).
 */
export const NATIVE_RPC_KEYS: readonly string[] = [
  ...new Set([...DOMAIN_RPC_KEYS, ...RPCS.filter((r) => !r.handledByMlflow).map((r) => r.key)]),
];

export function createNativeHandlers(stores: Stores): NativeHandlers {
  return bindDomainHandlers(stores);
}
