import { MlflowError } from '../../errors/mlflow-error.js';
import { appendToUriPath, resolveUriIfLocal } from '../artifact-uri.js';
import { driverErrorMessage } from '../driver-error.js';
import type { ExperimentsTable } from '../tables.js';
import type { Selectable } from 'kysely';
import { nowMillis, type Db, type StoreContext } from './context.js';
import type { ViewType } from '../../gen/messages.js';
import type { StoredExperiment as Experiment } from './entities.js';
import {
  DEFAULT_EXPERIMENT_ID,
  DEFAULT_EXPERIMENT_NAME,
  DEFAULT_WORKSPACE,
  LIFECYCLE_ACTIVE,
  LIFECYCLE_DELETED,
  stagesFor,
} from './constants.js';
import { deleteAssessmentsOfRuns } from './run-cleanup.js';

export type ExperimentRow = Selectable<ExperimentsTable>;

export const INT32_MAX = 2_147_483_647;

/** mlflow.utils.validation._parse_experiment_id: Python int() of the string. */
export function parseExperimentId(id: string | number): number {
  if (typeof id === 'number' && Number.isInteger(id)) return id;
  const s = String(id).trim();
  if (/^[+-]?\d+(_\d+)*$/.test(s)) return Number(s.replace(/_/g, ''));
  throw MlflowError.invalidParameter(`Invalid experiment ID '${id}'. Experiment ID must be a valid integer.`);
}

/** SqlAlchemyStore._get_experiment: an empty id means the default experiment. */
export async function getExperimentRow(
  db: Db,
  experimentId: string | undefined,
  view: ViewType,
): Promise<ExperimentRow> {
  const id = parseExperimentId(experimentId || DEFAULT_EXPERIMENT_ID);
  // Out of the INTEGER column's range nothing can match (and PostgreSQL would refuse the bind).
  const row =
    Math.abs(id) > INT32_MAX
      ? undefined
      : await db
          .selectFrom('experiments')
          .selectAll()
          .where('experiment_id', '=', id)
          .where('lifecycle_stage', 'in', stagesFor(view))
          .executeTakeFirst();
  if (!row) throw experimentNotFound(id);
  return row;
}

export const experimentNotFound = (id: number): MlflowError =>
  MlflowError.notFound(`No Experiment with id=${id} exists`);

export async function toExperiment(db: Db, row: ExperimentRow): Promise<Experiment> {
  const tags = await db
    .selectFrom('experiment_tags')
    .select(['key', 'value'])
    .where('experiment_id', '=', row.experiment_id)
    .execute();
  return experimentEntity(row, tags);
}

/** Experiment.to_proto: creation/last-update times only when truthy; tags always (maybe empty). */
export function experimentEntity(
  row: ExperimentRow,
  tags: { key: string; value: string | null }[],
): Experiment {
  const exp: Experiment = { experiment_id: String(row.experiment_id), name: row.name };
  if (row.artifact_location !== null) exp.artifact_location = row.artifact_location;
  if (row.lifecycle_stage !== null) exp.lifecycle_stage = row.lifecycle_stage;
  if (row.last_update_time) exp.last_update_time = row.last_update_time;
  if (row.creation_time) exp.creation_time = row.creation_time;
  if (tags.length > 0) exp.tags = tags.map(kv);
  exp.workspace = row.workspace ?? DEFAULT_WORKSPACE;
  return exp;
}

function kv(t: { key: string; value: string | null }): NonNullable<Experiment['tags']>[number] {
  return t.value === null ? { key: t.key } : { key: t.key, value: t.value };
}

export function defaultArtifactLocation(ctx: StoreContext, experimentId: number | string): string {
  return appendToUriPath(ctx.artifactRoot, String(experimentId));
}

/**
 * SqlAlchemyStore._initialize_store_state: a single-tenant server refuses a database whose
 * experiments were assigned to other workspaces.
 */
export async function checkSingleTenant(ctx: StoreContext): Promise<void> {
  const other = await ctx.db
    .selectFrom('experiments')
    .select('experiment_id')
    .where('workspace', 'is not', null)
    .where('workspace', '!=', DEFAULT_WORKSPACE)
    .limit(1)
    .executeTakeFirst();
  if (other) {
    throw new MlflowError(
      'Cannot disable workspaces because experiments exist outside the default workspace (i.e., assigned to ' +
        'non-default workspaces). Enable workspace support (MLFLOW_ENABLE_WORKSPACES=true) or move those ' +
        'experiments back to the default workspace before starting the tracking store in single-tenant mode.',
      'INVALID_STATE',
    );
  }
}

