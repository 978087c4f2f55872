/** Registered models: SqlAlchemyStore (model_registry) create / get / update / rename / delete / tags. */
import { MlflowError } from '../../errors/mlflow-error.js';
import type { RegisteredModel } from '../../gen/messages.js';
import { reprStr } from '../../py/repr.js';
import { driverErrorMessage } from '../driver-error.js';
import { IS_PROMPT_TAG_KEY, nowMillis, WORKSPACE, type RegistryContext, type RegistryDb } from './context.js';
import { registeredModelEntity, type RegisteredModelRow, type TagRow } from './entities.js';
import {
  latestVersionRows,
  registeredModelAliases,
  type LatestOrder,
  registeredModelTags,
  versionEntities,
} from './loaders.js';

export type FoundModel = RegisteredModelRow & { prompt_tag: string | null };

export const modelNotFound = (name: string): MlflowError =>
  MlflowError.notFound(`Registered Model with name=${name} not found`);

/** `_get_registered_model`, with the is_prompt tag read alongside (for `_is_prompt`). */
export async function findModel(db: RegistryDb, name: string): Promise<FoundModel> {
  const row = await db
    .selectFrom('registered_models as rm')
    .selectAll('rm')
    .select((eb) =>
      eb
        .selectFrom('registered_model_tags as t')
        .select('t.value')
        .whereRef('t.workspace', '=', 'rm.workspace')
        .whereRef('t.name', '=', 'rm.name')
        .where('t.key', '=', IS_PROMPT_TAG_KEY)
        .as('prompt_tag'),
    )
    .where('rm.workspace', '=', WORKSPACE)
    .where('rm.name', '=', name)
    .executeTakeFirst();
  if (!row) throw modelNotFound(name);
  return row;
}

export const isPromptModel = (m: FoundModel): boolean => (m.prompt_tag ?? 'false').toLowerCase() === 'true';

/** Tags deduplicated by key as the store's dict does (last value wins, first position kept). */
export function dedupeTags(tags: readonly TagRow[]): TagRow[] {
  const byKey = new Map<string, string | null>();
  for (const t of tags) byKey.set(t.key, t.value);
  return [...byKey].map(([key, value]) => ({ key, value }));
}

/** RegisteredModel entities for rows: latest versions, tags and aliases loaded set-based. */
export async function modelEntities(
  db: RegistryDb,
  rows: readonly RegisteredModelRow[],
  order: LatestOrder = 'first-seen',
): Promise<RegisteredModel[]> {
  const names = rows.map((r) => r.name);
  const [latest, tags, aliases] = await Promise.all([
    latestVersionRows(db, names, order),
    registeredModelTags(db, names),
    registeredModelAliases(db, names),
  ]);
  const latestRows = names.flatMap((n) => latest.get(n) ?? []);
  const versions = await versionEntities(db, latestRows);
  let i = 0;
  return rows.map((r) => {
    const own = latest.get(r.name) ?? [];
    const mine = versions.slice(i, i + own.length);
    i += own.length;
    return registeredModelEntity(r, mine, tags.get(r.name) ?? [], aliases.get(r.name) ?? []);
  });
}

/** handle_resource_already_exist_error: a model and a prompt may not share a name. */
function alreadyExists(name: string, existingIsPrompt: boolean, newIsPrompt: boolean): MlflowError {
  const oldEntity = existingIsPrompt ? 'Prompt' : 'Registered Model';
  const newEntity = newIsPrompt ? 'Prompt' : 'Registered Model';
  if (oldEntity !== newEntity) {
    return new MlflowError(
      `Tried to create a ${newEntity.toLowerCase()} with name ${reprStr(name)}, but the name is already taken ` +
        `by a ${oldEntity.toLowerCase()}. MLflow does not allow creating a model and a prompt with the same name.`,
      'RESOURCE_ALREADY_EXISTS',
    );
  }
  return new MlflowError(`${newEntity} (name=${name}) already exists.`, 'RESOURCE_ALREADY_EXISTS');
}

export async function createRegisteredModel(
  ctx: RegistryContext,
  name: string,
  tags: readonly TagRow[],
  description: string | null,
): Promise<RegisteredModel> {
  const now = nowMillis();
  const unique = dedupeTags(tags);
  try {
    await ctx.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('registered_models')
        .values({ workspace: WORKSPACE, name, creation_time: now, last_updated_time: now, description })
        .execute();
      if (unique.length) {
        await trx
          .insertInto('registered_model_tags')
          .values(unique.map((t) => ({ workspace: WORKSPACE, name, key: t.key, value: t.value })))
          .execute();
      }
    });
  } catch (err) {
    if (!ctx.dialect.isUniqueViolation(err)) throw err;
    // has_prompt_tag: the existing model's tag dict has the key / a new tag has the key.
    const existing = await registeredModelTags(ctx.db, [name]);
    const existingIsPrompt = (existing.get(name) ?? []).some((t) => t.key === IS_PROMPT_TAG_KEY);
    throw alreadyExists(
      name,
      existingIsPrompt,
      tags.some((t) => t.key === IS_PROMPT_TAG_KEY),
    );
  }
  const row: RegisteredModelRow = {
    workspace: WORKSPACE,
    name,
    creation_time: now,
    last_updated_time: now,
    description,
  };
  return registeredModelEntity(row, [], unique, []);
}

