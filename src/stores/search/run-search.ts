/**
 * searchRuns in SQL: one statement selects the page of run rows (filters as EXISTS sub-selects,
 * sort keys as LEFT JOINs), then page-loader.ts fetches metrics / params / tags / inputs /
 * outputs for the whole page with one query per table.
 *
 * Equivalence with MLflow's `_search_runs`: MLflow inner-joins one filtered sub-select per
 * clause on the run id; each of those has at most one row per run (the tables are keyed by
 * (key, run_uuid)), and datasets are de-duplicated with DISTINCT, so EXISTS selects the same runs.
 * Sort keys reproduce `_get_orderby_clauses`: a CASE that puts missing values (and NaN metrics,
 * before missing ones) last in either direction, then the value, then start_time DESC unless the
 * user sorted on it, then run_uuid.
 */
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { StoreDialect } from '../dialects/dialect.js';
import type { RunRow } from '../tracking/run-entities.js';
import type { Run } from '../tracking/entities.js';
import { boolLit, compare } from './compare.js';
import { loadPageRuns } from './page-loader.js';
import type { RunPredicate, RunSearchQuery, RunSortKey } from './types.js';

const DATASET_CONTEXT_TAG = 'mlflow.data.context';
const RUN_NAME_TAG = 'mlflow.runName';
const INT32_MAX = 2_147_483_647;

function predicateSql(d: StoreDialect, p: RunPredicate): RawBuilder<SqlBool> {
  const dn = d.name;
  switch (p.on) {
    case 'column':
      return compare(dn, sql.ref(`runs.${p.column}`), p.op, p.value);
    case 'run_name_tag':
      return sql<SqlBool>`EXISTS (SELECT 1 FROM tags f WHERE f.run_uuid = runs.run_uuid AND f.key = ${RUN_NAME_TAG} AND ${compare(dn, sql.ref('f.value'), p.op, p.value)})`;
    case 'metric': {
      // NaN is stored as value 0 with is_nan set: it satisfies only "!=" (MLflow's rule).
      const v = compare(dn, sql.ref('f.value'), p.op, p.value);
      const nan =
        p.op === '!='
          ? sql`(${v} OR f.is_nan = ${boolLit(dn, true)})`
          : sql`(${v} AND f.is_nan = ${boolLit(dn, false)})`;
      return sql<SqlBool>`EXISTS (SELECT 1 FROM latest_metrics f WHERE f.run_uuid = runs.run_uuid AND f.key = ${p.key} AND ${nan})`;
    }
    case 'param':
    case 'tag': {
      const table = sql.raw(p.on === 'param' ? 'params' : 'tags');
      if (!('value' in p)) {
        const exists = sql`EXISTS (SELECT 1 FROM ${table} f WHERE f.run_uuid = runs.run_uuid AND f.key = ${p.key})`;
        return p.op === 'IS NULL' ? sql<SqlBool>`(NOT ${exists})` : sql<SqlBool>`${exists}`;
      }
      return sql<SqlBool>`EXISTS (SELECT 1 FROM ${table} f WHERE f.run_uuid = runs.run_uuid AND f.key = ${p.key} AND ${compare(dn, sql.ref('f.value'), p.op, p.value)})`;
    }
    case 'dataset':
      if (p.field === 'context') {
        return sql<SqlBool>`EXISTS (SELECT 1 FROM datasets fd JOIN inputs fi ON fi.source_id = fd.dataset_uuid JOIN input_tags ft ON ft.input_uuid = fi.input_uuid AND ft.name = ${DATASET_CONTEXT_TAG} AND ${compare(dn, sql.ref('ft.value'), p.op, p.value)} WHERE fi.destination_id = runs.run_uuid)`;
      }
      return sql<SqlBool>`EXISTS (SELECT 1 FROM datasets fd JOIN inputs fi ON fi.source_id = fd.dataset_uuid WHERE fi.destination_id = runs.run_uuid AND ${compare(dn, sql.ref(`fd.${p.field}`), p.op, p.value)})`;
  }
}

interface SortSql {
  join?: RawBuilder<unknown>;
  terms: RawBuilder<unknown>[];
}

function sortSql(d: StoreDialect, s: RunSortKey, i: number): SortSql {
  const dir = sql.raw(s.ascending ? 'ASC' : 'DESC');
  if (s.on === 'column') {
    const col = sql.ref(`runs.${s.column}`);
    return { terms: [sql`CASE WHEN ${col} IS NULL THEN 1 ELSE 0 END`, sql`${col} ${dir}`] };
  }
  const alias = sql.raw(`o${i}`);
  const table = sql.raw(s.on === 'metric' ? 'latest_metrics' : s.on === 'param' ? 'params' : 'tags');
  const join = sql`LEFT OUTER JOIN ${table} ${alias} ON ${alias}.run_uuid = runs.run_uuid AND ${alias}.key = ${s.key}`;
  const value = sql`${alias}.value`;
  const flag =
    s.on === 'metric'
      ? sql`CASE WHEN ${alias}.is_nan = ${boolLit(d.name, true)} THEN 1 WHEN ${value} IS NULL THEN 2 ELSE 0 END`
      : sql`CASE WHEN ${value} IS NULL THEN 1 ELSE 0 END`;
  return { join, terms: [flag, sql`${value} ${dir}`] };
}

/** The page of run rows in search order (at most `limit`). */
export async function searchRunRows(d: StoreDialect, q: RunSearchQuery): Promise<RunRow[]> {
  // Ids outside the INTEGER column's range match nothing (and PostgreSQL would refuse the bind).
  const experimentIds = q.experimentIds.filter((id) => Math.abs(id) <= INT32_MAX);
  if (experimentIds.length === 0 || q.lifecycleStages.length === 0) return [];
  const where: RawBuilder<unknown>[] = [
    sql`runs.experiment_id IN (${sql.join(experimentIds.map((id) => sql.val(id)))})`,
    sql`runs.lifecycle_stage IN (${sql.join(q.lifecycleStages.map((s) => sql.val(s)))})`,
    ...q.predicates.map((p) => predicateSql(d, p)),
  ];
  const sorts = q.sort.map((s, i) => sortSql(d, s, i + 1));
  const joins = sorts.flatMap((s) => (s.join ? [s.join] : []));
  const order = sorts.flatMap((s) => s.terms);
  if (!q.sort.some((s) => s.on === 'column' && s.column === 'start_time'))
    order.push(sql`runs.start_time DESC`);
  order.push(sql`runs.run_uuid`);
  const stmt = sql<RunRow>`SELECT runs.* FROM runs ${sql.join(joins, sql` `)} WHERE ${sql.join(where, sql` AND `)} ORDER BY ${sql.join(order)} LIMIT ${sql.val(q.limit)} OFFSET ${sql.val(q.offset)}`;
  const res = await stmt.execute(d.db);
  return res.rows;
}

/** Full runs for a page of rows, in the same order (one query per table, see page-loader.ts). */
export async function loadSearchRuns(d: StoreDialect, rows: RunRow[]): Promise<Run[]> {
  return loadPageRuns(d, rows);
}
