/** Model versions: SqlAlchemyStore (model_registry) create / get / update / stage / delete / tags. */
import { MlflowError } from '../../errors/mlflow-error.js';
import type { ModelVersion } from '../../gen/messages.js';
import {
  nowMillis,
  STAGE_ARCHIVED,
  STAGE_DELETED_INTERNAL,
  WORKSPACE,
  type RegistryContext,
  type RegistryDb,
} from './context.js';
import { modelVersionEntity, type ModelVersionRow, type TagRow } from './entities.js';
import { latestVersionRows, registeredModelAliases, versionEntities } from './loaders.js';
import { dedupeTags, findModel, isPromptModel, modelNotFound } from './registered-models.js';

const INT32_MAX = 2_147_483_647;

export const versionNotFound = (name: string, version: number): MlflowError =>
  MlflowError.notFound(`Model Version (name=${name}, version=${version}) not found`);

/** `_get_sql_model_version`: a live (not deleted) version, or RESOURCE_DOES_NOT_EXIST. */
export async function findVersion(db: RegistryDb, name: string, version: number): Promise<ModelVersionRow> {
  // Beyond the INTEGER column nothing can match (and PostgreSQL would refuse the bind).
  const row =
    Math.abs(version) > INT32_MAX
      ? undefined
      : await db
          .selectFrom('model_versions')
          .selectAll()
          .where('workspace', '=', WORKSPACE)
          .where('name', '=', name)
          .where('version', '=', version)
          .where('current_stage', '!=', STAGE_DELETED_INTERNAL)
          .executeTakeFirst();
  if (!row) throw versionNotFound(name, version);
  return row;
}

/** `_populate_model_version_aliases`: the aliases of the model that point at this version. */
async function withAliases(db: RegistryDb, row: ModelVersionRow): Promise<ModelVersion> {
  const [aliases, [mv]] = await Promise.all([
    registeredModelAliases(db, [row.name]),
    versionEntities(db, [row]),
  ]);
  const mine = (aliases.get(row.name) ?? []).filter((a) => a.version === row.version).map((a) => a.alias);
  if (mine.length) mv!.aliases = mine;
  return mv!;
}

export interface CreateVersionArgs {
  name: string;
  source: string;
  storageLocation: string;
  runId: string | null;
  runLink: string | null;
  description: string | null;
  tags: readonly TagRow[];
}

/** create_model_version: the next version number (deleted ones count), the model's time bumped. */
export async function createModelVersion(ctx: RegistryContext, a: CreateVersionArgs): Promise<ModelVersion> {
  const tags = dedupeTags(a.tags);
  // The store retries a lost race for the version number (CREATE_MODEL_VERSION_RETRIES).
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await ctx.db.transaction().execute(async (trx) => {
        await findModel(trx, a.name);
        const now = nowMillis();
        await trx
          .updateTable('registered_models')
          .set({ last_updated_time: now })
          .where('workspace', '=', WORKSPACE)
          .where('name', '=', a.name)
          .execute();
        const max = await trx
          .selectFrom('model_versions')
          .select((eb) => eb.fn.max('version').as('v'))
          .where('workspace', '=', WORKSPACE)
          .where('name', '=', a.name)
          .executeTakeFirst();
        const row: ModelVersionRow = {
          workspace: WORKSPACE,
          name: a.name,
          version: Number(max?.v ?? 0) + 1,
          creation_time: now,
          last_updated_time: now,
          description: a.description,
          user_id: null,
          current_stage: 'None',
          source: a.source,
          storage_location: a.storageLocation,
          run_id: a.runId,
          run_link: a.runLink,
          status: 'READY',
          status_message: null,
        };
        await trx.insertInto('model_versions').values(row).execute();
        if (tags.length) {
          await trx
            .insertInto('model_version_tags')
            .values(tags.map((t) => ({ workspace: WORKSPACE, name: a.name, version: row.version, ...t })))
            .execute();
        }
        const aliases = await registeredModelAliases(trx, [a.name]);
        const mine = (aliases.get(a.name) ?? []).filter((x) => x.version === row.version).map((x) => x.alias);
        return modelVersionEntity(row, tags, mine);
      });
    } catch (err) {
      if (!ctx.dialect.isUniqueViolation(err)) throw err;
    }
  }
  throw new MlflowError(`Model Version creation error (name=${a.name}). Giving up after 3 attempts.`);
}

