/**
 * Turns a SearchExperiments request into the store query, in the order of
 * `SqlAlchemyStore._search_experiments`: max_results (no default: the handler passes the proto's
 * 0, which MLflow rejects), filter syntax, per-clause checks, order_by, page token.
 */
import { MlflowError } from '../../errors/mlflow-error.js';
import type {
  CompareOp,
  ExperimentColumn,
  ExperimentPredicate,
  ExperimentSearchQuery,
} from '../../stores/search/types.js';
import { checkExperimentClause, type CheckedExperimentClause } from './experiment-comparators.js';
import { parseExperimentFilter } from './experiment-filter.js';
import { validateMaxResults, viewTypeStages } from './max-results.js';
import { parseExperimentOrderBy } from './order-by.js';
import { parsePageToken } from './page-token.js';

export interface SearchExperimentsParams {
  maxResults: number;
  filter?: string | undefined;
  orderBy: readonly string[];
  viewType?: string | number | undefined;
  pageToken?: string | undefined;
}

const DEFAULT_ORDER = ['creation_time DESC', 'experiment_id ASC'];

function toPredicate(c: CheckedExperimentClause): ExperimentPredicate {
  switch (c.kind) {
    case 'experiment_id':
      if (c.comparator === 'IN' || c.comparator === 'NOT IN') {
        return { on: 'column', column: 'experiment_id', op: c.comparator, value: c.ids };
      }
      return { on: 'column', column: 'experiment_id', op: c.comparator as CompareOp, value: c.ids[0] ?? NaN };
    case 'string_attribute':
    case 'numeric_attribute':
      return {
        on: 'column',
        column: c.key as ExperimentColumn,
        op: c.comparator as CompareOp,
        value: c.value,
      };
    case 'tag':
      if (c.value === null) return { on: 'tag', key: c.key, op: c.comparator as 'IS NULL' | 'IS NOT NULL' };
      return { on: 'tag', key: c.key, op: c.comparator as CompareOp, value: c.value };
  }
}

export function planExperimentSearch(
  p: SearchExperimentsParams,
): ExperimentSearchQuery & { maxResults: number } {
  validateMaxResults(p.maxResults);
  const predicates = parseExperimentFilter(p.filter).map((c) => toPredicate(checkExperimentClause(c)));
  const sort: { column: ExperimentColumn; ascending: boolean }[] = [];
  for (const clause of p.orderBy.length > 0 ? p.orderBy : DEFAULT_ORDER) {
    const o = parseExperimentOrderBy(clause);
    if (o.type !== 'attribute') throw MlflowError.invalidParameter(`Invalid order_by entity: ${o.type}`);
    sort.push({ column: o.key as ExperimentColumn, ascending: o.ascending });
  }
  // Tie-breaker, as MLflow: newest experiment id first unless the caller sorted on it.
  if (!sort.some((s) => s.column === 'experiment_id'))
    sort.push({ column: 'experiment_id', ascending: false });
  const offset = parsePageToken(p.pageToken);
  return {
    lifecycleStages: viewTypeStages(p.viewType),
    predicates,
    sort,
    offset,
    limit: p.maxResults + 1,
    maxResults: p.maxResults,
  };
}
