/**
 * OTLP spans as MLflow stores them (otel_api.export_traces, then SqlAlchemyStore.log_spans before
 * it opens its session): Span.from_otel_proto (every attribute JSON-dumped, the request id
 * attribute derived from the OTel trace id, links as Link.from_otel_proto), strip_otlp_double_encoding,
 * the root span's service name and blocked trace tags, translate_span_when_storing (the
 * OpenTelemetry translators of otel-translation/, then the cost from the model catalog), the
 * stored content (json.dumps of Span.to_dict), the span row's columns, and each trace's batch
 * aggregates (time range, root status, token usage and cost nodes, session and user, previews, tags).
 */
import type {
  OtlpAnyValue,
  OtlpEvent,
  OtlpKeyValue,
  OtlpLink,
  OtlpResourceSpans,
  OtlpSpan,
} from './otlp-types.js';
import {
  addCost,
  bytesRepr,
  costNeeded,
  costProvider,
  translateAttributes,
  type SpanEvent,
} from './otel-translation/index.js';
import { prepareModelCost } from './model-cost.js';
import { MlflowError } from '../../errors/mlflow-error.js';
import { pyJsonDumpsExact, pyJsonLoadsExact, type PyDict, type PyExact } from '../../py/json-exact.js';
import { PyFloat } from '../../py/values.js';
import type { SpanRow, TraceSpans } from '../../stores/tracking/span-writes.js';
import { NotNative } from '../raw-reply.js';
import { validateLengthLimit, validateTagName, MAX_ENTITY_KEY_LENGTH } from '../tracking/validation.js';
import { BLOCKED_TAGS, MAX_TRACE_NAME_LENGTH } from './validation.js';

/** MAX_CHARS_IN_TRACE_INFO_METADATA: validate_session_id's limit. */
const MAX_SESSION_ID_LENGTH = 250;

/** FastAPI's HTTPException(422, ...) of export_traces for a span it cannot convert. */
export class OtlpUnconvertible extends Error {}

const A = {
  REQUEST_ID: 'mlflow.traceRequestId',
  INPUTS: 'mlflow.spanInputs',
  OUTPUTS: 'mlflow.spanOutputs',
  SPAN_TYPE: 'mlflow.spanType',
  CHAT_USAGE: 'mlflow.chat.tokenUsage',
  LLM_COST: 'mlflow.llm.cost',
  MODEL: 'mlflow.llm.model',
  MODEL_PROVIDER: 'mlflow.llm.provider',
  SESSION_ID: 'session.id',
  CONVERSATION_ID: 'gen_ai.conversation.id',
  USER_ID: 'user.id',
  TRACE_TAG_PREFIX: 'mlflow.traceTag.',
} as const;

/** otel_api._KNOWN_SERVICE_NAMES: the only service names copied onto root spans. */
const KNOWN_SERVICE_NAMES = new Set([
  'claude-code',
  'codex_cli_rs',
  'codex_vscode',
  'gemini-cli',
  'qwen-code',
]);

const KIND_NAMES = [
  'SPAN_KIND_INTERNAL',
  'SPAN_KIND_INTERNAL',
  'SPAN_KIND_SERVER',
  'SPAN_KIND_CLIENT',
  'SPAN_KIND_PRODUCER',
  'SPAN_KIND_CONSUMER',
];
const STATUS = [
  { name: 'STATUS_CODE_UNSET', value: 'UNSET' },
  { name: 'STATUS_CODE_OK', value: 'OK' },
  { name: 'STATUS_CODE_ERROR', value: 'ERROR' },
] as const;

/**
 * _decode_otel_proto_anyvalue, as an exact value. Bytes have no exact form: `onBytes` gives what
 * the place they are read from makes of them (json.dumps with TraceJSONEncoder writes their repr).
 */
function decodeAny(v: OtlpAnyValue | undefined, onBytes: (b: Buffer) => PyExact = bytesRepr): PyExact {
  if (v === undefined) return null;
  if (v.string_value !== undefined) return v.string_value;
  if (v.bool_value !== undefined) return v.bool_value;
  if (v.int_value !== undefined) {
    const n = v.int_value;
    return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
  }
  if (v.double_value !== undefined) return new PyFloat(v.double_value);
  if (v.array_value !== undefined) return v.array_value.values.map((x) => decodeAny(x, onBytes));
  if (v.kvlist_value !== undefined) return decodeKeyValues(v.kvlist_value.values, onBytes);
  if (v.bytes_value !== undefined) return onBytes(v.bytes_value);
  return null;
}

