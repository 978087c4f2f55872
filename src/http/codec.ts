/**
 * Request decoding exactly as the pinned MLflow's `handlers._get_request_message` does it:
 * which source is read (query string vs JSON body), the Content-Type check, the bool check of
 * GET parameters, double-encoded bodies, the conflicting-alias check, then ParseDict. The raw
 * JSON it returns is what MLflow's per-handler validators look at.
 */
import { checkContentType } from '../services/content-type.js';
import { isUtf8 } from 'node:buffer';
import { MESSAGES, type FieldMeta } from '../gen/schemas.js';
import { MlflowError } from '../errors/mlflow-error.js';
import { fieldIndex, parseDict, type WireMessage } from './codec-parse-dict.js';
import { pyJsonLoads } from './codec-json.js';
import { PythonCrash, isObject, type Json } from '../py/values.js';

export interface RawRequest {
  method: string;
  /** The raw query string, without the leading `?` ('' when none). */
  query: string;
  /** The raw Content-Type header, undefined when absent. */
  contentType: string | undefined;
  /** The raw body (undefined or empty when none). */
  body: Buffer | string | undefined;
}

export interface DecodedRequest {
  /** Wire-shaped request message (what a native handler receives). */
  message: WireMessage;
  /** The JSON MLflow validates (query-string dict or the body). */
  raw: Json;
  /** Whether ParseDict succeeded (MLflow skips type validators when it did). */
  parsed: boolean;
  /** The JSON text `raw` was read from (bodies only): error messages re-read it as Python would. */
  rawText?: () => string;
  parseError?: string;
}

export { checkContentType };

function bodyText(body: Buffer | string | undefined): string {
  if (body === undefined) return '';
  return typeof body === 'string' ? body : body.toString('utf8');
}

// Flask caches get_json per request; so do we (logBatch reads the body twice: its size check, then
// the decode), keyed by the RawRequest object.
const parsedBodies = new WeakMap<RawRequest, Json | undefined>();

/** `_get_request_json`: Content-Type check, then get_json(force=True, silent=True). */
export function getRequestJson(req: RawRequest): Json | undefined {
  checkContentType(req.method, req.contentType);
  if (parsedBodies.has(req)) return parsedBodies.get(req);
  // Bytes that are not UTF-8 make Python's json.loads raise (UnicodeDecodeError): get_json(silent)
  // gives None, as for any undecodable body. Decoding them would store U+FFFD instead.
  if (Buffer.isBuffer(req.body) && !isUtf8(req.body)) {
    parsedBodies.set(req, undefined);
    return undefined;
  }
  const text = bodyText(req.body);
  const json = text === '' ? undefined : pyJsonLoads(text);
  parsedBodies.set(req, json);
  return json;
}

/**
 * The normalized body, and (lazily: only error messages need it) the JSON text it was read from.
 */
function readNormalized(req: RawRequest): { json: Json; text: (() => string) | undefined } {
  let json = getRequestJson(req);
  let text = (): string => bodyText(req.body);
  if (typeof json === 'string') {
    const inner = json;
    text = () => inner;
    const again = pyJsonLoads(json);
    // json.loads raising here is not an MlflowException: Flask answers a bare 500.
    if (again === undefined) throw new PythonCrash('JSONDecodeError: double-encoded body is not JSON');
    json = again;
  }
  if (json === undefined || json === null) return { json: {}, text: undefined };
  return { json, text };
}

/** Query-string dict as MLflow builds it: only fields of the request message, by proto name. */
function queryToJson(typeName: string, query: URLSearchParams): { [key: string]: Json } {
  const out: { [key: string]: Json } = {};
  for (const f of declarationOrder(typeName)) {
    if (!query.has(f.name)) continue;
    if (f.repeated) {
      out[f.name] = query.getAll(f.name);
      continue;
    }
    const value = query.get(f.name)!;
    if (f.kind === 'bool' && f.type === undefined) {
      const low = value.toLowerCase();
      if (low !== 'true' && low !== 'false') {
        throw MlflowError.invalidParameter(`Invalid boolean value: ${value}, must be 'true' or 'false'.`);
      }
      out[f.name] = low === 'true';
      continue;
    }
    out[f.name] = value;
  }
  return out;
}

/** Fields in declaration order are not in the metadata; number order is the close stand-in. */
function declarationOrder(typeName: string): readonly FieldMeta[] {
  return MESSAGES[typeName]!.fields;
}

/** What the alias check looks at in one message type: fields with two spellings or sub-messages. */
interface AliasField {
  field: FieldMeta;
  /** `name` differs from `jsonName` (both spellings may appear). */
  aliased: boolean;
  /** A (non well-known) sub-message type to check inside, else undefined. */
  nested: string | undefined;
}
const aliasPlans = new Map<string, readonly AliasField[]>();

/** The fields of `typeName` the alias check needs, in field order (computed once per type). */
function aliasPlan(typeName: string): readonly AliasField[] {
  let plan = aliasPlans.get(typeName);
  if (plan === undefined) {
    plan = (MESSAGES[typeName]?.fields ?? []).flatMap((f) => {
      const aliased = f.name !== f.jsonName;
      const nested = f.kind === 'message' && !f.type!.startsWith('google.protobuf.') ? f.type : undefined;
      return aliased || nested !== undefined ? [{ field: f, aliased, nested }] : [];
    });
    aliasPlans.set(typeName, plan);
  }
  return plan;
}

/** `_reject_conflicting_field_aliases`: one field spelled both `snake_case` and `camelCase`. */
export function rejectConflictingAliases(json: Json, typeName: string): void {
  if (!isObject(json)) return;
  for (const { field: f, aliased, nested } of aliasPlan(typeName)) {
    if (aliased && Object.hasOwn(json, f.name) && Object.hasOwn(json, f.jsonName)) {
      throw MlflowError.invalidParameter(
        `Request specifies both '${f.name}' and '${f.jsonName}'; provide only one of them.`,
      );
    }
    if (nested === undefined) continue;
    const value = Object.hasOwn(json, f.name) ? json[f.name] : json[f.jsonName];
    if (Array.isArray(value)) for (const item of value) rejectConflictingAliases(item, nested);
    else rejectConflictingAliases(value as Json, nested);
  }
}

/** Decodes a request for the RPC whose request message is `typeName`. */
export function decodeRequest(typeName: string, req: RawRequest): DecodedRequest {
  let raw: Json;
  let rawText: (() => string) | undefined;
  const query = req.method === 'GET' && req.query !== '' ? new URLSearchParams(req.query) : undefined;
  if (query && query.size > 0) raw = queryToJson(typeName, query);
  else ({ json: raw, text: rawText } = readNormalized(req));
  rejectConflictingAliases(raw, typeName);
  const parsed = parseDict(raw, typeName);
  const decoded: DecodedRequest = { message: parsed.message, raw, parsed: parsed.ok };
  if (rawText !== undefined) decoded.rawText = rawText;
  if (parsed.error) decoded.parseError = parsed.error;
  return decoded;
}

/** Fills path parameters (Flask passes them to handlers as arguments) into the request. */
export function applyPathParams(
  message: WireMessage,
  typeName: string,
  params: Readonly<Record<string, string>>,
  values: Readonly<Record<string, string | undefined>>,
): void {
  const idx = fieldIndex(typeName);
  for (const [urlName, field] of Object.entries(params)) {
    const v = values[urlName];
    if (v === undefined) continue;
    const f = idx.byName.get(field);
    // Path segments are strings; a field that is not (rare) keeps the body's value.
    if (!f || f.kind === 'string') message[field] = v;
  }
}
