/**
 * Logged models shared with Python MLflow on one database, both directions and both dialects:
 * what mlflow-ts writes (models, params, tags, metrics, statuses, a soft delete, a run's output),
 * MlflowClient reads as mlflow-ts reads it; and the other way round.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sortKeyedLists } from '../helpers/keyed-lists.js';
import { openStores, type Stores } from '../../src/stores/index.js';
import { createNativeHandlers } from '../../src/services/native.js';
import type { NativeHandlers } from '../../src/services/types.js';
import { backendNames, newBackend, runPython, type TestBackend } from '../helpers/store-backends.js';


const ctx = { log: console, args: () => new URLSearchParams('allow_deleted=true') } as never;

describe.each(backendNames)('logged models shared with Python MLflow on %s', (dialect) => {
  let backend: TestBackend;
  let stores: Stores;
  let h: NativeHandlers;
  const call = async (rpc: string, req: unknown) => h[`MlflowService.${rpc}`]!(req, ctx);

  beforeAll(async () => {
    backend = await newBackend(dialect, 'lmcross');
    stores = await openStores(backend.uri, { defaultArtifactRoot: 'mlflow-artifacts:/' });
    h = createNativeHandlers(stores);
  });
  afterAll(async () => {
    await stores.close();
    await backend.drop();
  });

  async function ours(modelIds: string[], experimentIds: string[], runIds: string[]) {
    const search = await call('searchLoggedModels', { experiment_ids: experimentIds });
    const filtered = await call('searchLoggedModels', {
      experiment_ids: experimentIds,
      filter: "metrics.acc > 0.5 AND tags.team = 'red'",
    });
    return {
      models: await Promise.all(modelIds.map(async (id) => (await call('getLoggedModel', { model_id: id })).model)),
      search: search.models ?? [],
      filtered: (filtered.models ?? []).map((m: { info: { model_id: string } }) => m.info.model_id),
      outputs: await Promise.all(
        runIds.map(async (id) => (await call('getRun', { run_id: id })).run.outputs?.model_outputs ?? []),
      ),
    };
  }

  it('Python reads the logged models mlflow-ts writes as mlflow-ts reads them', async () => {
    const { experiment_id: exp } = await call('createExperiment', { name: 'ts-models' });
    const { run } = await call('createRun', { experiment_id: exp, start_time: 5 });
    const runId = run.info.run_id as string;
    const { model: a } = await call('createLoggedModel', {
      experiment_id: exp,
      name: 'ts-a',
      model_type: 'sk',
      source_run_id: runId,
      params: [{ key: 'lr', value: '0.1' }],
      tags: [{ key: 'team', value: 'red' }],
    });
    await new Promise((r) => setTimeout(r, 3));
    const { model: b } = await call('createLoggedModel', { experiment_id: exp });
    const aId = a.info.model_id as string;
    const bId = b.info.model_id as string;
    await call('logBatch', {
      run_id: runId,
      metrics: [
        { key: 'acc', value: 0.9, timestamp: 10, step: 1, model_id: aId, dataset_name: 'eval', dataset_digest: 'd1' },
        { key: 'acc', value: 0.2, timestamp: 10, step: 1, model_id: bId },
      ],
    });
    await call('LogLoggedModelParams', { model_id: aId, params: [{ key: 'depth', value: '3' }] });
    await call('setLoggedModelTags', { model_id: bId, tags: [{ key: 'team', value: 'blue' }] });
    await call('finalizeLoggedModel', { model_id: aId, status: 'LOGGED_MODEL_READY' });
    await call('logOutputs', { run_id: runId, models: [{ model_id: aId, step: 4 }] });
    const { model: c } = await call('createLoggedModel', { experiment_id: exp, name: 'ts-c' });
    await call('deleteLoggedModel', { model_id: c.info.model_id });

    const ids = [aId, bId, c.info.model_id as string];
    const mine = await ours(ids, [exp], [runId]);
    const theirs = runPython(
      'logged_model_crossread.py',
      ['read', backend.pythonUri],
      JSON.stringify({ model_ids: ids, experiment_ids: [exp], run_ids: [runId] }),
    );
    expect(sortKeyedLists(mine)).toEqual(sortKeyedLists(theirs));
    expect(mine.search).toHaveLength(2);
    expect(mine.filtered).toEqual([aId]);
    expect(mine.models[0].info.status).toBe('LOGGED_MODEL_READY');
    expect(mine.models[0].info.artifact_uri).toBe(`mlflow-artifacts:/${exp}/models/${aId}/artifacts`);
  });

  it('mlflow-ts reads the logged models Python writes as Python reads them', async () => {
    const w = runPython('logged_model_crossread.py', ['write', backend.pythonUri]) as {
      experiment_id: string;
      run_id: string;
      model_ids: string[];
    };
    const theirs = runPython(
      'logged_model_crossread.py',
      ['read', backend.pythonUri],
      JSON.stringify({ model_ids: w.model_ids, experiment_ids: [w.experiment_id], run_ids: [w.run_id] }),
    );
    const mine = await ours(w.model_ids, [w.experiment_id], [w.run_id]);
    expect(sortKeyedLists(mine)).toEqual(sortKeyedLists(theirs));
    expect(mine.filtered).toEqual([w.model_ids[0]]);
    // And mlflow-ts keeps writing to Python's models (a param logged twice is refused).
    await expect(
      call('LogLoggedModelParams', { model_id: w.model_ids[0], params: [{ key: 'lr', value: '0.2' }] }),
    ).rejects.toThrow(/UNIQUE|duplicate key|Duplicate entry/);
  });
});
