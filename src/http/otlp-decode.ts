/**
 * The body of an OTLP/HTTP trace export (`POST /v1/traces`) decoded exactly as MLflow's Python server
 * does (mlflow/server/otel_api.py): protobuf through upb's `ParseFromString`; JSON through
 * `_convert_otlp_json_ids_to_base64` (json.loads, hex ids to base64, json.dumps) and then
 * `json_format.Parse(..., ignore_unknown_fields=True)`. Every field of the installed
 * opentelemetry-proto schema is read and checked as Python checks it (bad UTF-8 in a scope name
 * refuses the request too); only what MLflow reads is returned, with proto3 defaults.
 *
 * OtlpDecodeError is Python's 400 "Invalid OpenTelemetry format"; OtlpCrash is an exception the
 * handler does not catch (a 500): the id conversion's AttributeError / TypeError on a body of the
 * wrong shape, and json.loads' RecursionError on a deeply nested one.
 */
import { isUtf8 } from 'node:buffer';
import { pyJsonLoadsExact, pyTruthyExact, type PyDict, type PyExact } from '../py/json-exact.js';
import { pyJsonLoadsFast } from '../py/json-fast.js';
import { PyFloat } from '../py/values.js';
import type { OtlpResourceSpans } from '../services/traces/otlp-types.js';

export class OtlpDecodeError extends Error {}
export class OtlpCrash extends Error {}

export type {
  OtlpAnyValue,
  OtlpKeyValue,
  OtlpEvent,
  OtlpLink,
  OtlpSpan,
  OtlpResourceSpans,
} from '../services/traces/otlp-types.js';

function bad(): never {
  throw new OtlpDecodeError('Invalid OpenTelemetry format');
}

// ---- Schema (opentelemetry-proto 1.45 as installed in the pinned venv) ----

type Scalar = 'string' | 'bytes' | 'bool' | 'double' | 'int32' | 'uint32' | 'int64' | 'fixed32' | 'fixed64';
type FieldType = Scalar | 'strindex' | 'kind' | 'code' | Msg;
interface Field {
  /** The key it is returned under; undefined for a field that is checked but not returned. */
  out: string | undefined;
  type: FieldType;
  wire: number;
  repeated: boolean;
  /** A member of AnyValue's `value` oneof (AnyValue has no other field). */
  oneof: boolean;
  /** A message field left undefined when absent (KeyValue.value) rather than defaulted. */
  optional: boolean;
}
interface Msg {
  fields: Field[];
  /** A new message is a copy of this (proto3 defaults)... */
  template: Rec;
  /** ...with a new value for these (repeated and message fields). */
  fresh: Field[];
  byNo: (Field | undefined)[];
  /** json_format looks a key up by json_name first, then by the proto field name. */
  byName: Map<string, Field>;
}
type Rec = Record<string, unknown>;

/**
 * The installed opentelemetry-proto schema, one field as `number name type`; the type is prefixed
 * by `*` repeated, `-` read and checked but not returned, `|` a member of AnyValue's `value` oneof,
 * `?` undefined when absent rather than defaulted.
 */
const PROTO: Record<string, string> = {
  Request: '1 resource_spans *ResourceSpans',
  ResourceSpans: '1 resource Resource, 2 scope_spans *ScopeSpans, 3 schema_url -string',
  Resource: '1 attributes *KeyValue, 2 dropped_attributes_count -uint32, 3 entity_refs *-EntityRef',
  EntityRef: '1 schema_url -string, 2 type -string, 3 id_keys *-string, 4 description_keys *-string',
  ScopeSpans: '1 scope -Scope, 2 spans *Span, 3 schema_url -string',
  Scope: '1 name -string, 2 version -string, 3 attributes *-KeyValue, 4 dropped_attributes_count -uint32',
  Span: `1 trace_id bytes, 2 span_id bytes, 3 trace_state string, 4 parent_span_id bytes, 16 flags fixed32,
    5 name string, 6 kind kind, 7 start_time_unix_nano fixed64, 8 end_time_unix_nano fixed64,
    9 attributes *KeyValue, 10 dropped_attributes_count -uint32, 11 events *Event, 12 dropped_events_count -uint32,
    13 links *Link, 14 dropped_links_count -uint32, 15 status Status`,
  Event:
    '1 time_unix_nano fixed64, 2 name string, 3 attributes *KeyValue, 4 dropped_attributes_count -uint32',
  Link: `1 trace_id bytes, 2 span_id bytes, 3 trace_state string, 4 attributes *KeyValue,
    5 dropped_attributes_count -uint32, 6 flags fixed32`,
  Status: '2 message string, 3 code code',
  KeyValue: '1 key string, 2 value ?AnyValue, 3 key_strindex -int32',
  AnyValue: `1 string_value |string, 2 bool_value |bool, 3 int_value |int64, 4 double_value |double,
    5 array_value |ArrayValue, 6 kvlist_value |KeyValueList, 7 bytes_value |bytes, 8 string_value_strindex |strindex`,
  ArrayValue: '1 values *AnyValue',
  KeyValueList: '1 values *KeyValue',
};

