/**
 * The trace flavour of the search grammar (`SearchTraceUtils.parse_search_filter_for_search_traces`
 * and `parse_order_by_for_search_traces`): entities `attribute` (aliases `attributes`, `trace`),
 * `tag` (`tags`), `request_metadata` (`metadata`), `span`, `feedback`, `expectation`, `issue`;
 * bare `timestamp` comparisons; IS [NOT] NULL on any identifier; and the key replacements that
 * turn `name` into the trace-name tag, `run_id` into the source-run metadata, `prompt` into the
 * linked-prompts tag and `text` into span content. Same accepted strings and messages as the
 * pinned release (checked against it by tests/unit/trace-filter-golden.test.ts).
 */
import { MlflowError } from '../../errors/mlflow-error.js';
import { reprSet } from '../../py/repr.js';
import { isKind, type Node } from './filter-grouping.js';
import {
  filterComparisons,
  isTimestampBuiltin,
  parseList,
  stripQuotes,
  trimBackticks,
} from './filter-parser.js';
import type { ClauseValue } from './filter-types.js';
import { parseOrderByString } from './order-by.js';

export type TraceEntity =
  'attribute' | 'tag' | 'request_metadata' | 'span' | 'feedback' | 'expectation' | 'issue';

export interface TraceClause {
  type: TraceEntity;
  key: string;
  /** As written (MLflow's store upper-cases it). */
  comparator: string;
  value: ClauseValue;
}

/** VALID_SEARCH_ATTRIBUTE_KEYS (a Python set: the parity normalizer sorts it in messages). */
const SEARCH_KEYS: readonly string[] = [
  'request_id',
  'timestamp',
  'timestamp_ms',
  'execution_time',
  'execution_time_ms',
  'end_time',
  'end_time_ms',
  'status',
  'client_request_id',
  'name',
  'run_id',
  'prompt',
  'text',
];
const ORDER_KEYS: readonly string[] = [
  'experiment_id',
  'timestamp',
  'timestamp_ms',
  'execution_time',
  'execution_time_ms',
  'end_time',
  'end_time_ms',
  'status',
  'request_id',
  'name',
  'run_id',
];
export const TRACE_NUMERIC_ATTRIBUTES: ReadonlySet<string> = new Set([
  'timestamp_ms',
  'timestamp',
  'execution_time_ms',
  'execution_time',
  'end_time_ms',
  'end_time',
]);
const IN_KEYS: readonly string[] = ['name', 'status', 'request_id', 'run_id', 'client_request_id'];
export const NUMERIC_ASSESSMENT_COMPARATORS: readonly string[] = ['>', '>=', '<', '<='];
export const SPAN_COLUMNS: readonly string[] = ['name', 'type', 'status'];
export const SPAN_CONTENT_KEY = 'content';
export const SPAN_ATTRIBUTE_COMPARATORS: readonly string[] = [
  '!=',
  '=',
  'IN',
  'NOT IN',
  'LIKE',
  'ILIKE',
  'RLIKE',
];
export const SPAN_CONTENT_COMPARATORS: readonly string[] = ['LIKE', 'ILIKE'];

export const TRACE_NAME_TAG = 'mlflow.traceName';
export const LINKED_PROMPTS_TAG = 'mlflow.linkedPrompts';
export const SOURCE_RUN_METADATA = 'mlflow.sourceRun';

const ALIASES: Readonly<Record<string, TraceEntity>> = {
  tag: 'tag',
  tags: 'tag',
  attribute: 'attribute',
  attributes: 'attribute',
  trace: 'attribute',
  request_metadata: 'request_metadata',
  metadata: 'request_metadata',
  span: 'span',
  feedback: 'feedback',
  expectation: 'expectation',
  issue: 'issue',
};
/** _VALID_IDENTIFIERS as printed (a set; the order is Python's hash order, normalized in tests). */
const VALID_IDENTIFIERS: readonly string[] = [
  'tag',
  'request_metadata',
  'attribute',
  'span',
  'feedback',
  'expectation',
  'issue',
  'tags',
  'attributes',
  'trace',
  'metadata',
];

