/**
 * The natively served RPCs: which keys (static, so `mlflow-ts endpoints` knows without a database)
 * and their implementations over the stores, both from the domain modules of domains.ts. Every
 * other RPC is proxied to the Python server.
 */
import type { Stores } from '../stores/index.js';
import { bindDomainHandlers, DOMAIN_RPC_KEYS } from './domains.js';
import type { NativeHandlers } from './types.js';

export const NATIVE_RPC_KEYS: readonly string[] = DOMAIN_RPC_KEYS;

export function createNativeHandlers(stores: Stores): NativeHandlers {
  return bindDomainHandlers(stores);
}