export async function getModelVersion(
  ctx: RegistryContext,
  name: string,
  version: number,
): Promise<ModelVersion> {
  return withAliases(ctx.db, await findVersion(ctx.db, name, version));
}

/** update_model_version: the description is replaced (absent means cleared). */
export async function updateModelVersion(
  ctx: RegistryContext,
  name: string,
  version: number,
  description: string | null,
): Promise<ModelVersion> {
  return ctx.db.transaction().execute(async (trx) => {
    const row = await findVersion(trx, name, version);
    const now = nowMillis();
    await setVersion(trx, name, version, { description, last_updated_time: now });
    return withAliases(trx, { ...row, description, last_updated_time: now });
  });
}

function setVersion(
  db: RegistryDb,
  name: string,
  version: number,
  values: Partial<Omit<ModelVersionRow, 'workspace' | 'name' | 'version'>>,
) {
  return db
    .updateTable('model_versions')
    .set(values)
    .where('workspace', '=', WORKSPACE)
    .where('name', '=', name)
    .where('version', '=', version)
    .execute();
}

function touchModel(db: RegistryDb, name: string, now: number) {
  return db
    .updateTable('registered_models')
    .set({ last_updated_time: now })
    .where('workspace', '=', WORKSPACE)
    .where('name', '=', name)
    .execute();
}

/** transition_model_version_stage (stage already canonical); optionally archives the stage's others. */
export async function transitionModelVersionStage(
  ctx: RegistryContext,
  name: string,
  version: number,
  stage: string,
  archiveExisting: boolean,
): Promise<ModelVersion> {
  return ctx.db.transaction().execute(async (trx) => {
    const now = nowMillis();
    if (archiveExisting) {
      await trx
        .updateTable('model_versions')
        .set({ current_stage: STAGE_ARCHIVED, last_updated_time: now })
        .where('workspace', '=', WORKSPACE)
        .where('name', '=', name)
        .where('version', '!=', version)
        .where('current_stage', '=', stage)
        .execute();
    }
    const row = await findVersion(trx, name, version);
    await setVersion(trx, name, version, { current_stage: stage, last_updated_time: now });
    await touchModel(trx, name, now);
    return withAliases(trx, { ...row, current_stage: stage, last_updated_time: now });
  });
}

/** delete_model_version: a soft delete that redacts the row (tags stay), its aliases removed. */
export async function deleteModelVersion(ctx: RegistryContext, name: string, version: number): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    await findVersion(trx, name, version);
    const now = nowMillis();
    await touchModel(trx, name, now);
    await trx
      .deleteFrom('registered_model_aliases')
      .where('workspace', '=', WORKSPACE)
      .where('name', '=', name)
      .where('version', '=', version)
      .execute();
    await setVersion(trx, name, version, {
      current_stage: STAGE_DELETED_INTERNAL,
      last_updated_time: now,
      description: null,
      user_id: null,
      source: 'REDACTED-SOURCE-PATH',
      run_id: 'REDACTED-RUN-ID',
      run_link: 'REDACTED-RUN-LINK',
      status_message: null,
    });
  });
}

/** get_model_version_download_uri: the storage location, else the source. */
export async function getModelVersionDownloadUri(
  ctx: RegistryContext,
  name: string,
  version: number,
): Promise<string> {
  const row = await findVersion(ctx.db, name, version);
  return row.storage_location || row.source || '';
}

/** Whether the version's model is a prompt (read in the same transaction as a write). */
async function promptOf(db: RegistryDb, name: string): Promise<boolean> {
  return isPromptModel(await findModel(db, name));
}

export async function setModelVersionTag(
  ctx: RegistryContext,
  name: string,
  version: number,
  key: string,
  value: string,
): Promise<boolean> {
  return ctx.db.transaction().execute(async (trx) => {
    await findVersion(trx, name, version);
    await trx
      .insertInto('model_version_tags')
      .values({ workspace: WORKSPACE, name, version, key, value })
      .onConflict((oc) => oc.columns(['workspace', 'key', 'name', 'version']).doUpdateSet({ value }))
      .execute();
    return promptOf(trx, name);
  });
}

