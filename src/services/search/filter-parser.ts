/**
 * Filter-string parser shared by searchRuns (`SearchUtils.parse_search_filter`) and
 * searchExperiments (`SearchExperimentsUtils.parse_search_filter`). Accepts the same strings and
 * raises the same messages as the pinned MLflow; the two flavours differ only in the settings of
 * `FilterFlavor`.
 */
import { MlflowError } from '../../errors/mlflow-error.js';
import { isKeyword, isKind, isWs, parseStatements, type Node } from './filter-grouping.js';
import type { ClauseValue, EntityType, FilterClause } from './filter-types.js';
import { literalEval, PyLiteralSyntaxError, PyLiteralValueError } from '../../py/literal-eval.js';
import { repr, reprList, reprSet, reprStr, type PyValue } from '../../py/repr.js';

export interface FilterFlavor {
  /** Attribute keys accepted in filters (also the order printed in messages). */
  searchAttributeKeys: readonly string[];
  numericAttributes: ReadonlySet<string>;
  listSupportedKeys: readonly string[];
  /** Resolves `<entity>` of `<entity>.<key>` (throws for unknown entities). */
  entityType(raw: string): EntityType;
  /** 'Invalid clause(s) ...' renders tokens quoted (runs) or bare (experiments). */
  quoteInvalidClauses: boolean;
  /** Message for IS [NOT] NULL on an entity that does not support it, or undefined if allowed. */
  nullCheckError(type: EntityType, key: string): string | undefined;
}

const RUN_ENTITY_ALIASES: Readonly<Record<string, EntityType>> = {
  metric: 'metric',
  metrics: 'metric',
  parameter: 'parameter',
  parameters: 'parameter',
  param: 'parameter',
  params: 'parameter',
  tag: 'tag',
  tags: 'tag',
  attribute: 'attribute',
  attr: 'attribute',
  attributes: 'attribute',
  run: 'attribute',
  dataset: 'dataset',
  datasets: 'dataset',
};

export const DATASET_KEYS: readonly string[] = ['name', 'digest', 'context'];

/** `SearchUtils._valid_entity_type` (backticks around the entity are allowed). */
export function runEntityType(raw: string): EntityType {
  const e = trimBackticks(raw);
  const t = Object.prototype.hasOwnProperty.call(RUN_ENTITY_ALIASES, e) ? RUN_ENTITY_ALIASES[e] : undefined;
  if (!t) {
    throw MlflowError.invalidParameter(
      `Invalid entity type '${e}'. Valid values are ['metric', 'parameter', 'tag', 'attribute', 'dataset']`,
    );
  }
  return t;
}

function isQuoted(v: string, q: string): boolean {
  return v.length >= 2 && v.startsWith(q) && v.endsWith(q);
}

export function trimBackticks(v: string): string {
  return isQuoted(v, '`') ? v.slice(1, -1) : v;
}

/** `SearchUtils._strip_quotes`. */
export function stripQuotes(v: string, expectQuoted = false): string {
  if (isQuoted(v, "'") || isQuoted(v, '"')) return v.slice(1, -1);
  if (expectQuoted) {
    throw MlflowError.invalidParameter(
      `Parameter value is either not quoted or unidentified quote types used for string value ${v}. ` +
        'Use either single or double quotes.',
    );
  }
  return v;
}

/** `<entity>.<key>` -> {type, key}; no entity means attribute. */
export function parseIdentifier(
  flavor: FilterFlavor,
  identifier: string,
  validAttributes: readonly string[],
): { type: EntityType; key: string } {
  const dot = identifier.indexOf('.');
  const type = dot < 0 ? 'attribute' : flavor.entityType(identifier.slice(0, dot));
  const key = trimBackticks(stripQuotes(dot < 0 ? identifier : identifier.slice(dot + 1)));
  if (type === 'attribute' && !validAttributes.includes(key)) {
    throw MlflowError.invalidParameter(
      `Invalid attribute key '${key}' specified. Valid keys are '${reprSet(validAttributes)}'`,
    );
  }
  if (type === 'dataset' && !DATASET_KEYS.includes(key)) {
    throw MlflowError.invalidParameter(
      `Invalid dataset key '${key}' specified. Valid keys are '${reprSet(DATASET_KEYS)}'`,
    );
  }
  return { type, key };
}

const NUMERIC = ['int', 'float'];

