/**
 * The request path of a native RPC up to the handler call, in MLflow's order: the handler's
 * own pre-checks, decoding (Content-Type, source, ParseDict), then its schema validators.
 */
import { decodeRequest, type DecodedRequest, type RawRequest } from '../codec.js';
import { readsNoMessage, rulesFor } from './rules.js';
import { validateRequestJson } from './validate.js';

export function decodeValidated(requestType: string, req: RawRequest): DecodedRequest {
  // The path parameters are all such a handler reads (the HTTP layer fills them in).
  if (readsNoMessage(requestType)) return { message: {}, raw: {}, parsed: true };
  const rules = rulesFor(requestType);
  rules?.pre?.(req);
  const decoded = decodeRequest(requestType, req);
  if (rules) validateRequestJson(decoded.raw, rules.schema, decoded.parsed, decoded.rawText);
  return decoded;
}