const WIRE_TYPES: Partial<Record<FieldType & string, number>> = {
  string: 2,
  bytes: 2,
  double: 1,
  fixed64: 1,
  fixed32: 5,
};

const MSGS = new Map(
  Object.keys(PROTO).map((name): [string, Msg] => [
    name,
    { fields: [], template: {}, fresh: [], byNo: [], byName: new Map() },
  ]),
);
for (const [name, m] of MSGS) {
  for (const spec of PROTO[name]!.split(',')) {
    const [no, field, typeSpec] = spec.trim().split(' ') as [string, string, string];
    const flags = /^[*?|-]*/.exec(typeSpec)![0];
    const typeName = typeSpec.slice(flags.length);
    const type = MSGS.get(typeName) ?? (typeName as FieldType);
    const wire = typeof type === 'object' ? 2 : (WIRE_TYPES[type] ?? 0);
    // string_value_strindex is returned as int_value: _decode_otel_proto_anyvalue gives the same int for both.
    const out = flags.includes('-') ? undefined : type === 'strindex' ? 'int_value' : field;
    const repeated = flags.includes('*');
    const f: Field = { out, type, wire, repeated, oneof: flags.includes('|'), optional: flags.includes('?') };
    m.fields.push(f);
    m.byNo[Number(no)] = f;
    const jsonName = field.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    m.byName.set(jsonName, f);
    if (!m.byName.has(field)) m.byName.set(field, f);
  }
}
const Request = MSGS.get('Request')!;

const SPAN_KINDS = ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'].map(
  (k) => 'SPAN_KIND_' + k,
);
const STATUS_CODES = ['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR'];

/** Shared by every empty bytes field: a zero-length Buffer has nothing to change. */
const EMPTY = Buffer.alloc(0);

function defaultOf(f: Field): unknown {
  const t = f.type;
  if (f.repeated) return [];
  if (typeof t === 'object') return init(t);
  return t === 'bytes' ? EMPTY : t === 'string' ? '' : t === 'int64' || t === 'fixed64' ? 0n : 0;
}

for (const m of MSGS.values()) {
  for (const f of m.fields) {
    if (f.out === undefined || f.oneof || f.optional) continue;
    const fresh = f.repeated || typeof f.type === 'object';
    if (fresh) m.fresh.push(f);
    m.template[f.out] = fresh ? undefined : defaultOf(f);
  }
}

/** A message with proto3 defaults for every returned field. */
function init(m: Msg): Rec {
  const o = { ...m.template };
  for (const f of m.fresh) o[f.out!] = defaultOf(f);
  return o;
}

/** Setting a oneof member clears the others; AnyValue holds nothing else. */
function clearOneof(out: Rec): void {
  for (const k in out) delete out[k];
}

function store(out: Rec, f: Field, v: unknown): void {
  if (f.out === undefined) return;
  if (f.repeated) (out[f.out] as unknown[]).push(v);
  else {
    if (f.oneof) clearOneof(out);
    out[f.out] = v;
  }
}

/** Where a sub-message goes: a new element, or the singular field's current value (protobuf merges into it). */
function subTarget(out: Rec, f: Field): Rec {
  const m = f.type as Msg;
  if (f.out === undefined) return init(m);
  if (f.repeated) {
    const r = init(m);
    (out[f.out] as Rec[]).push(r);
    return r;
  }
  const cur = out[f.out] as Rec | undefined;
  if (cur !== undefined) return cur;
  if (f.oneof) clearOneof(out);
  return (out[f.out] = init(m));
}

// ---- Protobuf (upb's decoder) ----

/** upb's default depth limit: the request is level 0, a sub-message or group at level 101 is refused. */
const PB_MAX_DEPTH = 100;

class Wire {
  pos = 0;
  /** The last varint, as two 32-bit halves. */
  lo = 0;
  hi = 0;
  constructor(readonly b: Buffer) {}

