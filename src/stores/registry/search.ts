/**
 * search_registered_models / search_model_versions as the SQL store runs them: attribute
 * predicates on the row, tag predicates grouped per key (a row matches when every key's group
 * matches: GROUP BY ... HAVING count = number of keys), prompts left out unless the filter asks for
 * them, then order, offset and limit (one more row than asked, to know whether a page follows).
 */
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { ModelVersion, RegisteredModel } from '../../gen/messages.js';
import { compare } from '../search/compare.js';
import type { CompareOp } from '../search/types.js';
import { IS_PROMPT_TAG_KEY, STAGE_DELETED_INTERNAL, WORKSPACE, type RegistryContext } from './context.js';
import type { ModelVersionRow, RegisteredModelRow } from './entities.js';
import { versionEntities } from './loaders.js';
import { modelEntities } from './registered-models.js';

export interface AttributePredicate<C extends string> {
  column: C;
  op: CompareOp;
  value: string | number | readonly string[];
}

export interface TagPredicate {
  key: string;
  op: CompareOp;
  value: string;
}

export interface RegistrySearchQuery<C extends string, S extends string> {
  attributes: readonly AttributePredicate<C>[];
  /** Tag predicates, all of which must hold (several may name one key). */
  tags: readonly TagPredicate[];
  /** False: rows of prompts (the is_prompt tag 'true') are left out. */
  includePrompts: boolean;
  orderBy: readonly { column: S; ascending: boolean }[];
  offset: number;
  /** Rows to read (max_results + 1). */
  limit: number;
}

export type ModelColumn = 'name';
export type ModelSortColumn = 'name' | 'last_updated_time';
export type VersionColumn = 'name' | 'version' | 'run_id' | 'source';
export type VersionSortColumn = 'name' | 'version' | 'creation_time' | 'last_updated_time';

function conditions<C extends string>(
  ctx: RegistryContext,
  alias: string,
  q: RegistrySearchQuery<C, string>,
  tagTable: 'registered_model_tags' | 'model_version_tags',
  keyColumns: readonly string[],
): RawBuilder<SqlBool>[] {
  const d = ctx.dialect.sql;
  const col = (c: string) => sql.ref(`${alias}.${c}`);
  const out: RawBuilder<SqlBool>[] = [sql<SqlBool>`${col('workspace')} = ${WORKSPACE}`];
  for (const a of q.attributes) {
    // The INTEGER version column read as BIGINT: a bound beyond 32 bits compares, as MLflow's
    // literal does, instead of failing the parameter's type on PostgreSQL.
    const expr = a.column === 'version' ? d.castInt64(col(a.column)) : col(a.column);
    out.push(compare(d, expr, a.op, a.value as string));
  }
  const join = (t: string) =>
    sql.join(
      keyColumns.map((k) => sql`${sql.ref(`${t}.${k}`)} = ${col(k)}`),
      sql` AND `,
    );
  const table = sql.table(tagTable);
  if (!q.includePrompts) {
    out.push(sql<SqlBool>`NOT EXISTS (SELECT 1 FROM ${table} p WHERE p.workspace = ${col('workspace')}
      AND p.name = ${col('name')} AND p.key = ${IS_PROMPT_TAG_KEY} AND p.value = 'true')`);
  }
  const byKey = new Map<string, TagPredicate[]>();
  for (const t of q.tags) {
    // Without prompts asked for, the is_prompt tag's own conditions are dropped (the store pops them).
    if (!q.includePrompts && t.key === IS_PROMPT_TAG_KEY) continue;
    byKey.set(t.key, [...(byKey.get(t.key) ?? []), t]);
  }
  if (byKey.size) {
    const groups = [...byKey].map(([key, preds]) =>
      sql.join(
        [d.stringCompare(sql.ref('t.key'), '=', sql.val(key)), ...preds.map((p) => compare(d, sql.ref('t.value'), p.op, p.value))],
        sql` AND `,
      ),
    );
    const ors = sql.join(
      groups.map((g) => sql`(${g})`),
      sql` OR `,
    );
    out.push(sql<SqlBool>`(SELECT count(*) FROM ${table} t WHERE t.workspace = ${col('workspace')}
      AND ${join('t')} AND (${ors})) = ${byKey.size}`);
  }
  return out;
}

function orderClause(alias: string, orderBy: readonly { column: string; ascending: boolean }[]) {
  return sql.join(
    orderBy.map((o) => sql`${sql.ref(`${alias}.${o.column}`)} ${sql.raw(o.ascending ? 'ASC' : 'DESC')}`),
  );
}

export async function searchRegisteredModels(
  ctx: RegistryContext,
  q: RegistrySearchQuery<ModelColumn, ModelSortColumn>,
): Promise<{ models: RegisteredModel[]; rows: number }> {
  const where = sql.join(conditions(ctx, 'rm', q, 'registered_model_tags', ['name']), sql` AND `);
  const rows = await sql<RegisteredModelRow>`SELECT rm.* FROM registered_models rm WHERE ${where}
    ORDER BY ${orderClause('rm', q.orderBy)} LIMIT ${q.limit} OFFSET ${q.offset}`.execute(ctx.db);
  return {
    models: await modelEntities(ctx.db, rows.rows, ctx.dialect.registry.searchLatestOrder),
    rows: rows.rows.length,
  };
}

export async function searchModelVersions(
  ctx: RegistryContext,
  q: RegistrySearchQuery<VersionColumn, VersionSortColumn>,
): Promise<{ versions: ModelVersion[]; rows: number }> {
  const where = sql.join(
    [
      ...conditions(ctx, 'mv', q, 'model_version_tags', ['name', 'version']),
      sql<SqlBool>`mv.current_stage != ${STAGE_DELETED_INTERNAL}`,
    ],
    sql` AND `,
  );
  const rows = await sql<ModelVersionRow>`SELECT mv.* FROM model_versions mv WHERE ${where}
    ORDER BY ${orderClause('mv', q.orderBy)} LIMIT ${q.limit} OFFSET ${q.offset}`.execute(ctx.db);
  return { versions: await versionEntities(ctx.db, rows.rows), rows: rows.rows.length };
}
