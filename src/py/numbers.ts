/** Python's int and float: reading them (`int(x)`, `float(x)`) and writing them (`str`, `repr`). */
import { PythonCrash, typeName, type Json } from './values.js';
import { stripWhitespace } from './str.js';

/** `repr(float)` (= `str(float)`): `2.0`, `-0.0`, `1e-05`, `1e+16`, `inf`, `nan`. */
export function floatRepr(v: number): string {
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

/**
 * `str(int)`: every digit, where JS rounds beyond 2**53 to the shortest round-trip text
 * (-2**63 -> -9223372036854776000). `n` must be an integer.
 */
export function intStr(n: number): string {
  return Number.isSafeInteger(n) ? String(n) : BigInt(n).toString();
}

/**
 * `str(x)` of a number whose Python type is unknown (a JS number from a parsed filter or request):
 * an integer as int, anything else as float.
 */
export function numberStr(n: number): string {
  return Number.isInteger(n) && !Object.is(n, -0) ? intStr(n) : floatRepr(n);
}

const PY_INT = /^[+-]?(?:\d(?:_?\d)*)$/;
const PY_FLOAT =
  /^[+-]?(?:(?:\d(?:_?\d)*)?\.?\d(?:_?\d)*(?:[eE][+-]?\d(?:_?\d)*)?|\d(?:_?\d)*\.(?:[eE][+-]?\d(?:_?\d)*)?|inf(?:inity)?|nan)$/i;

/**
 * Python `int(x)`: a number (truncated), a bool, or a base-10 integer string (whitespace and
 * digit underscores allowed). Returns undefined where Python raises ValueError; throws
 * PythonCrash where it raises TypeError (None, list, dict).
 */
export function intOf(v: Json | undefined): number | undefined {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return undefined;
    return Math.trunc(v);
  }
  if (typeof v === 'string') {
    const s = stripWhitespace(v);
    if (!PY_INT.test(s)) return undefined;
    return Number(s.replace(/_/g, ''));
  }
  throw new PythonCrash(
    `int() argument must be a string, a bytes-like object or a real number, not '${typeName(v)}'`,
  );
}

/** Python `float(x)`; same conventions as intOf. */
export function floatOf(v: Json | undefined): number | undefined {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const s = stripWhitespace(v);
    if (!PY_FLOAT.test(s)) return undefined;
    const low = s.toLowerCase().replace(/_/g, '');
    if (low.endsWith('nan')) return NaN;
    if (low.endsWith('inf') || low.endsWith('infinity')) return low.startsWith('-') ? -Infinity : Infinity;
    return Number(low);
  }
  throw new PythonCrash(`float() argument must be a string or a real number, not '${typeName(v)}'`);
}