  /** Reads a varint (at most 10 bytes; bits past 64 are dropped, as upb does); returns its length. */
  varint(end: number): number {
    const b = this.b;
    let p = this.pos;
    let lo = 0;
    let hi = 0;
    let n = 0;
    for (;;) {
      if (p >= end || n === 10) bad();
      const c = b[p++]!;
      if (n < 4) lo |= (c & 0x7f) << (7 * n);
      else if (n === 4) {
        lo |= (c & 0x0f) << 28;
        hi = (c & 0x7f) >> 4;
      } else hi |= (c & 0x7f) << (7 * n - 32);
      n++;
      if (c < 0x80) break;
    }
    this.pos = p;
    this.lo = lo >>> 0;
    this.hi = hi >>> 0;
    return n;
  }

  /** A tag: upb refuses one longer than 5 bytes or above 2^32 - 1. */
  tag(end: number): number {
    if (this.varint(end) > 5 || this.hi !== 0) bad();
    return this.lo;
  }

  /** A length prefix: at most 5 bytes, and within the enclosing message. */
  size(end: number): number {
    if (this.varint(end) > 5 || this.hi !== 0 || this.lo > end - this.pos) bad();
    return this.lo;
  }

  /** Steps over n bytes; returns where they start. */
  take(n: number, end: number): number {
    if (n > end - this.pos) bad();
    return (this.pos += n) - n;
  }
}

/** An unknown field (or a known one with another wire type, which protobuf treats as unknown). */
function skipField(w: Wire, end: number, no: number, wire: number, depth: number): void {
  if (wire === 0) w.varint(end);
  else if (wire === 1) w.take(8, end);
  else if (wire === 2) w.take(w.size(end), end);
  else if (wire === 5) w.take(4, end);
  else if (wire === 3) {
    // A group is skipped up to its matching end tag, and counts toward the depth limit.
    if (depth >= PB_MAX_DEPTH) bad();
    for (;;) {
      const t = w.tag(end);
      if ((t & 7) === 4) {
        if (t >>> 3 !== no) bad();
        return;
      }
      skipField(w, end, t >>> 3, t & 7, depth + 1);
    }
  } else bad(); // a stray end-group tag, or wire type 6 / 7
}

function readMsg(w: Wire, end: number, m: Msg, out: Rec, depth: number): void {
  while (w.pos < end) {
    const t = w.tag(end);
    const no = t >>> 3;
    if (no === 0) bad(); // (only in a message: upb lets field 0 through inside a skipped group)
    const f = m.byNo[no];
    if (f === undefined || f.wire !== (t & 7)) {
      skipField(w, end, no, t & 7, depth);
      continue;
    }
    const type = f.type;
    if (typeof type === 'object') {
      const size = w.size(end);
      if (depth >= PB_MAX_DEPTH) bad();
      readMsg(w, w.pos + size, type, subTarget(out, f), depth + 1);
      continue;
    }
    let v: unknown;
    if (f.wire === 2) {
      const start = w.take(w.size(end), end);
      if (type === 'bytes') {
        const bytes = Buffer.allocUnsafe(w.pos - start);
        w.b.copy(bytes, 0, start, w.pos);
        v = bytes;
      } else {
        // proto3 string: upb refuses bad UTF-8 ("String field had bad UTF-8"); Node's decoder
        // replaces it with U+FFFD, which valid text rarely holds: check the bytes only then.
        v = w.b.toString('utf8', start, w.pos);
        if ((v as string).includes('\uFFFD') && !isUtf8(w.b.subarray(start, w.pos))) bad();
      }
    } else if (f.wire === 1) {
      const p = w.take(8, end);
      v = type === 'double' ? w.b.readDoubleLE(p) : w.b.readBigUInt64LE(p);
    } else if (f.wire === 5) v = w.b.readUInt32LE(w.take(4, end));
    else {
      w.varint(end);
      const { lo, hi } = w;
      if (type === 'bool') v = (lo | hi) !== 0;
      else if (type === 'uint32') v = lo;
      else if (type === 'int64')
        v = hi === 0 ? BigInt(lo) : BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo));
      else if (type === 'strindex') v = BigInt(lo | 0);
      else v = lo | 0; // int32 and (open) enums keep the low 32 bits, signed
    }
    store(out, f, v);
  }
}

export function decodeOtlpProtobuf(body: Buffer): OtlpResourceSpans[] {
  const out = init(Request);
  readMsg(new Wire(body), body.length, Request, out, 0);
  return out.resource_spans as OtlpResourceSpans[];
}

// ---- JSON: json.loads of the bytes ----

