/**
 * getTrace's hot path: a stored span written straight to the JSON of its OTLP Span message, the
 * same text the serializer writes for spanMessage(content) (span-message.ts follows MLflow's
 * LazySpan -> Span.from_dict -> to_otel_proto -> message_to_json chain step by step; this file
 * reaches the same answer without building the Python-exact dict, the message objects and then
 * the text from them, which cost a 1,000-span trace most of its CPU).
 *
 * Only the shape log_spans stores is taken (MLflow's and ours): a JSON object with the ids in
 * canonical base64, int times, a `{code, message}` status, str attribute values with a span type
 * that needs no OpenTelemetry translation, events, and no links. Any other span, or anything
 * not as expected in this one (a duplicate key, an unusual token), returns undefined and goes the
 * long way, which also gives MLflow's errors.
 */
import { closingQuote, skipJsonWs, type PyExact } from '../../py/json-exact.js';
import { finiteFloatRepr } from '../../py/numbers.js';
import { PyFloat } from '../../py/values.js';
import { PreSerialized } from '../pre-serialized.js';
import {
  INT64_MAX,
  INT64_MIN,
  KIND_NAMES,
  STATUS_CODES,
  UINT64_MAX,
  attributeValue,
  isCanonicalId,
  sanitize,
} from './span-message.js';

const REQUEST_ID_ATTRIBUTE = 'mlflow.traceRequestId';
const SPAN_TYPE_ATTRIBUTE = 'mlflow.spanType';

/** Thrown (one instance, no stack to build) when the span is not the common shape. */
const NOT_COMMON = new Error('not the common stored span shape');

// eslint-disable-next-line no-control-regex
const ESCAPE_OR_CONTROL = /[\\\u0000-\u001f]/;
/** What JSON.stringify would escape, or sanitize would replace: absent means quoting as is. */
// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;
/** An int literal that is a safe integer as written (`-0` is Python's 0). */
const SAFE_INT = /^-?(?:0|[1-9]\d{0,14})$/;
/** A JSON int token without sign: the form times take. */
const UINT_TOKEN = /(?:0|[1-9]\d*)(?![.eE\d])/y;

/** The serializer's string: JSON.stringify's text. */
const quote = (v: string): string => (NEEDS_ESCAPE.test(v) ? JSON.stringify(v) : '"' + v + '"');

/** The serializer's double (a PyFloat's value). */
function double(v: number): string {
  if (Number.isFinite(v)) return finiteFloatRepr(v);
  return Number.isNaN(v) ? '"NaN"' : v > 0 ? '"Infinity"' : '"-Infinity"';
}

const keyValue = (key: string, value: string | undefined): string =>
  '{"key":' + quote(key) + (value === undefined ? '' : ',"value":' + value) + '}';

/** _set_otel_proto_anyvalue of a loaded value, as AnyValue JSON; undefined where it stays unset. */
function anyValueJson(v: PyExact): string | undefined {
  if (v === null) return undefined;
  if (typeof v === 'boolean') return v ? '{"bool_value":true}' : '{"bool_value":false}';
  if (typeof v === 'string') return '{"string_value":' + quote(sanitize(v)) + '}';
  if (typeof v === 'number') return '{"int_value":' + JSON.stringify(v) + '}';
  if (typeof v === 'bigint') {
    // Outside int64 the long way answers (protobuf's ValueError).
    if (v < INT64_MIN || v > INT64_MAX) throw NOT_COMMON;
    return '{"int_value":' + v.toString() + '}';
  }
  if (v instanceof PyFloat) return '{"double_value":' + double(v.value) + '}';
  if (Array.isArray(v)) {
    if (v.length === 0) return '{"array_value":{}}';
    let o = '{"array_value":{"values":[';
    for (let i = 0; i < v.length; i++) o += (i ? ',' : '') + (anyValueJson(v[i]!) ?? '{}');
    return o + ']}}';
  }
  if (v.size === 0) return '{"kvlist_value":{}}';
  let o = '{"kvlist_value":{"values":[';
  let first = true;
  for (const [k, x] of v) {
    o += (first ? '' : ',') + keyValue(sanitize(k), anyValueJson(x));
    first = false;
  }
  return o + ']}}';
}

