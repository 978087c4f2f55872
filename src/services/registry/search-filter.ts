/**
 * Filter strings of searchRegisteredModels / searchModelVersions (SearchModelUtils and
 * SearchModelVersionUtils of utils/search_utils.py): `attribute` / `tag(s)` entities only, comparators
 * upper-cased, no IS NULL, the attribute key checked as written (before quotes are stripped).
 */
import { MlflowError } from '../../errors/mlflow-error.js';
import { isKind, type Node } from '../search/filter-grouping.js';
import { filterComparisons, parseList, stripQuotes, trimBackticks } from '../search/filter-parser.js';
import { reprList as pyList, reprSet as pySet } from '../../py/repr.js';

export type ModelFilterValue = string | number | string[];

export interface ModelFilterClause {
  type: 'attribute' | 'tag';
  key: string;
  comparator: string;
  value: ModelFilterValue;
  /** A numeric literal written with a fraction or exponent. */
  isFloat?: boolean;
}

interface Flavor {
  entity: 'registered model' | 'model version';
  searchKeys: readonly string[];
  numericAttributes: readonly string[];
  listKeys: readonly string[];
}

export const REGISTERED_MODEL_FLAVOR: Flavor = {
  entity: 'registered model',
  searchKeys: ['name'],
  numericAttributes: ['creation_timestamp', 'last_updated_timestamp'],
  listKeys: ['name'],
};

export const MODEL_VERSION_FLAVOR: Flavor = {
  entity: 'model version',
  searchKeys: ['name', 'version_number', 'run_id', 'source_path'],
  numericAttributes: ['version_number', 'creation_timestamp', 'last_updated_timestamp'],
  listKeys: ['name', 'run_id'],
};

const invalid = (msg: string): MlflowError => MlflowError.invalidParameter(msg);
const ENTITY_TYPES = ['attribute', 'tag', 'tags'];

function identifier(flavor: Flavor, text: string): { type: 'attribute' | 'tag'; key: string } {
  const dot = text.indexOf('.');
  let type: 'attribute' | 'tag' = 'attribute';
  let key = text;
  if (dot >= 0) {
    const entity = text.slice(0, dot);
    key = text.slice(dot + 1);
    if (!ENTITY_TYPES.includes(entity)) {
      throw invalid(`Invalid entity type '${entity}'. Valid entity types are ('attribute', 'tag', 'tags')`);
    }
    type = entity === 'attribute' ? 'attribute' : 'tag';
  }
  if (type === 'attribute' && !flavor.searchKeys.includes(key)) {
    throw invalid(`Invalid attribute key '${key}' specified. Valid keys are '${pySet(flavor.searchKeys)}'`);
  }
  return { type, key: trimBackticks(stripQuotes(key)) };
}

function value(
  flavor: Flavor,
  type: 'attribute' | 'tag',
  key: string,
  tok: Node,
): Pick<ModelFilterClause, 'value' | 'isFloat'> {
  const isString = isKind(tok, 'string') || tok.type === 'identifier';
  if (type === 'tag') {
    if (isString) return { value: stripQuotes(tok.text, true) };
    throw invalid(`Expected a quoted string value for tag (e.g. 'my-value'). Got value ${tok.text}`);
  }
  if (isString) return { value: stripQuotes(tok.text, true) };
  if (tok.type === 'paren') {
    if (!flavor.listKeys.includes(key)) {
      throw invalid(
        `Only ${pyList([...flavor.listKeys].sort())} attributes support comparison with a list of quoted string values.`,
      );
    }
    return { value: parseList(tok.text) };
  }
  // Only model versions read numbers; registered models refuse them with the generic message.
  if (flavor.entity === 'model version' && isKind(tok, 'int', 'float')) {
    if (!flavor.numericAttributes.includes(key)) {
      throw invalid(
        `Only the '${pySet(flavor.numericAttributes)}' attributes support comparison with numeric values.`,
      );
    }
    return { value: Number(tok.text), isFloat: isKind(tok, 'float') };
  }
  throw invalid(
    `Expected a quoted string value or a list of quoted string values for attributes. Got value ${tok.text}`,
  );
}

function clause(flavor: Flavor, parts: Node[]): ModelFilterClause {
  if (parts.length === 2) {
    const comparator = parts[1]!.text.toUpperCase();
    if (comparator === 'IS NULL' || comparator === 'IS NOT NULL') {
      if (parts[0]!.type !== 'identifier') {
        throw invalid(`Invalid comparison clause. Expected 'Identifier' found '${parts[0]!.text}'`);
      }
      throw invalid(`IS NULL / IS NOT NULL is not supported for ${flavor.entity} search.`);
    }
  }
  if (parts.length !== 3) throw invalid(`Invalid comparison clause. Expected 3 tokens found ${parts.length}`);
  if (parts[0]!.type !== 'identifier') {
    throw invalid(`Invalid comparison clause. Expected 'Identifier' found '${parts[0]!.text}'`);
  }
  const id = identifier(flavor, parts[0]!.text);
  return { ...id, comparator: parts[1]!.text.toUpperCase(), ...value(flavor, id.type, id.key, parts[2]!) };
}

/** SearchModelUtils / SearchModelVersionUtils.parse_search_filter. */
export function parseModelFilter(flavor: Flavor, filter: string | undefined): ModelFilterClause[] {
  if (!filter) return [];
  return filterComparisons(filter, false).map((parts) => clause(flavor, parts));
}
