import { randomUUID } from 'node:crypto';
import { sql, type SqlBool } from 'kysely';
import { MlflowError } from '../../errors/mlflow-error.js';
import { reprDictList } from '../../py/repr.js';
import { RUN_NAME_TAG } from './constants.js';
import type { Db, StoreContext } from './context.js';
import type { BatchArgs, DatasetInputArgs, MetricInput, ParamInput, TagInput } from './inputs.js';
import {
  EXCLUDED_IS_NEWER,
  metricRow,
  newerThan,
  sanitizeMetricValue,
  type MetricRow,
} from './latest-metric.js';
import { checkRunActive, getRunRow, updateRunInfoIn } from './runs.js';
import type { RunRow } from './run-entities.js';
import { withDeadlockRetry } from './retry.js';

/** Stored identity of a metric (metric_pk minus run_uuid). */
const metricIdentity = (m: MetricRow): string =>
  `${m.key}\u0000${m.timestamp}\u0000${m.step}\u0000${m.value}\u0000${m.isNan}`;

/** Orders rows by the metric primary key so concurrent writers take index locks in one order. */
function comparePk(a: MetricRow, b: MetricRow): number {
  if (a.key !== b.key) return a.key < b.key ? -1 : 1;
  return (
    a.timestamp - b.timestamp || a.step - b.step || a.value - b.value || Number(a.isNan) - Number(b.isNan)
  );
}

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * log_batch in one transaction, all or nothing: params (conflicting values refused, nothing
 * written), metrics (set-based insert, PK duplicates ignored), latest_metrics (one upsert in key
 * order), logged-model metrics, tags (mlflow.runName also renames the run). Inputs are validated.
 */
export async function logBatch(ctx: StoreContext, runId: string, batch: BatchArgs): Promise<void> {
  const ops = ctx.dialect.tracking;
  if (
    ops.logMetrics &&
    batch.params.length === 0 &&
    batch.tags.length === 0 &&
    !batch.metrics.some((m) => m.model_id)
  ) {
    return ops.logMetrics(runId, batch.metrics);
  }
  await withDeadlockRetry(() =>
    ctx.db.transaction().execute(async (trx) => {
      const run = await getRunRow(trx, runId);
      checkRunActive(run);
      await writeParams(ctx, trx, runId, batch.params, 'batch');
      await writeMetrics(ctx, trx, run, batch.metrics);
      await writeTags(ctx, trx, run, batch.tags);
    }),
  );
}

export async function logMetric(ctx: StoreContext, runId: string, metric: MetricInput): Promise<void> {
  const ops = ctx.dialect.tracking;
  if (ops.logMetrics && !metric.model_id) return ops.logMetrics(runId, [metric]);
  await withDeadlockRetry(() =>
    ctx.db.transaction().execute(async (trx) => {
      const run = await getRunRow(trx, runId);
      checkRunActive(run);
      await writeMetrics(ctx, trx, run, [metric]);
    }),
  );
}

export async function logParam(ctx: StoreContext, runId: string, param: ParamInput): Promise<void> {
  if (await ctx.dialect.tracking.logParam(runId, param)) return;
  await ctx.db.transaction().execute(async (trx) => {
    const run = await getRunRow(trx, runId);
    checkRunActive(run);
    await writeParams(ctx, trx, runId, [param], 'single');
  });
}

/**
 * The distinct metric rows of a batch in primary-key order, and per key its newest row
 * ((step, timestamp, value); the first of equals in request order) in the order latest_metrics
 * rows are written: first appearance in the batch (MLflow's, which get_run then shows), or key
 * order (`keyOrder`, PostgreSQL: concurrent batches on one run then lock rows in one order).
 */
export function metricRows(
  metrics: readonly MetricInput[],
  keyOrder: boolean,
): { rows: MetricRow[]; latest: MetricRow[] } {
  const rowsById = new Map<string, MetricRow>();
  const newest = new Map<string, MetricRow>();
  for (const m of metrics) {
    const row = metricRow(m);
    const id = metricIdentity(row);
    if (!rowsById.has(id)) rowsById.set(id, row);
    const cur = newest.get(row.key);
    if (!cur || newerThan(row, cur)) newest.set(row.key, row);
  }
  const latest = [...newest.values()];
  if (keyOrder) latest.sort((a, c) => (a.key < c.key ? -1 : a.key > c.key ? 1 : 0));
  return { rows: [...rowsById.values()].sort(comparePk), latest };
}

/** log_param's refusal of a changed value (one param; a batch lists them all, see writeParams). */
export function paramChangedError(runId: string, param: ParamInput, stored: string): MlflowError {
  return MlflowError.invalidParameter(
    `Changing param values is not allowed. Param with key='${param.key}' was already logged with ` +
      `value='${stored}' for run ID='${runId}'. Attempted logging new value '${param.value}'.`,
  );
}