/** A stored (non-empty str) attribute value, json.loads'ed as _SpanAttributesRegistry.get does. */
function attributeJson(stored: string): string | undefined {
  const n = stored.length;
  // A JSON string literal with nothing to unescape is its own string_value text.
  if (n >= 2 && stored.charCodeAt(0) === 34 && stored.charCodeAt(n - 1) === 34) {
    const inner = stored.slice(1, n - 1);
    if (!NEEDS_ESCAPE.test(inner)) return '{"string_value":' + stored + '}';
  } else if (SAFE_INT.test(stored)) {
    return '{"int_value":' + (stored === '-0' ? '0' : stored) + '}';
  }
  try {
    const scan = new Scan(stored);
    const json = valueJson(scan, 0);
    scan.ws();
    if (scan.i !== n) throw NOT_DIRECT;
    return json;
  } catch (err) {
    if (err !== NOT_DIRECT && err !== NOT_COMMON) throw err;
  }
  // What the direct reading leaves (NaN, a repeated key, deep nesting, text json.loads
  // refuses) is loaded exactly, as the long way does.
  return anyValueJson(attributeValue(stored));
}

/** Thrown where an attribute value is better loaded exactly first. */
const NOT_DIRECT = new Error('attribute value to load exactly');
const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?/y;
/** Deeper values are loaded exactly (the exact reader knows Python's recursion limit). */
const MAX_DIRECT_DEPTH = 100;

/** The AnyValue JSON of the JSON value at the reader's position, read as json.loads reads it. */
function valueJson(scan: Scan, depth: number): string | undefined {
  scan.ws();
  const s = scan.s;
  const i = scan.i;
  const c = s.charCodeAt(i);
  if (c === 34) return '{"string_value":' + quote(sanitize(scan.str())) + '}';
  if (c === 123 || c === 91) {
    if (depth >= MAX_DIRECT_DEPTH) throw NOT_DIRECT;
    scan.i++;
    scan.ws();
    const close = c === 123 ? 125 : 93;
    if (s.charCodeAt(scan.i) === close) {
      scan.i++;
      return c === 123 ? '{"kvlist_value":{}}' : '{"array_value":{}}';
    }
    let o = c === 123 ? '{"kvlist_value":{"values":[' : '{"array_value":{"values":[';
    const keys: string[] = [];
    for (;;) {
      if (c === 123) {
        const key = scan.str();
        // A repeated key keeps its first place and its last value in a dict.
        if (keys.includes(key)) throw NOT_DIRECT;
        keys.push(key);
        if (scan.next() !== 58) throw NOT_DIRECT;
        o += (keys.length > 1 ? ',' : '') + keyValue(sanitize(key), valueJson(scan, depth + 1));
      } else {
        o += (keys.length > 0 ? ',' : '') + (valueJson(scan, depth + 1) ?? '{}');
        keys.push('');
      }
      const d = scan.next();
      if (d === close) return o + ']}}';
      if (d !== 44) throw NOT_DIRECT;
    }
  }
  if (c === 116 && s.startsWith('true', i)) return ((scan.i += 4), '{"bool_value":true}');
  if (c === 102 && s.startsWith('false', i)) return ((scan.i += 5), '{"bool_value":false}');
  if (c === 110 && s.startsWith('null', i)) return ((scan.i += 4), undefined);
  NUMBER.lastIndex = i;
  const m = NUMBER.exec(s);
  if (!m) throw NOT_DIRECT;
  scan.i = NUMBER.lastIndex;
  const text = m[0];
  if (m[1] !== undefined || m[2] !== undefined) return '{"double_value":' + double(Number(text)) + '}';
  const v = Number(text);
  if (Number.isSafeInteger(v)) return '{"int_value":' + JSON.stringify(v === 0 ? 0 : v) + '}';
  return anyValueJson(BigInt(text));
}

/** The loaded span type, if the stored one needs no translation (else the long way). */
function plainSpanType(stored: string | undefined): void {
  if (stored === undefined || stored === '') throw NOT_COMMON;
  const n = stored.length;
  let t: PyExact;
  if (n >= 2 && stored.charCodeAt(0) === 34 && stored.charCodeAt(n - 1) === 34 && !stored.includes('\\', 1)) {
    t = stored.slice(1, n - 1);
    if (t.includes('"')) t = attributeValue(stored);
  } else {
    t = attributeValue(stored);
  }
  if (t === null || t === 'UNKNOWN') throw NOT_COMMON;
}

/** A reader of the stored span's JSON text for the fields it holds. */
class Scan {
  i = 0;
  constructor(readonly s: string) {}

  ws(): void {
    this.i = skipJsonWs(this.s, this.i);
  }

  /** The next non-blank character, consumed. */
  next(): number {
    this.ws();
    return this.s.charCodeAt(this.i++);
  }

