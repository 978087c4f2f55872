/**
 * Response serialization as MLflow's `message_to_json` writes it (proto field names, unset and
 * empty repeated/map fields omitted, int64 as JSON numbers, enums by name, non-finite doubles as
 * "NaN"/"Infinity"/"-Infinity", keys in field-number order) but compact: MLflow pretty-prints
 * with indent=2 and escapes non-ASCII; both are the same JSON to any client.
 *
 * Hot paths (searchRuns, logBatch, getMetricHistory) call this per response, so each message
 * type is compiled once into straight-line JS (one function per type, no per-field lookups).
 */
import { ENUMS, MESSAGES, type FieldMeta } from '../gen/schemas.js';
import { finiteFloatRepr } from '../py/numbers.js';
import { PreSerialized } from '../services/pre-serialized.js';

export type Serializer = (message: unknown) => string;

const cache = new Map<string, Serializer>();

/*
 * Finite numbers are written with JSON.stringify, which is the same text as String(v) (both are
 * Number::toString) but does not go through V8's number-string cache: that cache allocates its
 * strings in the old generation, so a long streamed response of doubles would grow the old
 * generation by tens of MB of garbage before the next full GC (and it is faster).
 */
const numText = JSON.stringify as (v: number) => string;

/** A number as proto JSON: non-finite doubles are strings; bigint (if a store yields one) exact. */
function num(v: unknown): string {
  if (typeof v === 'number') {
    if (Number.isFinite(v)) return numText(v);
    return Number.isNaN(v) ? '"NaN"' : v > 0 ? '"Infinity"' : '"-Infinity"';
  }
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return String(Number(v));
  return JSON.stringify(v);
}

/**
 * A double as Python's float repr writes it (MLflow's json.dumps): `1.0` not `1`, exponent form
 * below 1e-4 and from 1e16 with a two-digit exponent (`1e-05`, `1e+16`), `-0.0`.
 */
function dbl(v: unknown): string {
  if (typeof v !== 'number' || !Number.isFinite(v)) return num(v);
  return finiteFloatRepr(v);
}

// Strings that need no escaping (the common case) are quoted directly: cheaper than
// JSON.stringify's call for short keys/values.
// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;
function str(v: unknown): string {
  if (typeof v === 'string' && !NEEDS_ESCAPE.test(v)) return '"' + v + '"';
  return JSON.stringify(v);
}

/** Item texts at least this long are flattened (see fieldCode). */
const FLATTEN_FROM = 1024;
function flat(s: string): string {
  // charCodeAt makes V8 flatten a concatenated string in place (one sequential copy).
  if (s.length >= FLATTEN_FROM) s.charCodeAt(0);
  return s;
}

const enumNames = new Map<string, Map<number, string>>();
function enumName(type: string, v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  let names = enumNames.get(type);
  if (!names) {
    names = new Map(Object.entries(ENUMS[type] ?? {}).map(([k, n]) => [n, k]));
    enumNames.set(type, names);
  }
  const name = names.get(v as number);
  // An unknown number is written as a number, as protobuf does.
  return name === undefined ? String(v) : JSON.stringify(name);
}

/**
 * A google.protobuf.Value / Struct / ListValue as protobuf's JSON writes it: its numbers are
 * doubles, so Python prints them as floats (`3.0`).
 */
function pv(v: unknown): string {
  if (typeof v === 'number') return dbl(v);
  if (Array.isArray(v)) return '[' + v.map(pv).join(',') + ']';
  if (v !== null && typeof v === 'object') {
    const parts: string[] = [];
    for (const [k, x] of Object.entries(v)) if (x !== undefined) parts.push(JSON.stringify(k) + ':' + pv(x));
    return '{' + parts.join(',') + '}';
  }
  return JSON.stringify(v);
}
const PROTO_VALUES = new Set([
  'google.protobuf.Struct',
  'google.protobuf.Value',
  'google.protobuf.ListValue',
]);

const WKT_AS_JSON = new Set([
  'google.protobuf.Timestamp',
  'google.protobuf.Duration',
  'google.protobuf.FieldMask',
  'google.protobuf.Struct',
  'google.protobuf.Value',
  'google.protobuf.ListValue',
  'google.protobuf.Any',
]);

function fnName(type: string): string {
  return 's_' + type.replace(/[^A-Za-z0-9]/g, '_');
}