/** json.loads(bytes): json.detect_encoding, then decoding with 'surrogatepass'. */
function pyDecodeJsonBytes(b: Buffer): string {
  const [b0, b1, b2, b3] = b;
  if (
    (b0 === 0xff && b1 === 0xfe && b2 === 0 && b3 === 0) ||
    (b0 === 0 && b1 === 0 && b2 === 0xfe && b3 === 0xff)
  )
    return utf32(b.subarray(4), b0 === 0xff);
  if ((b0 === 0xff && b1 === 0xfe) || (b0 === 0xfe && b1 === 0xff)) return utf16(b.subarray(2), b0 === 0xff);
  if (b0 === 0xef && b1 === 0xbb && b2 === 0xbf) return utf8(b.subarray(3));
  if (b.length >= 4) {
    if (b0 === 0) return b1 ? utf16(b, false) : utf32(b, false);
    if (b1 === 0) return b2 || b3 ? utf16(b, true) : utf32(b, true);
  } else if (b.length === 2) {
    if (b0 === 0) return utf16(b, false);
    if (b1 === 0) return utf16(b, true);
  }
  return utf8(b);
}

/** UTF-8 where 'surrogatepass' lets encoded surrogates (ED A0..BF 80..BF) through as lone code units. */
function utf8(b: Buffer): string {
  if (isUtf8(b)) return b.toString('utf8');
  let s = '';
  let start = 0;
  for (let i = 0; i + 2 < b.length; i++) {
    const c1 = b[i + 1]!;
    const c2 = b[i + 2]!;
    if (b[i] !== 0xed || c1 < 0xa0 || c1 > 0xbf || c2 < 0x80 || c2 > 0xbf) continue;
    const chunk = b.subarray(start, i);
    if (!isUtf8(chunk)) bad(); // UnicodeDecodeError is a ValueError: a 400
    s += chunk.toString('utf8') + String.fromCharCode(0xd000 | ((c1 & 0x3f) << 6) | (c2 & 0x3f));
    start = i + 3;
    i += 2;
  }
  const rest = b.subarray(start);
  if (!isUtf8(rest)) bad();
  return s + rest.toString('utf8');
}

function utf16(b: Buffer, le: boolean): string {
  if (b.length % 2) bad(); // "truncated data"
  return (le ? b : Buffer.from(b).swap16()).toString('utf16le');
}

function utf32(b: Buffer, le: boolean): string {
  if (b.length % 4) bad();
  let s = '';
  for (let i = 0; i < b.length; i += 4) {
    const c = le ? b.readUInt32LE(i) : b.readUInt32BE(i);
    if (c > 0x10ffff) bad();
    s += String.fromCodePoint(c);
  }
  return s;
}

/**
 * json.loads runs inside the server's request stack, where little of the recursion limit is left.
 * Measured on the pinned server: 977 nested containers decode and a 978th raises RecursionError;
 * NaN / Infinity (a call to parse_constant) fail at level 977; a JSONDecodeError raised from C
 * (all syntax errors but "Expecting value") fails to be built from level 975 on. RecursionError is
 * not caught by the handler: a 500.
 */
const PY_JSON_MAX_DEPTH = 977;
const PY_JSON_ERROR_DEPTH = 975;
/** Python 3.11's int/str conversion limit: json.loads raises ValueError on a longer int literal. */
const PY_INT_MAX_DIGITS = 4300;
const JSON_NUMBER = /-?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?/y;

function escaped(s: string, q: number): boolean {
  let k = q - 1;
  while (s.charCodeAt(k) === 0x5c) k--;
  return (q - 1 - k) % 2 === 1;
}

/**
 * A quick pass over the text, exact up to its first syntax error (past which json.loads does not
 * go): how deep it nests, whether an int literal is too long, whether an object sits at level 977.
 */
function quickScan(s: string): { maxDepth: number; bigInt: boolean; objectAtMax: boolean } {
  let depth = 0;
  let maxDepth = 0;
  let bigInt = false;
  let objectAtMax = false;
  for (let i = 0; i < s.length;) {
    const c = s.charCodeAt(i);
    if (c === 0x22) {
      let q = i;
      do q = s.indexOf('"', q + 1);
      while (q > 0 && escaped(s, q));
      if (q < 0) break; // unterminated: json.loads fails here
      i = q + 1;
    } else if (c === 0x5b || c === 0x7b) {
      maxDepth = Math.max(maxDepth, ++depth);
      if (c === 0x7b && depth === PY_JSON_MAX_DEPTH) objectAtMax = true;
      i++;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
      i++;
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      JSON_NUMBER.lastIndex = i;
      const m = JSON_NUMBER.exec(s);
      if (m && m[2] === undefined && m[3] === undefined && m[1]!.length > PY_INT_MAX_DIGITS) bigInt = true;
      i = m ? JSON_NUMBER.lastIndex : i + 1;
    } else i++;
  }
  return { maxDepth, bigInt, objectAtMax };
}