  str(): string {
    const s = this.s;
    this.ws();
    const start = this.i;
    if (s.charCodeAt(start) !== 34) throw NOT_COMMON;
    const q = closingQuote(s, start);
    if (q < 0) throw NOT_COMMON;
    this.i = q + 1;
    const body = s.slice(start + 1, q);
    // Nothing to unescape and no control character (JSON.parse refuses those, as json.loads).
    if (!ESCAPE_OR_CONTROL.test(body)) return body;
    try {
      return JSON.parse(s.slice(start, q + 1)) as string;
    } catch {
      throw NOT_COMMON;
    }
  }

  /** `null` here (consumed) or not. */
  nul(): boolean {
    this.ws();
    if (this.s.startsWith('null', this.i)) {
      this.i += 4;
      return true;
    }
    return false;
  }

  strOrNull(): string | null {
    return this.nul() ? null : this.str();
  }

  /** An int time's digits, or null. */
  uintOrNull(): string | null {
    if (this.nul()) return null;
    UINT_TOKEN.lastIndex = this.i;
    const m = UINT_TOKEN.exec(this.s);
    if (!m) throw NOT_COMMON;
    this.i = UINT_TOKEN.lastIndex;
    return m[0];
  }

  emptyList(): void {
    if (this.next() !== 91 || this.next() !== 93) throw NOT_COMMON;
  }

  /** `[item, ...]` with each item read by `item`. */
  list(item: () => void): void {
    if (this.next() !== 91) throw NOT_COMMON;
    this.ws();
    if (this.s.charCodeAt(this.i) === 93) {
      this.i++;
      return;
    }
    for (;;) {
      item();
      const c = this.next();
      if (c === 93) return;
      if (c !== 44) throw NOT_COMMON;
    }
  }

  /** `{"key": value, ...}` with each value read by `value`; false when the object is empty. */
  object(value: (key: string) => void): boolean {
    if (this.next() !== 123) throw NOT_COMMON;
    this.ws();
    if (this.s.charCodeAt(this.i) === 125) {
      this.i++;
      return false;
    }
    for (;;) {
      const key = this.str();
      if (this.next() !== 58) throw NOT_COMMON;
      value(key);
      const c = this.next();
      if (c === 125) return true;
      if (c !== 44) throw NOT_COMMON;
    }
  }
}

/**
 * A stored event (Span.from_dict's SpanEvent, then to_otel_proto) as Span.Event JSON: its
 * attribute values are stored as they are (not JSON texts), so they are read in place.
 */
function eventJson(scan: Scan): string {
  let seen = 0;
  let name: string | undefined;
  let time: string | null | undefined;
  const keys: string[] = [];
  const values: (string | undefined)[] = [];
  scan.object((key) => {
    const bit = key === 'name' ? 1 : key === 'time_unix_nano' ? 2 : key === 'attributes' ? 4 : 0;
    if (bit === 0 || seen & bit) throw NOT_COMMON;
    seen |= bit;
    if (bit === 1) name = scan.str();
    else if (bit === 2) time = scan.uintOrNull();
    else if (!scan.nul()) {
      scan.object((k) => {
        if (keys.includes(k)) throw NOT_COMMON;
        keys.push(k);
        try {
          values.push(valueJson(scan, 1));
        } catch (err) {
          throw err === NOT_DIRECT ? NOT_COMMON : err;
        }
      });
    }
  });
  if (name === undefined || time === undefined || time === null) throw NOT_COMMON;
  const parts: string[] = [];
  const timeText = uint64Text(time);
  if (timeText) parts.push('"time_unix_nano":' + timeText);
  if (name !== '') parts.push('"name":' + quote(sanitize(name)));
  if (keys.length > 0) {
    parts.push('"attributes":[' + keys.map((k, i) => keyValue(k, values[i])).join(',') + ']');
  }
  return '{' + parts.join(',') + '}';
}

/** A uint64 time as the serializer writes it; '' when zero (unset). */
function uint64Text(digits: string): string {
  if (digits.length >= 20 && (digits.length > 20 || BigInt(digits) > UINT64_MAX)) throw NOT_COMMON;
  return digits === '0' ? '' : digits;
}

