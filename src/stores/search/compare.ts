/**
 * One comparison `<expr> <op> <value>` as MLflow's SQL store writes it per dialect
 * (`SearchUtils.get_sql_comparison_func`): LIKE is case-sensitive everywhere (SQLite connections
 * run with PRAGMA case_sensitive_like, PostgreSQL LIKE is), ILIKE is native on PostgreSQL and
 * `lower(x) LIKE lower(y)` on SQLite and MySQL (SQLAlchemy's rendering of `ilike`). Strings are
 * compared exactly, case included, on every dialect (DialectSql.stringCompare: MySQL's BINARY).
 */
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { DialectSql } from '../dialects/dialect.js';
import type { CompareOp } from './types.js';

export function compare(
  dialect: DialectSql,
  expr: RawBuilder<unknown>,
  op: CompareOp,
  value: string | number | readonly string[] | readonly number[],
): RawBuilder<SqlBool> {
  if (op === 'IN' || op === 'NOT IN') {
    const list = (Array.isArray(value) ? value : [value]) as readonly (string | number)[];
    const items = sql.join(list.map((v) => sql.val(v)));
    if (list.length > 0 && typeof list[0] === 'string') return dialect.stringIn(expr, op, items);
    return op === 'IN' ? sql<SqlBool>`(${expr} IN (${items}))` : sql<SqlBool>`(${expr} NOT IN (${items}))`;
  }
  const v = typeof value === 'number' ? dialect.numberParam(value) : sql.val(value as string);
  if (typeof value === 'string' && (op === '=' || op === '!=' || op === 'LIKE')) {
    return dialect.stringCompare(expr, op, v);
  }
  switch (op) {
    case '=':
      return sql<SqlBool>`(${expr} = ${v})`;
    case '!=':
      return sql<SqlBool>`(${expr} != ${v})`;
    case '<':
      return sql<SqlBool>`(${expr} < ${v})`;
    case '<=':
      return sql<SqlBool>`(${expr} <= ${v})`;
    case '>':
      return sql<SqlBool>`(${expr} > ${v})`;
    case '>=':
      return sql<SqlBool>`(${expr} >= ${v})`;
    case 'LIKE':
      return sql<SqlBool>`(${expr} LIKE ${v})`;
    case 'ILIKE':
      return dialect.ilike(expr, v);
  }
}
