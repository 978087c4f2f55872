/**
 * A stored span (`spans.content`, the dict Span.to_dict wrote) as the OTLP Span message MLflow's
 * getTrace returns: LazySpan.from_stored_content, then Span.from_dict and to_otel_proto, then
 * message_to_json. What that chain does to a value shows on the wire, so it is followed step by
 * step: attribute values are json.loads'ed back (a value that does not load stays a string, a
 * falsy one is dropped), then set as OTLP AnyValues (_set_otel_proto_anyvalue); times stay exact
 * uint64 (bigint); the status message survives only on ERROR (OpenTelemetry's Status drops it
 * otherwise); an unspecified kind reads as INTERNAL.
 */
import type {
  AnyValue,
  KeyValue,
  Span,
  Span_Event,
  Span_SpanKind,
  Status_StatusCode,
} from '../../gen/messages.js';
import { MlflowError } from '../../errors/mlflow-error.js';
import { pyJsonLoadsExact, pyTruthyExact, type PyDict, type PyExact } from '../../py/json-exact.js';
import { PyFloat } from '../../py/values.js';
import { NotNative } from '../raw-reply.js';

const REQUEST_ID_ATTRIBUTE = 'mlflow.traceRequestId';
const SPAN_TYPE_ATTRIBUTE = 'mlflow.spanType';

/**
 * Attributes from which translate_loaded_span (the OpenTelemetry schema translators) may derive a
 * span type when the stored one is missing or UNKNOWN. Such spans are read by the Python server.
 */
const TRANSLATED_TYPE_KEYS = new Set([
  'span.type',
  'entity.type',
  'gen_ai.operation.name',
  'gen_ai.request.model',
  'lmnr.span.type',
  'langfuse.observation.type',
  'openinference.span.kind',
  'traceloop.span.kind',
  'ai.operationId',
]);

const KIND_NAMES: Span_SpanKind[] = [
  'SPAN_KIND_UNSPECIFIED',
  'SPAN_KIND_INTERNAL',
  'SPAN_KIND_SERVER',
  'SPAN_KIND_CLIENT',
  'SPAN_KIND_PRODUCER',
  'SPAN_KIND_CONSUMER',
];
const STATUS_CODES: Record<string, Status_StatusCode> = {
  STATUS_CODE_UNSET: 'STATUS_CODE_UNSET',
  STATUS_CODE_OK: 'STATUS_CODE_OK',
  STATUS_CODE_ERROR: 'STATUS_CODE_ERROR',
  // Spans stored by MLflow 3.5.0 kept the SpanStatusCode value.
  UNSET: 'STATUS_CODE_UNSET',
  OK: 'STATUS_CODE_OK',
  ERROR: 'STATUS_CODE_ERROR',
};

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

class BadSpan extends Error {}

const badSpan = (): MlflowError =>
  new MlflowError('Failed to create a Span object from the given dictionary', 'INVALID_PARAMETER_VALUE');

/** _sanitize_otel_string: what UTF-8 cannot encode (a lone surrogate) becomes "?". */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
function sanitize(s: string): string {
  return LONE_SURROGATE.test(s) ? s.replace(LONE_SURROGATE, '?') : s;
}

/** _set_otel_proto_anyvalue; undefined where the value is left unset (None). */
function anyValue(v: PyExact): AnyValue | undefined {
  if (v === null) return undefined;
  if (typeof v === 'boolean') return { bool_value: v };
  if (typeof v === 'string') return { string_value: sanitize(v) };
  if (typeof v === 'number') return { int_value: v };
  if (typeof v === 'bigint') {
    // protobuf refuses an int outside int64 (a ValueError, Flask's bare 500).
    if (v < INT64_MIN || v > INT64_MAX) throw new NotNative('an attribute int outside int64');
    return { int_value: v as unknown as number };
  }
  if (v instanceof PyFloat) return { double_value: v.value };
  if (Array.isArray(v)) return { array_value: { values: v.map((x) => anyValue(x) ?? {}) } };
  const values: KeyValue[] = [];
  for (const [k, x] of v) values.push({ key: sanitize(k), value: anyValue(x) });
  return { kvlist_value: { values } };
}

/** _SpanAttributesRegistry.get: json.loads of a stored value, the value itself if that fails. */
function attributeValue(stored: PyExact): PyExact {
  if (!pyTruthyExact(stored)) return null;
  if (typeof stored !== 'string') return stored;
  try {
    return pyJsonLoadsExact(stored);
  } catch {
    return stored;
  }
}

function dict(v: PyExact | undefined): PyDict {
  if (!(v instanceof Map)) throw new BadSpan();
  return v;
}

/** Python's int(x) of a stored time. */
function pyInt(v: PyExact | undefined): bigint {
  if (typeof v === 'number') return BigInt(v);
  if (typeof v === 'bigint') return v;
  if (v instanceof PyFloat && Number.isFinite(v.value)) return BigInt(Math.trunc(v.value));
  if (typeof v === 'boolean') return v ? 1n : 0n;
  if (typeof v === 'string' && /^\s*[-+]?\d+(_\d+)*\s*$/.test(v)) return BigInt(v.trim().replace(/_/g, ''));
  throw new BadSpan();
}