function write(content: string): string {
  const scan = new Scan(content);
  // Each key taken is a bit: one seen twice is a duplicate (a dict keeps one value per key).
  let seen = 0;
  const once = (bit: number): void => {
    if (seen & bit) throw NOT_COMMON;
    seen |= bit;
  };
  let traceId: string | undefined;
  let spanId: string | undefined;
  let parent: string | null | undefined;
  let name: string | undefined;
  let kind: string | null = null;
  let start: string | null | undefined;
  let end: string | null = null;
  const events: string[] = [];
  let code: string | undefined;
  let message: string | null = null;
  const keys: string[] = [];
  const values: string[] = [];
  scan.object((key) => {
    switch (key) {
      case 'trace_id':
        once(1);
        traceId = scan.str();
        break;
      case 'span_id':
        once(2);
        spanId = scan.str();
        break;
      case 'parent_span_id':
        once(4);
        parent = scan.strOrNull();
        break;
      case 'name':
        once(8);
        name = scan.str();
        break;
      case 'kind':
        once(16);
        kind = scan.strOrNull();
        break;
      case 'start_time_unix_nano':
        once(32);
        start = scan.uintOrNull();
        break;
      case 'end_time_unix_nano':
        once(64);
        end = scan.uintOrNull();
        break;
      case 'events':
        once(128);
        scan.list(() => events.push(eventJson(scan)));
        break;
      case 'links':
        once(256);
        scan.emptyList();
        break;
      case 'status':
        once(512);
        scan.object((k) => {
          if (k === 'code') {
            once(1024);
            code = scan.str();
          } else if (k === 'message') {
            once(2048);
            message = scan.strOrNull();
          } else {
            throw NOT_COMMON;
          }
        });
        break;
      case 'attributes':
        once(4096);
        scan.object((k) => {
          keys.push(k);
          values.push(scan.str());
        });
        break;
      default:
        throw NOT_COMMON;
    }
  });
  scan.ws();
  if (scan.i !== content.length) throw NOT_COMMON;
  if (traceId === undefined || spanId === undefined || parent === undefined) throw NOT_COMMON;
  if (name === undefined || start === undefined || start === null || code === undefined) throw NOT_COMMON;
  if (!isCanonicalId(traceId, 16) || !isCanonicalId(spanId, 8)) throw NOT_COMMON;
  if (parent && !isCanonicalId(parent, 8)) throw NOT_COMMON;
  if (!Object.hasOwn(STATUS_CODES, code)) throw NOT_COMMON;
  const statusCode = STATUS_CODES[code]!;

  // A dict keeps one value per key: a repeated attribute takes the long way.
  if (keys.length > 1 && new Set(keys).size !== keys.length) throw NOT_COMMON;
  const requestId = keys.indexOf(REQUEST_ID_ATTRIBUTE);
  if (requestId < 0 || values[requestId] === '') throw NOT_COMMON;
  const spanTypeIndex = keys.indexOf(SPAN_TYPE_ATTRIBUTE);
  plainSpanType(spanTypeIndex < 0 ? undefined : values[spanTypeIndex]);

  let kindName = 'SPAN_KIND_INTERNAL';
  if (kind !== null && kind !== '') {
    const k = KIND_NAMES.indexOf(kind as (typeof KIND_NAMES)[number]);
    if (k < 0) throw NOT_COMMON;
    if (k > 0) kindName = KIND_NAMES[k]!;
  }

  // Parts joined once: one flat string, no pieces left to outlive the span.
  const o: string[] = ['{"trace_id":"', traceId, '","span_id":"', spanId, '"'];
  if (parent) o.push(',"parent_span_id":"', parent, '"');
  if (name !== '') o.push(',"name":', quote(sanitize(name)));
  o.push(',"kind":"', kindName, '"');
  const startText = uint64Text(start);
  if (startText) o.push(',"start_time_unix_nano":', startText);
  const endText = end === null ? '' : uint64Text(end);
  if (endText) o.push(',"end_time_unix_nano":', endText);
  o.push(',"attributes":[');
  for (let i = 0; i < keys.length; i++) {
    const stored = values[i]!;
    if (i) o.push(',');
    o.push('{"key":', quote(keys[i]!));
    const value = stored === '' ? undefined : attributeJson(stored);
    if (value !== undefined) o.push(',"value":', value);
    o.push('}');
  }
  o.push(']');
  if (events.length > 0) o.push(',"events":[', events.join(','), ']');
  o.push(',"status":{');
  // OpenTelemetry's Status keeps a description only for ERROR.
  const withMessage = statusCode === 'STATUS_CODE_ERROR' && message !== null && message !== '';
  if (withMessage) o.push('"message":', quote(message!));
  if (statusCode !== 'STATUS_CODE_UNSET') o.push(withMessage ? ',"code":"' : '"code":"', statusCode, '"');
  o.push('}}');
  return o.join('');
}

/** The Span message's JSON of a stored span of the common shape, or undefined (see above). */
export function spanJson(content: string): PreSerialized | undefined {
  try {
    return new PreSerialized(write(content));
  } catch (err) {
    if (err === NOT_COMMON) return undefined;
    throw err;
  }
}