function decodeKeyValues(kvs: readonly OtlpKeyValue[], onBytes: (b: Buffer) => PyExact = bytesRepr): PyDict {
  const out: PyDict = new Map();
  for (const kv of kvs) out.set(kv.key, decodeAny(kv.value, onBytes));
  return out;
}

/** An event's attributes as from_otel_proto keeps them (raw), noting the keys holding bytes. */
function decodeEvent(e: OtlpEvent): SpanEvent {
  const attributes: PyDict = new Map();
  const bytesKeys = new Set<string>();
  for (const kv of e.attributes) {
    let sawBytes = false;
    attributes.set(
      kv.key,
      decodeAny(kv.value, (b) => {
        sawBytes = true;
        return bytesRepr(b);
      }),
    );
    if (sawBytes) bytesKeys.add(kv.key);
    else bytesKeys.delete(kv.key);
  }
  return { name: e.name, attributes, bytesKeys };
}

/** int.from_bytes(b, "big") as lowercase hex of at least `width` bytes (encode_trace_id / encode_span_id). */
const idHex = (b: Buffer, width: number): string =>
  (b.length === 0 ? 0n : BigInt('0x' + b.toString('hex'))).toString(16).padStart(width * 2, '0');

/** Link.to_dict of Link.from_otel_proto: a top-level bytes attribute becomes its base64. */
function linkJson(l: OtlpLink): string {
  const attrs: PyDict = new Map();
  for (const kv of l.attributes) {
    const top = kv.value?.bytes_value;
    attrs.set(kv.key, top !== undefined ? top.toString('base64') : decodeAny(kv.value));
  }
  return (
    `{"trace_id": "tr-${idHex(l.trace_id, 16)}", "span_id": "${idHex(l.span_id, 8)}", ` +
    `"attributes": ${attrs.size > 0 ? pyJsonDumpsExact(attrs) : 'null'}}`
  );
}

function loads(text: string): PyExact | undefined {
  try {
    return pyJsonLoadsExact(text);
  } catch {
    return undefined;
  }
}

/** strip_otlp_double_encoding of one dumped value. */
function stripDoubleEncoding(dumped: string): string {
  const once = loads(dumped);
  if (typeof once !== 'string') return dumped;
  const twice = loads(once);
  return typeof twice === 'string' || Array.isArray(twice) || twice instanceof Map ? once : dumped;
}

/**
 * stripDoubleEncoding of a string value's dump (`"..."`), without parsing the dump: it loads back
 * as the string itself, which is kept when it is itself the JSON of a str, list or dict. Only a
 * text starting (after whitespace) with `"`, `[` or `{` can be; JSON.parse accepting it means
 * json.loads does too (json.loads accepts more: NaN, Infinity, which the exact reader covers).
 * The dump itself is built only when it is kept.
 */
function stripStringDump(s: string): string {
  const c = s.trimStart()[0];
  if (c !== '"' && c !== '[' && c !== '{') return JSON.stringify(s);
  try {
    JSON.parse(s);
    return s;
  } catch {
    const v = loads(s);
    return typeof v === 'string' || Array.isArray(v) || v instanceof Map ? s : JSON.stringify(s);
  }
}

/** _try_parse_json_string. */
function parseJsonString(value: PyExact | undefined): PyExact | undefined {
  if (typeof value !== 'string') return value;
  const parsed = loads(value);
  return typeof parsed === 'string' ? parsed : value;
}

/** try_json_loads of an attribute value, kept only when a dict (_span_aggregation_node). */
function dictAttribute(value: string | undefined): PyDict | null {
  if (value === undefined) return null;
  const parsed = loads(value);
  return parsed instanceof Map ? parsed : null;
}

const hex = (b: Buffer, width: number): string => b.toString('hex').padStart(width * 2, '0');
const b64 = (b: Buffer, width: number): string =>
  (b.length < width ? Buffer.concat([Buffer.alloc(width - b.length), b]) : b).toString('base64');

/** A float column value (finite_float_or_none) of a cost dict entry. */
function finiteFloat(v: PyExact | undefined): number | null {
  if (v === undefined || v === null || typeof v === 'boolean') return null;
  let n: number;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'bigint') n = Number(v);
  else if (v instanceof PyFloat) n = v.value;
  else throw new NotNative('a cost that is not a number');
  return Number.isFinite(n) ? n : null;
}

