/**
 * searchRegisteredModels / searchModelVersions: the store's search_* (filter, order_by, page
 * token, max_results) with MLflow's checks in MLflow's order, then one page query.
 */
import { MlflowError } from '../../errors/mlflow-error.js';
import type {
  SearchModelVersions,
  SearchModelVersions_Response,
  SearchRegisteredModels,
  SearchRegisteredModels_Response,
} from '../../gen/messages.js';
import type { ModelService } from './service-type.js';
import type {
  ModelSortColumn,
  RegistrySearchQuery,
  VersionColumn,
  VersionSortColumn,
} from '../../stores/registry/store.js';
import type { CompareOp } from '../../stores/search/types.js';
import { EXPERIMENT_FILTER_FLAVOR } from '../search/experiment-filter.js';
import { parseIdentifier } from '../search/filter-parser.js';
import { parseOrderByString, renderOrderByList } from '../search/order-by.js';
import { createPageToken, parsePageToken } from '../search/page-token.js';
import { floatRepr } from '../../py/numbers.js';
import { reprList, reprSet, reprStr } from '../../py/repr.js';
import { listSlice } from '../../py/str.js';
import {
  MODEL_VERSION_FLAVOR,
  parseModelFilter,
  REGISTERED_MODEL_FLAVOR,
  type ModelFilterClause,
} from './search-filter.js';
import { IS_PROMPT_TAG_KEY } from './prompts.js';

const invalid = (msg: string): MlflowError => MlflowError.invalidParameter(msg);

const SEARCH_REGISTERED_MODEL_MAX_RESULTS_DEFAULT = 100;
const SEARCH_MODEL_VERSION_MAX_RESULTS_DEFAULT = 200_000;
const TAG_COMPARATORS = ['=', '!=', 'LIKE', 'ILIKE'];
const STRING_ATTRIBUTE_COMPARATORS = ['!=', '=', 'LIKE', 'ILIKE', 'IN', 'NOT IN'];
const NUMERIC_ATTRIBUTE_COMPARATORS = ['>', '>=', '!=', '=', '<', '<='];

/** `_is_querying_prompt`: the first is_prompt tag clause decides; none means models only. */
function isQueryingPrompt(clauses: readonly ModelFilterClause[]): boolean {
  const c = clauses.find((x) => x.type === 'tag' && x.key === IS_PROMPT_TAG_KEY);
  if (!c) return false;
  const v = String(c.value).toLowerCase();
  return (c.comparator === '=' && v === 'true') || (c.comparator === '!=' && v === 'false');
}

function tagPredicate(c: ModelFilterClause) {
  if (!TAG_COMPARATORS.includes(c.comparator)) throw invalid(`Invalid comparator for tag: ${c.comparator}`);
  return { key: c.key, op: c.comparator as CompareOp, value: c.value as string };
}

function duplicateOrderBy(orderBy: readonly string[]): MlflowError {
  return new MlflowError(`\`order_by\` contains duplicate fields: ${renderOrderByList(orderBy)}`);
}

/** `_parse_search_registered_models_order_by` (keys checked by SearchUtils, not SearchModelUtils). */
function registeredModelOrderBy(
  orderBy: readonly string[],
): RegistrySearchQuery<'name', ModelSortColumn>['orderBy'] {
  const out: { column: ModelSortColumn; ascending: boolean }[] = [];
  for (const clause of orderBy) {
    const { token: raw, ascending } = parseOrderByString(clause);
    const token = raw.trim();
    if (!['timestamp', 'last_updated_timestamp', 'name'].includes(token)) {
      throw invalid(
        `Invalid order by key '${token}' specified. Valid keys are '${reprSet(['name', 'timestamp'])}'`,
      );
    }
    const column: ModelSortColumn = token === 'name' ? 'name' : 'last_updated_time';
    if (out.some((o) => o.column === column)) throw duplicateOrderBy(orderBy);
    out.push({ column, ascending });
  }
  if (!out.some((o) => o.column === 'name')) out.push({ column: 'name', ascending: true });
  return out;
}

const VERSION_ORDER_KEYS = ['name', 'version_number', 'creation_timestamp', 'last_updated_timestamp'];
const VERSION_SORT_COLUMNS: Record<string, VersionSortColumn> = {
  name: 'name',
  version_number: 'version',
  creation_timestamp: 'creation_time',
  last_updated_timestamp: 'last_updated_time',
};

function modelVersionOrderBy(
  given: readonly string[],
): RegistrySearchQuery<VersionColumn, VersionSortColumn>['orderBy'] {
  const orderBy = given.length ? given : ['last_updated_timestamp DESC', 'name ASC', 'version_number DESC'];
  const out: { column: VersionSortColumn; ascending: boolean }[] = [];
  for (const clause of orderBy) {
    const { token, ascending } = parseOrderByString(clause);
    const { key } = parseIdentifier(EXPERIMENT_FILTER_FLAVOR, token.trim(), VERSION_ORDER_KEYS);
    if (!VERSION_ORDER_KEYS.includes(key)) {
      throw invalid(`Invalid order by key '${key}' specified. Valid keys are ${reprSet(VERSION_ORDER_KEYS)}`);
    }
    const column = VERSION_SORT_COLUMNS[key]!;
    if (out.some((o) => o.column === column)) throw duplicateOrderBy(orderBy);
    out.push({ column, ascending });
  }
  if (!out.some((o) => o.column === 'name')) out.push({ column: 'name', ascending: true });
  if (!out.some((o) => o.column === 'version')) out.push({ column: 'version', ascending: false });
  return out;
}

