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
  Span_Link,
  Span_SpanKind,
  Status_StatusCode,
} from '../../gen/messages.js';
import { MlflowError } from '../../errors/mlflow-error.js';
import {
  pyJsonDumpsExact,
  pyJsonLoadsExact,
  pyTruthyExact,
  type PyDict,
  type PyExact,
} from '../../py/json-exact.js';
import { PyFloat } from '../../py/values.js';
import { NotNative } from '../raw-reply.js';
import { translateSpanTypeFromOtel } from './otel-translation/index.js';

const REQUEST_ID_ATTRIBUTE = 'mlflow.traceRequestId';
const SPAN_TYPE_ATTRIBUTE = 'mlflow.spanType';

export const KIND_NAMES: Span_SpanKind[] = [
  'SPAN_KIND_UNSPECIFIED',
  'SPAN_KIND_INTERNAL',
  'SPAN_KIND_SERVER',
  'SPAN_KIND_CLIENT',
  'SPAN_KIND_PRODUCER',
  'SPAN_KIND_CONSUMER',
];
export const STATUS_CODES: Record<string, Status_StatusCode> = {
  STATUS_CODE_UNSET: 'STATUS_CODE_UNSET',
  STATUS_CODE_OK: 'STATUS_CODE_OK',
  STATUS_CODE_ERROR: 'STATUS_CODE_ERROR',
  // Spans stored by MLflow 3.5.0 kept the SpanStatusCode value.
  UNSET: 'STATUS_CODE_UNSET',
  OK: 'STATUS_CODE_OK',
  ERROR: 'STATUS_CODE_ERROR',
};

export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;
export const UINT64_MAX = 2n ** 64n - 1n;

class BadSpan extends Error {}

const badSpan = (): MlflowError =>
  new MlflowError('Failed to create a Span object from the given dictionary', 'INVALID_PARAMETER_VALUE');

