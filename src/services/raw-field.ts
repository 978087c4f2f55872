import type { RequestContext } from './types.js';

/**
 * handlers._raw_request_has_field: whether the request named a field at all (protobuf reads an
 * empty repeated field as absent; MLflow tells `[]` from a missing field for its scoping lists).
 */
export function rawHasField(ctx: RequestContext, name: string, jsonName: string): boolean {
  const raw = ctx.rawJson;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return false;
  return name in raw || jsonName in raw;
}
