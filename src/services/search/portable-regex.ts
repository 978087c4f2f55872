/**
 * Whether an RLIKE pattern means the same to every engine MLflow's search hands it to: Python's
 * `re.search` (MLflow's SQLite REGEXP function), PostgreSQL's `~` and MySQL's ICU REGEXP. Only a
 * plain subset qualifies (ASCII, literal characters, `.`, anchors, groups without `(?`,
 * alternation, the `* + ?` and `{n,m}` quantifiers, bracket classes without POSIX names or
 * escapes, backslash before punctuation only); anything else is answered by the Python server.
 */
const ESCAPABLE = new Set([...'^$\\.*+?()[]{}|/']);

export function isPortableRegex(pattern: string): boolean {
  if (pattern === '' || !/^[\x20-\x7e]*$/.test(pattern)) return false;
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === '\\') {
      if (!ESCAPABLE.has(pattern[i + 1] ?? '')) return false;
      i += 2;
      continue;
    }
    if (c === '(' && pattern[i + 1] === '?') return false;
    if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) return false;
      const body = pattern.slice(i + 1, end);
      if (/[\\[]/.test(body) || body === '^') return false;
      i = end + 1;
      continue;
    }
    if (c === '{') {
      const m = /^\{\d{1,3}(,\d{0,3})?\}/.exec(pattern.slice(i));
      if (!m) return false;
      i += m[0].length;
      continue;
    }
    if (c === ']' || c === '}') return false;
    i++;
  }
  try {
    new RegExp(pattern, 'u');
  } catch {
    return false;
  }
  return true;
}
