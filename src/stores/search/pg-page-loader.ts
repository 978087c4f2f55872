/**
 * PostgreSQL fast path for the page of a search: one query per table for the whole page, run in
 * parallel on the pool, with latest metrics, params and tags grouped per run into one JSON text
 * by the server (the driver parses one row per run instead of one per metric/param/tag; the ids
 * travel as a single array parameter). Produces exactly what `loadRuns(..., { outputs: true })`
 * produces. Within a run, rows are listed in physical (ctid) order: that is the order in which
 * MLflow's unordered selectin query sees them (heap or bitmap scans, index entries sorted by TID),
 * whereas GROUP BY may sort the rows and PostgreSQL's sort is not stable.
 */
import { sql } from 'kysely';
import type { StoreDialect } from '../dialects/dialect.js';
import type { KeyValue, Run } from '../tracking/entities.js';
import { RUN_NAME_TAG } from '../tracking/entities.js';
import { loadDatasetInputs, metricEntity, runInfoEntity, type RunRow } from '../tracking/run-entities.js';

interface Grouped {
  run_uuid: string;
  j: string;
}

type MetricTuple = [string, number, number | null, number, boolean];
type KvTuple = [string, string | null];

const kv = ([key, value]: KvTuple): KeyValue => (value === null ? { key } : { key, value });

export async function loadPageRunsPostgres(d: StoreDialect, rows: RunRow[]): Promise<Run[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.run_uuid);
  const list = sql`${ids}::text[]`;
  const [metrics, params, tags, datasets, outputs] = await Promise.all([
    sql<Grouped>`SELECT run_uuid, json_agg(json_build_array(key, value, timestamp, step, is_nan) ORDER BY ctid)::text AS j
      FROM latest_metrics WHERE run_uuid = ANY(${list}) GROUP BY run_uuid`.execute(d.db),
    sql<Grouped>`SELECT run_uuid, json_agg(json_build_array(key, value) ORDER BY ctid)::text AS j
      FROM params WHERE run_uuid = ANY(${list}) GROUP BY run_uuid`.execute(d.db),
    sql<Grouped>`SELECT run_uuid, json_agg(json_build_array(key, value) ORDER BY ctid)::text AS j
      FROM tags WHERE run_uuid = ANY(${list}) GROUP BY run_uuid`.execute(d.db),
    loadDatasetInputs(d.db, ids),
    sql<{
      source_id: string;
      destination_id: string;
      step: number;
    }>`SELECT source_id, destination_id, step FROM inputs
      WHERE source_type = 'RUN_OUTPUT' AND destination_type = 'MODEL_OUTPUT' AND source_id = ANY(${list})`.execute(
      d.db,
    ),
  ]);
  const byRun = (r: { rows: Grouped[] }): Map<string, string> =>
    new Map(r.rows.map((x) => [x.run_uuid, x.j]));
  const metricsBy = byRun(metrics);
  const paramsBy = byRun(params);
  const tagsBy = byRun(tags);
  const outputsBy = new Map<string, { model_id: string; step: number }[]>();
  for (const o of outputs.rows) {
    const acc = outputsBy.get(o.source_id) ?? [];
    acc.push({ model_id: o.destination_id, step: Number(o.step) });
    outputsBy.set(o.source_id, acc);
  }
  return rows.map((row) => {
    const t = tagsBy.get(row.run_uuid);
    const tags = t ? (JSON.parse(t) as KvTuple[]) : [];
    const nameTag = tags.find(([k]) => k === RUN_NAME_TAG)?.[1];
    const data: Run['data'] = {};
    const m = metricsBy.get(row.run_uuid);
    if (m) {
      data.metrics = (JSON.parse(m) as MetricTuple[]).map(([key, value, timestamp, step, is_nan]) =>
        metricEntity({ key, value, timestamp, step, is_nan }),
      );
    }
    const p = paramsBy.get(row.run_uuid);
    if (p) data.params = (JSON.parse(p) as KvTuple[]).map(kv);
    if (tags.length > 0) data.tags = tags.map(kv);
    const inputs: Run['inputs'] = {};
    const ds = datasets.get(row.run_uuid);
    if (ds && ds.length > 0) inputs.dataset_inputs = ds;
    const mo = outputsBy.get(row.run_uuid);
    return { info: runInfoEntity(row, nameTag), data, inputs, outputs: mo ? { model_outputs: mo } : {} };
  });
}
