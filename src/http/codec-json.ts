/**
 * Request-body JSON as Flask's `get_json(force=True, silent=True)` + Python's json module read
 * it: invalid JSON is `undefined` (MLflow then treats the body as `{}`), and the bare tokens
 * `NaN`, `Infinity`, `-Infinity` that Python accepts (and JSON.parse does not) are understood.
 */
import type { Json } from '../py/values.js';

const SENTINEL = '\u0000mlflow-ts-nonfinite:';

const BIG_SENTINEL = '\u0000mlflow-ts-int64-overflow:';
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const TWO_63 = 2 ** 63;
const NUMBER_TOKEN = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;

/**
 * Numbers whose literal is outside int64 although their double is not: `9223372036854775808` and
 * `9223372036854775807` are the same double (2**63), but to Python the first is an int out of
 * ParseDict's int64 range. Keyed by the object or array holding the value, then by key or index.
 */
const int64Overflows = new WeakMap<object, Map<string, string>>();

/** The literal of `holder[key]` when it was written as a number outside int64 (ParseDict refuses it). */
export function int64OverflowLiteral(holder: object, key: string | number): string | undefined {
  return int64Overflows.get(holder)?.get(String(key));
}

function literalOutsideInt64(lit: string, fracOrExp: boolean): boolean {
  if (fracOrExp) {
    // Python reads a float; ParseDict takes int(value) when it is integral.
    const n = Number(lit);
    return n >= TWO_63 || n < -TWO_63;
  }
  const b = BigInt(lit);
  return b < INT64_MIN || b > INT64_MAX;
}

/**
 * Python (3.11+) refuses to convert an integer literal of more than 4300 digits
 * (sys.get_int_max_str_digits): json.loads raises ValueError, and Flask reads the body as None.
 */
const PY_INT_MAX_DIGITS = 4300;
class IntTooLong extends Error {}

/**
 * Rewrites a JSON text for JSON.parse: bare NaN/Infinity/-Infinity tokens outside strings, and
 * numbers outside int64 whose double would hide it (long literals only), become sentinel
 * strings that the reviver turns back (recording the latter). Undefined when nothing changes.
 */
function rewriteTokens(text: string): string | undefined {
  let out = '';
  let i = 0;
  let last = 0;
  let changed = false;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '"') {
      // Skip the whole string literal, escapes included.
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      i = j + 1;
      continue;
    }
    if (ch === '-' || (ch >= '0' && ch <= '9')) {
      NUMBER_TOKEN.lastIndex = i;
      const m = NUMBER_TOKEN.exec(text);
      if (m && m[0].length > 0) {
        const lit = m[0];
        if (
          m[1] === undefined &&
          m[2] === undefined &&
          lit.length - (ch === '-' ? 1 : 0) > PY_INT_MAX_DIGITS
        ) {
          throw new IntTooLong();
        }
        if (
          lit.replace(/[-.]/g, '').length >= 19 &&
          literalOutsideInt64(lit, m[1] !== undefined || m[2] !== undefined)
        ) {
          out += text.slice(last, i) + JSON.stringify(BIG_SENTINEL + lit);
          last = i + lit.length;
          changed = true;
        }
        i += lit.length;
        continue;
      }
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
      out += text.slice(last, i) + JSON.stringify(SENTINEL + tok);
      i += tok.length;
      last = i;
      changed = true;
      continue;
    }
    i++;
  }
  return changed ? out + text.slice(last) : undefined;
}

function reviveTokens(this: unknown, key: string, value: unknown): unknown {
  if (typeof value === 'string' && value.startsWith(SENTINEL)) {
    const tok = value.slice(SENTINEL.length);
    return tok === 'NaN' ? NaN : tok === 'Infinity' ? Infinity : -Infinity;
  }
  if (typeof value === 'string' && value.startsWith(BIG_SENTINEL)) {
    const holder = this as object;
    let keys = int64Overflows.get(holder);
    if (!keys) int64Overflows.set(holder, (keys = new Map()));
    keys.set(key, value.slice(BIG_SENTINEL.length));
    return Number(value.slice(BIG_SENTINEL.length));
  }
  return value;
}

/** Python `json.loads` of a text; `undefined` when it would raise. */
export function pyJsonLoads(text: string): Json | undefined {
  // Python strips a UTF-8 BOM when decoding bytes; JSON.parse would choke on it.
  const t = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (!hasLongDigitRun(t)) {
    try {
      return JSON.parse(t) as Json;
    } catch {
      // NaN / Infinity tokens: below
    }
  }
  try {
    const rewritten = rewriteTokens(t);
    return JSON.parse(rewritten ?? t, reviveTokens) as Json;
  } catch {
    return undefined;
  }
}

const LONG_RUN = 19;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * Whether the text holds 19 consecutive ASCII digits (what `/\d{19}/` tests, without its cost:
 * the regex retries at every digit of every long float, more than JSON.parse itself). Any such run
 * covers one of the positions 18, 37, 56, ...; only the runs around those are measured.
 */
export function hasLongDigitRun(text: string): boolean {
  const n = text.length;
  for (let p = LONG_RUN - 1; p < n; p += LONG_RUN) {
    if (!isDigit(text.charCodeAt(p))) continue;
    let lo = p;
    while (lo > 0 && isDigit(text.charCodeAt(lo - 1))) lo--;
    let hi = p;
    while (hi + 1 < n && isDigit(text.charCodeAt(hi + 1))) hi++;
    if (hi - lo + 1 >= LONG_RUN) return true;
  }
  return false;
}

export { pyJsonLoadsFaithful } from '../py/json-loads.js';
