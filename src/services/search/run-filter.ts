/** searchRuns flavour of the filter grammar (`SearchUtils`). */
import { parseFilterWith, runEntityType, type FilterFlavor } from './filter-parser.js';
import type { FilterClause } from './filter-types.js';

/** `SearchUtils.VALID_SEARCH_ATTRIBUTE_KEYS` (printed in this order in messages). */
export const RUN_SEARCH_ATTRIBUTE_KEYS: readonly string[] = [
  'artifact_uri',
  'end_time',
  'run_id',
  'run_name',
  'start_time',
  'status',
  'user_id',
  'created',
  'Created',
  'run name',
  'Run name',
  'Run Name',
];

/** `SearchUtils.VALID_ORDER_BY_ATTRIBUTE_KEYS`: the 'run name' spellings are not orderable. */
export const RUN_ORDER_BY_ATTRIBUTE_KEYS: readonly string[] = [
  'artifact_uri',
  'end_time',
  'run_id',
  'run_name',
  'start_time',
  'status',
  'user_id',
  'created',
  'Created',
];

/** `SearchUtils.NUMERIC_ATTRIBUTES`. */
export const RUN_NUMERIC_ATTRIBUTES: ReadonlySet<string> = new Set([
  'start_time',
  'end_time',
  'created',
  'Created',
]);

export const RUN_FILTER_FLAVOR: FilterFlavor = {
  searchAttributeKeys: RUN_SEARCH_ATTRIBUTE_KEYS,
  numericAttributes: RUN_NUMERIC_ATTRIBUTES,
  listSupportedKeys: ['run_id'],
  entityType: runEntityType,
  quoteInvalidClauses: true,
  nullCheckError: (type, key) =>
    type === 'tag' || type === 'parameter'
      ? undefined
      : `IS NULL / IS NOT NULL is only supported for tags and params, not for '${type}' '${key}'`,
};

/** `SearchUtils.translate_key_alias`. */
export function translateKeyAlias(key: string): string {
  if (key === 'created' || key === 'Created') return 'start_time';
  if (key === 'run name' || key === 'Run name' || key === 'Run Name') return 'run_name';
  return key;
}

/** `SearchUtils.parse_search_filter`. */
export function parseRunFilter(filter: string | undefined | null): FilterClause[] {
  return parseFilterWith(RUN_FILTER_FLAVOR, filter);
}
