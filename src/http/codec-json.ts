/**
 * Request-body JSON as Flask's `get_json(force=True, silent=True)` + Python's json module read
 * it: invalid JSON is `undefined` (MLflow then treats the body as `{}`), and the bare tokens
 * `NaN`, `Infinity`, `-Infinity` that Python accepts (and JSON.parse does not) are understood.
 */
import type { Json } from './codec-python.js';

const SENTINEL = '\u0000mlflow-ts-nonfinite:';

/** Replaces bare NaN/Infinity/-Infinity tokens outside strings with sentinel strings. */
function quoteNonFinite(text: string): string | undefined {
  let out = '';
  let i = 0;
  let changed = false;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '"') {
      // Copy the whole string literal, escapes included.
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    const rest = text.slice(i, i + 9);
    const tok = rest.startsWith('-Infinity')
      ? '-Infinity'
      : rest.startsWith('Infinity')
        ? 'Infinity'
        : rest.startsWith('NaN')
          ? 'NaN'
          : '';
    if (tok) {
      out += JSON.stringify(SENTINEL + tok);
      i += tok.length;
      changed = true;
      continue;
    }
    out += ch;
    i++;
  }
  return changed ? out : undefined;
}

function reviveNonFinite(_key: string, value: unknown): unknown {
  if (typeof value === 'string' && value.startsWith(SENTINEL)) {
    const tok = value.slice(SENTINEL.length);
    return tok === 'NaN' ? NaN : tok === 'Infinity' ? Infinity : -Infinity;
  }
  return value;
}

/** Python `json.loads` of a text; `undefined` when it would raise. */
export function pyJsonLoads(text: string): Json | undefined {
  // Python strips a UTF-8 BOM when decoding bytes; JSON.parse would choke on it.
  const t = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return JSON.parse(t) as Json;
  } catch {
    const quoted = quoteNonFinite(t);
    if (quoted === undefined) return undefined;
    try {
      return JSON.parse(quoted, reviveNonFinite) as Json;
    } catch {
      return undefined;
    }
  }
}
