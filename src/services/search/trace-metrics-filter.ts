/**
 * The filter grammar of queryTraceMetrics (SearchTraceMetricsUtils.parse_search_filter): exactly
 * one `<view>.<entity>[.<key>] = '<value>'` comparison per filter string, over sqlparse's raw
 * statement tokens (no AND, no IN / IS NULL joining), with the pinned release's messages.
 */
import { MlflowError } from '../../errors/mlflow-error.js';
import { reprList, reprStr } from '../../py/repr.js';
import { isKind, isWs, parseStatements, type Node } from './filter-grouping.js';
import { stripQuotes, trimBackticks } from './filter-parser.js';

export type MetricsFilterView = 'trace' | 'span' | 'assessment';

export interface TraceMetricsFilter {
  viewType: MetricsFilterView;
  entity: string;
  /** Unquoted; null when not given (or given empty). */
  key: string | null;
  value: string;
}

/** Each view's entities and whether they take a key (entity_to_key_requirement). */
const ENTITIES: Record<MetricsFilterView, Record<string, boolean>> = {
  trace: { status: false, tag: true, metadata: true },
  span: { name: false, status: false, type: false },
  assessment: { name: false, type: false },
};

const invalid = (msg: string): MlflowError => MlflowError.invalidParameter(msg);

/** Python's `text.split('.', 2)`. */
function splitDots(text: string): string[] {
  const first = text.indexOf('.');
  if (first < 0) return [text];
  const second = text.indexOf('.', first + 1);
  if (second < 0) return [text.slice(0, first), text.slice(first + 1)];
  return [text.slice(0, first), text.slice(first + 1, second), text.slice(second + 1)];
}

/** _get_identifier / _validate_metrics_fields. */
function identifier(text: string): { viewType: MetricsFilterView; entity: string; key: string | null } {
  const parts = splitDots(text);
  if (parts.length < 2) {
    throw invalid(
      `Invalid identifier ${reprStr(text)}. Columns should be specified as ` +
        `'trace.<key>', 'span.<key>', 'assessment.<key>'.`,
    );
  }
  const view = trimBackticks(parts[0]!);
  if (!Object.hasOwn(ENTITIES, view)) {
    throw invalid(
      `Invalid view type '${view}'. Valid values are dict_keys(${reprList(Object.keys(ENTITIES))})`,
    );
  }
  const viewType = view as MetricsFilterView;
  const entities = ENTITIES[viewType];
  const entity = parts[1]!;
  if (!Object.hasOwn(entities, entity)) {
    throw invalid(
      `Invalid entity '${entity}' specified for view type '${view}'. ` +
        `Valid entities are ${reprList(Object.keys(entities))}`,
    );
  }
  const rawKey = parts.length === 3 ? parts[2]! : null;
  if (entities[entity] && rawKey === null) {
    throw invalid(`Filtering by ${entity} requires a key, e.g. '${view}.${entity}.<key> = <value>'`);
  }
  if (!entities[entity] && rawKey !== null) {
    throw invalid(`Filtering by ${entity} does not require a key, use '${view}.${entity}' instead`);
  }
  const key = rawKey ? trimBackticks(stripQuotes(rawKey)) : null;
  return { viewType, entity, key };
}

const isTimestampBuiltin = (n: Node): boolean =>
  isKind(n, 'builtin') && (n.text.toLowerCase() === 'timestamp' || n.text.toLowerCase() === 'timestamp_ms');

/** SearchTraceUtils._validate_comparison then SearchTraceMetricsUtils._get_comparison. */
function comparison(parts: Node[]): TraceMetricsFilter {
  const first = parts[0]!;
  const nullCheck = parts.length === 2 && ['IS NULL', 'IS NOT NULL'].includes(parts[1]!.text.toUpperCase());
  if (nullCheck) {
    if (first.type !== 'identifier') {
      throw invalid(`Invalid comparison clause. Expected 'Identifier' found '${first.text}'`);
    }
  } else if (!(parts.length === 3 && isTimestampBuiltin(first))) {
    if (parts.length !== 3)
      throw invalid(`Invalid comparison clause. Expected 3 tokens found ${parts.length}`);
    if (first.type !== 'identifier') {
      throw invalid(`Invalid comparison clause. Expected 'Identifier' found '${first.text}'`);
    }
  }
  const id = identifier(first.text);
  const comparator = parts[1]!.text;
  if (comparator !== '=') {
    throw invalid(`Invalid comparator: '${comparator}', only '=' operator is supported`);
  }
  const tok = parts[2]!;
  if (!(isKind(tok, 'string') || tok.type === 'identifier')) {
    throw invalid(
      `Expected a quoted string value for ${id.entity} value (e.g. 'my-value'). Got value ${tok.text}`,
    );
  }
  return { ...id, value: stripQuotes(tok.text, true) };
}

/** SearchTraceMetricsUtils.parse_search_filter. */
export function parseTraceMetricsFilter(filter: string): TraceMetricsFilter {
  const one = (): MlflowError => invalid(`Invalid filter: '${filter}'. Expected one filter clause.`);
  if (!filter) throw one();
  const statements = parseStatements(filter);
  if (statements.length > 1) {
    throw invalid(
      `Search filter contained multiple expression ${reprStr(filter)}. Provide AND-ed expression list.`,
    );
  }
  const tokens = statements[0] ?? [];
  const bad = tokens.filter((t) => t.type !== 'comparison' && !isWs(t));
  if (bad.length > 0)
    throw invalid(`Invalid clause(s) in filter string: ${bad.map((t) => t.text).join(', ')}`);
  const comparisons = tokens.filter(
    (t): t is Extract<Node, { type: 'comparison' }> => t.type === 'comparison',
  );
  if (comparisons.length !== 1) throw one();
  return comparison(comparisons[0]!.parts);
}
