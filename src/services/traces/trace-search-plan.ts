/**
 * A trace search's parsed filter and order_by turned into the store's query, with the checks
 * and messages of the pinned SQL store (`_get_filter_clauses_for_search_traces`,
 * `_get_orderby_clauses_for_search_traces`, `get_trace_analytics_metadata_filter`), clause by
 * clause in its order. Forms on which the pinned release crashes with a driver or Python error
 * (a list compared with `=`, a string against a numeric attribute, a list in a span attribute
 * pattern), and regular expressions whose meaning differs between engines, go to the Python
 * server (NotNative).
 */
import { MlflowError } from '../../errors/mlflow-error.js';
import { jsonDumpsDefault } from '../../py/json.js';
import { pyJsonLoadsFaithful } from '../../py/json-loads.js';
import { reprList, reprSet } from '../../py/repr.js';
import { PyFloat, type PyJson } from '../../py/values.js';
import { finiteFloat, tokenCount } from '../../stores/tracking/trace-analytics.js';
import {
  COST_COLUMNS,
  COST_KEY,
  TOKEN_COLUMNS,
  TOKEN_USAGE_KEY,
  TRACE_SESSION_KEY,
} from '../../stores/tracking/trace-infos.js';
import type {
  AssessmentMatch,
  SpanPredicate,
  TraceColumn,
  TraceOp,
  TracePredicate,
  TraceSortKey,
  TraceValue,
} from '../../stores/tracking/trace-search.js';
import type { ClauseValue } from '../search/filter-types.js';
import { trimBackticks } from '../search/filter-parser.js';
import { isPortableRegex } from '../search/portable-regex.js';
import {
  checkSpanKey,
  LINKED_PROMPTS_TAG,
  NUMERIC_ASSESSMENT_COMPARATORS,
  parseTraceFilter,
  parseTraceOrderBy,
  SOURCE_RUN_METADATA,
  TRACE_NAME_TAG,
  TRACE_NUMERIC_ATTRIBUTES,
  type TraceClause,
} from '../search/trace-filter.js';
import { NotNative } from '../raw-reply.js';

const invalid = (msg: string): MlflowError => MlflowError.invalidParameter(msg);

/** A form on which the pinned store fails while still checking clauses: handed over at once. */
class CrashNow extends NotNative {}

/** SearchTraceUtils' comparator sets. */
const STRING_ATTRIBUTE_COMPARATORS = ['!=', '=', 'IN', 'NOT IN', 'LIKE', 'ILIKE', 'RLIKE'];
const NUMERIC_ATTRIBUTE_COMPARATORS = ['>', '>=', '!=', '=', '<', '<='];
const TAG_COMPARATORS = ['!=', '=', 'LIKE', 'ILIKE', 'RLIKE', 'IS NULL', 'IS NOT NULL'];
const METADATA_COMPARATORS = TAG_COMPARATORS;
const ASSESSMENT_COMPARATORS = [
  '!=',
  '=',
  '>',
  '>=',
  '<',
  '<=',
  'LIKE',
  'ILIKE',
  'RLIKE',
  'IS NULL',
  'IS NOT NULL',
];

/** Reserved metadata kept in trace_info columns (TRACE_ANALYTICS_COLUMNS_BY_METADATA_KEY). */
const ANALYTICS: Readonly<Record<string, { columns: readonly TraceColumn[]; tokens: boolean }>> = {
  [TOKEN_USAGE_KEY]: { columns: TOKEN_COLUMNS, tokens: true },
  [COST_KEY]: { columns: COST_COLUMNS, tokens: false },
};
/** _SPAN_SEARCH_TIMESTAMP_TOLERANCE_MS */
const SPAN_TOLERANCE_MS = 10_000;

export interface TraceFilterPlan {
  predicates: TracePredicate[];
  spanPredicates: SpanPredicate[];
  spanStartLowerBoundNs?: string;
  runId?: string;
}

function rejectComparator(comparator: string, allowed: readonly string[], closingQuote: boolean): never {
  throw invalid(
    `Invalid comparator '${comparator}' not one of '${reprSet(allowed)}${closingQuote ? "'" : ''}`,
  );
}

/** The clause's value where the pinned store binds one scalar (a list there is a driver error). */
function scalar(v: ClauseValue, why: string): string | number {
  if (v.kind === 'string' || v.kind === 'number') return v.value;
  throw new NotNative(why);
}