/** _get_truncated_preview (the OSS limit of 1000 characters). */
function truncatedPreview(text: string, role: string): string {
  const obj = loads(text);
  let content: PyExact | undefined;
  if (obj !== undefined && obj !== null) {
    const messages = extractMessages(obj);
    if (messages && messages.length > 0) content = textOfMessage(lastMessage(messages, role));
  }
  const chosen = content === undefined || content === null || content === '' ? text : content;
  if (typeof chosen !== 'string') throw new NotNative('a preview message whose text is not a string');
  const preview = chosen.replace(/\0/g, '\ufffd');
  const chars = Array.from(preview);
  return chars.length <= 1000 ? preview : chars.slice(0, 997).join('') + '...';
}

const isMessage = (v: PyExact | undefined): v is PyDict =>
  v instanceof Map && v.has('role') && v.has('content');
const truthyList = (v: PyExact | undefined): v is PyExact[] => Array.isArray(v) && v.length > 0;

function extractMessages(obj: PyExact): PyDict[] | undefined {
  if (!(obj instanceof Map)) return undefined;
  const messages = obj.get('messages');
  if (truthyList(messages)) return messages.filter(isMessage);
  const choices = obj.get('choices');
  if (truthyList(choices) && choices[0] instanceof Map) {
    const msg = choices[0].get('message');
    if (msg !== undefined && msg !== null && isMessage(msg) && msg.size > 0) return [msg];
  }
  for (const key of ['input', 'output']) {
    const list = obj.get(key);
    if (truthyList(list)) return list.filter(isMessage);
  }
  if (obj.has('request')) return extractMessages(obj.get('request')!);
  return undefined;
}

function lastMessage(messages: PyDict[], role: string): PyDict {
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i]!.get('role') === role) return messages[i]!;
  return messages[messages.length - 1]!;
}

function textOfMessage(message: PyDict): PyExact | undefined {
  const content = message.get('content');
  if (Array.isArray(content)) {
    for (const part of content) {
      if (typeof part === 'string') return part;
      if (part instanceof Map && (part.get('type') === 'text' || part.get('type') === 'output_text')) {
        return part.get('text') ?? null;
      }
    }
    return '';
  }
  return typeof content === 'string' ? content : '';
}

interface Converted {
  span: SpanRow;
  attributes: Map<string, string>;
  isRoot: boolean;
}

/** A span after from_otel_proto and the translators, before the cost step. */
interface Parsed {
  proto: OtlpSpan;
  traceId: string;
  isRoot: boolean;
  attributes: Map<string, string>;
  /** Span.span_type: the attribute as received (the row keeps it, not the translated one). */
  type: string | null;
  /** Whether the cost step prices it (translate_span_when_storing's condition). */
  needsCost: boolean;
}

/** Span.from_otel_proto + the handler's root-span edits + the translators' attribute rewrites. */
function parse(proto: OtlpSpan, serviceName: string | undefined): Parsed {
  if (proto.trace_id.length === 0 || proto.span_id.length === 0) throw new OtlpUnconvertible();
  if (proto.trace_id.length > 16 || proto.span_id.length > 8 || proto.parent_span_id.length > 8) {
    throw new NotNative('an id wider than OTLP allows');
  }
  for (const l of proto.links) {
    if (l.trace_id.length > 16 || l.span_id.length > 8)
      throw new NotNative('a link id wider than OTLP allows');
  }
  const traceId = 'tr-' + hex(proto.trace_id, 16);
  // A parent id of zero bytes only is no parent (from_otel_proto's `if parent_id`).
  const isRoot = proto.parent_span_id.every((b) => b === 0);

  const attributes = new Map<string, string>();
  for (const kv of proto.attributes) {
    // Dumped (dump_span_attribute_value), then one layer of a double encoding stripped.
    const str = kv.value?.string_value;
    if (str !== undefined) attributes.set(kv.key, stripStringDump(str));
    else attributes.set(kv.key, stripDoubleEncoding(pyJsonDumpsExact(decodeAny(kv.value))));
  }
  // The request id's dump is kept as is by the strip (its text is not JSON).
  attributes.set(A.REQUEST_ID, JSON.stringify(traceId));
  if (isRoot) {
    if (serviceName !== undefined) attributes.set('service.name', JSON.stringify(serviceName));
    for (const key of BLOCKED_TAGS) attributes.delete(A.TRACE_TAG_PREFIX + key);
  }

  // The span's type as the row stores it (Span.span_type reads the span, not the translated dict).
  const typeAttr = attributes.get(A.SPAN_TYPE);
  let type: string | null = null;
  if (typeAttr) {
    const t = loads(typeAttr);
    type = t === undefined ? typeAttr : (t as string | null);
    if (type !== null && typeof type !== 'string') throw new NotNative('a span type that is not a string');
  }

  const spanType = translateAttributes(attributes, proto.events.map(decodeEvent));
  return { proto, traceId, isRoot, attributes, type, needsCost: costNeeded(attributes, spanType) };
}

