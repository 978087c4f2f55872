/** Parsed search clauses, shaped like the dicts MLflow's SearchUtils returns. */

export type EntityType = 'metric' | 'parameter' | 'tag' | 'attribute' | 'dataset';

export type ClauseValue =
  /** string values (params, tags, string attributes, datasets) and metric values as typed */
  | { kind: 'string'; value: string }
  /** numeric attributes: int or float literal */
  | { kind: 'number'; value: number; isFloat: boolean }
  /** `IN (...)` / `NOT IN (...)` lists */
  | { kind: 'list'; value: string[] }
  /** IS NULL / IS NOT NULL */
  | { kind: 'none' };

export interface FilterClause {
  type: EntityType;
  key: string;
  /** As written in the filter (MLflow upper-cases it when translating). */
  comparator: string;
  value: ClauseValue;
}

export interface OrderByClause {
  type: EntityType;
  key: string;
  ascending: boolean;
}
