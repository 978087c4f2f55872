/**
 * Python's repr() of the values that appear in MLflow's error messages (strings, lists of dicts
 * of strings), so messages read byte-for-byte like the Python server's.
 */
export function pyReprString(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += '\\' + quote;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (cp < 0x20 || cp === 0x7f) out += '\\x' + cp.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + quote;
}

export function pyReprDictList(items: Record<string, string>[]): string {
  const dicts = items.map(
    (d) =>
      '{' +
      Object.entries(d)
        .map(([k, v]) => `${pyReprString(k)}: ${pyReprString(v)}`)
        .join(', ') +
      '}',
  );
  return '[' + dicts.join(', ') + ']';
}

export function pyReprStringList(items: string[]): string {
  return '[' + items.map(pyReprString).join(', ') + ']';
}
