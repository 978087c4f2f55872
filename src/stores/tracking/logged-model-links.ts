/**
 * The two logged-model reads/writes the model registry needs from the tracking store: a logged
 * model's artifact location and source run (get_logged_model, for model version sources), and the
 * `mlflow.modelVersions` tag that links a logged model to the versions registered from it
 * (AbstractStore.set_model_versions_tags).
 */
import { sql } from 'kysely';
import { MlflowError } from '../../errors/mlflow-error.js';
import { jsonDumps } from '../../py/json.js';
import type { PyJson } from '../../py/values.js';
import type { StoreContext } from './context.js';

export interface LoggedModelSource {
  experiment_id: number;
  artifact_location: string;
  source_run_id: string | null;
}

const MODEL_VERSIONS_TAG = 'mlflow.modelVersions';

/** get_logged_model (not deleted), or RESOURCE_DOES_NOT_EXIST with MLflow's message. */
export async function getLoggedModelSource(ctx: StoreContext, modelId: string): Promise<LoggedModelSource> {
  const rows = await sql<LoggedModelSource>`SELECT experiment_id, artifact_location, source_run_id
    FROM logged_models WHERE model_id = ${modelId} AND (lifecycle_stage IS NULL OR lifecycle_stage != 'deleted')`.execute(
    ctx.db,
  );
  const row = rows.rows[0];
  if (!row) throw MlflowError.notFound(`Logged model with ID '${modelId}' not found.`);
  return row;
}

/** json.dumps of the tag's list of {"name", "version"} objects (default separators, ASCII-escaped). */
function dumps(list: readonly Record<string, unknown>[]): string {
  const item = (o: Record<string, unknown>) =>
    '{' +
    Object.entries(o)
      .map(([k, v]) => `${jsonDumps(k)}: ${jsonDumps(v as PyJson)}`)
      .join(', ') +
    '}';
  return '[' + list.map(item).join(', ') + ']';
}

/** set_model_versions_tags: appends {name, version} to the logged model's mlflow.modelVersions list. */
export async function linkModelVersion(
  ctx: StoreContext,
  modelId: string,
  name: string,
  version: number,
): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    const model = await sql<{ experiment_id: number }>`SELECT experiment_id FROM logged_models
      WHERE model_id = ${modelId} AND (lifecycle_stage IS NULL OR lifecycle_stage != 'deleted')`.execute(trx);
    const experimentId = model.rows[0]?.experiment_id;
    if (experimentId === undefined)
      throw MlflowError.notFound(`Logged model with ID '${modelId}' not found.`);
    const existing = await sql<{ tag_value: string }>`SELECT tag_value FROM logged_model_tags
      WHERE model_id = ${modelId} AND tag_key = ${MODEL_VERSIONS_TAG}`.execute(trx);
    let list: Record<string, unknown>[] = [{ name, version }];
    const prior = existing.rows[0]?.tag_value;
    if (prior) {
      const parsed = JSON.parse(prior) as Record<string, unknown>[];
      const present = parsed.some(
        (m) =>
          m &&
          typeof m === 'object' &&
          Object.keys(m).length === 2 &&
          m.name === name &&
          m.version === version,
      );
      list = present ? parsed : [...parsed, ...list];
    }
    const value = dumps(list);
    await trx
      .insertInto('logged_model_tags')
      .values({
        model_id: modelId,
        experiment_id: experimentId,
        tag_key: MODEL_VERSIONS_TAG,
        tag_value: value,
      })
      .onConflict((oc) => oc.columns(['model_id', 'tag_key']).doUpdateSet({ tag_value: value }))
      .execute();
  });
}

/**
 * The artifact location of the run's logged model named `name` (RunsArtifactRepository
 * ._get_logged_model_artifact_repo: search_logged_models in the run's experiment by name, newest
 * first, the first whose source run is this run), or undefined.
 */
export async function runLoggedModelLocation(
  ctx: StoreContext,
  runId: string,
  name: string,
): Promise<string | undefined> {
  const rows = await sql<{ artifact_location: string }>`SELECT m.artifact_location FROM logged_models m
    JOIN runs r ON r.run_uuid = ${runId} AND m.experiment_id = r.experiment_id
    WHERE m.name = ${name} AND m.source_run_id = ${runId}
      AND (m.lifecycle_stage IS NULL OR m.lifecycle_stage != 'deleted')
    ORDER BY m.creation_timestamp_ms DESC, m.model_id LIMIT 1`.execute(ctx.db);
  return rows.rows[0]?.artifact_location;
}

export const loggedModelLinkOperations = { getLoggedModelSource, linkModelVersion, runLoggedModelLocation };
