/**
 * SqlAlchemyStore.search_datasets (the evaluation datasets of MLflow 3's GenAI evaluation, not
 * the run-input `datasets` table): one page of `evaluation_datasets` rows, optionally restricted
 * to the datasets associated with some experiments through `entity_associations`, with each
 * dataset's tags. The ORDER BY is MLflow's: the requested attributes, then `dataset_id DESC`
 * as tie-breaker. The tags are read as SQLAlchemy's selectin loader reads them (one query over
 * the page's ids, no ORDER BY), so that their order is the database's, as in MLflow.
 */
import { sql, type RawBuilder } from 'kysely';
import type { StoreContext } from './context.js';
import { compare } from '../search/compare.js';

/** One AND-ed filter clause (services/search/evaluation-dataset-filter.ts). */
export type EvaluationDatasetFilterClause =
  | {
      on: 'attribute';
      column: 'name' | 'created_by' | 'last_updated_by' | 'created_time' | 'last_update_time';
      op: '=' | '!=' | '<' | '<=' | '>' | '>=' | 'LIKE' | 'ILIKE';
      value: string | number;
    }
  | { on: 'tag'; key: string; op: '=' | '!=' | 'LIKE' | 'ILIKE'; value: string };

const EXPERIMENT = 'experiment';
const EVALUATION_DATASET = 'evaluation_dataset';
const SELECTIN_CHUNK = 500;

/** The attributes a search may sort on (SearchEvaluationDatasetsUtils.VALID_ORDER_BY_ATTRIBUTE_KEYS). */
export type EvaluationDatasetSortKey = 'name' | 'created_time' | 'last_update_time';

export interface EvaluationDatasetSearch {
  /** Undefined: every dataset; otherwise those linked to one of these experiment ids (strings as sent). */
  experimentIds?: readonly string[];
  filters?: readonly EvaluationDatasetFilterClause[];
  sort: readonly { key: EvaluationDatasetSortKey; ascending: boolean }[];
  offset: number;
  maxResults: number;
}

export interface EvaluationDatasetEntity {
  dataset_id: string;
  name: string;
  schema: string | null;
  profile: string | null;
  digest: string | null;
  created_time: number | null;
  last_update_time: number | null;
  created_by: string | null;
  last_updated_by: string | null;
  /** Key/value pairs in the order the database returned them. */
  tags: [string, string | null][];
}

interface DatasetRow {
  dataset_id: string;
  name: string;
  schema: string | null;
  profile: string | null;
  digest: string | null;
  created_time: number | string | bigint | null;
  last_update_time: number | string | bigint | null;
  created_by: string | null;
  last_updated_by: string | null;
}

const num = (v: number | string | bigint | null): number | null => (v === null ? null : Number(v));

export async function searchEvaluationDatasets(
  ctx: StoreContext,
  q: EvaluationDatasetSearch,
): Promise<{ datasets: EvaluationDatasetEntity[]; hasMore: boolean }> {
  const where: RawBuilder<unknown>[] = [];
  if (q.experimentIds !== undefined) {
    where.push(sql`evaluation_datasets.dataset_id IN (SELECT entity_associations.source_id
      FROM entity_associations
      WHERE entity_associations.destination_type = ${EXPERIMENT}
        AND entity_associations.destination_id IN (${sql.join(q.experimentIds.map((id) => sql`${id}`))})
        AND entity_associations.source_type = ${EVALUATION_DATASET})`);
  }
  for (const f of q.filters ?? []) {
    if (f.on === 'attribute') {
      where.push(compare(ctx.dialect.sql, sql.ref(`evaluation_datasets.${f.column}`), f.op, f.value));
    } else {
      // MLflow joins a subquery of the matching tag rows; (dataset_id, key) is the tags' primary
      // key, so at most one row joins per dataset and IN selects the same datasets.
      where.push(sql`evaluation_datasets.dataset_id IN (SELECT evaluation_dataset_tags.dataset_id
        FROM evaluation_dataset_tags
        WHERE ${compare(ctx.dialect.sql, sql.ref('evaluation_dataset_tags.key'), '=', f.key)}
          AND ${compare(ctx.dialect.sql, sql.ref('evaluation_dataset_tags.value'), f.op, f.value)})`);
    }
  }
  const order: RawBuilder<unknown>[] = q.sort.map(
    (s) => sql`${sql.ref(`evaluation_datasets.${s.key}`)} ${sql.raw(s.ascending ? 'ASC' : 'DESC')}`,
  );
  order.push(sql`evaluation_datasets.dataset_id DESC`);
  const whereSql = where.length > 0 ? sql`WHERE ${sql.join(where, sql` AND `)}` : sql``;
  const rows = await sql<DatasetRow>`SELECT evaluation_datasets.dataset_id, evaluation_datasets.name,
      ${sql.ref('evaluation_datasets.schema')}, evaluation_datasets.profile, evaluation_datasets.digest,
      evaluation_datasets.created_time, evaluation_datasets.last_update_time,
      evaluation_datasets.created_by, evaluation_datasets.last_updated_by
    FROM evaluation_datasets
    ${whereSql}
    ORDER BY ${sql.join(order)}
    LIMIT ${q.maxResults + 1} OFFSET ${q.offset}`.execute(ctx.db);
  const hasMore = rows.rows.length > q.maxResults;
  const page = rows.rows.slice(0, q.maxResults);
  const tags = new Map<string, [string, string | null][]>();
  // SQLAlchemy's selectin loader reads the tags of 500 parents per query.
  for (let i = 0; i < page.length; i += SELECTIN_CHUNK) {
    const tagRows = await ctx.db
      .selectFrom('evaluation_dataset_tags')
      .select(['dataset_id', 'key', 'value'])
      .where(
        'dataset_id',
        'in',
        page.slice(i, i + SELECTIN_CHUNK).map((r) => r.dataset_id),
      )
      .execute();
    for (const t of tagRows) {
      let list = tags.get(t.dataset_id);
      if (list === undefined) tags.set(t.dataset_id, (list = []));
      list.push([t.key, t.value]);
    }
  }
  return {
    hasMore,
    datasets: page.map((r) => ({
      dataset_id: r.dataset_id,
      name: r.name,
      schema: r.schema,
      profile: r.profile,
      digest: r.digest,
      created_time: num(r.created_time),
      last_update_time: num(r.last_update_time),
      created_by: r.created_by,
      last_updated_by: r.last_updated_by,
      tags: tags.get(r.dataset_id) ?? [],
    })),
  };
}

export const evaluationDatasetOperations = { searchEvaluationDatasets };
