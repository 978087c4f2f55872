/**
 * Python `repr()` of the few value shapes MLflow interpolates into search error messages
 * (`{value!r}`, `f"{some_list}"`, `f"{some_tuple}"`, `f"{some_set}"`). Clients match on these
 * messages, so they must read exactly as the pinned Python server renders them.
 */

/** repr(str): single quotes unless the text holds a single quote and no double quote. */
export function pyStr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
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

export type PyValue = string | number | boolean | null | PyValue[] | { tuple: PyValue[] };

/** repr() of str / int / float / bool / None / list / tuple. */
export function pyRepr(v: PyValue): string {
  if (typeof v === 'string') return pyStr(v);
  if (typeof v === 'number') return pyNumber(v);
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (v === null) return 'None';
  if (Array.isArray(v)) return '[' + v.map(pyRepr).join(', ') + ']';
  const items = v.tuple.map(pyRepr);
  return items.length === 1 ? `(${items[0]},)` : '(' + items.join(', ') + ')';
}

/** str(float)/str(int) for finite values the way Python prints them. */
export function pyNumber(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (n === Infinity) return 'inf';
  if (n === -Infinity) return '-inf';
  return String(n);
}

/**
 * repr() of a set of strings. Python's set order depends on per-process hash randomisation, so
 * no order is "the" right one; we print members in a fixed order (the order given).
 */
export function pySet(members: readonly string[]): string {
  return '{' + members.map(pyStr).join(', ') + '}';
}

/** repr() of a list of strings. */
export function pyList(members: readonly string[]): string {
  return '[' + members.map(pyStr).join(', ') + ']';
}
