/**
 * Store-side checks of searchExperiments clauses (`_get_search_experiments_filter_clauses` in
 * MLflow's SQL store): allowed operators per attribute, experiment ids as integers, integral
 * values for the numeric timestamps.
 */
import { MlflowError } from '../../errors/mlflow-error.js';
import { EXPERIMENT_NUMERIC_ATTRIBUTES } from './experiment-filter.js';
import type { FilterClause } from './filter-types.js';
import { floatRepr } from '../../py/numbers.js';
import { reprSet } from '../../py/repr.js';
import { METRIC_COMPARATORS, STRING_ATTRIBUTE_COMPARATORS } from './run-comparators.js';

export type CheckedExperimentClause =
  | { kind: 'experiment_id'; comparator: string; ids: number[] }
  | { kind: 'string_attribute'; key: string; comparator: string; value: string }
  | { kind: 'numeric_attribute'; key: string; comparator: string; value: number }
  | { kind: 'tag'; key: string; comparator: string; value: string | null };

/** `mlflow.utils.validation._parse_experiment_id`: Python int() of the id. */
export function parseExperimentId(id: string): number {
  if (/^\s*[-+]?\d+(_\d+)*\s*$/.test(id)) return Number(id.replace(/_/g, ''));
  throw MlflowError.invalidParameter(`Invalid experiment ID '${id}'. Experiment ID must be a valid integer.`);
}

export function checkExperimentClause(clause: FilterClause): CheckedExperimentClause {
  const comparator = clause.comparator.toUpperCase();
  const { key, value } = clause;
  if (clause.type === 'attribute') {
    if (key === 'experiment_id') {
      if (!['=', '!=', 'IN', 'NOT IN'].includes(comparator)) {
        throw MlflowError.invalidParameter(`Invalid comparator for experiment_id: ${comparator}`);
      }
      const raw = value.kind === 'list' ? value.value : value.kind === 'string' ? [value.value] : [];
      return { kind: 'experiment_id', comparator, ids: raw.map(parseExperimentId) };
    }
    if (!EXPERIMENT_NUMERIC_ATTRIBUTES.has(key)) {
      if (!STRING_ATTRIBUTE_COMPARATORS.includes(comparator)) {
        throw MlflowError.invalidParameter(
          `Invalid comparator '${comparator}' not one of '${reprSet(STRING_ATTRIBUTE_COMPARATORS)}'`,
        );
      }
      if (!['=', '!=', 'LIKE', 'ILIKE'].includes(comparator)) {
        throw MlflowError.invalidParameter(`Invalid comparator for string attribute: ${comparator}`);
      }
      return { kind: 'string_attribute', key, comparator, value: value.kind === 'string' ? value.value : '' };
    }
    if (!METRIC_COMPARATORS.includes(comparator)) {
      throw MlflowError.invalidParameter(
        `Invalid comparator '${comparator}' not one of '${reprSet(STRING_ATTRIBUTE_COMPARATORS)}`,
      );
    }
    if (value.kind === 'number' && value.isFloat) {
      throw MlflowError.invalidParameter(
        `Invalid value for numeric attribute '${key}': '${floatRepr(value.value)}'`,
      );
    }
    return { kind: 'numeric_attribute', key, comparator, value: value.kind === 'number' ? value.value : NaN };
  }
  if (clause.type === 'tag') {
    if (comparator === 'IS NULL' || comparator === 'IS NOT NULL') {
      return { kind: 'tag', key, comparator, value: null };
    }
    if (!['=', '!=', 'LIKE', 'ILIKE'].includes(comparator)) {
      throw MlflowError.invalidParameter(`Invalid comparator for tag: ${comparator}`);
    }
    return { kind: 'tag', key, comparator, value: value.kind === 'string' ? value.value : '' };
  }
  throw MlflowError.invalidParameter(`Invalid token type: ${clause.type}`);
}