/**
 * CPython 3.11's JSON scanner (Modules/_json.c), run on a document nesting near the limit to see
 * how json.loads ends: OtlpCrash for a RecursionError, OtlpDecodeError for an error it raises.
 */
class PyJsonScan {
  i = 0;
  constructor(readonly s: string) {}

  ws(): void {
    for (let c = this.s.charCodeAt(this.i); c === 32 || c === 9 || c === 10 || c === 13;)
      c = this.s.charCodeAt(++this.i);
  }

  fail(depth: number): never {
    if (depth >= PY_JSON_ERROR_DEPTH) crash('RecursionError while raising JSONDecodeError');
    bad();
  }

  value(depth: number): void {
    const s = this.s;
    const c = s[this.i];
    if (c === '"') return this.string(depth);
    if (c === '[' || c === '{') {
      if (depth === PY_JSON_MAX_DEPTH) crash('RecursionError while decoding a JSON document');
      return c === '[' ? this.array(depth + 1) : this.object(depth + 1);
    }
    for (const word of ['null', 'true', 'false', 'NaN', 'Infinity', '-Infinity']) {
      if (!s.startsWith(word, this.i)) continue;
      if (depth === PY_JSON_MAX_DEPTH && (word === 'NaN' || word.endsWith('Infinity')))
        crash('RecursionError in parse_constant');
      this.i += word.length;
      return;
    }
    JSON_NUMBER.lastIndex = this.i;
    const m = JSON_NUMBER.exec(s);
    // No value here: StopIteration, turned into "Expecting value" by Python code at the top (a 400).
    if (m === null || (m[2] === undefined && m[3] === undefined && m[1]!.length > PY_INT_MAX_DIGITS)) bad();
    this.i = JSON_NUMBER.lastIndex;
  }

  string(depth: number): void {
    const s = this.s;
    let i = this.i + 1;
    for (;;) {
      const c = s.charCodeAt(i);
      if (c === 0x22) break;
      if (Number.isNaN(c) || c < 0x20) this.fail(depth); // unterminated, or a control character
      if (c !== 0x5c) i++;
      else if (s[i + 1] === 'u') {
        if (!/^[0-9a-fA-F]{4}$/.test(s.slice(i + 2, i + 6))) this.fail(depth);
        i += 6;
      } else if ('"\\/bfnrt'.includes(s[i + 1] || 'x')) i += 2;
      else this.fail(depth);
    }
    this.i = i + 1;
  }

  array(depth: number): void {
    this.i++;
    this.ws();
    if (this.s[this.i] === ']') return void this.i++;
    for (;;) {
      this.value(depth);
      this.ws();
      const c = this.s[this.i++];
      if (c === ']') return;
      if (c !== ',') this.fail(depth);
      this.ws();
    }
  }

  object(depth: number): void {
    this.i++;
    this.ws();
    if (this.s[this.i] === '}') return void this.i++;
    for (;;) {
      if (this.s[this.i] !== '"') this.fail(depth);
      this.string(depth);
      this.ws();
      if (this.s[this.i++] !== ':') this.fail(depth);
      this.ws();
      this.value(depth);
      this.ws();
      const c = this.s[this.i++];
      if (c === '}') return;
      if (c !== ',') this.fail(depth);
      this.ws();
    }
  }

  document(): void {
    this.ws();
    this.value(0);
    this.ws();
    if (this.i !== this.s.length) bad(); // "Extra data"
  }
}

/**
 * json_format.Parse re-reads json.dumps' text with a Python object_pairs_hook, whose call is one
 * frame more: an object at the deepest level json.loads allowed fails there (a ParseError, 400).
 */
function objectAtDepth(v: Json, depth: number): boolean {
  if (v instanceof Map) {
    if (depth === PY_JSON_MAX_DEPTH) return true;
    for (const x of v.values()) if (objectAtDepth(x, depth + 1)) return true;
  } else if (Array.isArray(v)) for (const x of v) if (objectAtDepth(x, depth + 1)) return true;
  return false;
}

// ---- JSON: _convert_otlp_json_ids_to_base64 ----

/** A json.loads value, where the id conversion may have put decoded bytes. */
type Json = PyExact | Buffer;

function crash(what: string): never {
  throw new OtlpCrash(what);
}

/** Python's iteration of a json.loads value (a dict yields its keys); anything else is a TypeError. */
function pyIter(v: PyExact): PyExact[] {
  if (Array.isArray(v)) return v;
  if (v instanceof Map) return [...v.keys()];
  if (typeof v === 'string') return [...v];
  return crash('TypeError: object is not iterable');
}

/** `.get` on a json.loads value: only a dict has it (else AttributeError). */
function pyDict(v: PyExact): PyDict {
  return v instanceof Map ? v : crash("AttributeError: object has no attribute 'get'");
}