/** A uint64 field as protobuf sets it: zero is unset, out of range is Python's ValueError. */
function uint64(v: bigint): bigint | undefined {
  if (v < 0n || v > UINT64_MAX) throw new NotNative('a span time outside uint64');
  return v === 0n ? undefined : v;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** An id as to_otel_proto writes it: the id's int, as `width` big-endian bytes, in base64. */
function idBytes(stored: PyExact | undefined, width: number): string {
  if (typeof stored !== 'string') throw new BadSpan();
  // Not base64: the 3.5.0 hex form, which the Python server reads.
  if (!BASE64.test(stored)) throw new NotNative('a span stored with hex ids');
  let bytes = Buffer.from(stored, 'base64');
  let start = 0;
  while (start < bytes.length - width && bytes[start] === 0) start++;
  bytes = bytes.subarray(start);
  if (bytes.length > width) throw new NotNative('a span id wider than OTLP allows');
  if (bytes.length < width) bytes = Buffer.concat([Buffer.alloc(width - bytes.length), bytes]);
  return bytes.toString('base64');
}

function spanKind(stored: PyExact | undefined): Span_SpanKind {
  if (!pyTruthyExact(stored)) return 'SPAN_KIND_INTERNAL';
  if (typeof stored !== 'string') throw new BadSpan();
  const k = KIND_NAMES.indexOf(stored as Span_SpanKind);
  if (k < 0) throw new BadSpan();
  return k === 0 ? 'SPAN_KIND_INTERNAL' : KIND_NAMES[k]!;
}

function keyValues(attrs: Iterable<[string, PyExact]>, load: boolean): KeyValue[] {
  const out: KeyValue[] = [];
  for (const [key, stored] of attrs) {
    out.push({ key, value: anyValue(load ? attributeValue(stored) : stored) });
  }
  return out;
}

/** Whether the Python server would give this span a translated type on read. */
function typeIsTranslated(attributes: PyDict): boolean {
  const stored = attributes.get(SPAN_TYPE_ATTRIBUTE);
  if (pyTruthyExact(stored)) {
    const t = typeof stored === 'string' ? attributeValue(stored) : stored;
    if (t !== null && t !== 'UNKNOWN') return false;
  }
  for (const key of attributes.keys()) {
    if (TRANSLATED_TYPE_KEYS.has(key) || key.startsWith('lk.')) return true;
  }
  return false;
}

function build(data: PyDict): Span {
  const attributes = data.get('attributes');
  if (attributes !== undefined && !(attributes instanceof Map)) throw new BadSpan();
  if (!attributes || !pyTruthyExact(attributes.get(REQUEST_ID_ATTRIBUTE))) throw new BadSpan();
  // The v2 schema (a "context" key) and links take paths of Span.from_dict not followed here.
  if (data.has('context')) throw new NotNative('a span stored in the v2 schema');
  const links = data.get('links');
  if (pyTruthyExact(links)) throw new NotNative('span links');
  if (typeIsTranslated(attributes)) throw new NotNative('a span type the OTel translators derive');

  const traceId = idBytes(data.get('trace_id'), 16);
  const spanId = idBytes(data.get('span_id'), 8);
  if (!data.has('parent_span_id')) throw new BadSpan();
  const parent = data.get('parent_span_id');
  const parentSpanId = pyTruthyExact(parent) ? idBytes(parent, 8) : undefined;

  const status = dict(data.get('status'));
  const codeName = status.get('code');
  const code = typeof codeName === 'string' ? STATUS_CODES[codeName] : undefined;
  if (code === undefined) throw new BadSpan();
  const description = status.get('message');
  // OpenTelemetry's Status keeps a description only for ERROR, and only a str.
  const message =
    code === 'STATUS_CODE_ERROR' && typeof description === 'string' && description !== ''
      ? description
      : undefined;

  const name = data.get('name');
  if (typeof name !== 'string') throw new BadSpan();
  const start = pyInt(data.get('start_time_unix_nano'));
  const endStored = data.get('end_time_unix_nano');
  const end = pyTruthyExact(endStored) ? pyInt(endStored) : undefined;

  const eventsStored = data.get('events') ?? [];
  if (!Array.isArray(eventsStored)) throw new BadSpan();
  const events: Span_Event[] = eventsStored.map((e) => {
    const event = dict(e);
    const eventName = event.get('name');
    if (typeof eventName !== 'string') throw new BadSpan();
    const eventAttrs = event.get('attributes') ?? new Map();
    if (!(eventAttrs instanceof Map)) throw new BadSpan();
    return {
      time_unix_nano: uint64(pyInt(event.get('time_unix_nano'))) as unknown as number,
      name: eventName === '' ? undefined : sanitize(eventName),
      attributes: keyValues(eventAttrs, false),
    };
  });

  return {
    trace_id: traceId,
    span_id: spanId,
    parent_span_id: parentSpanId,
    name: name === '' ? undefined : sanitize(name),
    kind: spanKind(data.get('kind')),
    start_time_unix_nano: uint64(start) as unknown as number,
    end_time_unix_nano: end === undefined ? undefined : (uint64(end) as unknown as number),
    attributes: keyValues(attributes, true),
    events,
    status: { message, code: code === 'STATUS_CODE_UNSET' ? undefined : code },
  };
}

/** Whether the Python server translates this stored span's type when it reads it. */
export function translatedOnRead(content: string): boolean {
  try {
    const data = pyJsonLoadsExact(content);
    const attributes = data instanceof Map ? data.get('attributes') : undefined;
    return attributes instanceof Map && typeIsTranslated(attributes);
  } catch {
    return true;
  }
}

/** The OTLP Span message of a stored span's content. */
export function spanMessage(content: string): Span {
  let data: PyExact;
  try {
    data = pyJsonLoadsExact(content);
  } catch {
    // json.loads fails outside Span.from_dict's wrapping: a bare 500 from the Python server.
    throw new NotNative('span content that is not JSON');
  }
  try {
    if (!(data instanceof Map)) throw new BadSpan();
    return build(data);
  } catch (err) {
    if (err instanceof BadSpan) throw badSpan();
    throw err;
  }
}
