/** Python str behaviour that differs from JS strings: code-point length and slicing, strip(). */

/**
 * len() of a Python str: code points, not UTF-16 units. Counted in place, with no copy: a request
 * can hold a 100 MB string, and an array of its characters exhausts the heap.
 */
export function strLen(s: string): number {
  let n = s.length;
  for (let i = 0; i + 1 < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdbff) continue;
    const d = s.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) {
      n--;
      i++;
    }
  }
  return n;
}

/** s[:n] by code points (one slice, never an array of characters). */
export function strSlice(s: string, n: number): string {
  let i = 0;
  for (let k = 0; k < n && i < s.length; k++) {
    const c = s.charCodeAt(i);
    const pair = c >= 0xd800 && c <= 0xdbff && i + 1 < s.length;
    const d = pair ? s.charCodeAt(i + 1) : 0;
    i += pair && d >= 0xdc00 && d <= 0xdfff ? 2 : 1;
  }
  return s.slice(0, i);
}

/** The characters of a Python str, one code point at a time (lazily: no array of them). */
export function* strChars(s: string): Generator<string> {
  yield* s;
}

/** items[:n] of a list (a negative n drops from the end). */
export function listSlice<T>(items: readonly T[], n: number): T[] {
  return n >= 0 ? items.slice(0, n) : items.slice(0, Math.max(0, items.length + n));
}

// Python's str.strip() whitespace: \s plus the separators \x1c-\x1f and \x85.
// eslint-disable-next-line no-control-regex
const PY_WS = /^[\s\u001c-\u001f\u0085]+|[\s\u001c-\u001f\u0085]+$/g;

/** str.strip() with no argument. */
export function stripWhitespace(s: string): string {
  return s.replace(PY_WS, '');
}
