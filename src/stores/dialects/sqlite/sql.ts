/** SQLite's spelling of the shared builders' SQL pieces (see DialectSql). */
import { sql, type SqlBool } from 'kysely';
import type { DialectSql } from '../dialect.js';
import { firstPerGroupByRowNumber } from '../row-number.js';

export const sqliteSql: DialectSql = {
  jsonColumns(table, cols, where) {
    const aggs = cols.map((c) => sql`json_group_array(${sql.ref(`x.${c}`)} ORDER BY x.rowid)`);
    return sql`(SELECT json_array(${sql.join(aggs)}) FROM ${sql.raw(table)} x WHERE ${sql.raw(where)})`;
  },
  // SQLAlchemy renders ilike as lower(x) LIKE lower(y) on SQLite.
  ilike: (expr, value) => sql<SqlBool>`(lower(${expr}) LIKE lower(${value}))`,
  rlike: (expr, value) => sql<SqlBool>`(${expr} REGEXP ${value})`,
  // The aggregate registered on each connection (sqlite/percentile.ts), as MLflow registers its own.
  percentileAggregate: (column, percentile) => `percentile(${column}, ${String(percentile)})`,
  stringCompare: (expr, op, value) => sql<SqlBool>`(${expr} ${sql.raw(op)} ${value})`,
  stringIn: (expr, op, items) => sql<SqlBool>`(${expr} ${sql.raw(op)} (${items}))`,
  sortNullsLast: (expr, ascending) => sql`${expr} ${sql.raw(ascending ? 'ASC' : 'DESC')} NULLS LAST`,
  intDiv: (a, b) => sql`(${a} / ${b})`,
  castInt64: (expr) => sql`CAST(${expr} AS BIGINT)`,
  numberParam: (value) => sql.val(value),
  boolLiteral: (value) => sql.raw(value ? '1' : '0'),
  firstPerGroup: firstPerGroupByRowNumber,
};