/** _sanitize_otel_string: what UTF-8 cannot encode (a lone surrogate) becomes "?". */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
export function sanitize(s: string): string {
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
export function attributeValue(stored: PyExact): PyExact {
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

/**
 * Base64 texts of exactly `width` bytes whose unused low bits are zero: decoding and re-encoding
 * gives them back unchanged (the form log_spans stores).
 */
const CANONICAL_ID: Record<number, RegExp> = {
  16: /^[A-Za-z0-9+/]{21}[AQgw]==$/,
  8: /^[A-Za-z0-9+/]{10}[AEIMQUYcgkosw048]=$/,
};

/** Whether an id is stored in the form to_otel_proto writes it back unchanged. */
export const isCanonicalId = (stored: string, width: 8 | 16): boolean => CANONICAL_ID[width]!.test(stored);

/** An id as to_otel_proto writes it: the id's int, as `width` big-endian bytes, in base64. */
function idBytes(stored: PyExact | undefined, width: number): string {
  if (typeof stored !== 'string') throw new BadSpan();
  if (CANONICAL_ID[width]?.test(stored)) return stored;
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

/**
 * translate_loaded_span_with_status: the span type the OpenTelemetry translators give a span
 * whose stored type is missing or UNKNOWN (null when none, or when a translator raises, which
 * MLflow swallows). Attributes that are not all str (never written by log_spans) are read by
 * the Python server.
 */
function translatedType(attributes: PyDict): string | null {
  const stored = attributes.get(SPAN_TYPE_ATTRIBUTE);
  if (pyTruthyExact(stored)) {
    const t = typeof stored === 'string' ? attributeValue(stored) : stored;
    if (t !== null && t !== 'UNKNOWN') return null;
  }
  const texts = new Map<string, string>();
  for (const [k, v] of attributes) {
    if (typeof v !== 'string') throw new NotNative('span attributes that are not all str (OTel translators)');
    texts.set(k, v);
  }
  try {
    return translateSpanTypeFromOtel(texts);
  } catch (err) {
    if (err instanceof NotNative) return null;
    throw err;
  }
}

/** Link.from_dict then to_otel_proto's link: ids back to bytes, attributes as AnyValues. */
function link(v: PyExact): Span_Link | undefined {
  if (!(v instanceof Map) || !v.has('trace_id') || !v.has('span_id')) throw new BadSpan();
  const traceId = v.get('trace_id');
  const spanId = v.get('span_id');
  const attrs = v.get('attributes');
  if (typeof traceId !== 'string' || typeof spanId !== 'string')
    throw new NotNative('a link id that is not a str');
  const t = /^tr-([0-9a-f]+)$/i.exec(traceId);
  if (!t || !/^[0-9a-f]+$/i.test(spanId)) throw new NotNative('a link id MLflow would not write');
  const traceInt = BigInt('0x' + t[1]);
  const spanInt = BigInt('0x' + spanId);
  // Ids wider than OTLP allows are dropped.
  if (traceInt >= 2n ** 128n || spanInt >= 2n ** 64n) return undefined;
  if (attrs !== undefined && attrs !== null && !(attrs instanceof Map))
    throw new NotNative('link attributes that are not a dict');
  return {
    trace_id: Buffer.from(traceInt.toString(16).padStart(32, '0'), 'hex').toString('base64'),
    span_id: Buffer.from(spanInt.toString(16).padStart(16, '0'), 'hex').toString('base64'),
    attributes: attrs && attrs.size > 0 ? keyValues(attrs, false) : [],
  };
}

function build(data: PyDict): Span {
  const attributes = data.get('attributes');
  if (attributes !== undefined && !(attributes instanceof Map)) throw new BadSpan();
  if (!attributes || !pyTruthyExact(attributes.get(REQUEST_ID_ATTRIBUTE))) throw new BadSpan();
  // The v2 schema (a "context" key) and links take paths of Span.from_dict not followed here.
  if (data.has('context')) throw new NotNative('a span stored in the v2 schema');
  const linksStored = data.get('links');
  if (
    linksStored !== undefined &&
    linksStored !== null &&
    !Array.isArray(linksStored) &&
    pyTruthyExact(linksStored)
  ) {
    throw new NotNative('links that are not a list');
  }
  const links = Array.isArray(linksStored) ? linksStored.map(link).filter((l) => l !== undefined) : [];
  const translated = translatedType(attributes);
  if (translated !== null) attributes.set(SPAN_TYPE_ATTRIBUTE, JSON.stringify(translated));

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
    links,
    status: { message, code: code === 'STATUS_CODE_UNSET' ? undefined : code },
  };
}

/** json.dumps(v, separators=(",", ":")) (ensure_ascii, NaN allowed) of an exact value. */
function dumpsCompact(v: PyExact): string {
  if (Array.isArray(v)) return '[' + v.map(dumpsCompact).join(',') + ']';
  if (v instanceof Map) {
    const parts: string[] = [];
    for (const [k, x] of v) parts.push(asciiJson(JSON.stringify(k)) + ':' + dumpsCompact(x));
    return '{' + parts.join(',') + '}';
  }
  return asciiJson(pyJsonDumpsExact(v));
}
const asciiJson = (s: string): string =>
  s.replace(/[\u007f-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));

/**
 * A stored span as get-trace-artifact sends it (LazySpan.json_for_export): the stored text as is,
 * or, when translate_loaded_span_with_status set a type, the dict re-dumped compactly.
 */
export function exportedContent(content: string): string {
  let data: PyExact;
  try {
    data = pyJsonLoadsExact(content);
  } catch {
    throw new NotNative('span content that is not JSON');
  }
  if (!(data instanceof Map)) throw new NotNative('span content that is not a dict');
  // No attributes, or not a dict: nothing translated (MLflow swallows the AttributeError).
  const attributes = data.get('attributes');
  if (!(attributes instanceof Map)) return content;
  const translated = translatedType(attributes);
  if (translated === null) return content;
  attributes.set(SPAN_TYPE_ATTRIBUTE, JSON.stringify(translated));
  return dumpsCompact(data);
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
