/**
 * The request path of a native RPC up to the handler call, in MLflow's order: the handler's
 * own pre-checks, decoding (Content-Type, source, ParseDict), then its schema validators; then
 * (ours) numeric fields ParseDict could not read are refused (validation/strict-numbers.ts).
 */
import { decodeRequest, type DecodedRequest, type RawRequest } from '../codec.js';
import { readsNoMessage, rulesFor } from './rules.js';
import { refuseUnreadableNumbers } from './strict-numbers.js';
import { validateRequestJson } from './validate.js';

export function decodeValidated(requestType: string, req: RawRequest): DecodedRequest {
  // The path parameters are all such a handler reads (the HTTP layer fills them in).
  if (readsNoMessage(requestType)) return { message: {}, raw: {}, parsed: true };
  const rules = rulesFor(requestType);
  rules?.pre?.(req);
  const decoded = decodeRequest(requestType, req);
  if (rules) validateRequestJson(decoded.raw, rules.schema, decoded.parsed, decoded.rawText);
  // Where MLflow would go on with the numbers ParseDict could not read left at zero: refused.
  if (!decoded.parsed) refuseUnreadableNumbers(decoded.raw, requestType);
  return decoded;
}
