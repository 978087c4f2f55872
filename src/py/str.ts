/** Python str behaviour that differs from JS strings: code-point length and slicing, strip(). */

/** len() of a Python str: code points, not UTF-16 units. */
export function strLen(s: string): number {
  if (!/[\ud800-\udfff]/.test(s)) return s.length;
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** s[:n] by code points. */
export function strSlice(s: string, n: number): string {
  return [...s].slice(0, n).join('');
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