/** bytes.fromhex: pairs of hex digits, ASCII whitespace allowed between pairs; else ValueError (a 400). */
function fromHex(s: string): Buffer {
  if (s.length % 2 === 0 && /^[0-9a-fA-F]*$/.test(s)) return Buffer.from(s, 'hex');
  const out: number[] = [];
  for (let i = 0; i < s.length;) {
    if (/[ \t\n\v\f\r]/.test(s[i]!)) {
      i++;
      continue;
    }
    const pair = s.slice(i, i + 2);
    if (!/^[0-9a-fA-F]{2}$/.test(pair)) bad();
    out.push(parseInt(pair, 16));
    i += 2;
  }
  return Buffer.from(out);
}

const HEX_ID_FIELDS = ['traceId', 'spanId', 'parentSpanId'];

/**
 * _convert_otlp_json_ids_to_base64, in Python's order of evaluation (its ValueError is a 400, its
 * AttributeError / TypeError a 500). The base64 it writes decodes back to the same bytes, so the
 * bytes are stored directly in place of the hex.
 */
function hexIdsToBytes(data: PyExact): void {
  const get = (d: PyDict, key: string): PyExact => (d.has(key) ? d.get(key)! : []);
  for (const rs of pyIter(get(pyDict(data), 'resourceSpans'))) {
    for (const ss of pyIter(get(pyDict(rs), 'scopeSpans'))) {
      for (const span of pyIter(get(pyDict(ss), 'spans'))) {
        const links = pyDict(span).get('links');
        for (const target of [span, ...(pyTruthyExact(links) ? pyIter(links!) : [])]) {
          const d = pyDict(target);
          for (const field of HEX_ID_FIELDS) {
            const hex = d.get(field);
            if (!pyTruthyExact(hex)) continue;
            if (typeof hex !== 'string') crash('TypeError: fromhex() argument must be str');
            (d as Map<string, Json>).set(field, fromHex(hex));
          }
        }
      }
    }
  }
}

// ---- JSON: json_format.Parse(ignore_unknown_fields=True) ----

/** Parse's max_recursion_depth: the request is level 0, a message at level 100 is refused. */
const JSON_MAX_DEPTH = 100;
/** json_format's _VALID_EXTENSION_NAME (Python's `$` also matches before a final newline): such a key is refused. */
const EXTENSION_NAME = /^\[[a-zA-Z0-9._]*\]\n?$/;
const LONE_SURROGATE = /\p{Surrogate}/u;
const IGNORED = Symbol('ignored');

/**
 * A key that is not a json_name is looked up by proto name in upb's map, which fails (a SystemError,
 * so a ParseError) on a str with a lone surrogate; an extension-like name is refused.
 */
function checkUnknownName(name: string): void {
  if (LONE_SURROGATE.test(name) || EXTENSION_NAME.test(name)) bad();
}

/** _ConvertFieldValuePair (ConvertMessage on a non-dict iterates it as Python would). */
function parseMsg(js: Json, m: Msg, out: Rec, depth: number): void {
  if (depth >= JSON_MAX_DEPTH) bad();
  if (typeof js === 'string') {
    // Iterating a str yields one-character names: none is a field (or looks like an extension).
    if (LONE_SURROGATE.test(js)) bad();
    return;
  }
  if (Array.isArray(js)) {
    // A list yields its items as names: a field's name then fails `js[name]`, a non-str the lookup.
    for (const name of js) {
      if (typeof name !== 'string' || m.byName.has(name)) bad();
      checkUnknownName(name);
    }
    return;
  }
  if (!(js instanceof Map)) bad(); // not iterable
  let oneofSeen = false;
  let active: Field | undefined; // the set member of AnyValue's oneof
  for (const [name, value] of js as Map<string, Json>) {
    const f = m.byName.get(name);
    if (f === undefined) {
      checkUnknownName(name);
      continue;
    }
    if (f.oneof && value !== null) {
      if (oneofSeen) bad(); // 'should not have multiple "value" oneof fields'
      oneofSeen = true;
    }
    const type = f.type;
    if (value === null) {
      // null clears the field (a oneof member only when it is the one set).
      if (f.out === undefined || (f.oneof && active !== f)) continue;
      if (f.oneof || f.optional) delete out[f.out];
      else out[f.out] = defaultOf(f);
      active = undefined;
    } else if (f.repeated) {
      if (!Array.isArray(value)) bad();
      const items: unknown[] = [];
      for (const item of value) {
        if (item === null) bad();
        if (typeof type === 'object') {
          const r = init(type);
          parseMsg(item, type, r, depth + 1);
          items.push(r);
        } else items.push(jsonScalar(item, type));
      }
      if (f.out !== undefined) out[f.out] = items;
    } else if (typeof type === 'object') {
      parseMsg(value, type, subTarget(out, f), depth + 1);
      active = f;
    } else {
      const v = jsonScalar(value, type);
      if (v === IGNORED) continue;
      store(out, f, v);
      active = f;
    }
  }
}

