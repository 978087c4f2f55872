/**
 * DialectSql.firstPerGroup as MLflow writes it (`ROW_NUMBER() OVER (PARTITION BY ... ORDER BY ...) = 1`),
 * for the engines without PostgreSQL's DISTINCT ON (SQLite, MySQL).
 */
import { sql, type RawBuilder } from 'kysely';

export function firstPerGroupByRowNumber(
  table: string,
  cols: readonly string[],
  where: RawBuilder<unknown>,
  partition: readonly string[],
  order: string,
): RawBuilder<unknown> {
  const part = partition.map((c) => `r.${c}`).join(', ');
  const list = cols.map((c) => `r.${c}`).join(', ');
  const out = cols.join(', ');
  return sql`(SELECT ${sql.raw(out)} FROM (SELECT ${sql.raw(list)}, ROW_NUMBER() OVER (PARTITION BY ${sql.raw(part)} ORDER BY ${sql.raw(order)}) AS row_num FROM ${sql.raw(table)} r WHERE ${where}) ranked WHERE ranked.row_num = 1)`;
}