const invalid = (msg: string): MlflowError => MlflowError.invalidParameter(msg);

function entityType(raw: string): TraceEntity {
  const e = trimBackticks(raw);
  const t = Object.prototype.hasOwnProperty.call(ALIASES, e) ? ALIASES[e] : undefined;
  if (!t) throw invalid(`Invalid entity type '${e}'. Valid values are ${reprSet(VALID_IDENTIFIERS)}`);
  return t;
}

/** SearchUtils._get_identifier with the trace entities. */
function identifier(text: string, validAttributes: readonly string[]): { type: TraceEntity; key: string } {
  const dot = text.indexOf('.');
  const type = dot < 0 ? 'attribute' : entityType(text.slice(0, dot));
  const key = trimBackticks(stripQuotes(dot < 0 ? text : text.slice(dot + 1)));
  if (type === 'attribute' && !validAttributes.includes(key)) {
    throw invalid(`Invalid attribute key '${key}' specified. Valid keys are '${reprSet(validAttributes)}'`);
  }
  return { type, key };
}

/** _replace_key_to_tag_or_metadata (span keys keep their own namespace). */
function replaceKey<T extends { type: TraceEntity; key: string }>(c: T): T {
  if (c.type === 'span') return c;
  const k = c.key.toLowerCase();
  if (k === 'name') return { ...c, type: 'tag', key: TRACE_NAME_TAG };
  if (k === 'prompt') return { ...c, type: 'tag', key: LINKED_PROMPTS_TAG };
  if (k === 'run_id') return { ...c, type: 'request_metadata', key: SOURCE_RUN_METADATA };
  if (k === 'text') return { ...c, type: 'span', key: SPAN_CONTENT_KEY };
  if (k === 'timestamp') return { ...c, key: 'timestamp_ms' };
  if (k === 'execution_time') return { ...c, key: 'execution_time_ms' };
  if (k === 'end_time') return { ...c, key: 'end_time_ms' };
  return c;
}

const isStringTok = (t: Node): boolean => isKind(t, 'string') || t.type === 'identifier';
const isNumberTok = (t: Node): boolean => isKind(t, 'int', 'float');
const numberOf = (t: Node): ClauseValue => ({
  kind: 'number',
  value: Number(t.text),
  isFloat: isKind(t, 'float'),
});
const list = (t: Node): ClauseValue => ({ kind: 'list', value: parseList(t.text) });
const str = (t: Node): ClauseValue => ({ kind: 'string', value: stripQuotes(t.text, true) });

/** SearchTraceUtils._get_value. */
function value(type: TraceEntity, key: string, tok: Node): ClauseValue {
  const quoted = `Expected a quoted string value for ${type} (e.g. 'my-value'). Got value ${tok.text}`;
  switch (type) {
    case 'tag':
      if (isStringTok(tok)) return str(tok);
      if (tok.type === 'paren') return list(tok);
      throw invalid(quoted);
    case 'attribute':
      if (isStringTok(tok)) return str(tok);
      if (tok.type === 'paren') {
        if (!IN_KEYS.includes(key)) {
          throw invalid(
            `Only attributes in ${reprSet(IN_KEYS)} supports comparison with a list of quoted string values.`,
          );
        }
        return list(tok);
      }
      if (isNumberTok(tok)) {
        if (!TRACE_NUMERIC_ATTRIBUTES.has(key)) {
          throw invalid(
            `Only the '${reprSet([...TRACE_NUMERIC_ATTRIBUTES])}' attributes support comparison with numeric values.`,
          );
        }
        return numberOf(tok);
      }
      throw invalid(
        `Expected a quoted string value or a list of quoted string values for attributes. Got value ${tok.text}`,
      );
    case 'request_metadata':
    case 'issue':
      if (isStringTok(tok)) return str(tok);
      throw invalid(quoted);
    case 'span':
      if (isStringTok(tok)) return str(tok);
      if (tok.type === 'paren') return list(tok);
      throw invalid(quoted);
    case 'feedback':
    case 'expectation':
      if (isStringTok(tok)) return str(tok);
      if (isNumberTok(tok)) return numberOf(tok);
      throw invalid(
        `Expected a quoted string value or numeric value for ${type} (e.g. 'my-value' or 0.8). Got value ${tok.text}`,
      );
  }
}

