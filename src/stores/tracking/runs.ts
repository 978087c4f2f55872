import { randomUUID } from 'node:crypto';
import { MlflowError } from '../../errors/mlflow-error.js';
import { appendToUriPath } from '../artifact-uri.js';
import type { RunStatus } from '../../gen/messages.js';
import type { StoredRun as Run, StoredRunInfo as RunInfo } from './entities.js';
import { LIFECYCLE_ACTIVE, LIFECYCLE_DELETED, RUN_NAME_TAG } from './constants.js';
import { nowMillis, type Db, type StoreContext } from './context.js';
import type { CreateRunArgs } from './inputs.js';
import { checkExperimentActive, getExperimentRow, INT32_MAX, parseExperimentId } from './experiments.js';
import { deleteAssessmentsOfRun } from './run-cleanup.js';
import { loadRunWithData } from '../search/page-loader.js';
import { runInfoEntity, type RunRow } from './run-entities.js';
import { generateRunName } from './run-names.js';

/** SqlAlchemyStore._get_run */
export async function getRunRow(db: Db, runId: string): Promise<RunRow> {
  const row = await db.selectFrom('runs').selectAll().where('run_uuid', '=', runId).executeTakeFirst();
  if (!row) throw runNotFound(runId);
  return row;
}

export const runNotFound = (runId: string): MlflowError =>
  MlflowError.notFound(`Run with id=${runId} not found`);

/** SqlAlchemyStore._check_run_is_active: writes to a deleted run are refused. */
export function checkRunActive(row: Pick<RunRow, 'run_uuid' | 'lifecycle_stage'>): void {
  if (row.lifecycle_stage !== LIFECYCLE_ACTIVE) {
    throw MlflowError.invalidParameter(
      `The run ${row.run_uuid} must be in the 'active' state. Current state is ${row.lifecycle_stage}.`,
    );
  }
}

export async function createRun(ctx: StoreContext, args: CreateRunArgs): Promise<Run> {
  const runNameTag = args.tags.find((t) => t.key === RUN_NAME_TAG)?.value;
  // The dialects' one-step paths cover the usual request; a run-name conflict or an empty
  // experiment id keep MLflow's order of checks below.
  if (args.experimentId && !(args.runName && runNameTag && args.runName !== runNameTag)) {
    const id = parseExperimentId(args.experimentId);
    if (Math.abs(id) <= INT32_MAX) {
      const run = await ctx.dialect.tracking.createRun(args, id);
      if (run) return run;
    }
  }
  return ctx.db.transaction().execute(async (trx) => {
    const exp = await getExperimentRow(trx, args.experimentId, 'ALL');
    checkExperimentActive(exp);
    if (args.runName && runNameTag && args.runName !== runNameTag) {
      throw MlflowError.invalidParameter(
        "Both 'run_name' argument and 'mlflow.runName' tag are specified, but with different values " +
          `(run_name='${args.runName}', mlflow.runName='${runNameTag}').`,
      );
    }
    // Only the insert itself fails for an empty id, so the checks above (the run-name conflict)
    // come first, as in MLflow.
    if (!args.experimentId) throw emptyExperimentIdError(ctx);
    const { row, tags } = newRun(args, exp.experiment_id, exp.artifact_location);
    await trx.insertInto('runs').values(row).execute();
    if (tags.size > 0) {
      await trx
        .insertInto('tags')
        .values([...tags].map(([key, value]) => ({ run_uuid: row.run_uuid, key, value })))
        .execute();
    }
    return createdRun(row, tags);
  });
}

/** The new run's row and tags (request order, last value of a repeated key; mlflow.runName added). */
export function newRun(
  args: CreateRunArgs,
  experimentId: number,
  artifactLocation: string | null,
): { row: RunRow; tags: Map<string, string> } {
  const runId = randomUUID().replace(/-/g, '');
  const tags = new Map(args.tags.map((t) => [t.key, t.value]));
  const runNameTag = args.tags.find((t) => t.key === RUN_NAME_TAG)?.value;
  const runName = args.runName || runNameTag || generateRunName();
  if (!runNameTag) tags.set(RUN_NAME_TAG, runName);
  const row: RunRow = {
    run_uuid: runId,
    name: runName,
    source_type: 'UNKNOWN',
    source_name: '',
    entry_point_name: '',
    user_id: args.userId,
    status: 'RUNNING',
    start_time: args.startTime,
    end_time: null,
    deleted_time: null,
    source_version: '',
    lifecycle_stage: LIFECYCLE_ACTIVE,
    artifact_uri: appendToUriPath(artifactLocation ?? '', runId, 'artifacts'),
    experiment_id: experimentId,
  };
  return { row, tags };
}

