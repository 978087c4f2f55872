/**
 * Python `repr()` of the value shapes MLflow interpolates into its messages (`{value!r}`,
 * `f"{some_list}"`, tuples, sets, bytes, the dicts json.loads returns). Clients match on these
 * messages, so they must read exactly as the pinned Python server renders them.
 */
import { floatRepr, numberStr } from './numbers.js';
import { PyFloat } from './values.js';

/** repr(str): single quotes unless the text holds a single quote and no double quote. */
export function reprStr(s: string): string {
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

/** A Python value built from literals: str / int-or-float / bool / None / list / tuple. */
export type PyValue = string | number | boolean | null | PyValue[] | { tuple: PyValue[] };

/** repr() of str / int / float / bool / None / list / tuple. */
export function repr(v: PyValue): string {
  if (typeof v === 'string') return reprStr(v);
  if (typeof v === 'number') return numberStr(v);
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (v === null) return 'None';
  if (Array.isArray(v)) return '[' + v.map(repr).join(', ') + ']';
  const items = v.tuple.map(repr);
  return items.length === 1 ? `(${items[0]},)` : '(' + items.join(', ') + ')';
}

/**
 * repr() of a set of strings. Python's set order depends on per-process hash randomisation, so
 * no order is "the" right one; members are printed in a fixed order (the order given).
 */
export function reprSet(members: readonly string[]): string {
  return '{' + members.map(reprStr).join(', ') + '}';
}

/** repr() of a list of strings. */
export function reprList(members: readonly string[]): string {
  return '[' + members.map(reprStr).join(', ') + ']';
}

/** repr() of a list of dicts of strings (insertion order). */
export function reprDictList(items: readonly Record<string, string>[]): string {
  const dicts = items.map(
    (d) =>
      '{' +
      Object.entries(d)
        .map(([k, v]) => `${reprStr(k)}: ${reprStr(v)}`)
        .join(', ') +
      '}',
  );
  return '[' + dicts.join(', ') + ']';
}

/** repr(bytes) */
export function reprBytes(b: Uint8Array): string {
  let hasSingle = false;
  let hasDouble = false;
  for (const x of b) {
    if (x === 0x27) hasSingle = true;
    if (x === 0x22) hasDouble = true;
  }
  const quote = hasSingle && !hasDouble ? '"' : "'";
  let out = 'b' + quote;
  for (const x of b) {
    if (x === 0x5c) out += '\\\\';
    else if (String.fromCharCode(x) === quote) out += '\\' + quote;
    else if (x === 0x0a) out += '\\n';
    else if (x === 0x0d) out += '\\r';
    else if (x === 0x09) out += '\\t';
    else if (x < 0x20 || x >= 0x7f) out += '\\x' + x.toString(16).padStart(2, '0');
    else out += String.fromCharCode(x);
  }
  return out + quote;
}

/** repr() of a value as json.loads returns it (dict / list / str / int / float / bool / None). */
export function reprJson(v: unknown): string {
  if (v === null) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'string') return reprStr(v);
  if (v instanceof PyFloat) return floatRepr(v.value);
  if (typeof v === 'number') return numberStr(v);
  if (Array.isArray(v)) return '[' + v.map(reprJson).join(', ') + ']';
  const entries = Object.entries(v as Record<string, unknown>);
  return '{' + entries.map(([k, x]) => `${reprStr(k)}: ${reprJson(x)}`).join(', ') + '}';
}