/** The model with its latest versions, tags and aliases: the reads go out together (two round trips). */
export async function getRegisteredModel(ctx: RegistryContext, name: string): Promise<RegisteredModel> {
  const [row, latest, tags, aliases] = await Promise.all([
    findModel(ctx.db, name),
    latestVersionRows(ctx.db, [name]),
    registeredModelTags(ctx.db, [name]),
    registeredModelAliases(ctx.db, [name]),
  ]);
  const versions = await versionEntities(ctx.db, latest.get(name) ?? []);
  return registeredModelEntity(row, versions, tags.get(name) ?? [], aliases.get(name) ?? []);
}

export async function updateRegisteredModel(
  ctx: RegistryContext,
  name: string,
  description: string | null,
): Promise<RegisteredModel> {
  return ctx.db.transaction().execute(async (trx) => {
    const row = await findModel(trx, name);
    const now = nowMillis();
    await trx
      .updateTable('registered_models')
      .set({ description, last_updated_time: now })
      .where('workspace', '=', WORKSPACE)
      .where('name', '=', name)
      .execute();
    return (await modelEntities(trx, [{ ...row, description, last_updated_time: now }]))[0]!;
  });
}

/**
 * rename_registered_model: the model's name and every version's (the schema's ON UPDATE CASCADE
 * carries the name to versions, tags and aliases), each version's last_updated_time bumped.
 */
export async function renameRegisteredModel(
  ctx: RegistryContext,
  name: string,
  newName: string,
): Promise<RegisteredModel> {
  return ctx.db.transaction().execute(async (trx) => {
    const row = await findModel(trx, name);
    const now = nowMillis();
    try {
      await trx
        .updateTable('registered_models')
        .set({ name: newName, last_updated_time: now })
        .where('workspace', '=', WORKSPACE)
        .where('name', '=', name)
        .execute();
    } catch (err) {
      if (!ctx.dialect.isUniqueViolation(err)) throw err;
      throw new MlflowError(
        `Registered Model (name=${newName}) already exists. Error: ${driverErrorMessage(err)}`,
        'RESOURCE_ALREADY_EXISTS',
      );
    }
    await trx
      .updateTable('model_versions')
      .set({ last_updated_time: now })
      .where('workspace', '=', WORKSPACE)
      .where('name', '=', newName)
      .execute();
    return (await modelEntities(trx, [{ ...row, name: newName, last_updated_time: now }]))[0]!;
  });
}

/** delete_registered_model: the model with its versions, their tags, its tags and aliases. */
export async function deleteRegisteredModel(ctx: RegistryContext, name: string): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    await findModel(trx, name);
    for (const table of [
      'model_version_tags',
      'registered_model_aliases',
      'model_versions',
      'registered_model_tags',
    ] as const) {
      await trx.deleteFrom(table).where('workspace', '=', WORKSPACE).where('name', '=', name).execute();
    }
    await trx
      .deleteFrom('registered_models')
      .where('workspace', '=', WORKSPACE)
      .where('name', '=', name)
      .execute();
  });
}

/** set_registered_model_tag (merge). Resolves to whether the model is a prompt (after the write). */
export async function setRegisteredModelTag(
  ctx: RegistryContext,
  name: string,
  key: string,
  value: string,
): Promise<boolean> {
  return ctx.db.transaction().execute(async (trx) => {
    const model = await findModel(trx, name);
    await trx
      .insertInto('registered_model_tags')
      .values({ workspace: WORKSPACE, name, key, value })
      .onConflict((oc) => oc.columns(['workspace', 'key', 'name']).doUpdateSet({ value }))
      .execute();
    return key === IS_PROMPT_TAG_KEY ? value.toLowerCase() === 'true' : isPromptModel(model);
  });
}

/** delete_registered_model_tag: a missing tag is not an error. Resolves to whether the model is a prompt. */
export async function deleteRegisteredModelTag(
  ctx: RegistryContext,
  name: string,
  key: string,
): Promise<boolean> {
  return ctx.db.transaction().execute(async (trx) => {
    const model = await findModel(trx, name);
    await trx
      .deleteFrom('registered_model_tags')
      .where('workspace', '=', WORKSPACE)
      .where('name', '=', name)
      .where('key', '=', key)
      .execute();
    return key === IS_PROMPT_TAG_KEY ? false : isPromptModel(model);
  });
}