async function writeParams(
  ctx: StoreContext,
  trx: Db,
  runId: string,
  params: ParamInput[],
  mode: 'single' | 'batch',
): Promise<void> {
  if (params.length === 0) return;
  /** Refuses changed values; returns the keys already stored (all with the values given). */
  const check = async (): Promise<Set<string>> => {
    const keys = params.map((p) => p.key);
    const existing = new Map<string, string>();
    for (const part of chunk(keys, 500)) {
      const rows = await trx
        .selectFrom('params')
        .select(['key', 'value'])
        .where('run_uuid', '=', runId)
        .where('key', 'in', part)
        .execute();
      for (const r of rows) existing.set(r.key, r.value);
    }
    const conflicts = params.filter((p) => existing.has(p.key) && existing.get(p.key) !== p.value);
    if (conflicts.length === 0) return new Set(existing.keys());
    if (mode === 'single') {
      const p = conflicts[0]!;
      throw paramChangedError(runId, p, existing.get(p.key)!);
    }
    const described = reprDictList(
      conflicts.map((p) => ({ key: p.key, old_value: existing.get(p.key)!, new_value: p.value })),
    );
    throw MlflowError.invalidParameter(
      `Changing param values is not allowed. Params were already logged='${described}' for run ID='${runId}'.`,
    );
  };
  const stored = await check();
  // Only new keys (a re-sent param is already there, with its value). Request order, as MLflow
  // inserts them: the database's natural order is what get_run shows.
  const fresh = params.filter((p) => !stored.has(p.key));
  let inserted = 0;
  for (const part of chunk(fresh, Math.floor(ctx.dialect.maxBindParams / 3))) {
    const rows = await trx
      .insertInto('params')
      .values(part.map((p) => ({ run_uuid: runId, key: p.key, value: p.value })))
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    // Rows inserted (a conflicting one is skipped and not counted, on every dialect).
    inserted += Number(rows.numInsertedOrUpdatedRows ?? 0n);
  }
  // A concurrent writer may have stored one of these keys between our read and our insert
  // (ON CONFLICT DO NOTHING kept theirs): then re-check now that the rows are settled.
  if (inserted < fresh.length) await check();
}

