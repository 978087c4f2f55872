/**
 * Turns a SearchRuns request into the store query, raising MLflow's errors in MLflow's order:
 * max_results, filter syntax, order_by, per-clause operator checks, page token, experiment ids
 * (the sequence of `SqlAlchemyStore._search_runs`).
 */
import { MlflowError } from '../../errors/mlflow-error.js';
import type { RunColumn, RunPredicate, RunSearchQuery, RunSortKey } from '../../stores/search/types.js';
import type { CompareOp } from '../../stores/search/types.js';
import { parseExperimentId } from './experiment-comparators.js';
import { validateMaxResults, viewTypeStages } from './max-results.js';
import { parseRunOrderBy, renderOrderByList } from './order-by.js';
import { parsePageToken } from './page-token.js';
import { checkRunClause, type CheckedRunClause } from './run-comparators.js';
import { parseRunFilter, translateKeyAlias } from './run-filter.js';

export interface SearchRunsParams {
  experimentIds: readonly string[];
  filter?: string | undefined;
  runViewType?: string | number | undefined;
  maxResults: number;
  orderBy: readonly string[];
  pageToken?: string | undefined;
}

/** `SqlRun.get_attribute_name`. */
function runColumn(key: string): RunColumn {
  if (key === 'run_id') return 'run_uuid';
  if (key === 'run_name') return 'name';
  return key as RunColumn;
}

function listOrScalar(c: CheckedRunClause): string | readonly string[] {
  const v = c.clause.value;
  if (v.kind === 'list') {
    if (c.comparator !== 'IN' && c.comparator !== 'NOT IN') {
      // SQLAlchemy cannot bind a tuple to a scalar comparison; MLflow fails with a 500.
      throw new MlflowError(`Cannot compare with a list using '${c.comparator}'`, 'INTERNAL_ERROR');
    }
    return v.value;
  }
  if (v.kind === 'string') return v.value;
  return String(v.kind === 'number' ? v.value : '');
}

function toPredicate(c: CheckedRunClause): RunPredicate {
  const op = c.comparator as CompareOp;
  switch (c.kind) {
    case 'string_attribute':
      if (c.key === 'run_name') return { on: 'run_name_tag', op, value: listOrScalar(c) };
      return { on: 'column', column: runColumn(c.key), op, value: listOrScalar(c) };
    case 'numeric_attribute':
      return {
        on: 'column',
        column: runColumn(c.key),
        op,
        value: c.clause.value.kind === 'number' ? c.clause.value.value : NaN,
      };
    case 'metric':
      return {
        on: 'metric',
        key: c.key,
        op,
        value: Number(c.clause.value.kind === 'string' ? c.clause.value.value : NaN),
      };
    case 'parameter':
    case 'tag': {
      const on = c.kind === 'parameter' ? 'param' : 'tag';
      if (c.comparator === 'IS NULL' || c.comparator === 'IS NOT NULL')
        return { on, key: c.key, op: c.comparator };
      return { on, key: c.key, op, value: listOrScalar(c) };
    }
    case 'dataset':
      return { on: 'dataset', field: c.key as 'name' | 'digest' | 'context', op, value: listOrScalar(c) };
  }
}

/** `_get_orderby_clauses`: parse each clause, reject datasets and duplicates. */
function toSortKeys(orderBy: readonly string[]): RunSortKey[] {
  const seen = new Set<string>();
  const keys: RunSortKey[] = [];
  for (const clause of orderBy) {
    const o = parseRunOrderBy(clause);
    const key = translateKeyAlias(o.key);
    let sortKey: RunSortKey;
    if (o.type === 'attribute') sortKey = { on: 'column', column: runColumn(key), ascending: o.ascending };
    else if (o.type === 'metric') sortKey = { on: 'metric', key, ascending: o.ascending };
    else if (o.type === 'tag') sortKey = { on: 'tag', key, ascending: o.ascending };
    else if (o.type === 'parameter') sortKey = { on: 'param', key, ascending: o.ascending };
    else throw MlflowError.invalidParameter(`Invalid identifier type '${o.type}'`);
    const id = `${o.type}\u0000${key}`;
    if (seen.has(id)) {
      // Raised without an error code in MLflow, hence INTERNAL_ERROR.
      throw new MlflowError(
        `\`order_by\` contains duplicate fields: ${renderOrderByList(orderBy)}`,
        'INTERNAL_ERROR',
      );
    }
    seen.add(id);
    keys.push(sortKey);
  }
  return keys;
}

export function planRunSearch(p: SearchRunsParams): RunSearchQuery & { maxResults: number } {
  validateMaxResults(p.maxResults);
  const stages = viewTypeStages(p.runViewType);
  const clauses = parseRunFilter(p.filter);
  const sort = toSortKeys(p.orderBy);
  const predicates = clauses.map((c) => toPredicate(checkRunClause(c)));
  const offset = parsePageToken(p.pageToken);
  const experimentIds = p.experimentIds.map(parseExperimentId);
  return {
    experimentIds,
    lifecycleStages: stages,
    predicates,
    sort,
    offset,
    limit: p.maxResults + 1,
    maxResults: p.maxResults,
  };
}
