/**
 * The Python value rules MLflow's OpenTelemetry translators rely on, over span attributes as
 * they are stored (every value a JSON text, mlflow.tracing.utils.dump_span_attribute_value) and
 * over event attributes as decoded from OTLP (raw values).
 */
import {
  pyJsonDumpsExact,
  pyJsonLoadsExact,
  pyTruthyExact,
  type PyDict,
  type PyExact,
} from '../../../py/json-exact.js';
import { PyFloat } from '../../../py/values.js';
import { NotNative } from '../../raw-reply.js';

/** A span's attributes: key -> stored text, in Python's dict order. */
export type Attrs = Map<string, string>;

/**
 * A span event as Span.to_dict holds it: raw decoded attribute values. Keys whose value held
 * bytes (TraceJSONEncoder writes them as their repr, a translator would read the bytes) are
 * remembered so that reading one hands the batch over.
 */
export interface SpanEvent {
  name: string;
  attributes: PyDict;
  bytesKeys: ReadonlySet<string>;
}

/** event_attrs.get(key), refusing bytes (json.loads / json.dumps of bytes are not followed). */
export function eventAttr(e: SpanEvent, key: string): PyExact | undefined {
  if (e.bytesKeys.has(key)) throw new NotNative('a bytes event attribute read by a translator');
  return e.attributes.get(key);
}

/** json.loads, or undefined where Python raises. */
export function loads(text: string): PyExact | undefined {
  try {
    return pyJsonLoadsExact(text);
  } catch {
    return undefined;
  }
}

/** try_json_loads / _decode_json_value: a str parsed when it is JSON, anything else as is. */
export function tryJsonLoads(v: PyExact | undefined): PyExact | undefined {
  if (typeof v !== 'string') return v;
  const parsed = loads(v);
  return parsed === undefined ? v : parsed;
}

export const truthy = pyTruthyExact;

/** dump_span_attribute_value: json.dumps with ensure_ascii=False. */
export const dumpAttr = pyJsonDumpsExact;

/** Plain json.dumps (ensure_ascii=True): everything outside ' '..'~' escaped as \uXXXX. */
export function dumpsAscii(v: PyExact): string {
  return pyJsonDumpsExact(v).replace(
    /[\u007f-\uffff]/g,
    (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'),
  );
}

/** A dict lookup by a decoded value: lists and dicts are unhashable (TypeError: a 422). */
export function lookup(map: ReadonlyMap<string, string>, key: PyExact | undefined): string | null {
  if (Array.isArray(key) || key instanceof Map) throw new NotNative('an unhashable span kind');
  return typeof key === 'string' ? (map.get(key) ?? null) : null;
}

/** Python's int(str), or null where it raises ValueError. */
export function pyIntOfStr(s: string): bigint | null {
  // int() also reads Unicode digits and whitespace (and \x1c-\x1f as whitespace): not followed.
  // eslint-disable-next-line no-control-regex
  if (/[\x1c-\x1f\x85]|[^\x00-\x7f](?<=[\p{Nd}\p{White_Space}\p{Z}\p{Cc}\p{Cf}])/u.test(s)) {
    throw new NotNative('a token count with Unicode digits or spaces');
  }
  const m = /^[ \t\n\r\f\v]*([+-]?)(\d+(?:_\d+)*)[ \t\n\r\f\v]*$/.exec(s);
  if (!m) return null;
  const digits = m[2]!.replace(/_/g, '');
  // sys.int_info.default_max_str_digits: longer texts raise ValueError.
  if (digits.length > 4300) return null;
  return BigInt(m[1] + digits);
}

/** Python's int(x) of a decoded value, or null where it raises TypeError / ValueError. */
export function pyInt(v: PyExact | undefined): bigint | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'boolean') return v ? 1n : 0n;
  if (typeof v === 'number') return BigInt(v);
  if (typeof v === 'bigint') return v;
  if (v instanceof PyFloat) {
    if (Number.isNaN(v.value)) return null;
    if (!Number.isFinite(v.value)) throw new NotNative('an infinite token count (OverflowError)');
    return BigInt(Math.trunc(v.value));
  }
  if (typeof v === 'string') return pyIntOfStr(v);
  return null;
}

/** What a translator hands _parse_int_attribute: a stored attribute text, or an int it computed. */
export type RawTokens = string | bigint | null | undefined;

/** translation._parse_int_attribute. */
export function parseIntAttribute(value: RawTokens): bigint | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return value;
  const parsed = loads(value);
  if (parsed !== undefined) {
    // isinstance(True, int): a boolean would be kept as one (and summed as 1).
    if (typeof parsed === 'boolean') throw new NotNative('a boolean token count');
    if (typeof parsed === 'number' || typeof parsed === 'bigint') return BigInt(parsed);
    if (typeof parsed === 'string') {
      const n = pyIntOfStr(parsed);
      if (n !== null) return n;
    }
  }
  return pyIntOfStr(value);
}

/** Python bytes repr (str(b) as TraceJSONEncoder writes bytes): b'...' with its escapes. */
export function bytesRepr(b: Buffer): string {
  const hasSingle = b.includes(0x27);
  const quote = hasSingle && !b.includes(0x22) ? '"' : "'";
  let out = 'b' + quote;
  for (const c of b) {
    if (c === quote.charCodeAt(0) || c === 0x5c) out += '\\' + String.fromCharCode(c);
    else if (c === 0x09) out += '\\t';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c < 0x20 || c >= 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += String.fromCharCode(c);
  }
  return out + quote;
}
