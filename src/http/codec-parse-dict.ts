/**
 * protobuf's `json_format.ParseDict(js, msg, ignore_unknown_fields=True)` as the pinned MLflow
 * runs it on every request, over the generated field metadata. It produces the wire-shaped
 * request (proto field names, int64 as number, enums by name) and tells whether parsing
 * succeeded: MLflow runs its type validators only when it did not. Like protobuf, it fills the
 * message in place, so a failure leaves the fields parsed before it set (handlers see those).
 */
import { ENUMS, MESSAGES, type FieldMeta } from '../gen/schemas.js';
import { int64OverflowLiteral } from './codec-json.js';
import { floatOf, intOf } from '../py/numbers.js';
import { isObject, type Json } from '../py/values.js';

export class ParseError extends Error {
  override name = 'ParseError';
}
/** An enum given by an unknown name: protobuf drops the value when ignoring unknown fields. */
class UnknownEnumName extends Error {}

export type WireMessage = Record<string, unknown>;

interface FieldIndex {
  byJsonName: Map<string, FieldMeta>;
  byName: Map<string, FieldMeta>;
  /** Either spelling; the JSON name wins where a key is both (ParseDict looks it up first). */
  byKey: Map<string, FieldMeta>;
}
const indexCache = new Map<string, FieldIndex>();

export function fieldIndex(typeName: string): FieldIndex {
  let idx = indexCache.get(typeName);
  if (!idx) {
    const meta = MESSAGES[typeName];
    if (!meta) throw new Error(`unknown message type ${typeName}`);
    const byJsonName = new Map(meta.fields.map((f) => [f.jsonName, f]));
    const byName = new Map(meta.fields.map((f) => [f.name, f]));
    idx = { byJsonName, byName, byKey: new Map([...byName, ...byJsonName]) };
    indexCache.set(typeName, idx);
  }
  return idx;
}

const MAX_DEPTH = 100;
const UNPAIRED_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const INT_RANGE: Record<string, [number, number]> = {
  int32: [-2147483648, 2147483647],
  uint32: [0, 4294967295],
  // 2**63 and 2**64 as doubles: JSON numbers cannot be more precise than that anyway.
  int64: [-(2 ** 63), 2 ** 63],
  uint64: [0, 2 ** 64],
};
const FLOAT_MAX = 3.4028234663852886e38;
const TIMESTAMP_PARTS = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})$/;
const DURATION = /^(-)?(\d+)(?:\.(\d{1,9}))?s$/;

function isHashable(v: Json): boolean {
  return !(typeof v === 'object' && v !== null);
}

function convertInteger(v: Json, kind: string): number {
  if (typeof v === 'number' && !Number.isInteger(v)) throw new ParseError(`Couldn't parse integer: ${v}`);
  if (typeof v === 'string' && v.includes(' ')) throw new ParseError(`Couldn't parse integer: "${v}"`);
  if (typeof v === 'boolean')
    throw new ParseError(`Bool value ${v ? 'True' : 'False'} is not acceptable for integer field`);
  if (typeof v !== 'number' && typeof v !== 'string')
    throw new ParseError('int() argument must be a string or a number');
  let n = intOf(v);
  if (n === undefined) {
    const f = floatOf(v);
    if (f === undefined || !Number.isInteger(f))
      throw new ParseError(`Couldn't parse integer: "${String(v)}"`);
    n = f;
  }
  const [lo, hi] = INT_RANGE[kind]!;
  if (n < lo || n > hi) throw new ParseError(`Value out of range: ${n}`);
  if (typeof v === 'string' && (kind === 'int64' || kind === 'uint64') && Math.abs(n) >= 2 ** 53) {
    // Long digit strings: the double may hide that the integer is just out of range.
    const s = v.trim().replace(/_/g, '');
    if (/^[+-]?\d+$/.test(s)) {
      const b = BigInt(s);
      const [blo, bhi] = kind === 'int64' ? [-(2n ** 63n), 2n ** 63n - 1n] : [0n, 2n ** 64n - 1n];
      if (b < blo || b > bhi) throw new ParseError(`Value out of range: ${s}`);
    }
  }
  return n;
}

function convertFloat(v: Json, kind: string): number {
  if (typeof v === 'number') {
    // A bare NaN/Infinity token (Python's json accepts them) is refused; quoted forms are fine.
    if (Number.isNaN(v)) throw new ParseError(`Couldn't parse NaN, use quoted "NaN" instead`);
    if (!Number.isFinite(v)) throw new ParseError(`Couldn't parse Infinity, use quoted "Infinity" instead`);
    if (kind === 'float' && Math.abs(v) > FLOAT_MAX) throw new ParseError('Float value too large');
    return v;
  }
  if (v === 'nan') throw new ParseError(`Couldn't parse float "nan", use "NaN" instead`);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v !== 'string') throw new ParseError('float() argument must be a string or a real number');
  const f = floatOf(v);
  if (f === undefined) throw new ParseError(`Couldn't parse float: ${v}`);
  return f;
}

