/**
 * searchRuns in SQL: one statement selects the page of run rows (filters as EXISTS sub-selects,
 * or as conditions on a sort key's join of the same key; sort keys as LEFT JOINs) together with
 * each run's metrics / params / tags / outputs (page-loader.ts).
 *
 * Equivalence with MLflow's `_search_runs`: MLflow inner-joins one filtered sub-select per
 * clause on the run id; each of those has at most one row per run (the tables are keyed by
 * (key, run_uuid)), and datasets are de-duplicated with DISTINCT, so EXISTS selects the same runs.
 * Sort keys reproduce `_get_orderby_clauses` (see sortSql): missing values (and NaN metrics,
 * before missing ones) last in either direction, then start_time DESC unless the user sorted on
 * it, then run_uuid.
 */
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { DialectSql, StoreDialect } from '../dialects/dialect.js';
import type { StoredRun as Run } from '../tracking/entities.js';
import { RUN_NAME_TAG } from '../tracking/constants.js';
import { compare } from './compare.js';
import { pageRuns, pageWithData } from './page-loader.js';
import type { RunPredicate, RunSearchQuery, RunSortKey } from './types.js';

const DATASET_CONTEXT_TAG = 'mlflow.data.context';
const INT32_MAX = 2_147_483_647;

/**
 * A value comparison on the row a sort key's LEFT JOIN already brought in (same table, same key):
 * (key, run_uuid) is each table's primary key, so that row is the one the EXISTS sub-select would
 * find, and the run qualifies exactly when the row is there and satisfies the comparison. The
 * run is then looked up once instead of twice (PostgreSQL's row estimate for a param filter is far
 * too low, so both lookups run as nested loops over every candidate run).
 */
function onSortJoin(alias: string, cond: RawBuilder<SqlBool>): RawBuilder<SqlBool> {
  return sql<SqlBool>`(${sql.ref(`${alias}.run_uuid`)} IS NOT NULL AND ${cond})`;
}

/** The alias of the first sort key joined on `on`'s table with `key`, if any. */
type SortAliasOf = (on: 'metric' | 'param' | 'tag', key: string) => string | undefined;

function predicateSql(d: StoreDialect, p: RunPredicate, sortAlias: SortAliasOf): RawBuilder<SqlBool> {
  const dn = d.sql;
  switch (p.on) {
    case 'column':
      return compare(dn, sql.ref(`runs.${p.column}`), p.op, p.value);
    case 'run_name_tag':
      return sql<SqlBool>`EXISTS (SELECT 1 FROM tags f WHERE f.run_uuid = runs.run_uuid AND ${dn.stringCompare(sql.ref('f.key'), '=', sql.val(RUN_NAME_TAG))} AND ${compare(dn, sql.ref('f.value'), p.op, p.value)})`;
    case 'metric': {
      // NaN is stored as value 0 with is_nan set: it satisfies only "!=" (MLflow's rule).
      const cond = (a: string) => {
        const v = compare(dn, sql.ref(`${a}.value`), p.op, p.value);
        const isNan = sql.ref(`${a}.is_nan`);
        return p.op === '!='
          ? sql<SqlBool>`(${v} OR ${isNan} = ${dn.boolLiteral(true)})`
          : sql<SqlBool>`(${v} AND ${isNan} = ${dn.boolLiteral(false)})`;
      };
      const alias = sortAlias(p.on, p.key);
      if (alias) return onSortJoin(alias, cond(alias));
      return sql<SqlBool>`EXISTS (SELECT 1 FROM latest_metrics f WHERE f.run_uuid = runs.run_uuid AND ${dn.stringCompare(sql.ref('f.key'), '=', sql.val(p.key))} AND ${cond('f')})`;
    }
    case 'param':
    case 'tag': {
      const table = sql.raw(p.on === 'param' ? 'params' : 'tags');
      if (!('value' in p)) {
        const exists = sql`EXISTS (SELECT 1 FROM ${table} f WHERE f.run_uuid = runs.run_uuid AND f.key = ${p.key})`;
        return p.op === 'IS NULL' ? sql<SqlBool>`(NOT ${exists})` : sql<SqlBool>`${exists}`;
      }
      const alias = sortAlias(p.on, p.key);
      if (alias) return onSortJoin(alias, compare(dn, sql.ref(`${alias}.value`), p.op, p.value));
      return sql<SqlBool>`EXISTS (SELECT 1 FROM ${table} f WHERE f.run_uuid = runs.run_uuid AND ${dn.stringCompare(sql.ref('f.key'), '=', sql.val(p.key))} AND ${compare(dn, sql.ref('f.value'), p.op, p.value)})`;
    }
    case 'dataset':
      if (p.field === 'context') {
        return sql<SqlBool>`EXISTS (SELECT 1 FROM datasets fd JOIN inputs fi ON fi.source_id = fd.dataset_uuid JOIN input_tags ft ON ft.input_uuid = fi.input_uuid AND ft.name = ${DATASET_CONTEXT_TAG} AND ${compare(dn, sql.ref('ft.value'), p.op, p.value)} WHERE fi.destination_id = runs.run_uuid)`;
      }
      return sql<SqlBool>`EXISTS (SELECT 1 FROM datasets fd JOIN inputs fi ON fi.source_id = fd.dataset_uuid WHERE fi.destination_id = runs.run_uuid AND ${compare(dn, sql.ref(`fd.${p.field}`), p.op, p.value)})`;
  }
}

