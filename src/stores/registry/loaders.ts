/**
 * Set-based loads of what hangs off registry rows (tags, aliases, latest versions per stage): one
 * statement per kind for any number of models / versions, never one per row. Rows come back in the
 * order the tables' indexes give them, as SQLAlchemy's relationship loads read them.
 */
import { sql, type RawBuilder } from 'kysely';
import type { ModelVersion } from '../../gen/messages.js';
import { STAGE_DELETED_INTERNAL, WORKSPACE, type RegistryDb } from './context.js';
import { modelVersionEntity, type ModelVersionRow, type TagRow } from './entities.js';

const group = <T>(rows: readonly T[], keyOf: (r: T) => string): Map<string, T[]> => {
  const out = new Map<string, T[]>();
  for (const r of rows) {
    const k = keyOf(r);
    const list = out.get(k);
    if (list) list.push(r);
    else out.set(k, [r]);
  }
  return out;
};

export const versionKey = (name: string, version: number): string => `${version}\0${name}`;

export async function registeredModelTags(
  db: RegistryDb,
  names: readonly string[],
): Promise<Map<string, TagRow[]>> {
  if (!names.length) return new Map();
  const rows = await db
    .selectFrom('registered_model_tags')
    .select(['name', 'key', 'value'])
    .where('workspace', '=', WORKSPACE)
    .where('name', 'in', [...names])
    .execute();
  return group(rows, (r) => r.name);
}

export async function registeredModelAliases(
  db: RegistryDb,
  names: readonly string[],
): Promise<Map<string, { alias: string; version: number }[]>> {
  if (!names.length) return new Map();
  const rows = await db
    .selectFrom('registered_model_aliases')
    .select(['name', 'alias', 'version'])
    .where('workspace', '=', WORKSPACE)
    .where('name', 'in', [...names])
    .execute();
  return group(rows, (r) => r.name);
}

/** Tags of the given versions, keyed by versionKey. */
export async function modelVersionTags(
  db: RegistryDb,
  versions: readonly { name: string; version: number }[],
): Promise<Map<string, TagRow[]>> {
  if (!versions.length) return new Map();
  const names = [...new Set(versions.map((v) => v.name))];
  const wanted = new Set(versions.map((v) => versionKey(v.name, v.version)));
  const q = db
    .selectFrom('model_version_tags')
    .select(['name', 'version', 'key', 'value'])
    .where('workspace', '=', WORKSPACE)
    .where('name', 'in', names);
  const only = versions.length === 1 ? versions[0]!.version : undefined;
  const rows = await (only === undefined ? q : q.where('version', '=', only)).execute();
  return group(
    rows.filter((r) => wanted.has(versionKey(r.name, r.version))),
    (r) => versionKey(r.name, r.version),
  );
}

/** Model versions with their tags; `aliasesOf` gives each version's aliases (none by default). */
export async function versionEntities(
  db: RegistryDb,
  rows: readonly ModelVersionRow[],
  aliasesOf: (row: ModelVersionRow) => string[] = () => [],
): Promise<ModelVersion[]> {
  const tags = await modelVersionTags(db, rows);
  return rows.map((r) => modelVersionEntity(r, tags.get(versionKey(r.name, r.version)) ?? [], aliasesOf(r)));
}

/**
 * How a model's latest versions are listed: as the entity's dict fills when the model is read
 * alone (stages by the first, lowest, version found in them), or as the search's window query
 * returns them (per dialect: StoreDialect.registry, registry/dialect-ops.ts).
 */
export type LatestOrder = 'first-seen' | 'stage' | 'version';

const ORDER_KEYS: Readonly<Record<LatestOrder, RawBuilder<unknown>>> = {
  'first-seen': sql`first_version`,
  stage: sql`current_stage`,
  version: sql`version`,
};

/** The latest version of each stage per model (deleted versions aside). */
export async function latestVersionRows(
  db: RegistryDb,
  names: readonly string[],
  order: LatestOrder = 'first-seen',
): Promise<Map<string, ModelVersionRow[]>> {
  if (!names.length) return new Map();
  const list = sql.join(names.map((n) => sql.val(n)));
  const rows = await sql<ModelVersionRow & { rn: number; first_version: number }>`
    SELECT * FROM (
      SELECT model_versions.*,
        ROW_NUMBER() OVER (PARTITION BY name, current_stage ORDER BY version DESC) AS rn,
        MIN(version) OVER (PARTITION BY name, current_stage) AS first_version
      FROM model_versions
      WHERE workspace = ${WORKSPACE} AND name IN (${list}) AND current_stage != ${STAGE_DELETED_INTERNAL}
    ) latest
    WHERE rn = 1
    ORDER BY name, ${ORDER_KEYS[order]}`.execute(db);
  return group(
    rows.rows.map(({ rn: _rn, first_version: _f, ...r }) => r as ModelVersionRow),
    (r) => r.name,
  );
}
