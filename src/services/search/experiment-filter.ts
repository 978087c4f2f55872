/** searchExperiments flavour of the filter grammar (`SearchExperimentsUtils`). */
import { MlflowError } from '../../errors/mlflow-error.js';
import { parseFilterWith, runEntityType, type FilterFlavor } from './filter-parser.js';
import type { FilterClause } from './filter-types.js';

export const EXPERIMENT_ATTRIBUTE_KEYS: readonly string[] = [
  'name',
  'experiment_id',
  'creation_time',
  'last_update_time',
];
export const EXPERIMENT_NUMERIC_ATTRIBUTES: ReadonlySet<string> = new Set([
  'creation_time',
  'last_update_time',
]);

const ENTITY_TYPES = ['attribute', 'attributes', 'tag', 'tags'];

export const EXPERIMENT_FILTER_FLAVOR: FilterFlavor = {
  searchAttributeKeys: EXPERIMENT_ATTRIBUTE_KEYS,
  numericAttributes: EXPERIMENT_NUMERIC_ATTRIBUTES,
  listSupportedKeys: ['experiment_id'],
  // Unlike runs, the entity is checked as written (no backtick trimming, no other aliases).
  entityType(raw) {
    if (!ENTITY_TYPES.includes(raw)) {
      throw MlflowError.invalidParameter(
        `Invalid entity type '${raw}'. Valid entity types are ('attribute', 'attributes', 'tag', 'tags')`,
      );
    }
    return runEntityType(raw);
  },
  quoteInvalidClauses: false,
  nullCheckError: (type, key) =>
    type === 'tag'
      ? undefined
      : `IS NULL / IS NOT NULL is only supported for tags, not for attribute '${key}'`,
};

export function parseExperimentFilter(filter: string | undefined | null): FilterClause[] {
  return parseFilterWith(EXPERIMENT_FILTER_FLAVOR, filter);
}