export async function deleteModelVersionTag(
  ctx: RegistryContext,
  name: string,
  version: number,
  key: string,
): Promise<boolean> {
  return ctx.db.transaction().execute(async (trx) => {
    await findVersion(trx, name, version);
    await trx
      .deleteFrom('model_version_tags')
      .where('workspace', '=', WORKSPACE)
      .where('name', '=', name)
      .where('version', '=', version)
      .where('key', '=', key)
      .execute();
    return promptOf(trx, name);
  });
}

/**
 * get_latest_versions: the latest live version of each stage, in the order the model's entity
 * lists them, with their aliases. `stages` (called once the model is found, as MLflow checks the
 * stage names only then) gives the canonical stages to keep; undefined means all.
 */
export async function getLatestVersions(
  ctx: RegistryContext,
  name: string,
  stages: () => ReadonlySet<string> | undefined,
): Promise<ModelVersion[]> {
  await findModel(ctx.db, name);
  const wanted = stages();
  const [latest, aliases] = await Promise.all([
    latestVersionRows(ctx.db, [name]),
    registeredModelAliases(ctx.db, [name]),
  ]);
  const rows = (latest.get(name) ?? []).filter(
    (r) => wanted === undefined || wanted.has(r.current_stage ?? ''),
  );
  const all = aliases.get(name) ?? [];
  return versionEntities(ctx.db, rows, (r) => all.filter((a) => a.version === r.version).map((a) => a.alias));
}

/** set_registered_model_alias (merge) onto a live version. Resolves to whether the model is a prompt. */
export async function setRegisteredModelAlias(
  ctx: RegistryContext,
  name: string,
  alias: string,
  version: number,
): Promise<boolean> {
  return ctx.db.transaction().execute(async (trx) => {
    await findVersion(trx, name, version);
    await trx
      .insertInto('registered_model_aliases')
      .values({ workspace: WORKSPACE, name, alias, version })
      .onConflict((oc) => oc.columns(['workspace', 'name', 'alias']).doUpdateSet({ version }))
      .execute();
    return promptOf(trx, name);
  });
}

export async function deleteRegisteredModelAlias(
  ctx: RegistryContext,
  name: string,
  alias: string,
): Promise<boolean> {
  return ctx.db.transaction().execute(async (trx) => {
    const model = await findModel(trx, name);
    await trx
      .deleteFrom('registered_model_aliases')
      .where('workspace', '=', WORKSPACE)
      .where('name', '=', name)
      .where('alias', '=', alias)
      .execute();
    return isPromptModel(model);
  });
}

/**
 * get_model_version_by_alias for a stored alias ('latest' is resolved by the caller): the model,
 * the alias and its version in one statement, then the version's tags and aliases together.
 */
export async function getModelVersionByAlias(
  ctx: RegistryContext,
  name: string,
  alias: string,
): Promise<ModelVersion> {
  const row = await ctx.db
    .selectFrom('registered_models as rm')
    .leftJoin('registered_model_aliases as a', (j) =>
      j.onRef('a.workspace', '=', 'rm.workspace').onRef('a.name', '=', 'rm.name').on('a.alias', '=', alias),
    )
    .leftJoin('model_versions as mv', (j) =>
      j
        .onRef('mv.workspace', '=', 'a.workspace')
        .onRef('mv.name', '=', 'a.name')
        .onRef('mv.version', '=', 'a.version')
        .on('mv.current_stage', '!=', STAGE_DELETED_INTERNAL),
    )
    .select(['a.version as alias_version'])
    .selectAll('mv')
    .where('rm.workspace', '=', WORKSPACE)
    .where('rm.name', '=', name)
    .executeTakeFirst();
  if (!row) throw modelNotFound(name);
  if (row.alias_version === null)
    throw MlflowError.invalidParameter(`Registered model alias ${alias} not found.`);
  if (row.version === null) throw versionNotFound(name, row.alias_version);
  const { alias_version: _v, ...mv } = row;
  return withAliases(ctx.db, mv as ModelVersionRow);
}
