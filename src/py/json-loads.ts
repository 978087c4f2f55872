/** Python's `json.loads`, faithful to what JSON.parse loses (floats written as `2.0`, NaN, Infinity). */
import { PyFloat, type PyJson } from './values.js';

const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
const MAX_FAITHFUL_DEPTH = 1000;
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
  // Python's json.loads fails past about 1000 levels (RecursionError); stopping there also keeps
  // this recursive reader far from the JS stack limit, whatever the frames' size.
  let depth = 0;
  const nested = (): PyJson => {
    if (++depth > MAX_FAITHFUL_DEPTH) throw new Error('too deep');
    try {
      return value();
    } finally {
      depth--;
    }
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
        obj[k] = nested();
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
        arr.push(nested());
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
