/**
 * A search page and its runs' data in one statement: the page query (filters, sort keys, LIMIT)
 * is a subquery, and each of its rows carries its latest metrics, params, tags and model outputs
 * as JSON texts built by correlated sub-selects (index lookups on each table's run_uuid index), so
 * the driver materialises one row per run and the page costs one round trip. Dataset inputs (a
 * three-table join, rare in practice) are read in a second query only when a run on the page has
 * any. Runs come out as search_runs / get_run answer them (`outputs` always present).
 *
 * Within a run, rows are listed as MLflow's unordered `run_uuid IN (...)` query sees them. On
 * SQLite that is rowid order (an UPDATE keeps the rowid), which the aggregate states explicitly.
 * On PostgreSQL MLflow's order depends on the plan (an index scan lists a HOT-updated row at its
 * first position, a sequential scan at its current one); here no order is imposed: the sub-select
 * is an index scan on run_uuid in practice, i.e. the order getRun's lookup also shows.
 */
import { sql, type RawBuilder } from 'kysely';
import type { StoreDialect } from '../dialects/dialect.js';
import type { DatasetInput } from '../../gen/messages.js';
import type { StoredKeyValue, StoredMetric as Metric, StoredRun as Run } from '../tracking/entities.js';
import { RUN_NAME_TAG } from '../tracking/constants.js';
import { loadDatasetInputs, runInfoEntity, type RunRow } from '../tracking/run-entities.js';

/** A page row: the run's columns, its data as JSON texts of column arrays (see columnsOf). */
export type PageRow = RunRow & {
  d_metrics: string | null;
  d_params: string | null;
  d_tags: string | null;
  d_outputs: string | null;
  d_model_inputs: string | null;
  d_has_datasets: boolean | number;
};

/**
 * The `cols` of `table`'s rows for run `p.run_uuid` as one JSON text, column-wise: an array per
 * column, all in the same row order (one aggregate pass feeds them all; see DialectSql.jsonColumns).
 * The parsed text allocates a few arrays per run instead of one per row.
 */
function columnsOf(d: StoreDialect, table: string, cols: string[], where = 'x.run_uuid = p.run_uuid') {
  return d.sql.jsonColumns(table, cols, where);
}

/**
 * The statement that selects `page` (a subquery whose rows are runs' columns plus any sort-key
 * columns it needs) with each run's data, in `order` (the page's sort, restated over `p`).
 */
export function pageWithData(
  d: StoreDialect,
  page: RawBuilder<unknown>,
  order: RawBuilder<unknown>[],
  opts: { modelInputs?: boolean } = {},
): RawBuilder<PageRow> {
  // get_run lists the run's model inputs too; search_runs does not.
  const modelInputs = opts.modelInputs
    ? columnsOf(
        d,
        'inputs',
        ['destination_id'],
        "x.source_type = 'RUN_INPUT' AND x.source_id = p.run_uuid AND x.destination_type = 'MODEL_INPUT'",
      )
    : sql`NULL`;
  const outputs = columnsOf(
    d,
    'inputs',
    ['destination_id', 'step'],
    "x.source_type = 'RUN_OUTPUT' AND x.source_id = p.run_uuid AND x.destination_type = 'MODEL_OUTPUT'",
  );
  return sql<PageRow>`SELECT p.*,
    ${columnsOf(d, 'latest_metrics', ['key', 'value', 'timestamp', 'step', 'is_nan'])} AS d_metrics,
    ${columnsOf(d, 'params', ['key', 'value'])} AS d_params,
    ${columnsOf(d, 'tags', ['key', 'value'])} AS d_tags,
    ${outputs} AS d_outputs,
    ${modelInputs} AS d_model_inputs,
    EXISTS (SELECT 1 FROM inputs x WHERE x.destination_type = 'RUN' AND x.destination_id = p.run_uuid) AS d_has_datasets
    FROM (${page}) p ORDER BY ${sql.join(order)}`;
}

type Columns<T extends unknown[]> = { [K in keyof T]: T[K][] };

/** The column arrays of a run's rows, or undefined when it has none. */
function columnsIn<T extends unknown[]>(j: string | null): Columns<T> | undefined {
  if (j === null) return undefined;
  const cols = JSON.parse(j) as Columns<T>;
  const first = cols[0] as unknown[] | null;
  return first && first.length > 0 ? cols : undefined;
}

