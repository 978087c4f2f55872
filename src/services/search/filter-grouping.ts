/**
 * Groups lexemes into the token tree MLflow's search parser inspects -- what sqlparse builds:
 * parentheses, functions (`name (...)`), dotted identifiers, `x ASC|DESC`, arithmetic operations,
 * comparisons, aliased identifiers (`x y`), identifier lists (`x, y`), and the statement split
 * on ';'. The passes run in sqlparse's order and each follows its "operand op operand" rule
 * (previous and next non-whitespace token, with the same validity tests), because the grouping
 * decides both what parses and how an invalid clause is quoted back in MLflow's message.
 */
import { lex, type Lexeme } from './filter-lexer.js';

export type Node =
  | { type: 'lex'; lex: Lexeme; text: string }
  | { type: 'paren'; text: string }
  | { type: 'function'; text: string }
  | { type: 'identifier'; text: string }
  | { type: 'operation'; text: string }
  /** `<type name> '<string>'` (sqlparse's TypedLiteral) */
  | { type: 'typed'; text: string }
  | { type: 'idlist'; text: string }
  /** `parts` are the non-whitespace members: [left, operator, right] or [identifier, IS NULL]. */
  | { type: 'comparison'; text: string; parts: Node[] };

export function isWs(n: Node): boolean {
  return n.type === 'lex' && n.lex.kind === 'ws';
}

export function isKind(n: Node | undefined, ...kinds: string[]): boolean {
  return n !== undefined && n.type === 'lex' && kinds.includes(n.lex.kind);
}

export function isKeyword(n: Node | undefined, word: string): boolean {
  return n !== undefined && n.type === 'lex' && n.lex.kind === 'keyword' && n.lex.norm === word;
}

function isPunct(n: Node | undefined, p: string): boolean {
  return n !== undefined && n.type === 'lex' && n.lex.kind === 'punct' && n.text === p;
}

function concat(nodes: Node[]): string {
  return nodes.map((n) => n.text).join('');
}

function nextIdx(nodes: Node[], i: number): number {
  for (let j = i + 1; j < nodes.length; j++) if (!isWs(nodes[j]!)) return j;
  return -1;
}

/**
 * sqlparse's T_NUMERICAL + T_STRING + T_NAME. Its grouping compares token types against such
 * tuples by equality, so subtypes (hexadecimal numbers, Name.Builtin type names such as
 * `timestamp`, Keyword.Order / DML) do not qualify.
 */
function isLiteralOrName(n: Node | undefined): boolean {
  return isKind(n, 'int', 'float', 'string', 'symbol', 'name');
}

