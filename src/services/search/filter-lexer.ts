/**
 * Lexer for MLflow search filter / order_by strings.
 *
 * MLflow hands these strings to `sqlparse` and then inspects the token tree, so which inputs are
 * accepted -- and which error message a bad one produces -- follows sqlparse's lexing rules. This
 * file reproduces the subset of those rules that a search string can reach: the token kinds below
 * and the order in which the patterns are tried (first match wins, as in sqlparse's SQL_REGEX).
 */

export type LexKind =
  | 'ws'
  | 'comment'
  | 'name' // sqlparse Name (bare word, back-ticked name)
  | 'symbol' // sqlparse String.Symbol: "double quoted"
  | 'string' // sqlparse String.Single: 'single quoted'
  | 'int'
  | 'float'
  | 'hex'
  | 'keyword'
  | 'dml' // sqlparse Keyword.DML / DDL / CTE (SELECT, CREATE, WITH, ...): a keyword of another type
  | 'builtin' // sqlparse Name.Builtin (type names such as TIMESTAMP): never an identifier
  | 'order' // ASC / DESC
  | 'comparison' // = != < <= > >= <> ... and [NOT] LIKE / ILIKE / RLIKE / REGEXP
  | 'punct'
  | 'operator'
  | 'wildcard'
  | 'error';

export interface Lexeme {
  kind: LexKind;
  text: string;
  /** Upper-cased text with internal whitespace collapsed (keywords / operators). */
  norm: string;
}

const W = '[\\p{L}\\p{N}_]';
const NAME_START = '[A-Z\\u00C0-\\u00DC]';

