/**
 * Logged models (SqlAlchemyStore's "Logged models" section): create, read, finalize, soft delete,
 * tags and params, and a run's model outputs (log_outputs). Inputs are validated by the services
 * (src/services/logged-models); this layer owns existence checks and the SQL.
 *
 * Tags, params and metrics are read with the query MLflow's ORM relationships issue
 * (`WHERE model_id = ?`, or `IN (...)` for a page), without ORDER BY, so each database returns
 * them in the order it returns them to Python.
 */
import { randomUUID } from 'node:crypto';
import type { LoggedModel, LoggedModelStatus, Metric } from '../../gen/messages.js';
import { MlflowError } from '../../errors/mlflow-error.js';
import { reprStr } from '../../py/repr.js';
import { appendToUriPath } from '../artifact-uri.js';
import type { LoggedModelsTable } from '../tables.js';
import { LIFECYCLE_ACTIVE, LIFECYCLE_DELETED } from './constants.js';
import { nowMillis, type Db, type StoreContext } from './context.js';
import { checkExperimentActive, getExperimentRow } from './experiments.js';
import type { ParamInput, TagInput } from './inputs.js';
import { generateRunName } from './run-names.js';
import { checkRunActive, getRunRow } from './runs.js';

export type LoggedModelRow = LoggedModelsTable;

/** LoggedModelStatus.to_int / from_int, as the proto enum names them. */
export const STATUS_NAMES: readonly LoggedModelStatus[] = [
  'LOGGED_MODEL_STATUS_UNSPECIFIED',
  'LOGGED_MODEL_PENDING',
  'LOGGED_MODEL_READY',
  'LOGGED_MODEL_UPLOAD_FAILED',
];

export interface CreateLoggedModelArgs {
  experimentId: string;
  name: string | undefined;
  modelType: string | undefined;
  sourceRunId: string | undefined;
  params: readonly ParamInput[];
  tags: readonly TagInput[];
}

export interface ModelOutputInput {
  model_id: string;
  step: number;
}

const notFound = (modelId: string): MlflowError =>
  MlflowError.notFound(`Logged model with ID '${modelId}' not found.`);

/** _get_logged_model_record: any lifecycle stage (deleted models can still be tagged). */
async function modelRecord(db: Db, modelId: string): Promise<LoggedModelRow> {
  const row = await db
    .selectFrom('logged_models')
    .selectAll()
    .where('model_id', '=', modelId)
    .executeTakeFirst();
  if (!row) throw notFound(modelId);
  return row;
}

/** Tags, params and metrics of the given models, keyed by model id (in the database's order). */
export async function loadModels(db: Db, rows: readonly LoggedModelRow[]): Promise<LoggedModel[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.model_id);
  const byId = <T extends { model_id: string }>(list: readonly T[]): Map<string, T[]> => {
    const out = new Map<string, T[]>();
    for (const item of list) {
      const group = out.get(item.model_id);
      if (group) group.push(item);
      else out.set(item.model_id, [item]);
    }
    return out;
  };
  const one = ids.length === 1;
  const [tags, params, metrics] = await Promise.all([
    db
      .selectFrom('logged_model_tags')
      .select(['model_id', 'tag_key', 'tag_value'])
      .where('model_id', one ? '=' : 'in', one ? ids[0]! : ids)
      .execute(),
    db
      .selectFrom('logged_model_params')
      .select(['model_id', 'param_key', 'param_value'])
      .where('model_id', one ? '=' : 'in', one ? ids[0]! : ids)
      .execute(),
    db
      .selectFrom('logged_model_metrics')
      .selectAll()
      .where('model_id', one ? '=' : 'in', one ? ids[0]! : ids)
      .execute(),
  ]);
  const tagsOf = byId(tags);
  const paramsOf = byId(params);
  const metricsOf = byId(metrics);
  return rows.map((row) => {
    // LoggedModel keeps tags and params as dicts: a repeated key (impossible under the primary
    // key, but cheap to honour) keeps its last value at its first position.
    const tagMap = new Map<string, string>();
    for (const t of tagsOf.get(row.model_id) ?? []) tagMap.set(t.tag_key, t.tag_value);
    const paramMap = new Map<string, string>();
    for (const p of paramsOf.get(row.model_id) ?? []) paramMap.set(p.param_key, p.param_value);
    return modelEntity(
      row,
      [...tagMap].map(([key, value]) => ({ key, value })),
      [...paramMap].map(([key, value]) => ({ key, value })),
      (metricsOf.get(row.model_id) ?? []).map((m): Metric => ({
        key: m.metric_name,
        ...(m.metric_value === null ? {} : { value: Number(m.metric_value) }),
        timestamp: Number(m.metric_timestamp_ms),
        step: Number(m.metric_step),
        run_id: m.run_id,
        ...(m.dataset_name === null ? {} : { dataset_name: m.dataset_name }),
        ...(m.dataset_digest === null ? {} : { dataset_digest: m.dataset_digest }),
        model_id: m.model_id,
      })),
    );
  });
}

