/** MySQL's (and MariaDB's) spelling of the shared builders' SQL pieces (see DialectSql). */
import { sql, type SqlBool } from 'kysely';
import type { DialectSql } from '../dialect.js';
import { firstPerGroupByRowNumber } from '../row-number.js';

export const mysqlSql: DialectSql = {
  /**
   * JSON_ARRAYAGG feeds every aggregate of the group the same rows in the same order (the index
   * scan's), so the arrays line up. (MariaDB builds it on GROUP_CONCAT: the session raises
   * group_concat_max_len, see connection.ts.)
   */
  jsonColumns(table, cols, where) {
    const aggs = cols.map((c) => sql`JSON_ARRAYAGG(${sql.ref(`x.${c}`)})`);
    return sql`(SELECT JSON_ARRAY(${sql.join(aggs)}) FROM ${sql.raw(table)} x WHERE ${sql.raw(where)})`;
  },
  // SQLAlchemy renders ilike as lower(x) LIKE lower(y) on MySQL.
  ilike: (expr, value) => sql<SqlBool>`(lower(${expr}) LIKE lower(${value}))`,
  rlike: (expr, value) => sql<SqlBool>`(CAST(${expr} AS BINARY) REGEXP BINARY ${value})`,
  /**
   * The linear interpolation between the values ranked just below and just above the fraction,
   * as MLflow writes it; the fraction is a DOUBLE literal as PyMySQL renders a float (repr + e0).
   */
  percentileFromRank(value, rank, percentile) {
    const f = String(percentile / 100);
    const p = f.includes('e') ? f : `${f}e0`;
    const lowVal = `max(CASE WHEN (${rank} <= ${p}) THEN ${value} END)`;
    const hiVal = `min(CASE WHEN (${rank} >= ${p}) THEN ${value} END)`;
    const lowRank = `max(CASE WHEN (${rank} <= ${p}) THEN ${rank} END)`;
    const hiRank = `min(CASE WHEN (${rank} >= ${p}) THEN ${rank} END)`;
    return `coalesce(${lowVal} + (${hiVal} - ${lowVal}) * (${p} - ${lowRank}) / nullif(${hiRank} - ${lowRank}, 0), ${lowVal})`;
  },
  /**
   * MLflow's mysql_comparison_func (utils/search_utils.py): the collations MLflow's MySQL schema
   * uses ignore case (and trailing spaces), so each comparison is paired with a BINARY one; the
   * plain one first so that an index on the column can still narrow the rows.
   */
  stringCompare(expr, op, value) {
    switch (op) {
      case '=':
        return sql<SqlBool>`(${expr} = ${value} AND BINARY ${expr} = ${value})`;
      case '!=':
        return sql<SqlBool>`(${expr} != ${value} OR BINARY ${expr} != ${value})`;
      case 'LIKE':
        return sql<SqlBool>`(${expr} LIKE ${value} AND BINARY ${expr} LIKE ${value})`;
    }
  },
  stringIn: (expr, op, items) => sql<SqlBool>`(BINARY ${expr} ${sql.raw(op)} (${items}))`,
  // No NULLS LAST in MySQL: a leading "is NULL" key (false before true), as MLflow's CASE does.
  sortNullsLast: (expr, ascending) => sql`(${expr} IS NULL), ${expr} ${sql.raw(ascending ? 'ASC' : 'DESC')}`,
  intDiv: (a, b) => sql`(${a} DIV ${b})`,
  castInt64: (expr) => sql`CAST(${expr} AS SIGNED)`,
  numberParam: (value) => sql.val(value),
  boolLiteral: (value) => sql.raw(value ? '1' : '0'),
  firstPerGroup: firstPerGroupByRowNumber,
};
