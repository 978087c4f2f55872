/**
 * Numeric fields ParseDict cannot read are refused (an intentional difference, documented in
 * docs/parity-differences.md section 2). MLflow stops ParseDict at such a value and lets the
 * handler run on the half-filled message, so `"step": 1.5`, `"value": "abc"` in a log-batch
 * metric or `"timestamp": 1e400` are answered 200 and stored as zeros (the bad field and every
 * field after it keep their defaults). No MLflow client sends such values; clients that do get a
 * 400 naming the field, and nothing is stored.
 *
 * Runs after MLflow's own validators (their messages stay exactly MLflow's where they refuse
 * first) and only when ParseDict failed. It walks the whole request, not just up to the field
 * ParseDict stopped at, so an earlier non-numeric error does not hide a bad number after it.
 * What ParseDict accepts stays accepted: integers as JSON numbers or decimal strings ("123"),
 * doubles as numbers, numeric strings and "NaN" / "Infinity" / "-Infinity".
 */
import { MlflowError } from '../../errors/mlflow-error.js';
import { MESSAGES, type FieldMeta } from '../../gen/schemas.js';
import { int64OverflowLiteral } from '../codec-json.js';
import { numericFieldError } from '../codec-parse-dict.js';
import { isObject, type Json } from '../../py/values.js';

const NUMERIC = new Set(['int32', 'uint32', 'int64', 'uint64', 'double', 'float']);
/** As ParseDict's recursion limit: deeper requests are refused by it already. */
const MAX_DEPTH = 100;

/**
 * Fields whose handler reads the raw query string instead of the parsed message (so ParseDict's
 * verdict on them changes nothing): GetMetricHistoryBulkInterval takes `start_step`, `end_step`
 * and `max_results` from `request.args` as Python ints (int32 fields that accept 2**40 there).
 */
const READ_FROM_ARGS: Readonly<Record<string, ReadonlySet<string>>> = {
  'mlflow.GetMetricHistoryBulkInterval': new Set(['start_step', 'end_step', 'max_results']),
};

const SHOWN_MAX = 64;

function shown(v: Json, holder: object, key: string | number): string {
  const literal = typeof v === 'number' ? int64OverflowLiteral(holder, key) : undefined;
  let text: string;
  if (literal !== undefined) text = literal;
  else if (typeof v === 'number' && !Number.isFinite(v))
    text = Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
  else text = brief(v, SHOWN_MAX + 1);
  return text.length > SHOWN_MAX ? `${text.slice(0, SHOWN_MAX)}...` : text;
}

/** JSON text of `v`, cut once it is `max` characters long (values can be huge or 100k levels deep). */
function brief(v: Json, max: number): string {
  if (!Array.isArray(v) && !isObject(v)) return (JSON.stringify(v) ?? String(v)).slice(0, max);
  let out = Array.isArray(v) ? '[' : '{';
  const entries: [string | undefined, Json][] = Array.isArray(v)
    ? v.map((x) => [undefined, x])
    : Object.keys(v).map((k) => [k, v[k] as Json]);
  for (let i = 0; i < entries.length && out.length < max; i++) {
    const [k, x] = entries[i]!;
    if (i > 0) out += ',';
    if (k !== undefined) out += JSON.stringify(k) + ':';
    out += brief(x, max - out.length);
  }
  return (out + (Array.isArray(v) ? ']' : '}')).slice(0, max);
}

function expected(kind: string): string {
  switch (kind) {
    case 'double':
    case 'float':
      return 'a number (a JSON number, a numeric string, or "NaN", "Infinity", "-Infinity")';
    case 'int32':
      return 'a 32-bit integer';
    case 'uint32':
      return 'an unsigned 32-bit integer';
    case 'uint64':
      return 'an unsigned 64-bit integer';
    default:
      return 'a 64-bit integer (a JSON number or a decimal string)';
  }
}

function refuse(path: string, kind: string, v: Json, holder: object, key: string | number): never {
  throw MlflowError.invalidParameter(
    `Invalid value ${shown(v, holder, key)} for parameter '${path}' supplied: it must be ${expected(kind)}.`,
  );
}

function checkValue(
  path: string,
  f: FieldMeta,
  kind: string,
  v: Json,
  holder: object,
  key: string | number,
): void {
  if (v === null) return;
  if (kind === 'int64' || kind === 'uint64') {
    if (typeof v === 'number' && int64OverflowLiteral(holder, key) !== undefined)
      refuse(path, kind, v, holder, key);
  }
  if (numericFieldError(v, f, kind)) refuse(path, kind, v, holder, key);
}

function walk(json: Json, typeName: string, path: string, depth: number, skip?: ReadonlySet<string>): void {
  if (depth > MAX_DEPTH || !isObject(json)) return;
  const meta = MESSAGES[typeName];
  if (!meta) return;
  for (const f of meta.fields) {
    if (skip?.has(f.name)) continue;
    // ParseDict takes the JSON name first, then the proto name.
    const key = Object.hasOwn(json, f.jsonName)
      ? f.jsonName
      : Object.hasOwn(json, f.name)
        ? f.name
        : undefined;
    if (key === undefined) continue;
    const value = json[key] as Json;
    const here = path ? `${path}.${f.name}` : f.name;
    if (f.kind === 'map') {
      if (!isObject(value) || f.mapValue === undefined) continue;
      for (const k of Object.keys(value)) {
        const item = value[k] as Json;
        if (f.mapValue === 'message') walk(item, f.type!, `${here}[${JSON.stringify(k)}]`, depth + 1);
        else if (NUMERIC.has(f.mapValue))
          checkValue(`${here}[${JSON.stringify(k)}]`, f, f.mapValue, item, value, k);
      }
      continue;
    }
    if (f.kind === 'message') {
      if (f.type!.startsWith('google.protobuf.')) continue;
      if (f.repeated && Array.isArray(value))
        value.forEach((item, i) => walk(item, f.type!, `${here}[${i}]`, depth + 1));
      else walk(value, f.type!, here, depth + 1);
      continue;
    }
    if (!NUMERIC.has(f.kind)) continue;
    if (f.repeated && Array.isArray(value))
      value.forEach((item, i) => checkValue(`${here}[${i}]`, f, f.kind, item, value, i));
    else checkValue(here, f, f.kind, value, json, key);
  }
}

/** Throws INVALID_PARAMETER_VALUE naming the first numeric field ParseDict cannot read. */
export function refuseUnreadableNumbers(raw: Json, typeName: string): void {
  walk(raw, typeName, '', 1, READ_FROM_ARGS[typeName]);
}
