/**
 * Order of a run's tags / latest metrics after they are overwritten: search lists them as getRun
 * does, i.e. as MLflow's unordered `run_uuid IN (...)` query sees them. On PostgreSQL an overwritten
 * row keeps its original position for an index scan (its current version lies at the end of the
 * heap, where a ctid order would put it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { searchRuns } from '../../src/services/tracking/search-runs.js';
import { openStores, type Stores } from '../../src/stores/index.js';
import { backendNames, newBackend, type TestBackend } from '../helpers/store-backends.js';

describe.each(backendNames)('run data order after overwrites on %s', (dialect) => {
  let backend: TestBackend;
  let stores: Stores;

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
    expect(got.data.tags?.map((x) => x.key)).toEqual(tagKeys);
    expect(got.data.metrics?.map((x) => x.key)).toEqual(['m1', 'm2']);
    const found = await searchRuns(stores.dialect, { experiment_ids: [expId] });
    const data = found.runs[0]?.data;
    expect(data?.tags?.map((x) => x.key)).toEqual(tagKeys);
    expect(data?.tags?.find((x) => x.key === 't1')?.value).toBe('y');
    expect(data?.metrics?.map((x) => x.key)).toEqual(['m1', 'm2']);
  });

  it('creates latest metrics of a batch in first-appearance order on SQLite (key order on PostgreSQL)', async () => {
    const t = stores.tracking;
    const expId = await t.createExperiment('order-metrics', undefined, []);
    const run = await t.createRun({ experimentId: expId, userId: '', startTime: 0, tags: [], runName: 'r' });
    const id = run.info.run_id;
    const m = (key: string, step: number) => ({ key, value: step, timestamp: step, step });
    await t.logBatch(id, { metrics: [m('zz', 0)], params: [], tags: [] });
    await t.logBatch(id, { metrics: [m('m2', 1), m('B', 0), m('m2', 0), m('a', 0)], params: [], tags: [] });
    const keys = (await t.getRun(id)).data.metrics?.map((x) => x.key);
    expect(keys).toEqual(dialect === 'sqlite' ? ['zz', 'm2', 'B', 'a'] : ['zz', 'B', 'a', 'm2']);
    const found = await searchRuns(stores.dialect, { experiment_ids: [expId] });
    expect(found.runs[0]?.data.metrics?.map((x) => x.key)).toEqual(keys);
  });
});
