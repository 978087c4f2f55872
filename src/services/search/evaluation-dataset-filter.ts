/**
 * The evaluation dataset flavour of the search grammar (`SearchEvaluationDatasetsUtils`
 * .parse_search_filter and `_get_search_datasets_filter_clauses`), for the forms whose meaning is
 * plain: AND-ed comparisons of `name` / `created_by` / `last_updated_by` (=, !=, LIKE, ILIKE with
 * a single-quoted string), `created_time` / `last_update_time` (=, !=, <, <=, >, >= with an
 * unsigned integer) and `tags.<word>` (=, !=, LIKE, ILIKE with a single-quoted string). Anything
 * else (lists, IS NULL, quoted or back-ticked keys, escapes, every error) is undefined: the
 * caller hands the request to the Python server, whose messages list Python sets.
 */
import type { Node } from './filter-grouping.js';
import { filterComparisons } from './filter-parser.js';

export type EvaluationDatasetFilter =
  | {
      on: 'attribute';
      column: 'name' | 'created_by' | 'last_updated_by';
      op: '=' | '!=' | 'LIKE' | 'ILIKE';
      value: string;
    }
  | {
      on: 'attribute';
      column: 'created_time' | 'last_update_time';
      op: '=' | '!=' | '<' | '<=' | '>' | '>=';
      value: number;
    }
  | { on: 'tag'; key: string; op: '=' | '!=' | 'LIKE' | 'ILIKE'; value: string };

const STRING_COLUMNS = ['name', 'created_by', 'last_updated_by'] as const;
const NUMERIC_COLUMNS = ['created_time', 'last_update_time'] as const;
const STRING_OPS = ['=', '!=', 'LIKE', 'ILIKE'] as const;
const NUMERIC_OPS = ['=', '!=', '<', '<=', '>', '>='] as const;

function quoted(n: Node): string | undefined {
  if (n.type !== 'lex' || n.lex.kind !== 'string') return undefined;
  const m = /^'([^'\\]*)'$/.exec(n.text);
  return m ? m[1] : undefined;
}

function integer(n: Node): number | undefined {
  if (n.type !== 'lex' || n.lex.kind !== 'int' || !/^\d{1,15}$/.test(n.text)) return undefined;
  return Number(n.text);
}

function clause(parts: Node[]): EvaluationDatasetFilter | undefined {
  if (parts.length !== 3) return undefined;
  const [left, opNode, right] = parts as [Node, Node, Node];
  if (left.type !== 'identifier' || opNode.type !== 'lex') return undefined;
  const op = opNode.text;
  const key = left.text;
  const str = quoted(right);
  const tag = /^tags\.([A-Za-z0-9_]+)$/.exec(key);
  if (tag) {
    const sop = STRING_OPS.find((o) => o === op);
    return sop !== undefined && str !== undefined
      ? { on: 'tag', key: tag[1]!, op: sop, value: str }
      : undefined;
  }
  const scol = STRING_COLUMNS.find((c) => c === key);
  if (scol !== undefined) {
    const sop = STRING_OPS.find((o) => o === op);
    return sop !== undefined && str !== undefined
      ? { on: 'attribute', column: scol, op: sop, value: str }
      : undefined;
  }
  const ncol = NUMERIC_COLUMNS.find((c) => c === key);
  const num = integer(right);
  const nop = NUMERIC_OPS.find((o) => o === op);
  if (ncol !== undefined && nop !== undefined && num !== undefined) {
    return { on: 'attribute', column: ncol, op: nop, value: num };
  }
  return undefined;
}

/** The clauses of a filter in the plain subset, or undefined for anything else. */
export function planEvaluationDatasetFilter(filter: string): EvaluationDatasetFilter[] | undefined {
  let comparisons: Node[][];
  try {
    comparisons = filterComparisons(filter, false);
  } catch {
    return undefined;
  }
  if (comparisons.length === 0) return undefined;
  const out: EvaluationDatasetFilter[] = [];
  for (const parts of comparisons) {
    const c = clause(parts);
    if (c === undefined) return undefined;
    out.push(c);
  }
  return out;
}