const INT_RANGES = {
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  strindex: [-(2n ** 31n), 2n ** 31n - 1n],
  uint32: [0n, 2n ** 32n - 1n],
  fixed32: [0n, 2n ** 32n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  fixed64: [0n, 2n ** 64n - 1n],
} as const;

/** _ConvertScalarFieldValue; IGNORED for an unknown enum name (ignore_unknown_fields). */
function jsonScalar(v: Json, type: Exclude<FieldType, Msg>): unknown {
  switch (type) {
    case 'string':
      if (typeof v !== 'string' || LONE_SURROGATE.test(v)) bad(); // "Unpaired surrogate"
      return v;
    case 'bytes':
      if (Buffer.isBuffer(v)) return v; // an id converted from hex
      if (typeof v !== 'string' || LONE_SURROGATE.test(v)) bad(); // str.encode('utf-8') refuses surrogates
      return pyUrlsafeB64Decode(Buffer.from(v, 'utf8'));
    case 'bool':
      if (typeof v !== 'boolean') bad();
      return v;
    case 'double':
      return pyConvertFloat(v);
    case 'kind':
      return pyConvertEnum(v, SPAN_KINDS);
    case 'code':
      return pyConvertEnum(v, STATUS_CODES);
    default: {
      const n = pyConvertInteger(v);
      const [min, max] = INT_RANGES[type];
      if (n < min || n > max) bad(); // "Value out of range"
      return type === 'int64' || type === 'fixed64' || type === 'strindex' ? n : Number(n);
    }
  }
}

const B64 = new Int8Array(256).fill(-1);
for (const [i, c] of [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'].entries())
  B64[c.charCodeAt(0)] = i;
B64[0x2d] = 62; // '-' and '_': urlsafe_b64decode translates them to '+' and '/'
B64[0x5f] = 63;

/**
 * base64.urlsafe_b64decode(value + b'=' * (4 - len(value) % 4)), as json_format decodes bytes:
 * binascii.a2b_base64 in non-strict mode skips bytes outside the alphabet and stops at the pad that
 * completes a quantum; a final quantum of one character is an error.
 */
function pyUrlsafeB64Decode(raw: Buffer): Buffer {
  const out = Buffer.alloc(Math.ceil(raw.length / 4) * 3);
  const total = raw.length + 4 - (raw.length % 4);
  let n = 0;
  let quad = 0;
  let acc = 0;
  let pads = 0;
  for (let i = 0; i < total; i++) {
    const c = i < raw.length ? raw[i]! : 0x3d;
    if (c === 0x3d) {
      if (quad >= 2 && quad + ++pads >= 4) return out.subarray(0, n);
      continue;
    }
    const d = B64[c]!;
    if (d < 0) continue;
    pads = 0;
    if (quad === 1) out[n++] = (acc << 2) | (d >> 4);
    else if (quad === 2) out[n++] = ((acc & 0x0f) << 4) | (d >> 2);
    else if (quad === 3) out[n++] = ((acc & 0x03) << 6) | d;
    acc = d;
    quad = (quad + 1) % 4;
  }
  if (quad !== 0) bad(); // "Incorrect padding", or one character too many
  return out.subarray(0, n);
}

/** Python's str.isspace() characters outside ASCII. */
const PY_SPACE = /[\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;

/**
 * int() and float() of a str first map Unicode spaces to ' ' and Unicode decimal digits to ASCII
 * (any other non-ASCII character fails), then strip ASCII whitespace.
 */
function pyNumberText(s: string): string {
  let t = s;
  if (!/^\p{ASCII}*$/u.test(s)) {
    t = '';
    for (const ch of s) {
      const c = ch.codePointAt(0)!;
      if (c < 0x7f) t += ch;
      else if (PY_SPACE.test(ch)) t += ' ';
      else if (/\p{Nd}/u.test(ch)) {
        // Decimal digits come in runs of ten, 0 to 9.
        let z = c;
        while (/\p{Nd}/u.test(String.fromCodePoint(z - 1))) z--;
        t += String((c - z) % 10);
      } else return '?';
    }
  }
  return t.replace(/^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g, '');
}

/** int(str), base 10; undefined where Python raises ValueError (including past 4300 digits). */
function pyInt(s: string): bigint | undefined {
  const t = pyNumberText(s);
  if (!/^[+-]?\d+(_\d+)*$/.test(t)) return undefined;
  const digits = t.replace(/[+_-]/g, '');
  return digits.length > PY_INT_MAX_DIGITS ? undefined : BigInt(t[0] === '-' ? '-' + digits : digits);
}

/** float(str); undefined where Python raises ValueError. */
function pyFloat(s: string): number | undefined {
  let t = pyNumberText(s);
  if (t.includes('_')) {
    if (/(^|\D)_|_(\D|$)/.test(t)) return undefined; // an underscore only between digits
    t = t.replace(/_/g, '');
  }
  const special = /^([+-]?)(inf|infinity|nan)$/i.exec(t);
  if (special) return special[2]!.toLowerCase() === 'nan' ? NaN : special[1] === '-' ? -Infinity : Infinity;
  return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t) ? Number(t) : undefined;
}

/** _ConvertInteger. */
function pyConvertInteger(v: Json): bigint {
  if (v instanceof PyFloat) {
    if (!Number.isInteger(v.value)) bad();
    return BigInt(v.value);
  }
  if (typeof v === 'number' || typeof v === 'bigint') return BigInt(v);
  if (typeof v !== 'string' || v.includes(' ')) bad(); // bool, list, dict; a str with a space
  const n = pyInt(v);
  if (n !== undefined) return n;
  const f = pyFloat(v); // "1e3", "5.0": an integer-valued float
  if (f === undefined || !Number.isInteger(f)) bad();
  return BigInt(f);
}

/** _ConvertFloat. */
function pyConvertFloat(v: Json): number {
  if (v instanceof PyFloat) {
    if (!Number.isFinite(v.value)) bad(); // NaN / Infinity literals must be quoted
    return v.value;
  }
  if (typeof v === 'number' || typeof v === 'boolean') return Number(v); // float(True) is 1.0
  if (typeof v === 'bigint') {
    const f = Number(v);
    if (!Number.isFinite(f)) bad(); // OverflowError
    return f;
  }
  if (typeof v !== 'string' || v === 'nan') bad();
  const f = pyFloat(v);
  if (f === undefined) bad();
  return f;
}

/**
 * An enum: by name, else int(value) (a float truncates, a bool is 0 / 1; a str that is not an int
 * is an unknown name, ignored). upb's values_by_number reads the number as a C int64 cut to the
 * enum's int32, so 2^32 + 1 finds value 1; a number not found is kept if it fits an int32.
 */
function pyConvertEnum(v: Json, names: string[]): number | typeof IGNORED {
  let n: bigint;
  if (typeof v === 'string') {
    if (LONE_SURROGATE.test(v)) bad(); // upb's values_by_name lookup fails on it
    const k = names.indexOf(v);
    if (k >= 0) return k;
    const i = pyInt(v);
    if (i === undefined) return IGNORED;
    n = i;
  } else if (typeof v === 'boolean') n = v ? 1n : 0n;
  else if (typeof v === 'number' || typeof v === 'bigint') n = BigInt(v);
  else if (v instanceof PyFloat) {
    if (Number.isNaN(v.value)) return IGNORED; // int(nan) is a ValueError
    if (!Number.isFinite(v.value)) bad(); // int(inf) is an OverflowError
    n = BigInt(Math.trunc(v.value));
  } else return bad(); // a list or dict is unhashable
  if (n >= -(2n ** 63n) && n < 2n ** 63n) {
    const k = Number(BigInt.asIntN(32, n));
    if (k >= 0 && k < names.length) return k;
  }
  if (n < -(2n ** 31n) || n >= 2n ** 31n) bad();
  return Number(n);
}

export function decodeOtlpJson(body: Buffer): OtlpResourceSpans[] {
  const text = pyDecodeJsonBytes(body);
  // The common body: read natively (an int and a float of one value mean the same to parseMsg).
  const fast = pyJsonLoadsFast(text);
  if (fast !== undefined) {
    hexIdsToBytes(fast);
    const out = init(Request);
    parseMsg(fast, Request, out, 0);
    return out.resource_spans as OtlpResourceSpans[];
  }
  const scan = quickScan(text);
  if (scan.maxDepth >= PY_JSON_ERROR_DEPTH) new PyJsonScan(text).document();
  if (scan.bigInt) bad(); // ValueError
  let data: PyExact;
  try {
    data = pyJsonLoadsExact(text);
  } catch {
    bad();
  }
  hexIdsToBytes(data);
  if (scan.objectAtMax && objectAtDepth(data, 1)) bad();
  const out = init(Request);
  parseMsg(data, Request, out, 0);
  return out.resource_spans as OtlpResourceSpans[];
}
