/**
 * Store-side checks MLflow's SQL store applies to each parsed runs clause before building SQL
 * (`SearchUtils.is_metric` / `is_param` / `is_tag` / `is_string_attribute` /
 * `is_numeric_attribute` / `is_dataset`). The parser lets any comparison operator through; these
 * reject the ones an entity does not support, with MLflow's wording (including its unbalanced
 * quotes).
 */
import { MlflowError } from '../../errors/mlflow-error.js';
import type { FilterClause } from './filter-types.js';
import { reprSet } from '../../py/repr.js';
import { RUN_NUMERIC_ATTRIBUTES, translateKeyAlias } from './run-filter.js';

export const METRIC_COMPARATORS: readonly string[] = ['>', '>=', '!=', '=', '<', '<='];
export const PARAM_TAG_COMPARATORS: readonly string[] = [
  '!=',
  '=',
  'LIKE',
  'ILIKE',
  'IS NULL',
  'IS NOT NULL',
];
export const STRING_ATTRIBUTE_COMPARATORS: readonly string[] = ['!=', '=', 'LIKE', 'ILIKE', 'IN', 'NOT IN'];
export const DATASET_COMPARATORS: readonly string[] = STRING_ATTRIBUTE_COMPARATORS;

export type RunClauseKind =
  'string_attribute' | 'numeric_attribute' | 'metric' | 'parameter' | 'tag' | 'dataset';

/** A clause after MLflow's store-side normalisation: alias-translated key, upper-cased operator. */
export interface CheckedRunClause {
  kind: RunClauseKind;
  key: string;
  comparator: string;
  clause: FilterClause;
}

function reject(comparator: string, allowed: readonly string[], closingQuote: boolean): never {
  throw MlflowError.invalidParameter(
    `Invalid comparator '${comparator}' not one of '${reprSet(allowed)}${closingQuote ? "'" : ''}`,
  );
}

export function checkRunClause(clause: FilterClause): CheckedRunClause {
  const comparator = clause.comparator.toUpperCase();
  const key = translateKeyAlias(clause.key);
  const base = { key, comparator, clause };
  switch (clause.type) {
    case 'attribute':
      if (!RUN_NUMERIC_ATTRIBUTES.has(key)) {
        if (!STRING_ATTRIBUTE_COMPARATORS.includes(comparator))
          reject(comparator, STRING_ATTRIBUTE_COMPARATORS, true);
        return { kind: 'string_attribute', ...base };
      }
      // MLflow prints the string-attribute set here (and no closing quote).
      if (!METRIC_COMPARATORS.includes(comparator)) reject(comparator, STRING_ATTRIBUTE_COMPARATORS, false);
      return { kind: 'numeric_attribute', ...base };
    case 'metric':
      if (!METRIC_COMPARATORS.includes(comparator)) reject(comparator, METRIC_COMPARATORS, false);
      return { kind: 'metric', ...base };
    case 'parameter':
      if (!PARAM_TAG_COMPARATORS.includes(comparator)) reject(comparator, PARAM_TAG_COMPARATORS, true);
      return { kind: 'parameter', ...base };
    case 'tag':
      if (!PARAM_TAG_COMPARATORS.includes(comparator)) reject(comparator, PARAM_TAG_COMPARATORS, false);
      return { kind: 'tag', ...base };
    case 'dataset':
      if (!DATASET_COMPARATORS.includes(comparator)) reject(comparator, DATASET_COMPARATORS, false);
      return { kind: 'dataset', ...base };
  }
}