/** LoggedModel.to_proto: unset (None) columns are left out, empty strings are kept. */
function modelEntity(
  row: LoggedModelRow,
  tags: { key: string; value: string }[],
  params: { key: string; value: string }[],
  metrics: Metric[],
): LoggedModel {
  const status = STATUS_NAMES[Number(row.status)];
  if (status === undefined) throw MlflowError.invalidParameter(`Unknown model status: ${row.status}`);
  const info: NonNullable<LoggedModel['info']> = {
    model_id: row.model_id,
    experiment_id: String(row.experiment_id),
    name: row.name,
    creation_timestamp_ms: Number(row.creation_timestamp_ms),
    last_updated_timestamp_ms: Number(row.last_updated_timestamp_ms),
    artifact_uri: row.artifact_location,
    status,
  };
  if (row.model_type !== null) info.model_type = row.model_type;
  if (row.source_run_id !== null) info.source_run_id = row.source_run_id;
  if (row.status_message !== null) info.status_message = row.status_message;
  if (tags.length > 0) info.tags = tags;
  const data: NonNullable<LoggedModel['data']> = {};
  if (params.length > 0) data.params = params;
  if (metrics.length > 0) data.metrics = metrics;
  return { info, data };
}

/** create_logged_model: one transaction, so a refused param or tag leaves no model behind. */
export async function createLoggedModel(
  ctx: StoreContext,
  args: CreateLoggedModelArgs,
): Promise<LoggedModel> {
  return ctx.db.transaction().execute(async (trx) => {
    const experiment = await getExperimentRow(trx, args.experimentId, 'ALL');
    checkExperimentActive(experiment);
    const modelId = `m-${randomUUID().replace(/-/g, '')}`;
    const now = nowMillis();
    const row: LoggedModelRow = {
      model_id: modelId,
      experiment_id: experiment.experiment_id,
      name: args.name || generateRunName(),
      artifact_location: appendToUriPath(experiment.artifact_location ?? '', 'models', modelId, 'artifacts'),
      creation_timestamp_ms: now,
      last_updated_timestamp_ms: now,
      model_type: args.modelType ?? null,
      status: 1, // PENDING
      lifecycle_stage: LIFECYCLE_ACTIVE,
      source_run_id: args.sourceRunId ?? null,
      status_message: null,
    };
    await trx.insertInto('logged_models').values(row).execute();
    const experimentId = experiment.experiment_id;
    if (args.params.length > 0) {
      await trx
        .insertInto('logged_model_params')
        .values(
          args.params.map((p) => ({
            model_id: modelId,
            experiment_id: experimentId,
            param_key: p.key,
            param_value: p.value,
          })),
        )
        .execute();
    }
    if (args.tags.length > 0) {
      await trx
        .insertInto('logged_model_tags')
        .values(
          args.tags.map((t) => ({
            model_id: modelId,
            experiment_id: experimentId,
            tag_key: t.key,
            tag_value: t.value,
          })),
        )
        .execute();
    }
    return (await loadModels(trx, [row]))[0]!;
  });
}

/** get_logged_model: a deleted model is found only with allow_deleted. */
export async function getLoggedModel(
  ctx: StoreContext,
  modelId: string,
  allowDeleted: boolean,
): Promise<LoggedModel> {
  let q = ctx.db.selectFrom('logged_models').selectAll().where('model_id', '=', modelId);
  if (!allowDeleted) {
    // `lifecycle_stage != 'deleted'` in SQL: a NULL stage does not qualify either.
    q = q.where('lifecycle_stage', '!=', LIFECYCLE_DELETED);
  }
  const row = await q.executeTakeFirst();
  if (!row) throw notFound(modelId);
  return (await loadModels(ctx.db, [row]))[0]!;
}

