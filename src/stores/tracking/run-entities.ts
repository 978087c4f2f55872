import type { Selectable } from 'kysely';
import type { RunsTable } from '../tables.js';
import type { Db } from './context.js';
import type { DatasetInput, RunStatus } from '../../gen/messages.js';
import type { StoredMetric, StoredRunInfo } from './entities.js';

export type RunRow = Selectable<RunsTable>;

/** SqlRun.to_mlflow_entity().info.to_proto(), fields in proto field-number order. */
export function runInfoEntity(row: RunRow, runNameTag?: string | null): StoredRunInfo {
  const info: Partial<StoredRunInfo> = { run_uuid: row.run_uuid, experiment_id: String(row.experiment_id) };
  // An empty run name falls back to the mlflow.runName tag (SqlRun.to_mlflow_entity).
  const name = row.name || runNameTag || row.name;
  if (name !== null && name !== undefined) info.run_name = name;
  if (row.user_id !== null) info.user_id = row.user_id;
  info.status = (row.status ?? 'RUNNING') as RunStatus;
  if (row.start_time !== null) info.start_time = row.start_time;
  if (row.end_time) info.end_time = row.end_time;
  if (row.artifact_uri) info.artifact_uri = row.artifact_uri;
  info.lifecycle_stage = row.lifecycle_stage ?? 'active';
  info.run_id = row.run_uuid;
  return info as StoredRunInfo;
}

/** A stored metric row as the Metric entity: NaN is restored from is_nan. */
export function metricEntity(r: {
  key: string;
  value: number;
  timestamp: number | null;
  step: number;
  is_nan: boolean | number;
}): StoredMetric {
  return { key: r.key, value: r.is_nan ? NaN : r.value, timestamp: r.timestamp ?? 0, step: r.step };
}

/** SqlAlchemyStore._get_run_inputs: datasets linked to each run, with their input tags. */
export async function loadDatasetInputs(db: Db, runIds: string[]): Promise<Map<string, DatasetInput[]>> {
  const rows = await db
    .selectFrom('inputs')
    .innerJoin('datasets', 'datasets.dataset_uuid', 'inputs.source_id')
    .leftJoin('input_tags', 'input_tags.input_uuid', 'inputs.input_uuid')
    .select([
      'inputs.input_uuid',
      'inputs.destination_id as run_uuid',
      'datasets.dataset_uuid',
      'datasets.name',
      'datasets.digest',
      'datasets.dataset_source_type',
      'datasets.dataset_source',
      'datasets.dataset_schema',
      'datasets.dataset_profile',
      'input_tags.name as tag_name',
      'input_tags.value as tag_value',
    ])
    .where('inputs.destination_type', '=', 'RUN')
    .where('inputs.destination_id', 'in', runIds)
    .orderBy('inputs.destination_id')
    .execute();
  const out = new Map<string, DatasetInput[]>();
  const byRunDataset = new Map<string, DatasetInput>();
  for (const r of rows) {
    const k = `${r.run_uuid}\u0000${r.dataset_uuid}`;
    let input = byRunDataset.get(k);
    if (!input) {
      const dataset: NonNullable<DatasetInput['dataset']> = {
        name: r.name,
        digest: r.digest,
        source_type: r.dataset_source_type,
        source: r.dataset_source,
      };
      if (r.dataset_schema !== null) dataset.schema = r.dataset_schema;
      if (r.dataset_profile !== null) dataset.profile = r.dataset_profile;
      input = { tags: [], dataset };
      byRunDataset.set(k, input);
      const list = out.get(r.run_uuid);
      if (list) list.push(input);
      else out.set(r.run_uuid, [input]);
    }
    if (r.tag_name !== null) input.tags!.push({ key: r.tag_name, value: r.tag_value ?? '' });
  }
  for (const list of out.values()) for (const i of list) if (i.tags!.length === 0) delete i.tags;
  return out;
}
