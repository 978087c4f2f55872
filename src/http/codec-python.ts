/**
 * Python semantics the request path depends on. MLflow validates the *raw* decoded JSON with
 * Python builtins (`int(x)`, `float(x)`, `isinstance`, `json.dumps`), and its error messages print
 * Python type names and `json.dumps` renderings, so we reproduce those rules here.
 */

/** A JSON value as decoded from a request (what Python's json.loads would give, modulo int/float). */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Raised where MLflow would raise a non-MlflowException (Flask then answers a bare 500). */
export class PythonCrash extends Error {
  constructor(what: string) {
    super(what);
    this.name = 'PythonCrash';
  }
}

export function isObject(v: unknown): v is { [key: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof PyFloat);
}

/**
 * `len(s)` of a Python str: code points (a surrogate pair is one). Counted in place: spreading a
 * request's 100 MB string into an array of characters exhausts the heap.
 */
export function pyStrLen(s: string): number {
  let n = s.length;
  for (let i = 0; i + 1 < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdbff) continue;
    const d = s.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) {
      n--;
      i++;
    }
  }
  return n;
}

/** The characters of a Python str, one code point at a time (lazily). */
export function* pyChars(s: string): Generator<string> {
  yield* s;
}

/**
 * A JSON number Python reads as a float (`2.0`, `1e3`, `NaN`): JSON.parse loses the difference
 * with `2`, which MLflow's messages show (`Invalid value 2.0 ... of type 'float'`). Only the
 * faithful reader (codec-json.ts `pyJsonLoadsFaithful`) produces these, for error messages.
 */
export class PyFloat {
  constructor(readonly value: number) {}
}

/** Python's `repr(float)`: `2.0`, `1e-05`, `1e+16`, `inf`, `nan`. */
export function pyFloatRepr(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  if (v === 0) return Object.is(v, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(v);
  if (abs >= 1e-4 && abs < 1e16) return Number.isInteger(v) ? `${v}.0` : String(v);
  const [mant, exp] = v.toExponential().split('e') as [string, string];
  const sign = exp[0] === '-' ? '-' : '+';
  return `${mant}e${sign}${exp.replace(/^[+-]/, '').padStart(2, '0')}`;
}

/** A value as the faithful reader may give it: Json with PyFloat for Python floats. */
export type PyJson = Json | PyFloat | PyJson[] | { [key: string]: PyJson };

/** `type(value).__name__` of the value json.loads would have produced. */
export function pyTypeName(v: PyJson | undefined): string {
  if (v === null || v === undefined) return 'NoneType';
  if (v instanceof PyFloat) return 'float';
  if (typeof v === 'string') return 'str';
  if (typeof v === 'boolean') return 'bool';
  // JSON.parse loses "1.0" vs "1"; integral numbers are reported as Python ints.
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (Array.isArray(v)) return 'list';
  return 'dict';
}

// Python's str.strip() whitespace: \s plus the separators \x1c-\x1f and \x85.
// eslint-disable-next-line no-control-regex
const PY_WS = /^[\s\u001c-\u001f\u0085]+|[\s\u001c-\u001f\u0085]+$/g;
const PY_INT = /^[+-]?(?:\d(?:_?\d)*)$/;
const PY_FLOAT =
  /^[+-]?(?:(?:\d(?:_?\d)*)?\.?\d(?:_?\d)*(?:[eE][+-]?\d(?:_?\d)*)?|\d(?:_?\d)*\.(?:[eE][+-]?\d(?:_?\d)*)?|inf(?:inity)?|nan)$/i;

/**
 * Python `int(x)`: a number (truncated), a bool, or a base-10 integer string (whitespace and
 * digit underscores allowed). Returns undefined where Python raises ValueError; throws
 * PythonCrash where it raises TypeError (None, list, dict).
 */
export function pyInt(v: Json | undefined): number | undefined {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return undefined;
    return Math.trunc(v);
  }
  if (typeof v === 'string') {
    const s = v.replace(PY_WS, '');
    if (!PY_INT.test(s)) return undefined;
    return Number(s.replace(/_/g, ''));
  }
  throw new PythonCrash(
    `int() argument must be a string, a bytes-like object or a real number, not '${pyTypeName(v)}'`,
  );
}

/** Python `float(x)`; same conventions as pyInt. */
export function pyFloat(v: Json | undefined): number | undefined {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const s = v.replace(PY_WS, '');
    if (!PY_FLOAT.test(s)) return undefined;
    const low = s.toLowerCase().replace(/_/g, '');
    if (low.endsWith('nan')) return NaN;
    if (low.endsWith('inf') || low.endsWith('infinity')) return low.startsWith('-') ? -Infinity : Infinity;
    return Number(low);
  }
  throw new PythonCrash(`float() argument must be a string or a real number, not '${pyTypeName(v)}'`);
}

function pyStr(s: string): string {
  // json.dumps with ensure_ascii=True: everything outside printable ASCII is \uXXXX-escaped.
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

function pyNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  if (Number.isInteger(n) && Math.abs(n) < 1e16) return String(n);
  // Python float repr: exponent with sign and at least two digits (1e+16, 1e-07).
  const s = String(n);
  return s.replace(/e([+-])(\d)$/, 'e$10$2');
}

/** `json.dumps(value, sort_keys=True, separators=(",", ":"))` as MLflow's invalid_value() renders it. */
export function pyJsonDumps(v: PyJson | undefined): string {
  if (v === null || v === undefined) return 'null';
  if (v instanceof PyFloat) {
    // json.dumps writes non-finite floats as NaN / Infinity / -Infinity.
    if (!Number.isFinite(v.value)) return pyNumber(v.value);
    return pyFloatRepr(v.value);
  }
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return pyNumber(v);
  if (typeof v === 'string') return pyStr(v);
  if (Array.isArray(v)) return `[${v.map(pyJsonDumps).join(',')}]`;
  const obj = v as { [key: string]: PyJson };
  const keys = Object.keys(obj).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${keys.map((k) => `${pyStr(k)}:${pyJsonDumps(obj[k])}`).join(',')}}`;
}

/** Python `str(value)` for the values that can reach an f-string in a message. */
export function pyStrOf(v: Json | undefined): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return pyNumber(v).replace('Infinity', 'inf').replace('NaN', 'nan');
  if (typeof v === 'string') return v;
  return pyJsonDumps(v);
}
