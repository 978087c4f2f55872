/** Python repr() of `bytes` and of values produced by `json.loads`, for page-token messages. */
import { pyStr } from './py-repr.js';

export function pyBytes(b: Uint8Array): string {
  let hasSingle = false;
  let hasDouble = false;
  for (const x of b) {
    if (x === 0x27) hasSingle = true;
    if (x === 0x22) hasDouble = true;
  }
  const quote = hasSingle && !hasDouble ? '"' : "'";
  let out = 'b' + quote;
  for (const x of b) {
    if (x === 0x5c) out += '\\\\';
    else if (String.fromCharCode(x) === quote) out += '\\' + quote;
    else if (x === 0x0a) out += '\\n';
    else if (x === 0x0d) out += '\\r';
    else if (x === 0x09) out += '\\t';
    else if (x < 0x20 || x >= 0x7f) out += '\\x' + x.toString(16).padStart(2, '0');
    else out += String.fromCharCode(x);
  }
  return out + quote;
}

/** repr() of a JSON value as Python holds it (dict / list / str / int / float / bool / None). */
export function pyJson(v: unknown): string {
  if (v === null) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'string') return pyStr(v);
  if (typeof v === 'number') return Number.isInteger(v) && !Object.is(v, -0) ? String(v) : pyFloat(v);
  if (Array.isArray(v)) return '[' + v.map(pyJson).join(', ') + ']';
  const entries = Object.entries(v as Record<string, unknown>);
  return '{' + entries.map(([k, x]) => `${pyStr(k)}: ${pyJson(x)}`).join(', ') + '}';
}

/** str(float) as Python prints it ('1.0', '1.5', '1e+16', '1e-05'). */
export function pyFloat(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  const a = Math.abs(n);
  if (a !== 0 && (a >= 1e16 || a < 1e-4)) {
    return n.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  }
  if (Number.isInteger(n)) return n.toFixed(1);
  return String(n);
}
