/**
 * Request-body JSON as Flask's `get_json(force=True, silent=True)` + Python's json module read
 * it: invalid JSON is `undefined` (MLflow then treats the body as `{}`), and the bare tokens
 * `NaN`, `Infinity`, `-Infinity` that Python accepts (and JSON.parse does not) are understood.
 */
import { PyFloat, type Json, type PyJson } from './codec-python.js';

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

const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
const WS = /[ \t\n\r]*/y;

/**
 * Python `json.loads` keeping what JSON.parse loses: numbers written as floats (`2.0`, `1e3`,
 * `NaN`) come back as PyFloat. Slow (plain JS); used only to render MLflow error messages.
 */
export function pyJsonLoadsFaithful(text: string): PyJson | undefined {
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const ws = (): void => {
    WS.lastIndex = i;
    WS.exec(text);
    i = WS.lastIndex;
  };
  const value = (): PyJson => {
    ws();
    const ch = text[i];
    if (ch === '{') {
      i++;
      const obj: { [key: string]: PyJson } = {};
      ws();
      if (text[i] === '}') {
        i++;
        return obj;
      }
      for (;;) {
        ws();
        const k = value();
        if (typeof k !== 'string') throw new Error('key');
        ws();
        if (text[i++] !== ':') throw new Error(':');
        obj[k] = value();
        ws();
        const sep = text[i++];
        if (sep === '}') return obj;
        if (sep !== ',') throw new Error(',');
      }
    }
    if (ch === '[') {
      i++;
      const arr: PyJson[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return arr;
      }
      for (;;) {
        arr.push(value());
        ws();
        const sep = text[i++];
        if (sep === ']') return arr;
        if (sep !== ',') throw new Error(',');
      }
    }
    if (ch === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const str = JSON.parse(text.slice(i, j + 1)) as string;
      i = j + 1;
      return str;
    }
    for (const [lit, v] of [
      ['true', true],
      ['false', false],
      ['null', null],
      ['NaN', new PyFloat(NaN)],
      ['Infinity', new PyFloat(Infinity)],
      ['-Infinity', new PyFloat(-Infinity)],
    ] as const) {
      if (text.startsWith(lit, i)) {
        i += lit.length;
        return v;
      }
    }
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (!m) throw new Error('value');
    i = NUMBER.lastIndex;
    const n = Number(m[0]);
    return m[1] !== undefined || m[2] !== undefined ? new PyFloat(n) : n;
  };
  try {
    const v = value();
    ws();
    return i === text.length ? v : undefined;
  } catch {
    return undefined;
  }
}
