/**
 * order_by clause parsing (`SearchUtils._parse_order_by_string` and the run / experiment
 * wrappers): "<identifier> [ASC|DESC]" where the whole clause must lex as a single identifier.
 */
import { MlflowError } from '../../errors/mlflow-error.js';
import { EXPERIMENT_FILTER_FLAVOR } from './experiment-filter.js';
import { isKind, parseStatements } from './filter-grouping.js';
import { parseIdentifier } from './filter-parser.js';
import type { OrderByClause } from './filter-types.js';
import { reprList } from '../../py/repr.js';
import { RUN_FILTER_FLAVOR, RUN_ORDER_BY_ATTRIBUTE_KEYS } from './run-filter.js';
import { shlexSplit, ShlexError } from '../../py/shlex.js';

function unparsable(orderBy: string): MlflowError {
  return MlflowError.invalidParameter(`Invalid order_by clause '${orderBy}'. Could not be parsed.`);
}

/** Returns the identifier text and direction of one order_by clause. */
export function parseOrderByString(orderBy: string): { token: string; ascending: boolean } {
  const statements = orderBy === '' ? [] : parseStatements(orderBy);
  if (statements.length !== 1) throw unparsable(orderBy);
  const nodes = statements[0]!;
  let token: string;
  const first = nodes[0];
  if (nodes.length === 1 && first?.type === 'identifier') {
    token = first.text;
  } else if (nodes.length === 1 && isKind(first, 'builtin') && first?.text === 'timestamp') {
    token = 'timestamp';
  } else if (
    first !== undefined &&
    isKind(first, 'builtin') &&
    first.text === 'timestamp' &&
    nodes.length >= 2 &&
    nodes.slice(1, -1).every((n) => isKind(n, 'ws')) &&
    isKind(nodes[nodes.length - 1], 'order')
  ) {
    token = 'timestamp ' + nodes[nodes.length - 1]!.text;
  } else {
    throw unparsable(orderBy);
  }
  let parts: string[];
  try {
    parts = shlexSplit(token.replace(/`/g, '"'));
  } catch (e) {
    if (e instanceof ShlexError) throw new MlflowError(e.message, 'INTERNAL_ERROR');
    throw e;
  }
  if (parts.length > 2) throw unparsable(orderBy);
  let ascending = true;
  if (parts.length === 2) {
    const dir = parts[1]!.toLowerCase();
    if (dir !== 'asc' && dir !== 'desc') {
      throw MlflowError.invalidParameter(`Invalid ordering key in order_by clause '${orderBy}'.`);
    }
    ascending = dir === 'asc';
    token = parts[0]!;
  }
  return { token, ascending };
}

/** `SearchUtils.parse_order_by_for_search_runs`. */
export function parseRunOrderBy(orderBy: string): OrderByClause {
  const { token, ascending } = parseOrderByString(orderBy);
  const id = parseIdentifier(RUN_FILTER_FLAVOR, token.trim(), RUN_ORDER_BY_ATTRIBUTE_KEYS);
  return { ...id, ascending };
}

export const EXPERIMENT_ORDER_BY_KEYS: readonly string[] = [
  'name',
  'experiment_id',
  'creation_time',
  'last_update_time',
];

/** `SearchExperimentsUtils.parse_order_by_for_search_experiments`. */
export function parseExperimentOrderBy(orderBy: string): OrderByClause {
  const { token, ascending } = parseOrderByString(orderBy);
  const id = parseIdentifier(EXPERIMENT_FILTER_FLAVOR, token.trim(), EXPERIMENT_ORDER_BY_KEYS);
  return { ...id, ascending };
}

/** `order_by` list as Python prints it in the duplicate-field message. */
export function renderOrderByList(orderBy: readonly string[]): string {
  return reprList(orderBy);
}