/** JS expression writing one value of `kind` held in `x`. */
function valueExpr(kind: string, type: string | undefined, x: string, deps: Set<string>): string {
  switch (kind) {
    case 'string':
    case 'bytes':
      return `str(${x})`;
    case 'bool':
      return `(${x} ? 'true' : 'false')`;
    case 'enum':
      return `enumName(${JSON.stringify(type)}, ${x})`;
    case 'message':
      if (PROTO_VALUES.has(type!)) return `pv(${x})`;
      if (WKT_AS_JSON.has(type!)) return `JSON.stringify(${x})`;
      deps.add(type!);
      // A message a handler wrote already (services/pre-serialized.ts) goes out as written.
      return `(${x} instanceof Pre ? ${x}.json : ${fnName(type!)}(${x}))`;
    case 'double':
    case 'float':
      return `dbl(${x})`;
    default:
      return `num(${x})`;
  }
}

function fieldCode(f: FieldMeta, deps: Set<string>): string {
  const key = JSON.stringify(JSON.stringify(f.name) + ':');
  const get = `v = m[${JSON.stringify(f.name)}];`;
  if (f.kind === 'map') {
    const val = valueExpr(f.mapValue!, f.type, 'v[k]', deps);
    return `${get}
  if (v != null) { let first = true; for (const k in v) { if (v[k] === undefined) continue; o += (first ? sep + ${key} + '{' : ',') + JSON.stringify(k) + ':' + ${val}; first = false; sep = ','; } if (!first) o += '}'; }`;
  }
  if (f.repeated) {
    const val = valueExpr(f.kind, f.type, 'v[i]', deps);
    // A large message item (a run of a search page) is flattened once written, so the many small
    // strings it was concatenated from die young instead of living, as parts of one rope, until
    // the whole response is done (which had them promoted and cost more GC than the writing).
    const item = f.kind === 'message' && !WKT_AS_JSON.has(f.type!) ? `flat(${val})` : val;
    return `${get}
  if (v != null && v.length) { o += sep + ${key} + '['; for (let i = 0; i < v.length; i++) { if (i) o += ','; o += ${item}; } o += ']'; sep = ','; }`;
  }
  const val = valueExpr(f.kind, f.type, 'v', deps);
  // google.protobuf.Value may legitimately be JSON null when set.
  const test = f.type === 'google.protobuf.Value' ? 'v !== undefined' : 'v != null';
  return `${get}
  if (${test}) { o += sep + ${key} + ${val}; sep = ','; }`;
}

function messageCode(type: string, deps: Set<string>): string {
  const meta = MESSAGES[type];
  if (!meta) throw new Error(`unknown message type ${type}`);
  const body = meta.fields.map((f) => '  ' + fieldCode(f, deps)).join('\n');
  return `function ${fnName(type)}(m) {
  let o = '{', sep = '', v;
${body}
  return o + '}';
}`;
}

/** Compiles (once) the serializer of a message type and everything it references. */
export function serializerFor(type: string): Serializer {
  const hit = cache.get(type);
  if (hit) return hit;
  const done = new Set<string>();
  const todo = [type];
  const parts: string[] = [];
  while (todo.length) {
    const t = todo.pop()!;
    if (done.has(t)) continue;
    done.add(t);
    const deps = new Set<string>();
    parts.push(messageCode(t, deps));
    for (const d of deps) if (!done.has(d)) todo.push(d);
  }
  // new Function: compiled once per root type at first use; the source is built only from
  // generated metadata (field names are JSON-quoted), never from request data.
  const factory = new Function(
    'num',
    'dbl',
    'str',
    'enumName',
    'flat',
    'pv',
    'Pre',
    `${parts.join('\n')}\nreturn ${fnName(type)};`,
  ) as (
    n: typeof num,
    d: typeof dbl,
    s: typeof str,
    e: typeof enumName,
    f: typeof flat,
    p: typeof pv,
    pre: typeof PreSerialized,
  ) => Serializer;
  const fn = factory(num, dbl, str, enumName, flat, pv, PreSerialized);
  cache.set(type, fn);
  return fn;
}

/** Serializes a wire-shaped response of `type` ('mlflow.GetRun.Response'). */
export function serializeMessage(type: string, message: unknown): string {
  return serializerFor(type)(message ?? {});
}