/** Returns the wire value of a scalar/enum field value. */
function convertScalar(v: Json, f: FieldMeta, kind: string, mapKey = false): unknown {
  switch (kind) {
    case 'int32':
    case 'uint32':
    case 'int64':
    case 'uint64':
      return convertInteger(v, kind);
    case 'double':
    case 'float':
      return convertFloat(v, kind);
    case 'bool':
      if (mapKey) {
        if (v === 'true') return true;
        if (v === 'false') return false;
        throw new ParseError(`Expected "true" or "false", not ${String(v)}`);
      }
      if (typeof v !== 'boolean') throw new ParseError('Expected true or false without quotes');
      return v;
    case 'string':
      if (typeof v !== 'string') throw new ParseError('expected string or bytes-like object');
      if (UNPAIRED_SURROGATE.test(v)) throw new ParseError('Unpaired surrogate');
      return v;
    case 'bytes':
      if (typeof v !== 'string') throw new ParseError("can't concat bytes");
      return v;
    case 'enum': {
      if (!isHashable(v) || v === null) throw new ParseError(`unhashable type`);
      const values = ENUMS[f.type!]!;
      if (typeof v === 'string' && Object.hasOwn(values, v)) return v;
      let n: number | undefined;
      try {
        n = intOf(v);
      } catch {
        n = undefined;
      }
      if (n === undefined)
        throw new UnknownEnumName(`Invalid enum value ${String(v)} for enum type ${f.type}`);
      const name = Object.keys(values).find((k) => values[k] === n);
      if (name === undefined) throw new ParseError(`Invalid enum value ${String(v)} for enum type ${f.type}`);
      return name;
    }
    default:
      throw new Error(`not a scalar kind: ${kind}`);
  }
}

/** What an empty (set but default) well-known-type message reads as in proto JSON. */
const WKT_DEFAULT: Record<string, unknown> = {
  'google.protobuf.Timestamp': '1970-01-01T00:00:00Z',
  'google.protobuf.Duration': '0s',
  'google.protobuf.FieldMask': '',
  'google.protobuf.Struct': {},
  'google.protobuf.Any': {},
  'google.protobuf.ListValue': [],
  'google.protobuf.Value': null,
};

/** protobuf prints fractions with 0, 3, 6 or 9 digits. */
function fraction(nanos: string): string {
  const n = nanos.replace(/0+$/, '');
  if (!n) return '';
  const width = n.length <= 3 ? 3 : n.length <= 6 ? 6 : 9;
  return '.' + nanos.padEnd(9, '0').slice(0, width);
}

/** RFC 3339 -> protobuf's canonical form (UTC, `Z`, 0/3/6/9 fraction digits). */
function normalizeTimestamp(v: string): string {
  const m = TIMESTAMP_PARTS.exec(v);
  if (!m) throw new ParseError(`Failed to parse timestamp: ${v}`);
  const [, date, time, frac = '', zone] = m;
  const base = Date.parse(`${date}T${time}${zone === 'Z' || zone === 'z' ? 'Z' : zone}`);
  if (Number.isNaN(base)) throw new ParseError(`Failed to parse timestamp: ${v}`);
  const iso = new Date(base).toISOString().slice(0, 19);
  return `${iso}${fraction(frac.padEnd(9, '0'))}Z`;
}

function normalizeDuration(v: string): string {
  const m = DURATION.exec(v);
  if (!m) throw new ParseError(`Failed to parse duration: ${v}`);
  const [, sign = '', secs, frac = ''] = m;
  const f = fraction(frac.padEnd(9, '0'));
  const zero = /^0+$/.test(secs!) && !f;
  return `${zero ? '' : sign}${Number(secs)}${f}s`;
}

function convertWkt(v: Json, type: string): unknown {
  switch (type) {
    case 'google.protobuf.Timestamp':
      if (typeof v !== 'string') throw new ParseError(`Failed to parse timestamp: ${String(v)}`);
      return normalizeTimestamp(v);
    case 'google.protobuf.Duration':
      if (typeof v !== 'string') throw new ParseError(`Failed to parse duration: ${String(v)}`);
      return normalizeDuration(v);
    case 'google.protobuf.FieldMask':
      if (typeof v !== 'string') throw new ParseError('FieldMask must be a string');
      return v;
    case 'google.protobuf.Struct':
    case 'google.protobuf.Any':
      if (!isObject(v)) throw new ParseError('Struct must be in a dict');
      return v;
    case 'google.protobuf.ListValue':
      if (!Array.isArray(v)) throw new ParseError('ListValue must be in []');
      return v;
    case 'google.protobuf.Value':
      return v;
    default:
      throw new ParseError(`unsupported well-known type ${type}`);
  }
}

function isWkt(type: string): boolean {
  return type.startsWith('google.protobuf.');
}