/** A value for `comparator`: a list only with IN / NOT IN, a portable pattern with RLIKE. */
function operand(comparator: string, v: ClauseValue): TraceValue {
  if (comparator === 'IN' || comparator === 'NOT IN') {
    if (v.kind !== 'list') throw new NotNative(`${comparator} with a single value`);
    return v.value;
  }
  const s = scalar(v, `a list compared with ${comparator}`);
  if (comparator === 'RLIKE' && !(typeof s === 'string' && isPortableRegex(s))) {
    throw new NotNative('a regular expression outside the portable subset');
  }
  return s;
}

function stringOperand(comparator: string, v: ClauseValue): string {
  const s = operand(comparator, v);
  if (typeof s !== 'string') throw new NotNative(`a non-string value with ${comparator}`);
  return s;
}

/** Whether a metadata key is reserved metadata kept in trace_info columns. */
export const isAnalyticsMetadataKey = (key: string): boolean => Object.hasOwn(ANALYTICS, key);

/** get_trace_analytics_metadata_filter for `=` / `!=` (shared with queryTraceMetrics' filters). */
export function analyticsEquality(key: string, negate: boolean, value: string): TracePredicate {
  const { columns, tokens } = ANALYTICS[key]!;
  let parsed: PyJson | undefined;
  try {
    parsed = pyJsonLoadsFaithful(value);
  } catch {
    parsed = undefined;
  }
  const normalized: { column: TraceColumn; value: number }[] = [];
  const isDict =
    parsed !== null &&
    parsed !== undefined &&
    typeof parsed === 'object' &&
    !Array.isArray(parsed) &&
    !(parsed instanceof PyFloat);
  if (isDict) {
    const obj = parsed as Record<string, PyJson>;
    if (Object.keys(obj).every((k) => (columns as readonly string[]).includes(k))) {
      for (const column of columns) {
        const raw = obj[column];
        if (typeof raw === 'number' && Number.isInteger(raw) && !Number.isSafeInteger(raw)) {
          throw new NotNative('a reserved metadata value beyond exact integers');
        }
        const converted = tokens ? tokenCount(raw) : finiteFloat(raw);
        if (converted !== null) normalized.push({ column, value: converted });
      }
    }
  }
  const canonical = jsonDumpsDefault(
    Object.fromEntries(normalized.map((n) => [n.column, tokens ? n.value : new PyFloat(n.value)])),
  );
  const matchable = normalized.length > 0 && value === canonical;
  return {
    on: 'columns_equal',
    columns: columns.map((column) => ({
      column,
      value: normalized.find((n) => n.column === column)?.value ?? null,
    })),
    negate,
    matchable,
  };
}

function analyticsFilter(key: string, comparator: string, v: ClauseValue): TracePredicate {
  const { columns } = ANALYTICS[key]!;
  if (comparator === 'IS NULL') return { on: 'any_column_set', columns, negate: true };
  if (comparator === 'IS NOT NULL') return { on: 'any_column_set', columns, negate: false };
  if (comparator !== '=' && comparator !== '!=') {
    throw invalid(
      `Comparator '${comparator}' is not supported for reserved metadata '${key}'. ` +
        "Only '=', '!=', 'IS NULL', and 'IS NOT NULL' are supported.",
    );
  }
  return analyticsEquality(key, comparator === '!=', String(scalar(v, 'a list value')));
}

function assessmentMatch(c: TraceClause, comparator: string): AssessmentMatch {
  const base = { assessmentType: c.type as 'feedback' | 'expectation', name: c.key };
  if (comparator === 'IS NULL' || comparator === 'IS NOT NULL') return base;
  if (NUMERIC_ASSESSMENT_COMPARATORS.includes(comparator)) {
    const n = scalar(c.value, 'a list value');
    if (typeof n !== 'number') throw new NotNative('a string compared numerically');
    return { ...base, value: { kind: 'numeric', op: comparator as '<', value: n } };
  }
  const s = stringOperand(comparator, c.value);
  if (comparator === '=' || comparator === '!=') {
    return { ...base, value: { kind: 'json', op: comparator, value: s, json: jsonDumpsDefault(s) } };
  }
  return { ...base, value: { kind: 'text', op: comparator as 'LIKE', value: s } };
}

/** The span attribute pattern MLflow matches span content with (span.attributes.<name>). */
function spanAttributeValue(attr: string, comparator: string, value: string): string {
  if (comparator !== 'RLIKE') return `%"${attr}"${value}%`;
  let v = value;
  let prefix = '"\\\\".*';
  let suffix = '';
  if (v.startsWith('^')) {
    v = v.slice(1);
    prefix = '"\\\\"';
  }
  if (v.endsWith('$')) {
    v = v.slice(0, -1);
    suffix = '\\\\"';
  }
  return `"${attr}": ${prefix}${v}${suffix}`;
}