/** _validate_assessment_comparison_value. */
function checkAssessmentValue(type: TraceEntity, comparator: string, tok: Node): void {
  if (type !== 'feedback' && type !== 'expectation') return;
  const numeric = NUMERIC_ASSESSMENT_COMPARATORS.includes(comparator);
  const msg = numeric
    ? `Expected a numeric value for ${type} when using comparator '${comparator}'. Got value ${tok.text}`
    : `Expected a quoted string value for ${type} (e.g. 'my-value'). Got value ${tok.text}`;
  if (isStringTok(tok) ? numeric : isNumberTok(tok) ? !numeric : true) throw invalid(msg);
}

/** SearchTraceUtils.is_span: validates the span key and its comparator (raises, or true). */
export function checkSpanKey(key: string, comparator: string): void {
  const reject = (allowed: readonly string[]): never => {
    throw invalid(`span.${key} comparator '${comparator}' not one of '${reprSet(allowed)}'`);
  };
  if (key.startsWith('attributes.')) {
    if (key.length === 'attributes.'.length) {
      throw invalid("Span attribute name cannot be empty after 'attributes.'");
    }
    if (!SPAN_ATTRIBUTE_COMPARATORS.includes(comparator)) reject(SPAN_ATTRIBUTE_COMPARATORS);
  } else if (SPAN_COLUMNS.includes(key)) {
    if (!SPAN_ATTRIBUTE_COMPARATORS.includes(comparator)) reject(SPAN_ATTRIBUTE_COMPARATORS);
  } else if (key === SPAN_CONTENT_KEY) {
    if (!SPAN_CONTENT_COMPARATORS.includes(comparator)) reject(SPAN_CONTENT_COMPARATORS);
  } else {
    throw invalid(
      `Invalid span attribute '${key}'. Supported attributes: ${[...SPAN_COLUMNS].sort().join(', ')}, attributes.<attribute_name>.`,
    );
  }
}

/** SearchTraceUtils._get_comparison (with its _validate_comparison). */
function comparison(parts: Node[]): TraceClause {
  const first = parts[0]!;
  if (parts.length === 2) {
    const comparator = parts[1]!.text.toUpperCase();
    if (comparator === 'IS NULL' || comparator === 'IS NOT NULL') {
      if (first.type !== 'identifier') {
        throw invalid(`Invalid comparison clause. Expected 'Identifier' found '${first.text}'`);
      }
      return { ...identifier(first.text, SEARCH_KEYS), comparator, value: { kind: 'none' } };
    }
  }
  const builtinTimestamp = parts.length === 3 && isTimestampBuiltin(first);
  if (!builtinTimestamp) {
    if (parts.length !== 3) {
      throw invalid(`Invalid comparison clause. Expected 3 tokens found ${parts.length}`);
    }
    if (first.type !== 'identifier') {
      throw invalid(`Invalid comparison clause. Expected 'Identifier' found '${first.text}'`);
    }
  }
  const id = identifier(first.text, SEARCH_KEYS);
  const comparator = parts[1]!.text;
  checkAssessmentValue(id.type, comparator, parts[2]!);
  const v = value(id.type, id.key, parts[2]!);
  if (id.type === 'span') checkSpanKey(id.key, comparator);
  return { ...id, comparator, value: v };
}

/** parse_search_filter_for_search_traces: the clauses after key replacement. */
export function parseTraceFilter(filter: string | undefined | null): TraceClause[] {
  if (!filter) return [];
  return filterComparisons(filter, true, true).map((parts) => replaceKey(comparison(parts)));
}

export interface TraceOrderClause {
  type: TraceEntity;
  key: string;
  ascending: boolean;
}

/** parse_order_by_for_search_traces. */
export function parseTraceOrderBy(orderBy: string): TraceOrderClause {
  const { token, ascending } = parseOrderByString(orderBy);
  return replaceKey({ ...identifier(token.trim(), ORDER_KEYS), ascending });
}