/** `SearchUtils._get_value`. */
function parseValue(flavor: FilterFlavor, type: EntityType, key: string, tok: Node): ClauseValue {
  const isStringTok = isKind(tok, 'string') || tok.type === 'identifier';
  if (type === 'metric') {
    if (!isKind(tok, ...NUMERIC)) {
      throw MlflowError.invalidParameter(`Expected numeric value type for metric. Found ${tok.text}`);
    }
    return { kind: 'string', value: tok.text };
  }
  if (type === 'parameter' || type === 'tag') {
    if (isStringTok) return { kind: 'string', value: stripQuotes(tok.text, true) };
    throw MlflowError.invalidParameter(
      `Expected a quoted string value for ${type} (e.g. 'my-value'). Got value ${tok.text}`,
    );
  }
  if (type === 'attribute') {
    if (flavor.numericAttributes.has(key)) {
      if (!isKind(tok, ...NUMERIC)) {
        throw MlflowError.invalidParameter(
          `Expected numeric value type for numeric attribute: ${key}. Found ${tok.text}`,
        );
      }
      return { kind: 'number', value: Number(tok.text), isFloat: isKind(tok, 'float') };
    }
    if (isStringTok) return { kind: 'string', value: stripQuotes(tok.text, true) };
    if (tok.type === 'paren') {
      if (!flavor.listSupportedKeys.includes(key)) {
        throw MlflowError.invalidParameter(
          `Only ${reprList([...flavor.listSupportedKeys].sort())} attributes support comparison with a list of quoted string values.`,
        );
      }
      return { kind: 'list', value: parseList(tok.text) };
    }
    throw MlflowError.invalidParameter(
      `Expected a quoted string value for attributes. Got value ${tok.text}`,
    );
  }
  // dataset
  if (isStringTok) return { kind: 'string', value: stripQuotes(tok.text, true) };
  if (tok.type === 'paren') return { kind: 'list', value: parseList(tok.text) };
  throw MlflowError.invalidParameter(
    `Expected a quoted string value for dataset attributes. Got value ${tok.text}`,
  );
}

/** `SearchUtils._parse_list_from_sql_token`. */
export function parseList(text: string): string[] {
  let parsed: PyValue;
  try {
    parsed = literalEval(text);
  } catch (e) {
    if (e instanceof PyLiteralSyntaxError) {
      throw MlflowError.invalidParameter(
        'While parsing a list in the query, expected a non-empty list of string values, but got ill-formed list.',
      );
    }
    if (e instanceof PyLiteralValueError) {
      // Python's ValueError escapes MLflow's handler and becomes a 500.
      throw new MlflowError(`malformed node or string in ${text}`, 'INTERNAL_ERROR');
    }
    throw e;
  }
  const items: PyValue[] =
    parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed.tuple : [parsed];
  if (items.length === 0) {
    throw MlflowError.invalidParameter(
      'While parsing a list in the query, expected a non-empty list of string values, but got empty list',
    );
  }
  if (!items.every((x) => typeof x === 'string')) {
    throw MlflowError.invalidParameter(
      'While parsing a list in the query, expected string value, punctuation, or whitespace, but got ' +
        `different type in list: ${repr({ tuple: items })}`,
    );
  }
  return items as string[];
}

/** SearchUtils.VALID_NUMERIC_ATTRIBUTE_COMPARATORS (matched exactly, as Token.match does). */
const NUMERIC_COMPARATORS: readonly string[] = ['>', '>=', '!=', '=', '<', '<='];

/** The `timestamp` / `timestamp_ms` type names sqlparse lexes as Name.Builtin. */
export const isTimestampBuiltin = (n: Node | undefined): boolean =>
  n !== undefined && isKind(n, 'builtin') && (n.text === 'timestamp' || n.text === 'timestamp_ms');

/**
 * `_join_in_comparison_tokens`: turn `x IN (..)`, `x NOT IN (..)`, `x IS [NOT] NULL` into
 * comparisons. With `searchTraces`, also `timestamp <op> <int>` (sqlparse does not group a type
 * name into a comparison); a `timestamp` not followed by one is kept, and appended once more, as
 * the pinned release's loop does.
 */