/** Converts `v` into `out` (a message of `typeName`), in place. */
function convertMessage(v: Json, typeName: string, out: WireMessage, depth: number): void {
  if (depth > MAX_DEPTH) throw new ParseError(`Message too deep. Max recursion depth is ${MAX_DEPTH}`);
  const idx = fieldIndex(typeName);
  // Python iterates whatever it is given: a dict's keys, a list's items, a string's characters.
  let keys: Json[];
  if (isObject(v)) keys = Object.keys(v);
  else if (Array.isArray(v)) keys = v;
  else if (typeof v === 'string') keys = [...v];
  else throw new ParseError(`'${typeof v}' object is not iterable`);
  const obj = isObject(v) ? v : undefined;
  let seenOneofs: Set<string> | undefined;
  for (const k of keys) {
    if (!isHashable(k)) throw new ParseError('unhashable type');
    const name = String(k);
    const f = typeof k === 'string' ? idx.byKey.get(name) : undefined;
    if (!f) continue;
    if (!obj) throw new ParseError(`Failed to parse ${name} field: indices must be integers.`);
    const value = obj[name] as Json;
    try {
      const overflow =
        f.kind === 'int64' && typeof value === 'number' ? int64OverflowLiteral(obj, name) : undefined;
      if (overflow !== undefined) throw new ParseError(`Value out of range: ${overflow}`);
      if (f.oneof && value !== null) {
        seenOneofs ??= new Set<string>();
        if (seenOneofs.has(f.oneof))
          throw new ParseError(`should not have multiple "${f.oneof}" oneof fields`);
        seenOneofs.add(f.oneof);
      }
      setField(out, f, value, depth);
    } catch (e) {
      if (e instanceof ParseError) throw new ParseError(`Failed to parse ${name} field: ${e.message}.`);
      throw e;
    }
  }
}

function setField(out: WireMessage, f: FieldMeta, value: Json, depth: number): void {
  if (value === null) {
    if (f.type === 'google.protobuf.Value' && !f.repeated) out[f.name] = null;
    else delete out[f.name];
    return;
  }
  if (f.kind === 'map') {
    delete out[f.name];
    if (!isObject(value)) throw new ParseError(`Map field ${f.name} must be in a dict`);
    const map: Record<string, unknown> = {};
    out[f.name] = map;
    for (const key of Object.keys(value)) {
      const k = convertScalar(key, f, f.mapKey!, true);
      const item = value[key] as Json;
      if (f.mapValue === 'message') {
        if (isWkt(f.type!)) map[String(k)] = convertWkt(item, f.type!);
        else {
          const sub: WireMessage = {};
          map[String(k)] = sub;
          convertMessage(item, f.type!, sub, depth + 1);
        }
      } else {
        try {
          map[String(k)] = convertScalar(item, f, f.mapValue!);
        } catch (e) {
          if (!(e instanceof UnknownEnumName)) throw e;
        }
      }
    }
    return;
  }
  if (f.repeated) {
    delete out[f.name];
    if (!Array.isArray(value)) throw new ParseError(`repeated field ${f.name} must be in []`);
    const list: unknown[] = [];
    out[f.name] = list;
    for (const item of value) {
      if (item === null && f.type !== 'google.protobuf.Value') {
        // protobuf adds the element before refusing the null, so an empty message stays behind.
        if (f.kind === 'message') list.push(isWkt(f.type!) ? WKT_DEFAULT[f.type!] : {});
        throw new ParseError('null is not allowed to be used as an element in a repeated field');
      }
      if (f.kind === 'message') {
        if (isWkt(f.type!)) list.push(convertWkt(item, f.type!));
        else {
          const sub: WireMessage = {};
          list.push(sub);
          convertMessage(item, f.type!, sub, depth + 1);
        }
      } else {
        try {
          list.push(convertScalar(item, f, f.kind));
        } catch (e) {
          if (!(e instanceof UnknownEnumName)) throw e;
        }
      }
    }
    if (list.length === 0) delete out[f.name];
    return;
  }
  if (f.kind === 'message') {
    if (isWkt(f.type!)) {
      // SetInParent happens before the conversion: a failed one leaves the default value set.
      out[f.name] = WKT_DEFAULT[f.type!];
      out[f.name] = convertWkt(value, f.type!);
      return;
    }
    // SetInParent: the sub-message exists (is "set") even if the JSON object is empty.
    const sub = (isObject(out[f.name] as Json) ? out[f.name] : {}) as WireMessage;
    out[f.name] = sub;
    convertMessage(value, f.type!, sub, depth + 1);
    return;
  }
  try {
    out[f.name] = convertScalar(value, f, f.kind);
  } catch (e) {
    if (!(e instanceof UnknownEnumName)) throw e;
  }
}

export interface ParseOutcome {
  message: WireMessage;
  ok: boolean;
  error?: string;
}

/** ParseDict with ignore_unknown_fields=True into a fresh message of `typeName`. */
export function parseDict(js: Json, typeName: string): ParseOutcome {
  const message: WireMessage = {};
  try {
    convertMessage(js, typeName, message, 1);
    return { message, ok: true };
  } catch (e) {
    if (e instanceof ParseError) return { message, ok: false, error: e.message };
    throw e;
  }
}
