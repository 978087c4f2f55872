/**
 * searchLoggedModels in SQL (SqlAlchemyStore.search_logged_models): one statement for the page of
 * model rows, then the page's tags, params and metrics (loadModels).
 *
 * Equivalence with MLflow's query: MLflow inner-joins one sub-select per param / tag / metric
 * clause; each has at most one row per model (params and tags are keyed by (model_id, key), the
 * metric sub-select keeps each model's latest row), so EXISTS selects the same models. Metric
 * values are each model's latest row of that metric (highest step, then timestamp, then value),
 * ranked among the models of the searched experiments, as `_get_latest_logged_model_metrics_subquery`
 * does. Sort keys: missing values last in either direction, then creation time DESC and model id
 * unless the caller sorted on them.
 */
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { LoggedModel } from '../../gen/messages.js';
import type { StoreDialect } from '../dialects/dialect.js';
import { LIFECYCLE_DELETED } from '../tracking/constants.js';
import { loadModels, type LoggedModelRow } from '../tracking/logged-models.js';
import { compare } from './compare.js';
import type { LoggedModelPredicate, LoggedModelSearchQuery, MetricDatasetFilter } from './types.js';

const INT32_MAX = 2_147_483_647;

type Datasets = LoggedModelSearchQuery['datasets'];

/** `_get_logged_model_metric_datasets_filter` on alias `a` (undefined without datasets). */
function datasetsSql(a: string, datasets: Datasets): RawBuilder<SqlBool> | undefined {
  if (datasets.length === 0) return undefined;
  const one = datasets.map((d) => {
    const name = sql`${sql.ref(`${a}.dataset_name`)} = ${d.name}`;
    // The handler always passes a `dataset_digest` key, None when not given: `= NULL` in
    // SQLAlchemy is `IS NULL`.
    const digest =
      d.digest === null
        ? sql`${sql.ref(`${a}.dataset_digest`)} IS NULL`
        : sql`${sql.ref(`${a}.dataset_digest`)} = ${d.digest}`;
    return sql<SqlBool>`(${name} AND ${digest})`;
  });
  return sql<SqlBool>`(${sql.join(one, sql` OR `)})`;
}

/** The models of the searched experiments (an INTEGER column: out-of-range ids match nothing). */
function experimentsSql(col: string, ids: readonly number[]): RawBuilder<SqlBool> {
  const inRange = ids.filter((id) => Math.abs(id) <= INT32_MAX);
  if (inRange.length === 0) return sql<SqlBool>`(1 = 0)`;
  return sql<SqlBool>`${sql.ref(col)} IN (${sql.join(inRange.map((id) => sql.val(id)))})`;
}

/** Each model's latest row of metric `key` (columns model_id, metric_value). */
function latestMetricSql(
  d: StoreDialect,
  q: LoggedModelSearchQuery,
  key: string,
  own: MetricDatasetFilter | undefined,
): RawBuilder<unknown> {
  const conds: RawBuilder<unknown>[] = [sql`r.metric_name = ${key}`];
  const ds = datasetsSql('r', q.datasets);
  if (ds) conds.push(ds);
  if (own?.name !== undefined) conds.push(sql`r.dataset_name = ${own.name}`);
  if (own?.digest !== undefined) conds.push(sql`r.dataset_digest = ${own.digest}`);
  conds.push(
    sql`r.model_id IN (SELECT x.model_id FROM logged_models x WHERE ${experimentsSql('x.experiment_id', q.experimentIds)})`,
  );
  return d.sql.firstPerGroup(
    'logged_model_metrics',
    ['model_id', 'metric_value'],
    sql.join(conds, sql` AND `),
    ['model_id', 'metric_name'],
    'r.metric_step DESC, r.metric_timestamp_ms DESC, r.metric_value DESC',
  );
}

function predicateSql(d: StoreDialect, q: LoggedModelSearchQuery, p: LoggedModelPredicate): RawBuilder<SqlBool> {
  switch (p.on) {
    case 'column':
      return compare(d.sql, sql.ref(`m.${p.column}`), p.op, p.value as string | number | readonly string[]);
    case 'metric':
      return sql<SqlBool>`EXISTS (SELECT 1 FROM ${latestMetricSql(d, q, p.key, undefined)} l WHERE l.model_id = m.model_id AND ${compare(d.sql, sql.ref('l.metric_value'), p.op, p.value)})`;
    case 'param':
    case 'tag': {
      const [table, key, value] =
        p.on === 'param'
          ? ['logged_model_params', 'param_key', 'param_value']
          : ['logged_model_tags', 'tag_key', 'tag_value'];
      return sql<SqlBool>`EXISTS (SELECT 1 FROM ${sql.table(table)} f WHERE f.model_id = m.model_id AND ${sql.ref(`f.${key}`)} = ${p.key} AND ${compare(d.sql, sql.ref(`f.${value}`), p.op, p.value as string | number | readonly string[])})`;
    }
  }
}

export async function searchLoggedModelsInStore(d: StoreDialect, q: LoggedModelSearchQuery): Promise<LoggedModel[]> {
  const where: RawBuilder<unknown>[] = [
    ...q.predicates.map((p) => predicateSql(d, q, p)),
    sql`m.lifecycle_stage != ${LIFECYCLE_DELETED}`,
    experimentsSql('m.experiment_id', q.experimentIds),
  ];
  const ds = datasetsSql('dm', q.datasets);
  if (ds && q.requireDatasetMetric) {
    where.push(sql`EXISTS (SELECT 1 FROM logged_model_metrics dm WHERE dm.model_id = m.model_id AND ${ds})`);
  }
  const joins: RawBuilder<unknown>[] = [];
  const order: RawBuilder<unknown>[] = [];
  let hasCreation = false;
  let hasModelId = false;
  q.sort.forEach((s, i) => {
    const dir = sql.raw(s.ascending ? 'ASC' : 'DESC');
    let expr: RawBuilder<unknown>;
    if (s.on === 'column') {
      if (s.column === 'creation_timestamp_ms') hasCreation = true;
      if (s.column === 'model_id') hasModelId = true;
      expr = sql.ref(`m.${s.column}`);
    } else {
      const alias = `s${i}`;
      joins.push(sql`LEFT OUTER JOIN ${latestMetricSql(d, q, s.key, s.dataset)} ${sql.raw(alias)} ON ${sql.ref(`${alias}.model_id`)} = m.model_id`);
      expr = sql.ref(`${alias}.metric_value`);
    }
    order.push(sql`CASE WHEN ${expr} IS NULL THEN 1 ELSE 0 END ASC`, sql`${expr} ${dir}`);
  });
  if (!hasCreation) order.push(sql`m.creation_timestamp_ms DESC`);
  if (!hasModelId) order.push(sql`m.model_id ASC`);
  const stmt = sql<LoggedModelRow>`SELECT m.* FROM logged_models m ${sql.join(joins, sql` `)} WHERE ${sql.join(where, sql` AND `)} ORDER BY ${sql.join(order)} LIMIT ${sql.val(q.limit)} OFFSET ${sql.val(q.offset)}`;
  const rows = (await stmt.execute(d.db)).rows;
  return loadModels(d.db, rows);
}
