/**
 * `json.dumps(obj)` with Python's defaults (separators `", "` / `": "`, ensure_ascii): the exact
 * bytes MLflow sends as a webhook body, which the signature covers. Floats are marked with PyFloat
 * (Python prints `100.0` where JavaScript would print `100`).
 */
import { PyFloat } from '../../http/codec-python.js';
import { pyFloatStr } from '../tracking/py-text.js';

export type PyJsonValue =
  | null
  | boolean
  | number
  | string
  | PyFloat
  | readonly PyJsonValue[]
  | { readonly [key: string]: PyJsonValue | undefined };

function str(s: string): string {
  return JSON.stringify(s).replace(
    /[\u007f-\uffff]/g,
    (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'),
  );
}

export function pyJsonDumps(v: PyJsonValue): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : pyFloatStr(v).replace('inf', 'Infinity');
  if (typeof v === 'string') return str(v);
  if (v instanceof PyFloat) {
    if (Number.isNaN(v.value)) return 'NaN';
    if (!Number.isFinite(v.value)) return v.value > 0 ? 'Infinity' : '-Infinity';
    return pyFloatStr(v.value);
  }
  if (Array.isArray(v)) return `[${(v as readonly PyJsonValue[]).map(pyJsonDumps).join(', ')}]`;
  const parts: string[] = [];
  for (const [k, x] of Object.entries(v as Record<string, PyJsonValue | undefined>)) {
    if (x !== undefined) parts.push(`${str(k)}: ${pyJsonDumps(x)}`);
  }
  return `{${parts.join(', ')}}`;
}