/** SqlAlchemyStore._create_default_experiment: experiment 0 named Default, idempotent. */
export async function ensureDefaultExperiment(ctx: StoreContext): Promise<void> {
  const exists = await ctx.db
    .selectFrom('experiments')
    .select('experiment_id')
    .where('experiment_id', '=', 0)
    .executeTakeFirst();
  if (exists) return;
  const now = nowMillis();
  await ctx.db
    .insertInto('experiments')
    .values({
      experiment_id: 0,
      name: DEFAULT_EXPERIMENT_NAME,
      artifact_location: defaultArtifactLocation(ctx, 0),
      lifecycle_stage: LIFECYCLE_ACTIVE,
      creation_time: now,
      last_update_time: now,
      workspace: DEFAULT_WORKSPACE,
    })
    .onConflict((oc) => oc.doNothing())
    .execute();
}

export async function createExperiment(
  ctx: StoreContext,
  name: string,
  artifactLocation: string | undefined,
  tags: { key: string; value: string }[],
): Promise<string> {
  let location = artifactLocation || undefined;
  if (location) {
    location = resolveUriIfLocal(location);
    validateArtifactLocationLength(ctx, location);
  }
  try {
    return await ctx.db.transaction().execute(async (trx) => {
      const now = nowMillis();
      const inserted = await trx
        .insertInto('experiments')
        .values({
          name,
          workspace: DEFAULT_WORKSPACE,
          artifact_location: location ?? '',
          lifecycle_stage: LIFECYCLE_ACTIVE,
          creation_time: now,
          last_update_time: now,
        })
        .executeTakeFirstOrThrow();
      // The generated id: the driver reports it (SQLite, MySQL), else it is read back by the
      // name just inserted (unique in the workspace).
      const id =
        inserted.insertId !== undefined
          ? Number(inserted.insertId)
          : (
              await trx
                .selectFrom('experiments')
                .select('experiment_id')
                .where('workspace', '=', DEFAULT_WORKSPACE)
                .where('name', '=', name)
                .executeTakeFirstOrThrow()
            ).experiment_id;
      if (!location) {
        await trx
          .updateTable('experiments')
          .set({ artifact_location: defaultArtifactLocation(ctx, id) })
          .where('experiment_id', '=', id)
          .execute();
      }
      if (tags.length > 0) {
        await trx
          .insertInto('experiment_tags')
          .values(tags.map((t) => ({ experiment_id: id, key: t.key, value: t.value })))
          .execute();
      }
      return String(id);
    });
  } catch (err) {
    if (ctx.dialect.isUniqueViolation(err)) {
      throw new MlflowError(
        `Experiment(name=${name}) already exists. Error: ${driverErrorMessage(err)}`,
        'RESOURCE_ALREADY_EXISTS',
      );
    }
    throw err;
  }
}

function codePoints(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff || i === 0) n++;
    else {
      const p = s.charCodeAt(i - 1);
      if (p < 0xd800 || p > 0xdbff) n++;
    }
  }
  return n;
}

export function validateArtifactLocationLength(ctx: StoreContext, location: string): void {
  const max = ctx.artifactLocationMaxLength;
  // Code points, counted only when UTF-16 units could exceed the limit (no array of characters).
  if (location.length > max && codePoints(location) > max) {
    throw MlflowError.invalidParameter(
      'Invalid artifact path length. The length of the artifact path cannot be ' +
        `greater than ${max} characters. To configure this limit, please set the ` +
        'MLFLOW_ARTIFACT_LOCATION_MAX_LENGTH environment variable.',
    );
  }
}

export async function getExperiment(ctx: StoreContext, experimentId: string): Promise<Experiment> {
  const row = await getExperimentRow(ctx.db, experimentId, 'ALL');
  return toExperiment(ctx.db, row);
}

export async function getExperimentByName(ctx: StoreContext, name: string): Promise<Experiment | undefined> {
  const row = await ctx.db
    .selectFrom('experiments')
    .selectAll()
    .where('name', '=', name)
    .where('lifecycle_stage', 'in', stagesFor('ALL'))
    .executeTakeFirst();
  return row ? toExperiment(ctx.db, row) : undefined;
}

