/**
 * searchExperiments in SQL (`SqlAlchemyStore._search_experiments`): attribute predicates on
 * `experiments`, tag predicates as EXISTS (MLflow inner-joins a per-clause sub-select keyed by
 * (key, experiment_id), which selects the same rows), the caller's sort keys, then the page's
 * tags in one query.
 */
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { StoreDialect } from '../dialects/dialect.js';
import type { ExperimentsTable } from '../tables.js';
import type { Selectable } from 'kysely';
import { experimentEntity } from '../tracking/experiments.js';
import type { StoredExperiment as Experiment } from '../tracking/entities.js';
import { compare } from './compare.js';
import type { ExperimentPredicate, ExperimentSearchQuery } from './types.js';

const INT32_MAX = 2_147_483_647;

/**
 * experiment_id is an INTEGER column: ids outside its range can never be equal to a row's id
 * (and PostgreSQL would refuse to bind them), so they are decided here.
 */
function experimentIdSql(
  d: StoreDialect,
  op: string,
  value: string | number | readonly number[],
): RawBuilder<SqlBool> {
  const all = (Array.isArray(value) ? value : [value]) as number[];
  const ids = all.filter((id) => Math.abs(id) <= INT32_MAX);
  const positive = op === '=' || op === 'IN';
  if (ids.length === 0) return positive ? sql<SqlBool>`(1 = 0)` : sql<SqlBool>`(1 = 1)`;
  const col = sql.ref('experiments.experiment_id');
  if (op === '=' || op === '!=') return compare(d.sql, col, op, ids[0]!);
  return compare(d.sql, col, positive ? 'IN' : 'NOT IN', ids);
}

function predicateSql(d: StoreDialect, p: ExperimentPredicate): RawBuilder<SqlBool> {
  if (p.on === 'column' && p.column === 'experiment_id') return experimentIdSql(d, p.op, p.value);
  if (p.on === 'column') return compare(d.sql, sql.ref(`experiments.${p.column}`), p.op, p.value);
  if (!('value' in p)) {
    const exists = sql`EXISTS (SELECT 1 FROM experiment_tags f WHERE f.experiment_id = experiments.experiment_id AND f.key = ${p.key})`;
    return p.op === 'IS NULL' ? sql<SqlBool>`(NOT ${exists})` : sql<SqlBool>`${exists}`;
  }
  return sql<SqlBool>`EXISTS (SELECT 1 FROM experiment_tags f WHERE f.experiment_id = experiments.experiment_id AND ${d.sql.stringCompare(sql.ref('f.key'), '=', sql.val(p.key))} AND ${compare(d.sql, sql.ref('f.value'), p.op, p.value)})`;
}

export async function searchExperimentsInStore(
  d: StoreDialect,
  q: ExperimentSearchQuery,
): Promise<Experiment[]> {
  if (q.lifecycleStages.length === 0) return [];
  const where: RawBuilder<unknown>[] = [
    sql`experiments.lifecycle_stage IN (${sql.join(q.lifecycleStages.map((s) => sql.val(s)))})`,
    ...q.predicates.map((p) => predicateSql(d, p)),
  ];
  const order = q.sort.map(
    (s) => sql`${sql.ref(`experiments.${s.column}`)} ${sql.raw(s.ascending ? 'ASC' : 'DESC')}`,
  );
  const stmt = sql<
    Selectable<ExperimentsTable>
  >`SELECT experiments.* FROM experiments WHERE ${sql.join(where, sql` AND `)} ORDER BY ${sql.join(order)} LIMIT ${sql.val(q.limit)} OFFSET ${sql.val(q.offset)}`;
  const rows = (await stmt.execute(d.db)).rows;
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.experiment_id);
  const tags = await d.tracking.experimentTags(ids);
  const byId = new Map<number, { key: string; value: string | null }[]>();
  for (const t of tags) {
    const list = byId.get(t.experiment_id);
    if (list) list.push(t);
    else byId.set(t.experiment_id, [t]);
  }
  return rows.map((r) => experimentEntity(r, byId.get(r.experiment_id) ?? []));
}