/**
 * One user sort key: a join (for metric / param / tag keys), the columns the page subquery
 * exposes for it, and its ORDER BY terms given how its value is addressed (inside the page query,
 * or over the page subquery `p`). MLflow sorts by a CASE flag that puts missing values (and NaN
 * metrics, before missing ones) last in either direction, then by the value; the same order is
 * spelled with NULLS LAST so that the sort's first key is the value itself: a constant CASE as the
 * first key sent nearly every comparison of the top-N sort to the next key, which PostgreSQL reads
 * by walking the wide sorted tuple (5x the CPU of the whole page query on 10k runs).
 */
interface SortSql {
  join?: RawBuilder<unknown>;
  columns: RawBuilder<unknown>[];
  inner: RawBuilder<unknown>[];
  outer: RawBuilder<unknown>[];
}

function sortSql(dn: DialectSql, s: RunSortKey, i: number): SortSql {
  const term = (expr: RawBuilder<unknown>) => dn.sortNullsLast(expr, s.ascending);
  if (s.on === 'column') {
    return { columns: [], inner: [term(sql.ref(`runs.${s.column}`))], outer: [term(sql.ref(`p.${s.column}`))] };
  }
  const alias = `o${i}`;
  const table = sql.raw(s.on === 'metric' ? 'latest_metrics' : s.on === 'param' ? 'params' : 'tags');
  const join = sql`LEFT OUTER JOIN ${table} ${sql.raw(alias)} ON ${sql.ref(`${alias}.run_uuid`)} = runs.run_uuid AND ${sql.ref(`${alias}.key`)} = ${s.key}`;
  const v = sql.raw(`_s${i}v`);
  if (s.on !== 'metric') {
    return {
      join,
      columns: [sql`${sql.ref(`${alias}.value`)} AS ${v}`],
      inner: [term(sql.ref(`${alias}.value`))],
      outer: [term(sql.ref(`p._s${i}v`))],
    };
  }
  // The value when it is a number, else NULL (NaN or no such metric: both after every value),
  // then NaN before missing (is_nan is true / NULL there, equal among values).
  const n = sql.raw(`_s${i}n`);
  const terms = (value: RawBuilder<unknown>, isNan: RawBuilder<unknown>) => [
    term(sql`CASE WHEN ${isNan} THEN NULL ELSE ${value} END`),
    dn.sortNullsLast(isNan, false),
  ];
  return {
    join,
    columns: [sql`${sql.ref(`${alias}.value`)} AS ${v}`, sql`${sql.ref(`${alias}.is_nan`)} AS ${n}`],
    inner: terms(sql.ref(`${alias}.value`), sql.ref(`${alias}.is_nan`)),
    outer: terms(sql.ref(`p._s${i}v`), sql.ref(`p._s${i}n`)),
  };
}

/**
 * The runs of the page (at most `limit`) in search order, with their data, in one statement
 * (page-loader.ts).
 */
export async function searchRunPage(d: StoreDialect, q: RunSearchQuery): Promise<Run[]> {
  // Ids outside the INTEGER column's range match nothing (and PostgreSQL would refuse the bind).
  const experimentIds = q.experimentIds.filter((id) => Math.abs(id) <= INT32_MAX);
  if (experimentIds.length === 0 || q.lifecycleStages.length === 0) return [];
  const sortAlias: SortAliasOf = (on, key) => {
    const i = q.sort.findIndex((s) => s.on === on && s.key === key);
    return i < 0 ? undefined : `o${i + 1}`;
  };
  const where: RawBuilder<unknown>[] = [
    sql`runs.experiment_id IN (${sql.join(experimentIds.map((id) => sql.val(id)))})`,
    sql`runs.lifecycle_stage IN (${sql.join(q.lifecycleStages.map((s) => sql.val(s)))})`,
    ...q.predicates.map((p) => predicateSql(d, p, sortAlias)),
  ];
  const sorts = q.sort.map((s, i) => sortSql(d.sql, s, i + 1));
  const joins = sorts.flatMap((s) => (s.join ? [s.join] : []));
  const columns = [sql`runs.*`, ...sorts.flatMap((s) => s.columns)];
  const inner = sorts.flatMap((s) => s.inner);
  const outer = sorts.flatMap((s) => s.outer);
  // Then start_time DESC (plain, as MLflow appends it) unless the user sorted on it, then run_uuid.
  if (!q.sort.some((s) => s.on === 'column' && s.column === 'start_time')) {
    inner.push(sql`runs.start_time DESC`);
    outer.push(sql`p.start_time DESC`);
  }
  inner.push(sql`runs.run_uuid`);
  outer.push(sql`p.run_uuid`);
  const page = sql`SELECT ${sql.join(columns)} FROM runs ${sql.join(joins, sql` `)} WHERE ${sql.join(where, sql` AND `)} ORDER BY ${sql.join(inner)} LIMIT ${sql.val(q.limit)} OFFSET ${sql.val(q.offset)}`;
  const res = await pageWithData(d, page, outer).execute(d.db);
  return pageRuns(d, res.rows);
}