/** The stored content and the span row of a translated (and priced) span. */
function finish(p: Parsed): Converted {
  const { proto, attributes, isRoot, traceId, type } = p;
  const status = STATUS[proto.status.code === 1 || proto.status.code === 2 ? proto.status.code : 0]!;
  const message = status.value === 'ERROR' ? proto.status.message : '';
  const spanId = hex(proto.span_id, 8);
  const parentSpanId = isRoot ? null : hex(proto.parent_span_id, 8);
  const kind = KIND_NAMES[proto.kind >= 1 && proto.kind <= 5 ? proto.kind : 0]!;
  const events = proto.events.map(
    (e) =>
      `{"name": ${JSON.stringify(e.name)}, "time_unix_nano": ${e.time_unix_nano}, ` +
      `"attributes": ${pyJsonDumpsExact(decodeKeyValues(e.attributes))}}`,
  );
  const attrText = [...attributes].map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(', ');
  const content =
    `{"trace_id": "${b64(proto.trace_id, 16)}", "span_id": "${b64(proto.span_id, 8)}", ` +
    `"parent_span_id": ${parentSpanId === null ? 'null' : `"${b64(proto.parent_span_id, 8)}"`}, ` +
    `"name": ${JSON.stringify(proto.name)}, "kind": "${kind}", ` +
    `"start_time_unix_nano": ${proto.start_time_unix_nano}, "end_time_unix_nano": ${proto.end_time_unix_nano}, ` +
    `"events": [${events.join(', ')}], ` +
    `"status": {"code": "${status.name}", "message": ${JSON.stringify(message)}}, ` +
    `"attributes": {${attrText}}, "links": [${proto.links.map(linkJson).join(', ')}]}`;

  const cost = dictAttribute(attributes.get(A.LLM_COST));
  const model = parseJsonString(attributes.get(A.MODEL));
  const provider = parseJsonString(attributes.get(A.MODEL_PROVIDER));
  return {
    isRoot,
    attributes,
    span: {
      traceId,
      spanId,
      parentSpanId,
      name: proto.name,
      type,
      status: status.value,
      startNs: proto.start_time_unix_nano,
      endNs: proto.end_time_unix_nano,
      content,
      inputCost: cost ? finiteFloat(cost.get('input_cost')) : null,
      outputCost: cost ? finiteFloat(cost.get('output_cost')) : null,
      totalCost: cost ? finiteFloat(cost.get('total_cost')) : null,
      modelName: typeof model === 'string' ? Array.from(model).slice(0, 500).join('') : null,
      modelProvider: typeof provider === 'string' ? Array.from(provider).slice(0, 500).join('') : null,
      usage: dictAttribute(attributes.get(A.CHAT_USAGE)),
      cost,
    },
  };
}

/** _validate_trace_tag, or undefined where log_spans skips the tag. */
function validTag(key: string, value: string, truncateLongValues: boolean): [string, string] | undefined {
  try {
    validateTagName(key);
    const k = validateLengthLimit('key', MAX_ENTITY_KEY_LENGTH, key);
    const v = validateLengthLimit('value', 8000, value, { truncate: true, truncateLongValues });
    return [k, v];
  } catch (err) {
    if (err instanceof MlflowError) return undefined;
    throw err;
  }
}

