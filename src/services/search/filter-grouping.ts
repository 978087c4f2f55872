/**
 * Groups lexemes into the token tree MLflow's search parser inspects (what sqlparse builds):
 * parentheses, dotted identifiers, arithmetic operations, comparisons, aliased identifiers
 * (order_by), identifier lists, and the statement split on ';'. Only the grouping steps whose
 * outcome is visible through MLflow's checks are reproduced, in sqlparse's order.
 */
import { lex, type Lexeme } from './filter-lexer.js';

export type Node =
  | { type: 'lex'; lex: Lexeme; text: string }
  | { type: 'paren'; text: string }
  | { type: 'identifier'; text: string }
  | { type: 'operation'; text: string }
  | { type: 'idlist'; text: string }
  /** `parts` are the non-whitespace members: [left, operator, right] or [identifier, IS NULL]. */
  | { type: 'comparison'; text: string; parts: Node[] };

export function isWs(n: Node): boolean {
  return n.type === 'lex' && (n.lex.kind === 'ws');
}

export function isKind(n: Node | undefined, ...kinds: string[]): boolean {
  return n !== undefined && n.type === 'lex' && kinds.includes(n.lex.kind);
}

export function isKeyword(n: Node | undefined, word: string): boolean {
  return n !== undefined && n.type === 'lex' && n.lex.kind === 'keyword' && n.lex.norm === word;
}

function concat(nodes: Node[]): string {
  return nodes.map((n) => n.text).join('');
}

/** Index of the previous / next non-whitespace node, or -1. */
function prevIdx(nodes: Node[], i: number): number {
  for (let j = i - 1; j >= 0; j--) if (!isWs(nodes[j]!)) return j;
  return -1;
}
function nextIdx(nodes: Node[], i: number): number {
  for (let j = i + 1; j < nodes.length; j++) if (!isWs(nodes[j]!)) return j;
  return -1;
}

function groupParens(nodes: Node[]): Node[] {
  const out: Node[] = [];
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i]!;
    if (n.type === 'lex' && n.lex.kind === 'punct' && n.text === '(') {
      let depth = 0;
      let j = i;
      for (; j < nodes.length; j++) {
        const m = nodes[j]!;
        if (m.type === 'lex' && m.lex.kind === 'punct' && m.text === '(') depth++;
        if (m.type === 'lex' && m.lex.kind === 'punct' && m.text === ')') depth--;
        if (depth === 0) break;
      }
      if (j < nodes.length) {
        out.push({ type: 'paren', text: concat(nodes.slice(i, j + 1)) });
        i = j;
        continue;
      }
    }
    out.push(n);
  }
  return out;
}

/** `a.b`, `a."b"`, `` a.`b` ``, `a.'b'`, chains; a dangling dot stays part of the identifier. */
function groupPeriods(nodes: Node[]): Node[] {
  const out = nodes.slice();
  for (let i = 0; i < out.length; i++) {
    const n = out[i]!;
    if (!(n.type === 'lex' && n.lex.kind === 'punct' && n.text === '.')) continue;
    const p = prevIdx(out, i);
    const prev = p >= 0 ? out[p] : undefined;
    if (!prev || !(prev.type === 'identifier' || isKind(prev, 'name', 'symbol'))) continue;
    const q = nextIdx(out, i);
    const next = q >= 0 ? out[q] : undefined;
    const end = next && isKind(next, 'name', 'symbol', 'wildcard', 'string') ? q : i;
    const merged: Node = { type: 'identifier', text: concat(out.slice(p, end + 1)) };
    out.splice(p, end - p + 1, merged);
    i = p;
  }
  return out.map((n) => (isKind(n, 'name', 'symbol') ? { type: 'identifier', text: n.text } : n));
}

/** `identifier ASC|DESC` -> one identifier (order_by clauses). */
function groupOrder(nodes: Node[]): Node[] {
  const out = nodes.slice();
  for (let i = 0; i < out.length; i++) {
    if (!isKind(out[i], 'order')) continue;
    const p = prevIdx(out, i);
    const prev = p >= 0 ? out[p]! : undefined;
    if (prev && (prev.type === 'identifier' || isKind(prev, 'int', 'float'))) {
      out.splice(p, i - p + 1, { type: 'identifier', text: concat(out.slice(p, i + 1)) });
      i = p;
    }
  }
  return out;
}

