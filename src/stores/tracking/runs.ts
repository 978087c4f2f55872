import { randomUUID } from 'node:crypto';
import { MlflowError } from '../../errors/mlflow-error.js';
import { appendToUriPath } from '../artifact-uri.js';
import type { SyncDb } from '../dialects/dialect.js';
import { nowMillis, type Db, type StoreContext } from './context.js';
import {
  LIFECYCLE_ACTIVE,
  LIFECYCLE_DELETED,
  RUN_NAME_TAG,
  type Run,
  type RunInfo,
  type RunStatus,
  type TagInput,
} from './entities.js';
import {
  checkExperimentActive,
  experimentNotFound,
  getExperimentRow,
  INT32_MAX,
  parseExperimentId,
} from './experiments.js';
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

export interface CreateRunArgs {
  experimentId: string | undefined;
  userId: string;
  startTime: number;
  tags: TagInput[];
  runName: string | undefined;
}

export async function createRun(ctx: StoreContext, args: CreateRunArgs): Promise<Run> {
  const runNameTag = args.tags.find((t) => t.key === RUN_NAME_TAG)?.value;
  // The dialects' one-step paths cover the usual request; a run-name conflict or an empty
  // experiment id keep MLflow's order of checks below.
  if (args.experimentId && !(args.runName && runNameTag && args.runName !== runNameTag)) {
    const { runPrepared, writeSync } = ctx.dialect;
    const id = parseExperimentId(args.experimentId);
    if (Math.abs(id) <= INT32_MAX) {
      if (runPrepared) {
        const run = await createRunPg(ctx, runPrepared, args, id);
        if (run) return run;
      } else if (writeSync) {
        return writeSync((d) => createRunSqlite(d, args, id));
      }
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
function newRun(
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
function createdRun(row: RunRow, tags: Map<string, string>): Run {
  const data: Run['data'] = {};
  if (tags.size > 0) data.tags = [...tags].map(([key, value]) => ({ key, value }));
  return { info: runInfoEntity(row, tags.get(RUN_NAME_TAG)), data, inputs: {} };
}

/**
 * Experiments' artifact locations by id, per database: MLflow never changes one, and the insert
 * below re-checks it anyway (a mismatch, say an id reused after gc, inserts nothing and refreshes).
 */
const artifactLocations = new WeakMap<object, Map<number, string | null>>();

/**
 * One statement (autocommit, so all or nothing): the experiment's lifecycle stage and artifact
 * location, and, when it is active and its location is the one the run's artifact_uri was built
 * from, the run and its tags. The first run of an experiment this process sees reads it first.
 */
const PG_CREATE_RUN = `WITH e AS (
  SELECT lifecycle_stage, artifact_location FROM experiments
  WHERE experiment_id = $1 AND lifecycle_stage IN ('active', 'deleted')
),
r AS (
  INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, status,
    start_time, end_time, deleted_time, source_version, lifecycle_stage, artifact_uri, experiment_id)
  SELECT $2, $3, 'UNKNOWN', '', '', $4, 'RUNNING', $5, NULL, NULL, '', 'active', $6, $1 FROM e
  WHERE lifecycle_stage = 'active' AND artifact_location IS NOT DISTINCT FROM $7::text
  RETURNING run_uuid
),
t AS (
  INSERT INTO tags (key, value, run_uuid)
  SELECT x.key, x.value, r.run_uuid FROM r,
    unnest($8::text[], $9::text[]) WITH ORDINALITY AS x(key, value, ord)
  ORDER BY x.ord
)
SELECT lifecycle_stage, artifact_location, EXISTS (SELECT 1 FROM r) AS created FROM e`;

async function createRunPg(
  ctx: StoreContext,
  runPrepared: NonNullable<StoreContext['dialect']['runPrepared']>,
  args: CreateRunArgs,
  experimentId: number,
): Promise<Run | undefined> {
  let cache = artifactLocations.get(ctx.dialect);
  if (!cache) artifactLocations.set(ctx.dialect, (cache = new Map()));
  const known = cache.get(experimentId);
  let location: string | null;
  if (known !== undefined) location = known;
  else {
    const exp = await getExperimentRow(ctx.db, args.experimentId, 'ALL');
    checkExperimentActive(exp);
    location = exp.artifact_location;
    if (cache.size >= 10_000) cache.clear();
    cache.set(experimentId, location);
  }
  for (let attempt = 0; attempt < 3; attempt++) {
    const { row, tags } = newRun(args, experimentId, location);
    const [e] = await runPrepared<{
      lifecycle_stage: string | null;
      artifact_location: string | null;
      created: boolean;
    }>('mlflow_ts_create_run', PG_CREATE_RUN, [
      experimentId,
      row.run_uuid,
      row.name,
      row.user_id,
      row.start_time,
      row.artifact_uri,
      location,
      [...tags.keys()],
      [...tags.values()],
    ]);
    if (!e) throw experimentNotFound(experimentId);
    checkExperimentActive({ experiment_id: experimentId, lifecycle_stage: e.lifecycle_stage });
    if (e.created) return createdRun(row, tags);
    location = e.artifact_location;
    cache.set(experimentId, location);
  }
  return undefined;
}

/** The same on SQLite's one connection: read the experiment, insert the run and its tags. */
function createRunSqlite(d: SyncDb, args: CreateRunArgs, experimentId: number): Run {
  const exp = d.get<{ lifecycle_stage: string | null; artifact_location: string | null }>(
    "SELECT lifecycle_stage, artifact_location FROM experiments WHERE experiment_id = ? AND lifecycle_stage IN ('active', 'deleted')",
    experimentId,
  );
  if (!exp) throw experimentNotFound(experimentId);
  checkExperimentActive({ experiment_id: experimentId, lifecycle_stage: exp.lifecycle_stage });
  const { row, tags } = newRun(args, experimentId, exp.artifact_location);
  d.run(
    'INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, status, ' +
      'start_time, end_time, deleted_time, source_version, lifecycle_stage, artifact_uri, experiment_id) ' +
      "VALUES (?, ?, 'UNKNOWN', '', '', ?, 'RUNNING', ?, NULL, NULL, '', 'active', ?, ?)",
    row.run_uuid,
    row.name,
    row.user_id,
    row.start_time,
    row.artifact_uri,
    experimentId,
  );
  for (const [key, value] of tags) {
    d.run('INSERT INTO tags (key, value, run_uuid) VALUES (?, ?, ?)', key, value, row.run_uuid);
  }
  return createdRun(row, tags);
}

/**
 * MLflow looks up the default experiment for an omitted experiment_id but then inserts the run with
 * experiment_id '' and the database refuses it (a BAD_REQUEST from the session); the same answer.
 */
function emptyExperimentIdError(ctx: StoreContext): MlflowError {
  // The driver's message only, as elsewhere (see driver-error.ts).
  const detail =
    ctx.dialect.name === 'sqlite'
      ? 'FOREIGN KEY constraint failed'
      : 'invalid input syntax for type integer: ""';
  return new MlflowError(detail, 'BAD_REQUEST');
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
    await deleteAssessmentsOfRun(trx, runId);
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