/** delete_experiment: the experiment and all of its runs become `deleted` (runs get deleted_time). */
export async function deleteExperiment(ctx: StoreContext, experimentId: string): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    const row = await getExperimentRow(trx, experimentId, 'ACTIVE_ONLY');
    const now = nowMillis();
    await trx
      .updateTable('experiments')
      .set({ lifecycle_stage: LIFECYCLE_DELETED, last_update_time: now })
      .where('experiment_id', '=', row.experiment_id)
      .execute();
    await deleteAssessmentsOfRuns(ctx, trx, row.experiment_id);
    await trx
      .updateTable('runs')
      .set({ lifecycle_stage: LIFECYCLE_DELETED, deleted_time: now })
      .where('experiment_id', '=', row.experiment_id)
      .execute();
  });
}

export async function restoreExperiment(ctx: StoreContext, experimentId: string): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    const row = await getExperimentRow(trx, experimentId, 'DELETED_ONLY');
    await trx
      .updateTable('experiments')
      .set({ lifecycle_stage: LIFECYCLE_ACTIVE, last_update_time: nowMillis() })
      .where('experiment_id', '=', row.experiment_id)
      .execute();
    await trx
      .updateTable('runs')
      .set({ lifecycle_stage: LIFECYCLE_ACTIVE, deleted_time: null })
      .where('experiment_id', '=', row.experiment_id)
      .execute();
  });
}

export async function renameExperiment(
  ctx: StoreContext,
  experimentId: string,
  newName: string,
): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    const row = await getExperimentRow(trx, experimentId, 'ALL');
    if (row.lifecycle_stage !== LIFECYCLE_ACTIVE) {
      throw new MlflowError('Cannot rename a non-active experiment.', 'INVALID_STATE');
    }
    try {
      await trx
        .updateTable('experiments')
        .set({ name: newName, last_update_time: nowMillis() })
        .where('experiment_id', '=', row.experiment_id)
        .execute();
    } catch (err) {
      // The session's IntegrityError surfaces as BAD_REQUEST in MLflow (ManagedSessionMaker).
      if (ctx.dialect.isUniqueViolation(err)) throw new MlflowError(driverErrorMessage(err), 'BAD_REQUEST');
      throw err;
    }
  });
}

/** _check_experiment_is_active */
export function checkExperimentActive(row: Pick<ExperimentRow, 'experiment_id' | 'lifecycle_stage'>): void {
  if (row.lifecycle_stage !== LIFECYCLE_ACTIVE) {
    throw MlflowError.invalidParameter(
      `The experiment ${row.experiment_id} must be in the 'active' state. Current state is ${row.lifecycle_stage}.`,
    );
  }
}

export async function setExperimentTag(
  ctx: StoreContext,
  experimentId: string,
  key: string,
  value: string,
): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    const row = await getExperimentRow(trx, experimentId, 'ALL');
    checkExperimentActive(row);
    await trx
      .insertInto('experiment_tags')
      .values({ experiment_id: row.experiment_id, key, value })
      .onConflict((oc) => oc.columns(['key', 'experiment_id']).doUpdateSet({ value }))
      .execute();
  });
}

export async function deleteExperimentTag(
  ctx: StoreContext,
  experimentId: string,
  key: string,
): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    const row = await getExperimentRow(trx, experimentId, 'ALL');
    checkExperimentActive(row);
    const res = await trx
      .deleteFrom('experiment_tags')
      .where('experiment_id', '=', row.experiment_id)
      .where('key', '=', key)
      .executeTakeFirst();
    if (Number(res.numDeletedRows) === 0) {
      throw MlflowError.notFound(`No tag with name: ${key} in experiment with id ${experimentId}`);
    }
  });
}

/** The experiment operations of the tracking store (see store.ts). */
export const experimentOperations = {
  createExperiment,
  getExperiment,
  getExperimentByName,
  deleteExperiment,
  restoreExperiment,
  renameExperiment,
  setExperimentTag,
  deleteExperimentTag,
};

/**
 * The tags of experiments `ids`, read with IN lists of at most `maxBindParams` ids (the dialects
 * without an array parameter; experiment_tags rows come in the scan's order, which MLflow shows).
 */
export async function experimentTagsInBatches(
  db: Db,
  ids: readonly number[],
  maxBindParams: number,
): Promise<{ experiment_id: number; key: string; value: string | null }[]> {
  const tags: { experiment_id: number; key: string; value: string | null }[] = [];
  const batch = Math.max(1, maxBindParams - 16);
  for (let i = 0; i < ids.length; i += batch) {
    tags.push(
      ...(await db
        .selectFrom('experiment_tags')
        .select(['experiment_id', 'key', 'value'])
        .where('experiment_id', 'in', ids.slice(i, i + batch))
        .execute()),
    );
  }
  return tags;
}