async function writeMetrics(ctx: StoreContext, trx: Db, run: RunRow, metrics: MetricInput[]): Promise<void> {
  if (metrics.length === 0) return;
  const { rows, latest } = metricRows(metrics, ctx.dialect.tracking.latestMetricsInKeyOrder);
  const runId = run.run_uuid;
  const b = ctx.dialect.bool;
  for (const part of chunk(rows, Math.floor(ctx.dialect.maxBindParams / 6))) {
    await trx
      .insertInto('metrics')
      .values(
        part.map((m) => ({
          run_uuid: runId,
          key: m.key,
          value: m.value,
          timestamp: m.timestamp,
          step: m.step,
          is_nan: b(m.isNan),
        })),
      )
      .onConflict((oc) => oc.doNothing())
      .execute();
  }

  // One upsert that only overwrites older rows, in metricRows' order (see there).
  for (const part of chunk(latest, Math.floor(ctx.dialect.maxBindParams / 6))) {
    await trx
      .insertInto('latest_metrics')
      .values(
        part.map((m) => ({
          run_uuid: runId,
          key: m.key,
          value: m.value,
          timestamp: m.timestamp,
          step: m.step,
          is_nan: b(m.isNan),
        })),
      )
      .onConflict((oc) =>
        oc
          .columns(['key', 'run_uuid'])
          .doUpdateSet((eb) => ({
            value: eb.ref('excluded.value'),
            timestamp: eb.ref('excluded.timestamp'),
            step: eb.ref('excluded.step'),
            is_nan: eb.ref('excluded.is_nan'),
          }))
          .where(sql<SqlBool>`${sql.raw(EXCLUDED_IS_NEWER)}`),
      )
      .execute();
  }

  // Metrics that name a logged model are also recorded against it (_log_model_metrics).
  const modelMetrics = new Map<string, MetricInput & { model_id: string }>();
  for (const m of metrics) {
    if (!m.model_id) continue;
    const k = `${m.model_id}\u0000${m.key}\u0000${m.timestamp}\u0000${m.step}`;
    if (!modelMetrics.has(k)) modelMetrics.set(k, m as MetricInput & { model_id: string });
  }
  if (modelMetrics.size > 0) {
    await trx
      .insertInto('logged_model_metrics')
      .values(
        [...modelMetrics.values()].map((m) => ({
          model_id: m.model_id,
          metric_name: m.key,
          metric_timestamp_ms: m.timestamp,
          metric_step: m.step,
          metric_value: sanitizeMetricValue(m.value).value,
          experiment_id: run.experiment_id!,
          run_id: runId,
          dataset_uuid: null,
          dataset_name: m.dataset_name ?? null,
          dataset_digest: m.dataset_digest ?? null,
        })),
      )
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
}

async function writeTags(ctx: StoreContext, trx: Db, run: RunRow, tags: TagInput[]): Promise<void> {
  if (tags.length === 0) return;
  const byKey = new Map<string, string>();
  for (const t of tags) byKey.set(t.key, t.value); // the last value of a repeated key wins
  const runName = byKey.get(RUN_NAME_TAG);
  byKey.delete(RUN_NAME_TAG);
  // Request order (first occurrence of a key), as MLflow adds them: get_run shows that order.
  for (const part of chunk([...byKey], Math.floor(ctx.dialect.maxBindParams / 3))) {
    await trx
      .insertInto('tags')
      .values(part.map(([key, value]) => ({ run_uuid: run.run_uuid, key, value })))
      .onConflict((oc) =>
        oc.columns(['key', 'run_uuid']).doUpdateSet((eb) => ({ value: eb.ref('excluded.value') })),
      )
      .execute();
  }
  if (runName !== undefined) {
    // set_tag(mlflow.runName) -> update_run_info: renames the run; an empty name changes nothing.
    await updateRunInfoIn(trx, run.run_uuid, undefined, undefined, runName);
  }
}

/**
 * log_inputs: datasets are shared per experiment by (name, digest); each dataset is linked to the
 * run once (later duplicates and already-linked datasets are ignored, with their tags); model
 * inputs become RUN_INPUT -> MODEL_INPUT edges.
 */
export async function logInputs(
  ctx: StoreContext,
  runId: string,
  datasets: DatasetInputArgs[],
  models: { model_id: string }[],
): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    const run = await getRunRow(trx, runId);
    checkRunActive(run);
    const experimentId = run.experiment_id!;
    const unique = new Map<string, DatasetInputArgs>();
    for (const d of datasets) {
      const k = `${d.dataset.name}\u0000${d.dataset.digest}`;
      if (!unique.has(k)) unique.set(k, d);
    }
    const inputs = [...unique.values()];
    const datasetUuids = new Map<string, string>();
    if (inputs.length > 0) {
      const existing = await trx
        .selectFrom('datasets')
        .select(['dataset_uuid', 'name', 'digest'])
        .where('experiment_id', '=', experimentId)
        .where(
          'name',
          'in',
          inputs.map((d) => d.dataset.name),
        )
        .where(
          'digest',
          'in',
          inputs.map((d) => d.dataset.digest),
        )
        .execute();
      for (const e of existing) datasetUuids.set(`${e.name}\u0000${e.digest}`, e.dataset_uuid);
      const newDatasets = inputs.filter(
        (d) => !datasetUuids.has(`${d.dataset.name}\u0000${d.dataset.digest}`),
      );
      if (newDatasets.length > 0) {
        const values = newDatasets.map((d) => {
          const uuid = randomUUID().replace(/-/g, '');
          datasetUuids.set(`${d.dataset.name}\u0000${d.dataset.digest}`, uuid);
          return {
            dataset_uuid: uuid,
            experiment_id: experimentId,
            name: d.dataset.name,
            digest: d.dataset.digest,
            dataset_source_type: d.dataset.source_type,
            dataset_source: d.dataset.source,
            dataset_schema: d.dataset.schema ?? null,
            dataset_profile: d.dataset.profile ?? null,
          };
        });
        await trx.insertInto('datasets').values(values).execute();
      }
      const linked = await trx
        .selectFrom('inputs')
        .select('source_id')
        .where('source_type', '=', 'DATASET')
        .where('source_id', 'in', [...datasetUuids.values()])
        .where('destination_type', '=', 'RUN')
        .where('destination_id', '=', runId)
        .execute();
      const linkedIds = new Set(linked.map((l) => l.source_id));
      const edges: {
        input_uuid: string;
        source_type: string;
        source_id: string;
        destination_type: string;
        destination_id: string;
      }[] = [];
      const inputTags: { input_uuid: string; name: string; value: string }[] = [];
      for (const d of inputs) {
        const datasetUuid = datasetUuids.get(`${d.dataset.name}\u0000${d.dataset.digest}`)!;
        if (linkedIds.has(datasetUuid)) continue;
        const inputUuid = randomUUID().replace(/-/g, '');
        edges.push({
          input_uuid: inputUuid,
          source_type: 'DATASET',
          source_id: datasetUuid,
          destination_type: 'RUN',
          destination_id: runId,
        });
        for (const t of d.tags) inputTags.push({ input_uuid: inputUuid, name: t.key, value: t.value });
      }
      if (edges.length > 0) await trx.insertInto('inputs').values(edges).execute();
      if (inputTags.length > 0) await trx.insertInto('input_tags').values(inputTags).execute();
    }
    for (const m of models) {
      // session.merge on the (source, destination) primary key: one edge per model.
      await trx
        .insertInto('inputs')
        .values({
          input_uuid: randomUUID().replace(/-/g, ''),
          source_type: 'RUN_INPUT',
          source_id: runId,
          destination_type: 'MODEL_INPUT',
          destination_id: m.model_id,
        })
        .onConflict((oc) =>
          oc.columns(['source_type', 'source_id', 'destination_type', 'destination_id']).doNothing(),
        )
        .execute();
    }
  });
}

/** The run-data operations of the tracking store (see store.ts). */
export const runDataOperations = { logBatch, logMetric, logParam, logInputs };
