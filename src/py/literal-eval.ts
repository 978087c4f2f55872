/**
 * A small evaluator for the Python literal MLflow reads from `IN (...)` lists with
 * `ast.literal_eval`: strings (with escapes and implicit concatenation), numbers, True/False/None,
 * tuples and lists. It distinguishes the two failures MLflow treats differently: a syntax error
 * (reported as an ill-formed list) and a well-formed but non-literal expression such as a bare
 * name (Python raises ValueError, which MLflow does not catch).
 */
import type { PyValue } from './repr.js';

export class PyLiteralSyntaxError extends Error {}
export class PyLiteralValueError extends Error {}

export function literalEval(src: string): PyValue {
  const p = new Parser(src);
  p.ws();
  const v = p.expr();
  p.ws();
  if (!p.done()) throw new PyLiteralSyntaxError('trailing input');
  return v;
}

class Parser {
  private i = 0;
  constructor(private readonly s: string) {}

  done(): boolean {
    return this.i >= this.s.length;
  }

  ws(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i]!)) this.i++;
  }

  expr(): PyValue {
    const c = this.s[this.i];
    if (c === '(' || c === '[') return this.seq(c);
    if (c === "'" || c === '"') {
      let out = this.str();
      this.ws();
      while (this.s[this.i] === "'" || this.s[this.i] === '"') {
        out += this.str();
        this.ws();
      }
      return out;
    }
    const num = /^[-+]?(\d[\d_]*\.?\d*([eE][-+]?\d+)?|\.\d+([eE][-+]?\d+)?)/.exec(this.s.slice(this.i));
    if (num) {
      this.i += num[0].length;
      return Number(num[0].replace(/_/g, ''));
    }
    const word = /^[A-Za-z_]\w*/.exec(this.s.slice(this.i));
    if (word) {
      this.i += word[0].length;
      if (word[0] === 'True') return true;
      if (word[0] === 'False') return false;
      if (word[0] === 'None') return null;
      throw new PyLiteralValueError(`malformed node or string: ${word[0]}`);
    }
    throw new PyLiteralSyntaxError('invalid syntax');
  }

  private seq(open: string): PyValue {
    const close = open === '(' ? ')' : ']';
    this.i++;
    const items: PyValue[] = [];
    let sawComma = false;
    this.ws();
    while (this.s[this.i] !== close) {
      if (this.done()) throw new PyLiteralSyntaxError('unclosed');
      items.push(this.expr());
      this.ws();
      if (this.s[this.i] === ',') {
        sawComma = true;
        this.i++;
        this.ws();
      } else if (this.s[this.i] !== close) {
        throw new PyLiteralSyntaxError('expected comma');
      }
    }
    this.i++;
    if (open === '[') return items;
    if (items.length === 1 && !sawComma) return items[0]!;
    return { tuple: items };
  }

  private str(): string {
    const q = this.s[this.i]!;
    const triple = this.s.startsWith(q.repeat(3), this.i);
    const delim = triple ? q.repeat(3) : q;
    this.i += delim.length;
    let out = '';
    for (;;) {
      if (this.done()) throw new PyLiteralSyntaxError('unterminated string');
      if (this.s.startsWith(delim, this.i)) {
        this.i += delim.length;
        return out;
      }
      const c = this.s[this.i]!;
      if (!triple && c === '\n') throw new PyLiteralSyntaxError('unterminated string');
      if (c === '\\') {
        const [text, used] = this.escape(this.s.slice(this.i + 1));
        out += text;
        this.i += 1 + used;
        continue;
      }
      out += c;
      this.i++;
    }
  }

  /** A Python string escape (after the backslash): returns the text and the characters used. */
  private escape(rest: string): [string, number] {
    const simple: Record<string, string> = {
      n: '\n',
      t: '\t',
      r: '\r',
      '\\': '\\',
      "'": "'",
      '"': '"',
      a: '\x07',
      b: '\b',
      f: '\f',
      v: '\v',
      '\n': '',
    };
    const e = rest[0];
    if (e === undefined) throw new PyLiteralSyntaxError('dangling backslash');
    if (simple[e] !== undefined) return [simple[e], 1];
    const oct = /^[0-7]{1,3}/.exec(rest);
    if (oct) return [String.fromCodePoint(parseInt(oct[0], 8)), oct[0].length];
    const hexLen = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
    if (hexLen > 0) {
      const hex = rest.slice(1, 1 + hexLen);
      if (!new RegExp(`^[0-9a-fA-F]{${hexLen}}$`).test(hex))
        throw new PyLiteralSyntaxError('truncated escape');
      const cp = parseInt(hex, 16);
      if (cp > 0x10ffff) throw new PyLiteralSyntaxError('illegal Unicode character');
      return [String.fromCodePoint(cp), 1 + hexLen];
    }
    // Unknown escapes keep the backslash, as Python does.
    return ['\\' + e, 1];
  }
}
