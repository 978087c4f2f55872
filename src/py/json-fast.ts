/**
 * json.loads through the engine's native JSON.parse, for readers to which an int and a float of
 * the same value mean the same (proto JSON's number fields: `2.0` is read as the int 2 here, a
 * PyFloat only when it has a fraction). Otherwise as the exact reader (json-exact.ts), or not
 * taken: a number beyond 2^53 (JSON.parse would round an int literal), `-0`, an integer-like
 * object key (a JS object lists those first; a Python dict keeps them in place), deep nesting
 * (the exact reader knows where Python's recursion limit bites), and any text JSON.parse refuses.
 * Undefined means "not taken": read the text with pyJsonLoadsExact instead, which also gives the
 * errors. JSON.parse refuses everything json.loads refuses and more (NaN, Infinity), so a text it
 * accepts is one json.loads accepts.
 */
import type { PyDict, PyExact } from './json-exact.js';
import { PyFloat } from './values.js';

/** Deeper documents go to the exact reader (it knows where Python's recursion limit bites). */
const MAX_DEPTH = 200;
/** An array index: V8 lists such keys before the others. */
const INDEX_KEY = /^(?:0|[1-9]\d{0,9})$/;

class NotTaken extends Error {}

function convert(v: unknown, depth: number): PyExact {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') {
    if (Object.is(v, -0) || !Number.isFinite(v)) throw new NotTaken();
    if (Number.isInteger(v)) {
      if (!Number.isSafeInteger(v)) throw new NotTaken();
      return v;
    }
    return new PyFloat(v);
  }
  if (depth >= MAX_DEPTH) throw new NotTaken();
  if (Array.isArray(v)) {
    const out = new Array<PyExact>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = convert(v[i], depth + 1);
    return out;
  }
  const out: PyDict = new Map();
  const o = v as Record<string, unknown>;
  for (const k in o) {
    if (INDEX_KEY.test(k)) throw new NotTaken();
    out.set(k, convert(o[k], depth + 1));
  }
  return out;
}

/** json.loads(text), ints and integer-valued floats alike, or undefined (see above). */
export function pyJsonLoadsFast(text: string): PyExact | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  try {
    return convert(parsed, 0);
  } catch (err) {
    if (err instanceof NotTaken) return undefined;
    throw err;
  }
}