// Patterns tried in order at the current position (sticky). Mirrors the relevant part of
// sqlparse's lexer table; entries that cannot matter for search strings are left out.
const RULES: ReadonlyArray<[RegExp, LexKind]> = [
  [/(--|# ).*?(\r\n|\r|\n|$)/y, 'comment'],
  [/\s+/y, 'ws'],
  [/:=/y, 'operator'],
  [/::/y, 'punct'],
  [/\*/y, 'wildcard'],
  [/`(``|[^`])*`/y, 'name'],
  [/´(´´|[^´])*´/y, 'name'],
  [new RegExp(`(CASE|IN|VALUES|USING|FROM|AS)(?!${W})`, 'iuy'), 'keyword'],
  [new RegExp(`${NAME_START}${W}*(?=\\s*\\.(?!\\d))`, 'iuy'), 'name'],
  [new RegExp(`(?<=\\.)${NAME_START}${W}*`, 'iuy'), 'name'],
  [new RegExp(`${NAME_START}${W}*(?=\\()`, 'iuy'), 'name'],
  [/-?0x[\dA-F]+/iy, 'hex'],
  [/-?\d+(\.\d+)?E-?\d+/iy, 'float'],
  [new RegExp(`(?![_A-Z\\u00C0-\\u00DC])-?(\\d+(\\.\\d*)|\\.\\d+)(?![_A-Z\\u00C0-\\u00DC])`, 'iuy'), 'float'],
  [new RegExp(`(?![_A-Z\\u00C0-\\u00DC])-?\\d+(?![_A-Z\\u00C0-\\u00DC])`, 'iuy'), 'int'],
  [/'(''|\\'|[^'])*'/y, 'string'],
  [/"(""|\\"|[^"])*"/y, 'symbol'],
  [/(""|".*?[^\\]")/y, 'symbol'],
  [new RegExp(`NOT\\s+NULL(?!${W})`, 'iuy'), 'keyword'],
  [new RegExp(`(ASC|DESC)(\\s+NULLS\\s+(FIRST|LAST))?(?!${W})`, 'iuy'), 'order'],
  [new RegExp(`NULLS\\s+(FIRST|LAST)(?!${W})`, 'iuy'), 'order'],
  [new RegExp(`(NOT\\s+)?(LIKE|ILIKE|RLIKE)(?!${W})`, 'iuy'), 'comparison'],
  [new RegExp(`(NOT\\s+)?(REGEXP)(\\s+(BINARY))?(?!${W})`, 'iuy'), 'comparison'],
  [new RegExp(`${W}[$#\\p{L}\\p{N}_]*`, 'uy'), 'keyword'], // resolved against KEYWORDS below
  [/[;:()[\],.]/y, 'punct'],
  [/(->>?|#>>?|@>|<@|\?\|?|\?&|-|#-)/y, 'operator'],
  [/[<>=~!]+/y, 'comparison'],
  [/[+/@#%^&|^-]+/y, 'operator'],
];

/** SQL words sqlparse lexes as keywords: a bare one cannot be an identifier. */
const KEYWORDS: ReadonlySet<string> = new Set([
  'ALL',
  'ALTER',
  'AND',
  'ANY',
  'BETWEEN',
  'BY',
  'CASE',
  'CAST',
  'CREATE',
  'CROSS',
  'DEFAULT',
  'DELETE',
  'DISTINCT',
  'DROP',
  'ELSE',
  'END',
  'ESCAPE',
  'EXCEPT',
  'EXISTS',
  'FALSE',
  'FOR',
  'FROM',
  'FULL',
  'GROUP',
  'HAVING',
  'IF',
  'IN',
  'INNER',
  'INSERT',
  'INTERSECT',
  'INTO',
  'IS',
  'ISNULL',
  'NOTNULL',
  'JOIN',
  'KEY',
  'LEFT',
  'LIMIT',
  'NATURAL',
  'NOT',
  'NULL',
  'OFFSET',
  'ON',
  'OR',
  'ORDER',
  'OUTER',
  'RIGHT',
  'SELECT',
  'SET',
  'SOME',
  'TABLE',
  'THEN',
  'TRUE',
  'UNION',
  'UNIQUE',
  'UPDATE',
  'USING',
  'VALUES',
  'WHEN',
  'WHERE',
  'WITH',
]);

/**
 * Keywords sqlparse types as Keyword.DML / DDL / CTE. sqlparse's grouping tests token types by
 * exact equality, so these do not count as plain keywords there.
 */
const DML_KEYWORDS: ReadonlySet<string> = new Set([
  'SELECT',
  'INSERT',
  'UPDATE',
  'DELETE',
  'CREATE',
  'DROP',
  'ALTER',
  'WITH',
]);

/** Type names sqlparse lexes as Name.Builtin. */
const BUILTINS: ReadonlySet<string> = new Set([
  'ARRAY',
  'BIGINT',
  'BINARY',
  'BIT',
  'BLOB',
  'BOOLEAN',
  'CHAR',
  'CHARACTER',
  'DATE',
  'DEC',
  'DECIMAL',
  'FLOAT',
  'INT',
  'INT8',
  'INTEGER',
  'INTERVAL',
  'LONG',
  'NUMBER',
  'NUMERIC',
  'REAL',
  'ROWID',
  'ROWLABEL',
  'ROWNUM',
  'SERIAL',
  'SERIAL8',
  'SIGNED',
  'SMALLINT',
  'SYSDATE',
  'TEXT',
  'TINYINT',
  'UNSIGNED',
  'VARCHAR',
  'VARCHAR2',
  'VARYING',
  'TIMESTAMP',
]);

export function lex(input: string): Lexeme[] {
  const out: Lexeme[] = [];
  let pos = 0;
  while (pos < input.length) {
    let matched = false;
    for (const [re, kind] of RULES) {
      re.lastIndex = pos;
      const m = re.exec(input);
      if (!m || m[0].length === 0) continue;
      const text = m[0];
      let k = kind;
      const norm = text.toUpperCase().replace(/\s+/g, ' ');
      if (re.source.startsWith(W) && kind === 'keyword') {
        k = DML_KEYWORDS.has(norm)
          ? 'dml'
          : KEYWORDS.has(norm)
            ? 'keyword'
            : BUILTINS.has(norm)
              ? 'builtin'
              : 'name';
      }
      out.push({ kind: k, text, norm });
      pos += text.length;
      matched = true;
      break;
    }
    if (!matched) {
      const ch = String.fromCodePoint(input.codePointAt(pos) ?? 0);
      out.push({ kind: 'error', text: ch, norm: ch });
      pos += ch.length;
    }
  }
  return out;
}