export function joinInComparisons(tokens: Node[], searchTraces = false): Node[] {
  const toks = tokens.filter((t) => !isWs(t));
  const out: Node[] = [];
  let i = 0;
  while (i < toks.length) {
    const first = toks[i]!;
    if (toks.length - i < 3) {
      out.push(...toks.slice(i));
      break;
    }
    if (searchTraces && isTimestampBuiltin(first)) {
      const [second, third] = [toks[i + 1]!, toks[i + 2]!];
      i += 3;
      if (isKind(second, 'comparison') && NUMERIC_COMPARATORS.includes(second.text) && isKind(third, 'int')) {
        out.push(cmp([first, second, third]));
      } else {
        out.push(first, second, third, first);
      }
      continue;
    }
    if (first.type !== 'identifier') {
      out.push(first);
      i++;
      continue;
    }
    const second = toks[i + 1]!;
    const third = toks[i + 2]!;
    if (isKeyword(second, 'IN') && third.type === 'paren') {
      out.push(cmp([first, second, third]));
      i += 3;
      continue;
    }
    if (isKeyword(second, 'IS') && isKeyword(third, 'NULL')) {
      out.push(cmp([first, synth('IS NULL')]));
      i += 3;
      continue;
    }
    if (isKeyword(second, 'IS') && isKeyword(third, 'NOT NULL')) {
      out.push(cmp([first, synth('IS NOT NULL')]));
      i += 3;
      continue;
    }
    const fourth = toks[i + 3];
    if (fourth === undefined) {
      out.push(first, second, third);
      break;
    }
    if (isKeyword(second, 'NOT') && isKeyword(third, 'IN') && fourth.type === 'paren') {
      out.push(cmp([first, synth('NOT IN'), fourth]));
      i += 4;
      continue;
    }
    out.push(first, second, third, fourth);
    i += 4;
  }
  return out;
}

function synth(word: string): Node {
  return { type: 'lex', lex: { kind: 'keyword', text: word, norm: word }, text: word };
}

function cmp(parts: Node[]): Node {
  return { type: 'comparison', text: parts.map((p) => p.text).join(' '), parts };
}

function comparisonToClause(flavor: FilterFlavor, parts: Node[]): FilterClause {
  if (parts.length === 2) {
    const comparator = parts[1]!.text.toUpperCase();
    if (comparator === 'IS NULL' || comparator === 'IS NOT NULL') {
      if (parts[0]!.type !== 'identifier') {
        throw MlflowError.invalidParameter(
          `Invalid comparison clause. Expected 'Identifier' found '${parts[0]!.text}'`,
        );
      }
      const id = parseIdentifier(flavor, parts[0]!.text, flavor.searchAttributeKeys);
      const err = flavor.nullCheckError(id.type, id.key);
      if (err) throw MlflowError.invalidParameter(err);
      return { ...id, comparator, value: { kind: 'none' } };
    }
  }
  if (parts.length !== 3) {
    throw MlflowError.invalidParameter(`Invalid comparison clause. Expected 3 tokens found ${parts.length}`);
  }
  if (parts[0]!.type !== 'identifier') {
    throw MlflowError.invalidParameter(
      `Invalid comparison clause. Expected 'Identifier' found '${parts[0]!.text}'`,
    );
  }
  const id = parseIdentifier(flavor, parts[0]!.text, flavor.searchAttributeKeys);
  return { ...id, comparator: parts[1]!.text, value: parseValue(flavor, id.type, id.key, parts[2]!) };
}

/**
 * `parse_search_filter` up to the comparisons: one statement, only comparisons joined by AND
 * (invalid clauses rendered quoted or bare). Returns each comparison's non-whitespace tokens.
 */
export function filterComparisons(
  filter: string,
  quoteInvalidClauses: boolean,
  searchTraces = false,
): Node[][] {
  const statements = parseStatements(filter);
  if (statements.length > 1) {
    throw MlflowError.invalidParameter(
      `Search filter contained multiple expression ${reprStr(filter)}. Provide AND-ed expression list.`,
    );
  }
  const tokens = joinInComparisons(statements[0]!, searchTraces);
  const invalid = tokens.filter((t) => !(t.type === 'comparison' || isKeyword(t, 'AND')));
  if (invalid.length > 0) {
    const rendered = invalid.map((t) => (quoteInvalidClauses ? `'${t.text}'` : t.text)).join(', ');
    throw MlflowError.invalidParameter(`Invalid clause(s) in filter string: ${rendered}`);
  }
  return tokens
    .filter((t): t is Extract<Node, { type: 'comparison' }> => t.type === 'comparison')
    .map((t) => t.parts);
}

export function parseFilterWith(flavor: FilterFlavor, filter: string | undefined | null): FilterClause[] {
  if (!filter) return [];
  return filterComparisons(filter, flavor.quoteInvalidClauses).map((parts) =>
    comparisonToClause(flavor, parts),
  );
}
