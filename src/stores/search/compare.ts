/**
 * One comparison `<expr> <op> <value>` as MLflow's SQL store writes it per dialect
 * (`SearchUtils.get_sql_comparison_func`): LIKE is case-sensitive everywhere (SQLite connections
 * run with PRAGMA case_sensitive_like, PostgreSQL LIKE is), ILIKE is native on PostgreSQL and
 * `lower(x) LIKE lower(y)` on SQLite (SQLAlchemy's rendering of `ilike`).
 */
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { DialectName } from '../dialects/dialect.js';
import type { CompareOp } from './types.js';

export function compare(
  dialect: DialectName,
  expr: RawBuilder<unknown>,
  op: CompareOp,
  value: string | number | readonly string[] | readonly number[],
): RawBuilder<SqlBool> {
  if (op === 'IN' || op === 'NOT IN') {
    const list = (Array.isArray(value) ? value : [value]) as readonly (string | number)[];
    const items = sql.join(list.map((v) => sql.val(v)));
    return op === 'IN' ? sql<SqlBool>`(${expr} IN (${items}))` : sql<SqlBool>`(${expr} NOT IN (${items}))`;
  }
  // PostgreSQL types an untyped parameter after its column: a fractional bound against a BIGINT
  // column (start_time > 1.5) must be sent as a double, as SQLAlchemy's float literal is.
  const v =
    dialect === 'postgresql' && typeof value === 'number' && !Number.isInteger(value)
      ? sql`CAST(${sql.val(value)} AS double precision)`
      : sql.val(value as string | number);
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
      return dialect === 'postgresql'
        ? sql<SqlBool>`(${expr} ILIKE ${v})`
        : sql<SqlBool>`(lower(${expr}) LIKE lower(${v}))`;
  }
}

/** Boolean literal for comparisons against boolean columns (is_nan). */
export function boolLit(dialect: DialectName, b: boolean): RawBuilder<unknown> {
  return dialect === 'postgresql' ? sql.raw(b ? 'true' : 'false') : sql.raw(b ? '1' : '0');
}