/**
 * The filter's plan. A clause only the Python server can answer is remembered and the remaining
 * clauses still checked: the pinned store validates every clause before its query fails, so a
 * later clause's message wins over the hand-over.
 */
export function planTraceFilter(filter: string | undefined): TraceFilterPlan {
  let handOver: NotNative | undefined;
  const plan = planClauses(filter, (e) => {
    handOver ??= e;
  });
  if (handOver) throw handOver;
  return plan;
}

function planClauses(filter: string | undefined, defer: (e: NotNative) => void): TraceFilterPlan {
  const plan: TraceFilterPlan = { predicates: [], spanPredicates: [] };
  let lowerBound: number | bigint | undefined;
  function planClause(c: TraceClause): void {
    const comparator = c.comparator.toUpperCase();
    const { key } = c;
    // is_issue
    if (c.type === 'issue') {
      if (key !== 'id') throw invalid(`Invalid issue attribute '${key}'. Supported attributes: id`);
      if (comparator !== '=')
        throw invalid(`issue.${key} comparator '${comparator}' not one of '${reprSet(['='])}'`);
      plan.predicates.push({ on: 'issue', issueId: String(scalar(c.value, 'a list value')) });
      return;
    }
    if (c.type === 'attribute') {
      const numeric = TRACE_NUMERIC_ATTRIBUTES.has(key);
      if (!numeric && !STRING_ATTRIBUTE_COMPARATORS.includes(comparator)) {
        rejectComparator(comparator, STRING_ATTRIBUTE_COMPARATORS, true);
      }
      if (numeric && !NUMERIC_ATTRIBUTE_COMPARATORS.includes(comparator)) {
        rejectComparator(comparator, STRING_ATTRIBUTE_COMPARATORS, false);
      }
      if (numeric) {
        if (c.value.kind !== 'number') throw new NotNative('a string compared with a numeric attribute');
        const n = c.value.value;
        if (!Number.isSafeInteger(n) && !c.value.isFloat) throw new NotNative('an integer beyond 2^53');
        if (key === 'timestamp_ms' && (comparator === '>' || comparator === '>=')) {
          const b = c.value.isFloat ? n : BigInt(n);
          lowerBound = lowerBound === undefined || b > lowerBound ? b : lowerBound;
        }
        plan.predicates.push(
          key === 'end_time_ms'
            ? { on: 'end_time', op: comparator as '=', value: n }
            : { on: 'column', column: key as TraceColumn, op: comparator as '=', value: n },
        );
      } else {
        plan.predicates.push({
          on: 'column',
          column: key as TraceColumn,
          op: comparator as TraceOp,
          value: operand(comparator, c.value),
        });
      }
      return;
    }
    if (c.type === 'tag' && !TAG_COMPARATORS.includes(comparator)) {
      rejectComparator(comparator, TAG_COMPARATORS, false);
    }
    if (c.type === 'request_metadata' && !METADATA_COMPARATORS.includes(comparator)) {
      rejectComparator(comparator, METADATA_COMPARATORS, true);
    }
    const isNullCheck = comparator === 'IS NULL' || comparator === 'IS NOT NULL';
    if (
      (c.type === 'tag' && key === TRACE_NAME_TAG) ||
      (c.type === 'request_metadata' && key === TRACE_SESSION_KEY)
    ) {
      const column: TraceColumn = c.type === 'tag' ? 'trace_name' : 'session_id';
      plan.predicates.push(
        isNullCheck
          ? { on: 'column_null', column, isNull: comparator === 'IS NULL' }
          : { on: 'column', column, op: comparator as TraceOp, value: stringOperand(comparator, c.value) },
      );
      return;
    }
    if (c.type === 'request_metadata' && ANALYTICS[key]) {
      plan.predicates.push(analyticsFilter(key, comparator, c.value));
      return;
    }
    if (c.type === 'request_metadata' && key === SOURCE_RUN_METADATA && comparator === '=') {
      plan.runId = String(scalar(c.value, 'a list value'));
      return;
    }
    if (c.type === 'tag' || c.type === 'request_metadata') {
      const on = c.type === 'tag' ? 'tag' : 'metadata';
      if (on === 'tag' && key === LINKED_PROMPTS_TAG) {
        if (comparator !== '=') {
          throw invalid(
            `Invalid comparator '${comparator}' for prompts filter. Only '=' is supported with format: prompt = "name/version"`,
          );
        }
        const v = String(scalar(c.value, 'a list value'));
        if (v.split('/').length - 1 !== 1) {
          throw invalid(`Invalid prompts filter value '${v}'. Expected format: prompt = "name/version"`);
        }
        plan.predicates.push({ on: 'prompt', promptVersion: v });
        return;
      }
      if (isNullCheck) {
        plan.predicates.push({ on, key, exists: comparator === 'IS NOT NULL' });
        return;
      }
      plan.predicates.push({ on, key, op: comparator as TraceOp, value: stringOperand(comparator, c.value) });
      return;
    }
    if (c.type === 'span') {
      checkSpanKey(key, comparator);
      if (key.startsWith('attributes.')) {
        if (c.value.kind !== 'string') {
          // RLIKE and IN fail inside the pinned store's loop (a tuple used as a str); the other
          // comparators match the tuple's repr, which is not rendered here.
          if (['RLIKE', 'IN', 'NOT IN'].includes(comparator))
            throw new CrashNow('a list in a span attribute pattern');
          throw new NotNative('a list in a span attribute pattern');
        }
        const attr = trimBackticks(key.slice('attributes.'.length));
        const pattern = spanAttributeValue(attr, comparator, c.value.value);
        if (comparator === 'RLIKE' && !isPortableRegex(pattern)) {
          throw new NotNative('a regular expression outside the portable subset');
        }
        plan.spanPredicates.push({ column: 'content', op: comparator as TraceOp, value: pattern });
      } else {
        plan.spanPredicates.push({
          column: key as SpanPredicate['column'],
          op: comparator as TraceOp,
          value: operand(comparator, c.value),
        });
      }
      return;
    }
    // feedback / expectation (is_assessment)
    if (!key) throw invalid('Assessment field name cannot be empty');
    if (!ASSESSMENT_COMPARATORS.includes(comparator)) {
      throw invalid(
        `assessment.${key} comparator '${comparator}' not one of '${reprSet(ASSESSMENT_COMPARATORS)}'`,
      );
    }
    plan.predicates.push({
      on: 'assessment',
      match: assessmentMatch(c, comparator),
      exists: comparator !== 'IS NULL',
    });
  }
  for (const c of parseTraceFilter(filter)) {
    try {
      planClause(c);
    } catch (e) {
      if (!(e instanceof NotNative) || e instanceof CrashNow) throw e;
      defer(e);
    }
  }

  if (plan.spanPredicates.length > 0 && lowerBound !== undefined) {
    plan.spanStartLowerBoundNs =
      typeof lowerBound === 'bigint'
        ? ((lowerBound - BigInt(SPAN_TOLERANCE_MS)) * 1_000_000n).toString()
        : pyFloatLiteral((lowerBound - SPAN_TOLERANCE_MS) * 1_000_000);
  }
  return plan;
}