/**
 * create_run's answer, built from what was just written: a new run has only its tags, in the
 * order they were inserted (the order a read of the tags table returns them).
 */
export function createdRun(row: RunRow, tags: Map<string, string>): Run {
  const data: Run['data'] = {};
  if (tags.size > 0) data.tags = [...tags].map(([key, value]) => ({ key, value }));
  return { info: runInfoEntity(row, tags.get(RUN_NAME_TAG)), data, inputs: {} };
}

/**
 * MLflow looks up the default experiment for an omitted experiment_id but then inserts the run with
 * experiment_id '' and the database refuses it (a BAD_REQUEST from the session); the same answer.
 */
function emptyExperimentIdError(ctx: StoreContext): MlflowError {
  // The driver's message only, as elsewhere (see driver-error.ts).
  return new MlflowError(ctx.dialect.tracking.emptyExperimentIdMessage, 'BAD_REQUEST');
}

export async function getRun(ctx: StoreContext, runId: string): Promise<Run> {
  // One statement for the run and its data (search's page loader).
  const run = await loadRunWithData(ctx.dialect, runId);
  if (!run) throw MlflowError.notFound(`Run with id=${runId} not found`);
  return run;
}

/** update_run_info: status / end_time / name (a non-empty name also sets the mlflow.runName tag). */
export async function updateRunInfo(
  ctx: StoreContext,
  runId: string,
  status: RunStatus | undefined,
  endTime: number | undefined,
  runName: string | undefined,
): Promise<RunInfo> {
  return ctx.db.transaction().execute((trx) => updateRunInfoIn(trx, runId, status, endTime, runName));
}

export async function updateRunInfoIn(
  trx: Db,
  runId: string,
  status: RunStatus | undefined,
  endTime: number | undefined,
  runName: string | undefined,
): Promise<RunInfo> {
  const row = await getRunRow(trx, runId);
  checkRunActive(row);
  const set: Partial<RunRow> = {};
  if (status !== undefined) set.status = status;
  if (endTime !== undefined) set.end_time = endTime;
  if (runName) set.name = runName;
  if (Object.keys(set).length > 0) {
    await trx.updateTable('runs').set(set).where('run_uuid', '=', runId).execute();
  }
  if (runName) {
    await trx
      .insertInto('tags')
      .values({ run_uuid: runId, key: RUN_NAME_TAG, value: runName })
      .onConflict((oc) => oc.columns(['key', 'run_uuid']).doUpdateSet({ value: runName }))
      .execute();
  }
  return runInfoEntity({ ...row, ...set });
}

export async function deleteRun(ctx: StoreContext, runId: string): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    await getRunRow(trx, runId);
    await deleteAssessmentsOfRun(ctx, trx, runId);
    await trx
      .updateTable('runs')
      .set({ lifecycle_stage: LIFECYCLE_DELETED, deleted_time: nowMillis() })
      .where('run_uuid', '=', runId)
      .execute();
  });
}

export async function restoreRun(ctx: StoreContext, runId: string): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    await getRunRow(trx, runId);
    await trx
      .updateTable('runs')
      .set({ lifecycle_stage: LIFECYCLE_ACTIVE, deleted_time: null })
      .where('run_uuid', '=', runId)
      .execute();
  });
}

/** set_tag: `mlflow.runName` goes through update_run_info (which ignores an empty name). */
export async function setTag(ctx: StoreContext, runId: string, key: string, value: string): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    const row = await getRunRow(trx, runId);
    checkRunActive(row);
    if (key === RUN_NAME_TAG) {
      await updateRunInfoIn(
        trx,
        runId,
        (row.status ?? undefined) as RunStatus | undefined,
        row.end_time ?? undefined,
        value,
      );
      return;
    }
    await trx
      .insertInto('tags')
      .values({ run_uuid: runId, key, value })
      .onConflict((oc) => oc.columns(['key', 'run_uuid']).doUpdateSet({ value }))
      .execute();
  });
}

export async function deleteTag(ctx: StoreContext, runId: string, key: string): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    const row = await getRunRow(trx, runId);
    checkRunActive(row);
    const res = await trx
      .deleteFrom('tags')
      .where('run_uuid', '=', runId)
      .where('key', '=', key)
      .executeTakeFirst();
    if (Number(res.numDeletedRows) === 0) {
      throw MlflowError.notFound(`No tag with name: ${key} in run with id ${runId}`);
    }
  });
}

/** The run operations of the tracking store (see store.ts). */
export const runOperations = {
  createRun,
  getRun,
  updateRunInfo,
  deleteRun,
  restoreRun,
  setTag,
  deleteTag,
};
