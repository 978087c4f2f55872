/**
 * Python's view of a decoded JSON value: what `json.loads` gives (with ints and floats told apart
 * where it matters), its type names, and the crash a Python TypeError would be.
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

/**
 * A JSON number Python reads as a float (`2.0`, `1e3`, `NaN`): JSON.parse loses the difference
 * with `2`, which MLflow's messages show (`Invalid value 2.0 ... of type 'float'`). Only the
 * faithful reader (http/codec-json.ts `pyJsonLoadsFaithful`) produces these, for error messages.
 */
export class PyFloat {
  constructor(readonly value: number) {}
}

/** A value as the faithful reader may give it: Json with PyFloat for Python floats. */
export type PyJson = Json | PyFloat | PyJson[] | { [key: string]: PyJson };

export function isObject(v: unknown): v is { [key: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof PyFloat);
}

/** `type(value).__name__` of the value json.loads would have produced. */
export function typeName(v: unknown): string {
  if (v === null || v === undefined) return 'NoneType';
  if (v instanceof PyFloat) return 'float';
  if (typeof v === 'string') return 'str';
  if (typeof v === 'boolean') return 'bool';
  // JSON.parse loses "1.0" vs "1"; integral numbers are reported as Python ints.
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (Array.isArray(v)) return 'list';
  return 'dict';
}

/** Python's truth value of a decoded JSON value (`if v:`): null, false, 0, '', [] and {} are false. */
export function pyTruthy(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object' && !(v instanceof PyFloat)) return Object.keys(v).length > 0;
  if (v instanceof PyFloat) return v.value !== 0;
  return true;
}