/** A finite double as an SQL numeric literal. */
function pyFloatLiteral(n: number): string {
  if (!Number.isFinite(n)) throw new NotNative('a non-finite span time bound');
  return n.toExponential();
}

/** _get_orderby_clauses_for_search_traces, parse and checks. */
export function planTraceOrder(orderBy: readonly string[]): TraceSortKey[] {
  const out: TraceSortKey[] = [];
  const seen = new Set<string>();
  for (const clause of orderBy) {
    const { type, key, ascending } = parseTraceOrderBy(clause);
    if (type === 'request_metadata' && ANALYTICS[key]) {
      throw invalid(
        `Ordering by reserved metadata '${key}' is not supported because it is represented by multiple columns.`,
      );
    }
    let sortKey: TraceSortKey;
    if (type === 'attribute' && key === 'end_time_ms') {
      sortKey = { on: 'end_time', key, ascending, nullable: false };
    } else if (type === 'attribute') {
      sortKey = { on: 'column', key, ascending, nullable: key === 'execution_time_ms' };
    } else if (type === 'tag' && key === TRACE_NAME_TAG) {
      sortKey = { on: 'column', key: 'trace_name', ascending, nullable: true };
    } else if (type === 'request_metadata' && key === TRACE_SESSION_KEY) {
      sortKey = { on: 'column', key: 'session_id', ascending, nullable: true };
    } else if (type === 'tag' || type === 'request_metadata') {
      sortKey = { on: type === 'tag' ? 'tag' : 'metadata', key, ascending, nullable: true };
    } else {
      throw invalid(`Invalid identifier type '${type}'`);
    }
    const id = `${type}\u0000${key}`;
    if (seen.has(id)) {
      throw new MlflowError(`\`order_by\` contains duplicate fields: ${reprList(orderBy)}`, 'INTERNAL_ERROR');
    }
    seen.add(id);
    out.push(sortKey);
  }
  return out;
}