function groupParens(nodes: Node[]): Node[] {
  const out: Node[] = [];
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i]!;
    if (isPunct(n, '(')) {
      let depth = 0;
      let j = i;
      for (; j < nodes.length; j++) {
        if (isPunct(nodes[j], '(')) depth++;
        if (isPunct(nodes[j], ')')) depth--;
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

/** A name (type names included) followed by a parenthesis is a function call. */
function groupFunctions(nodes: Node[]): Node[] {
  const out = nodes.slice();
  for (let i = 0; i < out.length; i++) {
    if (!isKind(out[i], 'name', 'builtin')) continue;
    const q = nextIdx(out, i);
    if (q >= 0 && out[q]!.type === 'paren') {
      out.splice(i, q - i + 1, { type: 'function', text: concat(out.slice(i, q + 1)) });
    }
  }
  return out;
}

/**
 * sqlparse's `_group`: for each token matching `match` whose previous and next non-whitespace
 * tokens pass the tests, replace prev..next (or the range `post` picks) with one node.
 */
function groupAround(
  nodes: Node[],
  match: (n: Node) => boolean,
  validPrev: (n: Node) => boolean,
  validNext: (n: Node | undefined) => boolean,
  make: (members: Node[]) => Node,
  post: (next: Node | undefined) => boolean = () => true,
): Node[] {
  const out = nodes.slice();
  let prev = -1;
  for (let i = 0; i < out.length; i++) {
    const n = out[i]!;
    if (isWs(n)) continue;
    if (match(n) && prev >= 0) {
      const q = nextIdx(out, i);
      const next = q >= 0 ? out[q] : undefined;
      if (validPrev(out[prev]!) && validNext(next)) {
        const to = next !== undefined && post(next) ? q : i;
        const grp = make(out.slice(prev, to + 1));
        out.splice(prev, to - prev + 1, grp);
        i = prev;
        continue;
      }
    }
    prev = i;
  }
  return out;
}

const ident = (members: Node[]): Node => ({ type: 'identifier', text: concat(members) });

/** `a.b`, `a."b"`, `` a.`b` ``, `a.'b'`, `a.f(x)`, chains; a dangling dot stays in the identifier. */
function groupPeriods(nodes: Node[]): Node[] {
  return groupAround(
    nodes,
    (n) => isPunct(n, '.'),
    (p) => p.type === 'identifier' || isKind(p, 'name', 'symbol'),
    () => true,
    ident,
    (next) =>
      next !== undefined &&
      (next.type === 'function' || isKind(next, 'name', 'symbol', 'wildcard', 'string')),
  );
}

/** `identifier ASC|DESC` (or a number) -> one identifier. */
function groupOrder(nodes: Node[]): Node[] {
  const out = nodes.slice();
  for (let i = 0; i < out.length; i++) {
    if (!isKind(out[i], 'order')) continue;
    let p = i - 1;
    while (p >= 0 && isWs(out[p]!)) p--;
    const prev = p >= 0 ? out[p]! : undefined;
    if (prev && (prev.type === 'identifier' || isKind(prev, 'int', 'float', 'hex'))) {
      out.splice(p, i - p + 1, { type: 'identifier', text: concat(out.slice(p, i + 1)) });
      i = p;
    }
  }
  return out;
}

/**
 * `timestamp '...'` -> a typed literal, but (as sqlparse's `_group` requires a previous token)
 * only when something precedes the type name in the statement.
 */
function groupTypedLiterals(nodes: Node[]): Node[] {
  const out = nodes.slice();
  let seen = false;
  for (let i = 0; i < out.length; i++) {
    if (isWs(out[i]!)) continue;
    if (seen && isKind(out[i], 'builtin')) {
      const q = nextIdx(out, i);
      if (q >= 0 && isKind(out[q], 'string')) {
        out.splice(i, q - i + 1, { type: 'typed', text: concat(out.slice(i, q + 1)) });
      }
    }
    seen = true;
  }
  return out;
}

function operand(n: Node | undefined): boolean {
  return (
    n !== undefined &&
    (['paren', 'function', 'identifier', 'operation', 'typed'].includes(n.type) || isLiteralOrName(n))
  );
}

function groupOperations(nodes: Node[]): Node[] {
  return groupAround(
    nodes,
    (n) => isKind(n, 'operator', 'wildcard'),
    operand,
    operand,
    (m) => ({ type: 'operation', text: concat(m) }),
  );
}

function comparable(n: Node | undefined): boolean {
  return (
    n !== undefined &&
    // A comparison may be the left side of the next one: `a = b > c` nests, as in sqlparse.
    (['paren', 'function', 'identifier', 'operation', 'typed', 'comparison'].includes(n.type) ||
      // hexadecimal literals never take part in a comparison (observed with the pinned sqlparse)
      isKind(n, 'int', 'float', 'string', 'symbol', 'name') ||
      isKeyword(n, 'NULL'))
  );
}

function groupComparisons(nodes: Node[]): Node[] {
  return groupAround(
    nodes,
    (n) => isKind(n, 'comparison'),
    comparable,
    comparable,
    (m) => ({ type: 'comparison', text: concat(m), parts: m.filter((x) => !isWs(x)) }),
  );
}

/** `<identifier|function|paren|operation|comparison|number> <identifier>` -> one identifier. */
function groupAliased(nodes: Node[]): Node[] {
  const out = nodes.slice();
  for (let i = 0; i < out.length; i++) {
    const n = out[i]!;
    const aliasable = ['identifier', 'paren', 'function', 'operation', 'comparison'].includes(n.type);
    if (!(aliasable || isKind(n, 'int', 'float', 'hex'))) continue;
    const q = nextIdx(out, i);
    // The merged group is not reconsidered: `a b c d` reads as `(a b) (c d)`, as in sqlparse.
    if (q >= 0 && out[q]!.type === 'identifier') {
      out.splice(i, q - i + 1, { type: 'identifier', text: concat(out.slice(i, q + 1)) });
    }
  }
  return out;
}

function listable(n: Node | undefined): boolean {
  return (
    n !== undefined &&
    (['function', 'identifier', 'comparison', 'idlist', 'operation'].includes(n.type) ||
      isLiteralOrName(n) ||
      isKind(n, 'keyword', 'comment', 'wildcard'))
  );
}

/** `x , y` -> one identifier list (a single, invalid, top-level token for MLflow). */
function groupIdentifierLists(nodes: Node[]): Node[] {
  return groupAround(
    nodes,
    (n) => isPunct(n, ','),
    listable,
    listable,
    (m) => ({ type: 'idlist', text: concat(m) }),
  );
}

/** Top-level nodes of each ';'-separated statement; a blank trailing statement is dropped. */
export function parseStatements(input: string): Node[][] {
  const lexemes = lex(input);
  const statements: Node[][] = [];
  let cur: Node[] = [];
  let depth = 0; // a ';' inside parentheses does not end the statement
  for (const l of lexemes) {
    cur.push({ type: 'lex', lex: l, text: l.text });
    if (l.kind === 'punct' && l.text === '(') depth++;
    if (l.kind === 'punct' && l.text === ')') depth = Math.max(0, depth - 1);
    if (l.kind === 'punct' && l.text === ';' && depth === 0) {
      statements.push(cur);
      cur = [];
    }
  }
  if (cur.some((n) => !isWs(n)) || statements.length === 0) statements.push(cur);
  return statements.map((st) => {
    let nodes = groupParens(st);
    nodes = groupFunctions(nodes);
    nodes = groupPeriods(nodes);
    nodes = nodes.map((n) => (isKind(n, 'name', 'symbol') ? { type: 'identifier', text: n.text } : n));
    nodes = groupOrder(nodes);
    nodes = groupTypedLiterals(nodes);
    nodes = groupOperations(nodes);
    nodes = groupComparisons(nodes);
    nodes = groupAliased(nodes);
    nodes = groupIdentifierLists(nodes);
    return nodes;
  });
}