/** Python's str() of a decoded resource attribute, or json.dumps (ensure_ascii) of another value. */
function resourceTagValue(v: PyExact): string {
  if (typeof v === 'string') return v;
  // OpenTelemetry's Resource cleans other values (drops or converts them): not followed here.
  if (v !== null && typeof v === 'object' && !(v instanceof PyFloat)) {
    throw new NotNative('a resource attribute that is a list or a map');
  }
  return pyJsonDumpsExact(v).replace(
    /[\u0080-\uffff]/g,
    (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'),
  );
}

/** The batch of an export request, grouped by trace in first-seen order. */
type Building = TraceSpans & { tags: Map<string, string>; resourceTags: Map<string, string> };

const refuseBytes = (): never => {
  throw new NotNative('a bytes resource attribute (OpenTelemetry Resource cleans it)');
};

export async function spanBatches(
  resourceSpans: readonly OtlpResourceSpans[],
  truncateLongValues: boolean,
): Promise<TraceSpans[]> {
  const parsed: { p: Parsed; resource: PyDict | undefined }[] = [];
  for (const rs of resourceSpans) {
    let serviceName: string | undefined;
    for (const attr of rs.resource.attributes) {
      if (attr.key === 'service.name') {
        const v = decodeAny(attr.value, refuseBytes);
        if (v !== null && typeof v === 'string' && KNOWN_SERVICE_NAMES.has(v)) serviceName = v;
        else if (v !== null && typeof v !== 'string')
          throw new NotNative('a service name that is not a string');
        break;
      }
    }
    const resource =
      rs.resource.attributes.length > 0 ? decodeKeyValues(rs.resource.attributes, refuseBytes) : undefined;
    for (const ss of rs.scope_spans) {
      for (const proto of ss.spans) parsed.push({ p: parse(proto, serviceName), resource });
    }
  }
  // The cost step: the catalogs of the priced spans' providers first (possibly remote).
  const priced = parsed.filter((x) => x.p.needsCost);
  if (priced.length > 0) {
    await prepareModelCost(priced.map((x) => costProvider(x.p.attributes)));
    for (const x of priced) addCost(x.p.attributes);
  }

  const traces = new Map<string, Building & { roots: Converted[]; nodes: Converted[]; resource?: PyDict }>();
  for (const { p, resource } of parsed) {
    const c = finish(p);
    let t = traces.get(c.span.traceId);
    if (!t) {
      t = {
        traceId: c.span.traceId,
        spans: [],
        minStartMs: 0,
        maxEndMs: null,
        rootStatus: null,
        sessionId: null,
        userId: null,
        requestPreview: undefined,
        responsePreview: undefined,
        tags: new Map(),
        resourceTags: new Map(),
        roots: [],
        nodes: [],
      };
      traces.set(c.span.traceId, t);
    }
    if (t.resource === undefined && resource !== undefined) t.resource = resource;
    t.spans.push(c.span);
    t.nodes.push(c);
    if (c.isRoot) t.roots.push(c);
  }
  const out: TraceSpans[] = [];
  for (const t of traces.values()) {
    let minStart = t.spans[0]!.startNs;
    let maxEnd: bigint | undefined;
    for (const s of t.spans) {
      if (s.startNs < minStart) minStart = s.startNs;
      if (maxEnd === undefined || s.endNs > maxEnd) maxEnd = s.endNs;
    }
    t.minStartMs = Number(minStart / 1_000_000n);
    t.maxEndMs = maxEnd === undefined ? null : Number(maxEnd / 1_000_000n);
    const firstRoot = t.roots[0];
    if (firstRoot) t.rootStatus = firstRoot.span.status === 'ERROR' ? 'ERROR' : 'OK';
    for (const c of t.nodes) {
      if (t.sessionId === null) {
        // session.id, else the GenAI conventions' gen_ai.conversation.id.
        const raw = c.attributes.get(A.SESSION_ID) || c.attributes.get(A.CONVERSATION_ID);
        if (raw) {
          const sid = parseJsonString(raw);
          if (typeof sid !== 'string') throw new NotNative('a session id that is not a string');
          t.sessionId = validateLengthLimit('Session ID', MAX_SESSION_ID_LENGTH, sid);
        }
      }
      if (t.userId === null) {
        const raw = c.attributes.get(A.USER_ID);
        if (raw) {
          const uid = parseJsonString(raw);
          if (typeof uid !== 'string') throw new NotNative('a user id that is not a string');
          t.userId = uid;
        }
      }
    }
    // The root span: the last root of the batch wins its dict, the tags accumulate over roots.
    for (const root of t.roots) {
      const inputs = root.attributes.get(A.INPUTS);
      const outputs = root.attributes.get(A.OUTPUTS);
      t.requestPreview = inputs ? truncatedPreview(inputs, 'user') : undefined;
      t.responsePreview = outputs ? truncatedPreview(outputs, 'assistant') : undefined;
      for (const [key, raw] of root.attributes) {
        if (!key.startsWith(A.TRACE_TAG_PREFIX)) continue;
        const parsed = parseJsonString(raw);
        const tagValue = typeof parsed === 'string' ? parsed : raw;
        const tag = validTag(key.slice(A.TRACE_TAG_PREFIX.length), tagValue, truncateLongValues);
        if (!tag) continue;
        if (tag[0] === 'mlflow.traceName')
          tag[1] = validateLengthLimit('Trace name', MAX_TRACE_NAME_LENGTH, tag[1]);
        t.tags.set(tag[0], tag[1]);
      }
    }
    if (t.resource) {
      for (const [key, value] of t.resource) {
        if (key.startsWith('telemetry.sdk.') || key.startsWith('mlflow.')) continue;
        const tag = validTag(key, resourceTagValue(value), truncateLongValues);
        if (tag) t.resourceTags.set(tag[0], tag[1]);
      }
    }
    out.push(t);
  }
  return out;
}
