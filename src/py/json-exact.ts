/**
 * Python's `json.loads` with nothing lost, for data MLflow re-encodes rather than just reads
 * (stored span content and span attribute values): ints stay ints at any size (bigint past 2^53),
 * floats are PyFloat (`2.0` is not `2`), objects are Maps in insertion order (a JS object would
 * move integer-like keys first; Python's dict does not; a repeated key keeps its first place and
 * its last value, as in both), and `NaN` / `Infinity` / `-Infinity` are accepted. Strings are
 * sliced without a copy when they hold no escape, so reading a large span stays cheap.
 */
import { finiteFloatRepr } from './numbers.js';
import { PyFloat } from './values.js';

export type PyExact = null | boolean | string | number | bigint | PyFloat | PyExact[] | PyDict;
export type PyDict = Map<string, PyExact>;

/** Python's recursion limit stops json.loads at about this depth; it then raises. */
const MAX_DEPTH = 990;

/** The index after the JSON whitespace (json.loads' set: space, tab, CR, LF) from `i`. */
export function skipJsonWs(s: string, i: number): number {
  for (;;) {
    const c = s.charCodeAt(i);
    if (c === 32 || c === 10 || c === 13 || c === 9) i++;
    else return i;
  }
}

/** The index of the quote closing the JSON string opened at `start`, or -1. */
export function closingQuote(s: string, start: number): number {
  let j = start + 1;
  for (;;) {
    const q = s.indexOf('"', j);
    if (q < 0) return -1;
    // A quote preceded by an odd run of backslashes is escaped.
    let b = q - 1;
    while (b > start && s.charCodeAt(b) === 92) b--;
    if ((q - 1 - b) % 2 === 0) return q;
    j = q + 1;
  }
}

class Reader {
  i = 0;
  depth = 0;
  constructor(readonly s: string) {}

  fail(): never {
    throw new SyntaxError(`invalid JSON at ${this.i}`);
  }

  ws(): void {
    this.i = skipJsonWs(this.s, this.i);
  }

  value(): PyExact {
    this.ws();
    const s = this.s;
    const c = s.charCodeAt(this.i);
    if (c === 34 /* " */) return this.string();
    if (c === 123 /* { */) return this.object();
    if (c === 91 /* [ */) return this.array();
    if (c === 116 && s.startsWith('true', this.i)) return ((this.i += 4), true);
    if (c === 102 && s.startsWith('false', this.i)) return ((this.i += 5), false);
    if (c === 110 && s.startsWith('null', this.i)) return ((this.i += 4), null);
    if (c === 78 && s.startsWith('NaN', this.i)) return ((this.i += 3), new PyFloat(NaN));
    if (c === 73 && s.startsWith('Infinity', this.i)) return ((this.i += 8), new PyFloat(Infinity));
    if (c === 45 && s.startsWith('-Infinity', this.i)) return ((this.i += 9), new PyFloat(-Infinity));
    return this.number();
  }

  string(): string {
    const s = this.s;
    const start = this.i;
    const q = closingQuote(s, start);
    if (q < 0) this.fail();
    this.i = q + 1;
    const body = s.slice(start + 1, q);
    if (body.indexOf('\\') < 0) {
      // Control characters are refused in strings (json.loads' strict mode), as JSON.parse does.
      if (CONTROL.test(body)) this.fail();
      return body;
    }
    return JSON.parse(s.slice(start, q + 1)) as string;
  }

  object(): PyDict {
    if (++this.depth > MAX_DEPTH) this.fail();
    this.i++;
    const out: PyDict = new Map();
    this.ws();
    if (this.s.charCodeAt(this.i) === 125) {
      this.i++;
      this.depth--;
      return out;
    }
    for (;;) {
      this.ws();
      if (this.s.charCodeAt(this.i) !== 34) this.fail();
      const key = this.string();
      this.ws();
      if (this.s.charCodeAt(this.i++) !== 58 /* : */) this.fail();
      out.set(key, this.value());
      this.ws();
      const c = this.s.charCodeAt(this.i++);
      if (c === 125) break;
      if (c !== 44) this.fail();
    }
    this.depth--;
    return out;
  }

  array(): PyExact[] {
    if (++this.depth > MAX_DEPTH) this.fail();
    this.i++;
    const out: PyExact[] = [];
    this.ws();
    if (this.s.charCodeAt(this.i) === 93) {
      this.i++;
      this.depth--;
      return out;
    }
    for (;;) {
      out.push(this.value());
      this.ws();
      const c = this.s.charCodeAt(this.i++);
      if (c === 93) break;
      if (c !== 44) this.fail();
    }
    this.depth--;
    return out;
  }

  number(): number | bigint | PyFloat {
    NUMBER.lastIndex = this.i;
    const m = NUMBER.exec(this.s);
    if (!m) this.fail();
    this.i = NUMBER.lastIndex;
    const text = m[0];
    if (m[1] !== undefined || m[2] !== undefined) return new PyFloat(Number(text));
    const n = Number(text);
    // `-0` is the int 0 in Python.
    if (Number.isSafeInteger(n)) return n === 0 ? 0 : n;
    return BigInt(text);
  }
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f]/;
const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?/y;

/** json.loads(text); throws SyntaxError where Python raises (JSONDecodeError, RecursionError). */
export function pyJsonLoadsExact(text: string): PyExact {
  const r = new Reader(text);
  // No BOM skipping: json.loads refuses a str that starts with one.
  const v = r.value();
  r.ws();
  if (r.i !== text.length) r.fail();
  return v;
}

/** Python's truth value of an exact value (`if v:`). */
export function pyTruthyExact(v: PyExact | undefined): boolean {
  if (v === undefined || v === null || v === false || v === '' || v === 0) return false;
  if (typeof v === 'bigint') return v !== 0n;
  if (v instanceof PyFloat) return v.value !== 0;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof Map) return v.size > 0;
  return true;
}

/** A JSON string as json.dumps writes it with ensure_ascii=False (JSON.stringify's escapes). */
const dumpStr = (s: string): string => JSON.stringify(s);

/**
 * Python's json.dumps (default separators `, ` and `: `, ensure_ascii=False) of an exact value:
 * ints with every digit, floats by their repr (`1.0`, `1e-05`), NaN / Infinity as Python writes
 * them, dict keys in insertion order.
 */
export function pyJsonDumpsExact(v: PyExact): string {
  if (v === null) return 'null';
  if (v === true) return 'true';
  if (v === false) return 'false';
  if (typeof v === 'string') return dumpStr(v);
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (v instanceof PyFloat) {
    const n = v.value;
    if (Number.isNaN(n)) return 'NaN';
    if (n === Infinity) return 'Infinity';
    if (n === -Infinity) return '-Infinity';
    return finiteFloatRepr(n);
  }
  if (Array.isArray(v)) return '[' + v.map(pyJsonDumpsExact).join(', ') + ']';
  const parts: string[] = [];
  for (const [k, x] of v) parts.push(dumpStr(k) + ': ' + pyJsonDumpsExact(x));
  return '{' + parts.join(', ') + '}';
}
