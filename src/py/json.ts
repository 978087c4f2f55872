/** Python's `json.dumps` as MLflow calls it in its messages and responses. */
import { floatRepr, intStr } from './numbers.js';
import { PyFloat, type PyJson } from './values.js';

/** A JSON string literal with ensure_ascii: everything outside printable ASCII is \uXXXX-escaped. */
function jsonStr(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ch = s[i]!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (c < 0x20 || c > 0x7e) out += '\\u' + c.toString(16).padStart(4, '0');
    else out += ch;
  }
  return out + '"';
}

/** A number: non-finite as NaN / Infinity / -Infinity; an int with every digit; a float's repr. */
function jsonNumber(n: number, float: boolean): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  return !float && Number.isInteger(n) && !Object.is(n, -0) ? intStr(n) : floatRepr(n);
}

/**
 * `json.dumps(value, sort_keys=True, separators=(",", ":"))` (ensure_ascii), as MLflow's
 * invalid_value() and Flask's JSON provider render values. A plain integral number is an int,
 * a PyFloat (or a non-integral number) a float; undefined renders as null.
 */
export function jsonDumps(v: PyJson | undefined): string {
  if (v === null || v === undefined) return 'null';
  if (v instanceof PyFloat) return jsonNumber(v.value, true);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return jsonNumber(v, false);
  if (typeof v === 'string') return jsonStr(v);
  if (Array.isArray(v)) return `[${v.map(jsonDumps).join(',')}]`;
  const obj = v as { [key: string]: PyJson };
  const keys = Object.keys(obj).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${keys.map((k) => `${jsonStr(k)}:${jsonDumps(obj[k])}`).join(',')}}`;
}
