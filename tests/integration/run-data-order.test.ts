/**
 * Order of a run's tags / latest metrics after they are overwritten. On SQLite getRun and search
 * list them as MLflow's unordered `run_uuid IN (...)` query does there: rowid order (an UPDATE
 * keeps the rowid). On PostgreSQL MLflow's order depends on the plan (an index scan lists an
 * overwritten row at its first position, a sequential scan at its current one) and neither MLflow
 * nor mlflow-ts imposes one: only the set of keys and the current values are asserted there.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { searchRuns } from '../../src/services/tracking/search-runs.js';
import { openStores, type Stores } from '../../src/stores/index.js';
import { backendNames, newBackend, type TestBackend } from '../helpers/store-backends.js';

describe.each(backendNames)('run data order after overwrites on %s', (dialect) => {
  let backend: TestBackend;
  let stores: Stores;
  // SQLite: the exact order; PostgreSQL: the set (compared sorted).
  const ordered = (keys: string[]): string[] => (dialect === 'sqlite' ? keys : [...keys].sort());
  const keysOf = (items: { key: string }[] | undefined): string[] => ordered((items ?? []).map((x) => x.key));

  beforeAll(async () => {
    backend = await newBackend(dialect, 'dataorder');
    stores = await openStores(backend.uri, { defaultArtifactRoot: '/tmp/a' });
  });
  afterAll(async () => {
    await stores.close();
    await backend.drop();
  });

  it('keeps an overwritten tag and latest metric in their first position in getRun and searchRuns', async () => {
    const t = stores.tracking;
    const expId = await t.createExperiment('order', undefined, []);
    const run = await t.createRun({ experimentId: expId, userId: '', startTime: 0, tags: [], runName: 'r' });
    const id = run.info.run_id;
    for (const k of ['t1', 'note', 't3']) await t.setTag(id, k, 'x');
    await t.setTag(id, 't1', 'y');
    await t.setTag(id, 'mlflow.runName', 'renamed');
    const m = (key: string, step: number) => ({ key, value: step, timestamp: step, step });
    await t.logBatch(id, { metrics: [m('m1', 0), m('m2', 0)], params: [], tags: [] });
    await t.logBatch(id, { metrics: [m('m1', 5)], params: [], tags: [] });

    const tagKeys = ['mlflow.runName', 't1', 'note', 't3'];
    const got = await t.getRun(id);
    expect(keysOf(got.data.tags)).toEqual(ordered(tagKeys));
    expect(keysOf(got.data.metrics)).toEqual(ordered(['m1', 'm2']));
    expect(got.data.tags?.find((x) => x.key === 't1')?.value).toBe('y');
    const found = await searchRuns(stores.dialect, { experiment_ids: [expId] });
    const data = found.runs[0]?.data;
    expect(keysOf(data?.tags)).toEqual(ordered(tagKeys));
    expect(data?.tags?.find((x) => x.key === 't1')?.value).toBe('y');
    expect(keysOf(data?.metrics)).toEqual(ordered(['m1', 'm2']));
    expect(data?.metrics?.find((x) => x.key === 'm1')?.value).toBe(5);
  });

  it('creates latest metrics of a batch in first-appearance order on SQLite (the same keys on PostgreSQL)', async () => {
    const t = stores.tracking;
    const expId = await t.createExperiment('order-metrics', undefined, []);
    const run = await t.createRun({ experimentId: expId, userId: '', startTime: 0, tags: [], runName: 'r' });
    const id = run.info.run_id;
    const m = (key: string, step: number) => ({ key, value: step, timestamp: step, step });
    await t.logBatch(id, { metrics: [m('zz', 0)], params: [], tags: [] });
    await t.logBatch(id, { metrics: [m('m2', 1), m('B', 0), m('m2', 0), m('a', 0)], params: [], tags: [] });
    const keys = keysOf((await t.getRun(id)).data.metrics);
    expect(keys).toEqual(ordered(['zz', 'm2', 'B', 'a']));
    const found = await searchRuns(stores.dialect, { experiment_ids: [expId] });
    expect(keysOf(found.runs[0]?.data.metrics)).toEqual(keys);
  });
});