/** Python's repr of a clause value (for the numeric-attribute message). */
function valueRepr(c: ModelFilterClause): string {
  if (Array.isArray(c.value)) return reprList(c.value);
  if (typeof c.value === 'number') return c.isFloat ? floatRepr(c.value) : String(c.value);
  return reprStr(c.value);
}

/** `_get_search_model_versions_filter_clauses`: each attribute clause's comparator and value. */
function versionPredicates(clauses: readonly ModelFilterClause[]) {
  const attributes: RegistrySearchQuery<VersionColumn, VersionSortColumn>['attributes'][number][] = [];
  const tags = [];
  for (const c of clauses) {
    if (c.type === 'tag') {
      tags.push(tagPredicate(c));
      continue;
    }
    if (c.key === 'version_number') {
      if (!NUMERIC_ATTRIBUTE_COMPARATORS.includes(c.comparator)) {
        throw invalid(`Invalid comparator for attribute ${c.key}: ${c.comparator}`);
      }
      const bad = () => invalid(`Invalid value for numeric attribute '${c.key}': ${valueRepr(c)}`);
      if (c.isFloat) throw bad();
      let n: number;
      if (typeof c.value === 'number') n = c.value;
      else if (typeof c.value === 'string' && /^\s*[+-]?\d+(_\d+)*\s*$/.test(c.value)) {
        n = Number(c.value.trim().replace(/_/g, ''));
      } else throw bad();
      attributes.push({ column: 'version', op: c.comparator as CompareOp, value: n });
      continue;
    }
    const listOp = c.comparator === 'IN' || c.comparator === 'NOT IN';
    if (
      !STRING_ATTRIBUTE_COMPARATORS.includes(c.comparator) ||
      (listOp && c.key !== 'run_id' && c.key !== 'name')
    ) {
      throw invalid(`Invalid comparator for attribute: ${c.comparator}`);
    }
    const column: VersionColumn = c.key === 'source_path' ? 'source' : (c.key as VersionColumn);
    attributes.push({ column, op: c.comparator as CompareOp, value: c.value as string | string[] });
  }
  return { attributes, tags };
}

export const searchHandlers = {
  async searchRegisteredModels(req: SearchRegisteredModels, ctx): Promise<SearchRegisteredModels_Response> {
    const maxResults = req.max_results ?? SEARCH_REGISTERED_MODEL_MAX_RESULTS_DEFAULT;
    const clauses = parseModelFilter(REGISTERED_MODEL_FLAVOR, req.filter);
    const orderBy = registeredModelOrderBy(req.order_by ?? []);
    const offset = parsePageToken(req.page_token || undefined);
    const attributes = [];
    const tags = [];
    for (const c of clauses) {
      if (c.type === 'tag') {
        tags.push(tagPredicate(c));
        continue;
      }
      if (!STRING_ATTRIBUTE_COMPARATORS.includes(c.comparator)) {
        throw invalid(`Invalid comparator for attribute: ${c.comparator}`);
      }
      attributes.push({
        column: 'name' as const,
        op: c.comparator as CompareOp,
        value: c.value as string | string[],
      });
    }
    const { models, rows } = await ctx.stores.registry.searchRegisteredModels({
      attributes,
      tags,
      includePrompts: isQueryingPrompt(clauses),
      orderBy,
      offset: req.page_token ? offset : 0,
      limit: maxResults + 1,
    });
    const out: SearchRegisteredModels_Response = {};
    const page = listSlice(models, maxResults);
    if (page.length) out.registered_models = page;
    if (rows === maxResults + 1) out.next_page_token = createPageToken(offset + maxResults);
    return out;
  },

  async searchModelVersions(req: SearchModelVersions, ctx): Promise<SearchModelVersions_Response> {
    const maxResults = req.max_results ?? SEARCH_MODEL_VERSION_MAX_RESULTS_DEFAULT;
    if (maxResults < 1) {
      throw invalid(`Invalid value for max_results. It must be a positive integer, but got ${maxResults}`);
    }
    const clauses = parseModelFilter(MODEL_VERSION_FLAVOR, req.filter);
    const { attributes, tags } = versionPredicates(clauses);
    const orderBy = modelVersionOrderBy(req.order_by ?? []);
    const offset = parsePageToken(req.page_token || undefined);
    const { versions, rows } = await ctx.stores.registry.searchModelVersions({
      attributes,
      tags,
      includePrompts: isQueryingPrompt(clauses),
      orderBy,
      offset: req.page_token ? offset : 0,
      limit: maxResults + 1,
    });
    const out: SearchModelVersions_Response = {};
    const page = versions.slice(0, maxResults);
    if (page.length) out.model_versions = page;
    if (rows === maxResults + 1) out.next_page_token = createPageToken(offset + maxResults);
    return out;
  },
} satisfies Partial<ModelService>;