function operand(n: Node | undefined): boolean {
  return (
    n !== undefined &&
    (n.type === 'identifier' || n.type === 'paren' || n.type === 'operation' || isKind(n, 'int', 'float', 'hex'))
  );
}

/** `a - b`, `a/b`, `a * b` -> an operation (never a valid comparison side for MLflow). */
function groupOperations(nodes: Node[]): Node[] {
  const out = nodes.slice();
  for (let i = 0; i < out.length; i++) {
    if (!isKind(out[i], 'operator', 'wildcard')) continue;
    const p = prevIdx(out, i);
    const q = nextIdx(out, i);
    if (p < 0 || q < 0 || !operand(out[p]) || !operand(out[q])) continue;
    out.splice(p, q - p + 1, { type: 'operation', text: concat(out.slice(p, q + 1)) });
    i = p;
  }
  return out;
}

function comparable(n: Node | undefined): boolean {
  return (
    n !== undefined &&
    (n.type === 'identifier' ||
      n.type === 'paren' ||
      n.type === 'operation' ||
      isKind(n, 'int', 'float', 'string', 'symbol', 'name') ||
      isKeyword(n, 'NULL'))
  );
}

function groupComparisons(nodes: Node[]): Node[] {
  const out = nodes.slice();
  for (let i = 0; i < out.length; i++) {
    if (!isKind(out[i], 'comparison')) continue;
    const p = prevIdx(out, i);
    const q = nextIdx(out, i);
    if (p < 0 || q < 0 || !comparable(out[p]) || !comparable(out[q])) continue;
    const parts = [out[p]!, out[i]!, out[q]!];
    out.splice(p, q - p + 1, { type: 'comparison', text: concat(out.slice(p, q + 1)), parts });
    i = p;
  }
  return out;
}

/** `<identifier|comparison|...> identifier` -> one aliased identifier (sqlparse's reading of `key junk`). */
function groupAliased(nodes: Node[]): Node[] {
  const out = nodes.slice();
  for (let i = 0; i < out.length; i++) {
    const n = out[i]!;
    const aliasable = ['identifier', 'paren', 'operation', 'comparison'].includes(n.type);
    if (!(aliasable || isKind(n, 'int', 'float'))) continue;
    const q = nextIdx(out, i);
    if (q >= 0 && out[q]!.type === 'identifier') {
      out.splice(i, q - i + 1, { type: 'identifier', text: concat(out.slice(i, q + 1)) });
      i--;
    }
  }
  return out;
}

/** `x , y` -> one identifier list (a single, invalid, top-level token for MLflow). */
function groupIdentifierLists(nodes: Node[]): Node[] {
  const out = nodes.slice();
  for (let i = 0; i < out.length; i++) {
    const n = out[i]!;
    if (!(n.type === 'lex' && n.lex.kind === 'punct' && n.text === ',')) continue;
    const p = prevIdx(out, i);
    const q = nextIdx(out, i);
    if (p < 0 || q < 0) continue;
    out.splice(p, q - p + 1, { type: 'idlist', text: concat(out.slice(p, q + 1)) });
    i = p;
  }
  return out;
}

/** Top-level nodes of each ';'-separated statement; a blank trailing statement is dropped. */
export function parseStatements(input: string): Node[][] {
  const lexemes = lex(input);
  const statements: Node[][] = [];
  let cur: Node[] = [];
  for (const l of lexemes) {
    cur.push({ type: 'lex', lex: l, text: l.text });
    if (l.kind === 'punct' && l.text === ';') {
      statements.push(cur);
      cur = [];
    }
  }
  if (cur.some((n) => !isWs(n)) || statements.length === 0) statements.push(cur);
  return statements.map((st) => {
    let nodes = groupParens(st);
    nodes = groupPeriods(nodes);
    nodes = groupOrder(nodes);
    nodes = groupOperations(nodes);
    nodes = groupComparisons(nodes);
    nodes = groupAliased(nodes);
    nodes = groupIdentifierLists(nodes);
    return nodes;
  });
}