/** finalize_logged_model: any model, deleted or not, takes the status. */
export async function finalizeLoggedModel(
  ctx: StoreContext,
  modelId: string,
  status: number,
): Promise<LoggedModel> {
  return ctx.db.transaction().execute(async (trx) => {
    const row = await modelRecord(trx, modelId);
    const now = nowMillis();
    await trx
      .updateTable('logged_models')
      .set({ status, last_updated_timestamp_ms: now })
      .where('model_id', '=', modelId)
      .execute();
    return (await loadModels(trx, [{ ...row, status, last_updated_timestamp_ms: now }]))[0]!;
  });
}

/** delete_logged_model: a soft delete, also of an already deleted model. */
export async function deleteLoggedModel(ctx: StoreContext, modelId: string): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    await modelRecord(trx, modelId);
    await trx
      .updateTable('logged_models')
      .set({ lifecycle_stage: LIFECYCLE_DELETED, last_updated_timestamp_ms: nowMillis() })
      .where('model_id', '=', modelId)
      .execute();
  });
}

/** set_logged_model_tags: an upsert per key; a key repeated in one call keeps its last value. */
export async function setLoggedModelTags(
  ctx: StoreContext,
  modelId: string,
  tags: readonly TagInput[],
): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    const row = await modelRecord(trx, modelId);
    const deduped = new Map<string, string>();
    for (const t of tags) deduped.set(t.key, t.value);
    if (deduped.size === 0) return;
    await trx
      .insertInto('logged_model_tags')
      .values(
        [...deduped].map(([key, value]) => ({
          model_id: modelId,
          experiment_id: row.experiment_id,
          tag_key: key,
          tag_value: value,
        })),
      )
      .onConflict((oc) =>
        oc
          .columns(['model_id', 'tag_key'])
          .doUpdateSet((eb) => ({ tag_value: eb.ref('excluded.tag_value') })),
      )
      .execute();
  });
}

export async function deleteLoggedModelTag(ctx: StoreContext, modelId: string, key: string): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    await modelRecord(trx, modelId);
    const res = await trx
      .deleteFrom('logged_model_tags')
      .where('model_id', '=', modelId)
      .where('tag_key', '=', key)
      .executeTakeFirst();
    if (Number(res.numDeletedRows) === 0) {
      throw MlflowError.notFound(
        `No tag with key ${reprStr(key)} found for model with ID ${reprStr(modelId)}.`,
      );
    }
  });
}

/** log_logged_model_params: plain inserts, so a key already logged is refused by the primary key. */
export async function logLoggedModelParams(
  ctx: StoreContext,
  modelId: string,
  params: readonly ParamInput[],
): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    const row = await modelRecord(trx, modelId);
    if (params.length === 0) return;
    await trx
      .insertInto('logged_model_params')
      .values(
        params.map((p) => ({
          model_id: modelId,
          experiment_id: row.experiment_id,
          param_key: p.key,
          param_value: p.value,
        })),
      )
      .execute();
  });
}

/** log_outputs: RUN_OUTPUT -> MODEL_OUTPUT edges of an active run (model ids are not checked). */
export async function logOutputs(
  ctx: StoreContext,
  runId: string,
  models: readonly ModelOutputInput[],
): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    const run = await getRunRow(trx, runId);
    checkRunActive(run);
    if (models.length === 0) return;
    await trx
      .insertInto('inputs')
      .values(
        models.map((m) => ({
          input_uuid: randomUUID().replace(/-/g, ''),
          source_type: 'RUN_OUTPUT',
          source_id: runId,
          destination_type: 'MODEL_OUTPUT',
          destination_id: m.model_id,
          step: m.step,
        })),
      )
      .execute();
  });
}

export const loggedModelOperations = {
  createLoggedModel,
  getLoggedModel,
  finalizeLoggedModel,
  deleteLoggedModel,
  setLoggedModelTags,
  deleteLoggedModelTag,
  logLoggedModelParams,
  logOutputs,
};
