/** PostgreSQL's spelling of the shared builders' SQL pieces (see DialectSql). */
import { sql, type SqlBool } from 'kysely';
import type { DialectSql } from '../dialect.js';

export const postgresSql: DialectSql = {
  /**
   * Column arrays cost PostgreSQL a type lookup per column per run where an array or object per
   * row costs one per value.
   */
  jsonColumns(table, cols, where) {
    const aggs = cols.map((c) => sql`array_agg(${sql.ref(`x.${c}`)})`);
    return sql`(SELECT json_build_array(${sql.join(aggs)})::text FROM ${sql.raw(table)} x WHERE ${sql.raw(where)})`;
  },
  ilike: (expr, value) => sql<SqlBool>`(${expr} ILIKE ${value})`,
  rlike: (expr, value) => sql<SqlBool>`(${expr} ~ ${value})`,
  percentileAggregate: (column, percentile) =>
    `percentile_cont(${String(percentile / 100)}) WITHIN GROUP (ORDER BY ${column})`,
  // PostgreSQL types an untyped parameter after its column: a fractional bound against a BIGINT
  // column (start_time > 1.5) must be sent as a double, as SQLAlchemy's float literal is.
  stringCompare: (expr, op, value) => sql<SqlBool>`(${expr} ${sql.raw(op)} ${value})`,
  stringIn: (expr, op, items) => sql<SqlBool>`(${expr} ${sql.raw(op)} (${items}))`,
  sortNullsLast: (expr, ascending) => sql`${expr} ${sql.raw(ascending ? 'ASC' : 'DESC')} NULLS LAST`,
  intDiv: (a, b) => sql`(${a} / ${b})`,
  castInt64: (expr) => sql`CAST(${expr} AS BIGINT)`,
  numberParam: (value) =>
    Number.isInteger(value) ? sql.val(value) : sql`CAST(${sql.val(value)} AS double precision)`,
  boolLiteral: (value) => sql.raw(value ? 'true' : 'false'),
  firstPerGroup(table, cols, where, partition, order) {
    const part = partition.map((c) => `r.${c}`).join(', ');
    const list = cols.map((c) => `r.${c}`).join(', ');
    return sql`(SELECT DISTINCT ON (${sql.raw(part)}) ${sql.raw(list)} FROM ${sql.raw(table)} r WHERE ${where} ORDER BY ${sql.raw(part)}, ${sql.raw(order)})`;
  },
};
