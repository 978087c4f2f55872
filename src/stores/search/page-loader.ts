/**
 * The runs of a search page with one query per table for the whole page: latest metrics, params
 * and tags come back grouped per run as one JSON text (the driver materialises one row per run
 * instead of one per metric/param/tag), dataset inputs and model outputs alongside. The ids travel
 * as one parameter (a PostgreSQL array, a JSON array for SQLite's json_each), so page size is not
 * bounded by the bind-parameter limit. On PostgreSQL the queries run in parallel on the pool.
 *
 * Within a run, rows are listed in the order the scan of `run_uuid IN (...)` delivers them, as
 * MLflow's unordered selectin query (and getRun's) sees them. On SQLite that is rowid order (an
 * UPDATE keeps the rowid). On PostgreSQL an index or bitmap scan delivers a row where it was first
 * inserted (a HOT update leaves the index entry on the original line pointer), a sequential scan
 * where its current version lies: ctid order would list every overwritten tag / latest metric
 * last, so the scan order is numbered (row_number() OVER () before any grouping) and aggregated in
 * that order, whatever strategy GROUP BY takes (a sort is not stable). Produces what
 * `loadRuns(..., { outputs: true })` produces.
 */
import { sql, type RawBuilder } from 'kysely';
import type { StoreDialect } from '../dialects/dialect.js';
import type { DatasetInput, KeyValue, Run } from '../tracking/entities.js';
import { RUN_NAME_TAG } from '../tracking/entities.js';
import { loadDatasetInputs, metricEntity, runInfoEntity, type RunRow } from '../tracking/run-entities.js';

interface Grouped {
  run_uuid: string;
  j: string;
}

type MetricTuple = [string, number, number | null, number, boolean | number];
type KvTuple = [string, string | null];

const kv = ([key, value]: KvTuple): KeyValue => (value === null ? { key } : { key, value });

/**
 * Dialect spelling of "column is one of the page's ids" and of the per-run JSON aggregate of
 * `cols` of `table` for the page's runs (one row per run: run_uuid, j).
 */
function dialectSql(d: StoreDialect, ids: string[]) {
  if (d.name === 'postgresql') {
    const list = sql`${ids}::text[]`;
    return {
      inIds: (col: RawBuilder<unknown>) => sql`${col} = ANY(${list})`,
      grouped: (table: string, cols: string) =>
        sql<Grouped>`SELECT run_uuid, json_agg(json_build_array(${sql.raw(cols)}) ORDER BY scan_pos)::text AS j
          FROM (SELECT run_uuid, ${sql.raw(cols)}, row_number() OVER () AS scan_pos
                FROM ${sql.table(table)} WHERE run_uuid = ANY(${list})) AS s
          GROUP BY run_uuid`,
    };
  }
  const list = JSON.stringify(ids);
  return {
    inIds: (col: RawBuilder<unknown>) => sql`${col} IN (SELECT value FROM json_each(${list}))`,
    grouped: (table: string, cols: string) =>
      sql<Grouped>`SELECT run_uuid, json_group_array(json_array(${sql.raw(cols)}) ORDER BY rowid) AS j
        FROM ${sql.table(table)} WHERE run_uuid IN (SELECT value FROM json_each(${list})) GROUP BY run_uuid`,
  };
}

async function datasetInputs(d: StoreDialect, ids: string[]): Promise<Map<string, DatasetInput[]>> {
  // loadDatasetInputs binds one parameter per id: keep each call under the dialect's limit.
  const batch = Math.max(1, d.maxBindParams - 16);
  if (ids.length <= batch) return loadDatasetInputs(d.db, ids);
  const out = new Map<string, DatasetInput[]>();
  for (let i = 0; i < ids.length; i += batch) {
    for (const [k, v] of await loadDatasetInputs(d.db, ids.slice(i, i + batch))) out.set(k, v);
  }
  return out;
}

export async function loadPageRuns(d: StoreDialect, rows: RunRow[]): Promise<Run[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.run_uuid);
  const { inIds, grouped } = dialectSql(d, ids);
  const [metrics, params, tags, datasets, outputs] = await Promise.all([
    grouped('latest_metrics', 'key, value, timestamp, step, is_nan').execute(d.db),
    grouped('params', 'key, value').execute(d.db),
    grouped('tags', 'key, value').execute(d.db),
    datasetInputs(d, ids),
    sql<{
      source_id: string;
      destination_id: string;
      step: number;
    }>`SELECT source_id, destination_id, step FROM inputs
      WHERE source_type = 'RUN_OUTPUT' AND destination_type = 'MODEL_OUTPUT' AND ${inIds(sql.ref('source_id'))}`.execute(
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
    const runTags = t ? (JSON.parse(t) as KvTuple[]) : [];
    const nameTag = runTags.find(([k]) => k === RUN_NAME_TAG)?.[1];
    const data: Run['data'] = {};
    const m = metricsBy.get(row.run_uuid);
    if (m) {
      data.metrics = (JSON.parse(m) as MetricTuple[]).map(([key, value, timestamp, step, is_nan]) =>
        metricEntity({ key, value, timestamp, step, is_nan }),
      );
    }
    const p = paramsBy.get(row.run_uuid);
    if (p) data.params = (JSON.parse(p) as KvTuple[]).map(kv);
    if (runTags.length > 0) data.tags = runTags.map(kv);
    const inputs: Run['inputs'] = {};
    const ds = datasets.get(row.run_uuid);
    if (ds && ds.length > 0) inputs.dataset_inputs = ds;
    const mo = outputsBy.get(row.run_uuid);
    return { info: runInfoEntity(row, nameTag), data, inputs, outputs: mo ? { model_outputs: mo } : {} };
  });
}