function keyValues(j: string | null): StoredKeyValue[] | undefined {
  const c = columnsIn<[string, string | null]>(j);
  if (!c) return undefined;
  const [keys, values] = c;
  const out: StoredKeyValue[] = new Array(keys.length);
  for (let i = 0; i < keys.length; i++) {
    const value = values[i];
    out[i] = value === null || value === undefined ? { key: keys[i]! } : { key: keys[i]!, value };
  }
  return out;
}

/** As metricEntity: NaN restored from is_nan, a missing timestamp as 0. */
function metrics(j: string | null): Metric[] | undefined {
  const c = columnsIn<[string, number, number | null, number, boolean | number]>(j);
  if (!c) return undefined;
  const [keys, values, timestamps, steps, nans] = c;
  const out: Metric[] = new Array(keys.length);
  for (let i = 0; i < keys.length; i++) {
    out[i] = {
      key: keys[i]!,
      value: nans[i] ? NaN : values[i]!,
      timestamp: timestamps[i] ?? 0,
      step: steps[i]!,
    };
  }
  return out;
}

function modelOutputs(j: string | null): { model_id: string; step: number }[] | undefined {
  const c = columnsIn<[string, number]>(j);
  if (!c) return undefined;
  const [ids, steps] = c;
  return ids.map((model_id, i) => ({ model_id, step: Number(steps[i]) }));
}

async function datasetInputs(d: StoreDialect, ids: string[]): Promise<Map<string, DatasetInput[]>> {
  if (ids.length === 0) return new Map();
  // loadDatasetInputs binds one parameter per id: keep each call under the dialect's limit.
  const batch = Math.max(1, d.maxBindParams - 16);
  if (ids.length <= batch) return loadDatasetInputs(d.db, ids);
  const out = new Map<string, DatasetInput[]>();
  for (let i = 0; i < ids.length; i += batch) {
    for (const [k, v] of await loadDatasetInputs(d.db, ids.slice(i, i + batch))) out.set(k, v);
  }
  return out;
}

/** Run entities of the page rows, in their order. */
export async function pageRuns(d: StoreDialect, rows: PageRow[]): Promise<Run[]> {
  const withDatasets = rows.filter((r) => r.d_has_datasets).map((r) => r.run_uuid);
  const datasets = await datasetInputs(d, withDatasets);
  return rows.map((row) => {
    const runTags = keyValues(row.d_tags);
    const nameTag = runTags?.find((t) => t.key === RUN_NAME_TAG)?.value;
    const data: Run['data'] = {};
    const m = metrics(row.d_metrics);
    if (m) data.metrics = m;
    const p = keyValues(row.d_params);
    if (p) data.params = p;
    if (runTags) data.tags = runTags;
    const inputs: Run['inputs'] = {};
    const ds = datasets.get(row.run_uuid);
    if (ds && ds.length > 0) inputs.dataset_inputs = ds;
    const mi = columnsIn<[string]>(row.d_model_inputs);
    if (mi) inputs.model_inputs = mi[0].map((model_id) => ({ model_id }));
    const mo = modelOutputs(row.d_outputs);
    return {
      info: runInfoEntity(row, nameTag),
      data,
      inputs,
      outputs: mo ? { model_outputs: mo } : {},
    };
  });
}

/**
 * get_run's run with its data (and model inputs) in one statement; undefined when there is no
 * such run.
 */
export async function loadRunWithData(d: StoreDialect, runId: string): Promise<Run | undefined> {
  const page = sql`SELECT runs.* FROM runs WHERE runs.run_uuid = ${runId}`;
  const query = pageWithData(d, page, [sql`p.run_uuid`], { modelInputs: true });
  // The text is the same for every run: on PostgreSQL a named prepared statement (planning this
  // statement cost about a third of its CPU).
  const compiled = query.compile(d.db);
  const rows = await d.selectRows<PageRow>(compiled.sql, compiled.parameters, GET_RUN_STATEMENT);
  const [run] = await pageRuns(d, rows);
  return run;
}

const GET_RUN_STATEMENT = 'mlflow_ts_get_run';
