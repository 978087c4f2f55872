/**
 * PostgreSQL fast path for the page of a search: latest metrics, params and tags of every run of
 * the page come back from one statement as one JSON text per run and table (the server does the
 * grouping; the driver parses 1 row per run instead of one per metric/param/tag), while dataset
 * inputs and model outputs are fetched alongside with one query each. Produces exactly what
 * `loadRuns(..., { outputs: true })` produces.
 */
import { sql } from 'kysely';
import type { StoreDialect } from '../dialects/dialect.js';
import type { KeyValue, Run } from '../tracking/entities.js';
import { RUN_NAME_TAG } from '../tracking/entities.js';
import { loadDatasetInputs, metricEntity, runInfoEntity, type RunRow } from '../tracking/run-entities.js';

interface ChildRow {
  id: string;
  m: string | null;
  p: string | null;
  t: string | null;
}

type MetricTuple = [string, number, number | null, number, boolean];
type KvTuple = [string, string | null];

const kv = ([key, value]: KvTuple): KeyValue => (value === null ? { key } : { key, value });

export async function loadPageRunsPostgres(d: StoreDialect, rows: RunRow[]): Promise<Run[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.run_uuid);
  const [children, datasets, outputs] = await Promise.all([
    sql<ChildRow>`SELECT u.id,
        (SELECT json_agg(json_build_array(key, value, timestamp, step, is_nan))::text FROM latest_metrics WHERE run_uuid = u.id) AS m,
        (SELECT json_agg(json_build_array(key, value))::text FROM params WHERE run_uuid = u.id) AS p,
        (SELECT json_agg(json_build_array(key, value))::text FROM tags WHERE run_uuid = u.id) AS t
      FROM unnest(${ids}::text[]) AS u(id)`.execute(d.db),
    loadDatasetInputs(d.db, ids),
    sql<{ source_id: string; destination_id: string; step: number }>`SELECT source_id, destination_id, step FROM inputs
      WHERE source_type = 'RUN_OUTPUT' AND destination_type = 'MODEL_OUTPUT' AND source_id = ANY(${ids}::text[])`.execute(d.db),
  ]);
  const byId = new Map(children.rows.map((c) => [c.id, c]));
  const outputsBy = new Map<string, { model_id: string; step: number }[]>();
  for (const o of outputs.rows) {
    const list = outputsBy.get(o.source_id) ?? [];
    list.push({ model_id: o.destination_id, step: Number(o.step) });
    outputsBy.set(o.source_id, list);
  }
  return rows.map((row) => {
    const c = byId.get(row.run_uuid);
    const tags = c?.t ? (JSON.parse(c.t) as KvTuple[]) : [];
    const nameTag = tags.find(([k]) => k === RUN_NAME_TAG)?.[1];
    const data: Run['data'] = {};
    if (c?.m) {
      data.metrics = (JSON.parse(c.m) as MetricTuple[]).map(([key, value, timestamp, step, is_nan]) =>
        metricEntity({ key, value, timestamp, step, is_nan }),
      );
    }
    if (c?.p) data.params = (JSON.parse(c.p) as KvTuple[]).map(kv);
    if (tags.length > 0) data.tags = tags.map(kv);
    const inputs: Run['inputs'] = {};
    const ds = datasets.get(row.run_uuid);
    if (ds && ds.length > 0) inputs.dataset_inputs = ds;
    const mo = outputsBy.get(row.run_uuid);
    return { info: runInfoEntity(row, nameTag), data, inputs, outputs: mo ? { model_outputs: mo } : {} };
  });
}
