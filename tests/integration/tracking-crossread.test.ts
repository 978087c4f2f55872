/**
 * Cross-reading with Python MLflow on the same database, both directions and both dialects:
 * what mlflow-ts writes, MlflowClient reads identically to what mlflow-ts reads; what MlflowClient
 * writes, mlflow-ts reads as MLflow does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStores, type Stores } from '../../src/stores/index.js';
import { createNativeHandlers } from '../../src/services/native.js';
import { materializeStreamed } from '../../src/services/streamed.js';
import type { NativeHandlers } from '../../src/services/types.js';
import { backendNames, newBackend, runPython, type TestBackend } from '../helpers/store-backends.js';

/** Proto-JSON view of an entity: non-finite doubles as strings, repeated fields in a stable order. */
function normalize(value: unknown): unknown {
  const json = JSON.parse(
    JSON.stringify(value, (_k, v: unknown) =>
      typeof v === 'number' && !Number.isFinite(v)
        ? Number.isNaN(v)
          ? 'NaN'
          : v > 0
            ? 'Infinity'
            : '-Infinity'
        : v,
    ),
  );
  const sortDeep = (v: unknown): unknown => {
    if (Array.isArray(v)) {
      const items = v.map(sortDeep);
      return items.every((i) => typeof i === 'object' && i !== null && 'key' in i)
        ? [...items].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))
        : items;
    }
    if (typeof v === 'object' && v !== null) {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, sortDeep(x)]));
    }
    return v;
  };
  return sortDeep(json);
}

const ctx = { log: console } as never;

describe.each(backendNames)('cross-reading with Python MLflow on %s', (dialect) => {
  let backend: TestBackend;
  let stores: Stores;
  let h: NativeHandlers;
  // Streamed fields (the unpaginated metric history) read whole, as a client would see them.
  const call = async (rpc: string, req: unknown) =>
    materializeStreamed(await h[`MlflowService.${rpc}`]!(req, ctx));

  beforeAll(async () => {
    backend = await newBackend(dialect, 'crossread');
    stores = await openStores(backend.uri, { defaultArtifactRoot: 'mlflow-artifacts:/' });
    h = createNativeHandlers(stores);
  });
  afterAll(async () => {
    await stores.close();
    await backend.drop();
  });

  it('Python reads what mlflow-ts writes exactly as mlflow-ts reads it', async () => {
    const { experiment_id: exp } = await call('createExperiment', {
      name: 'ts-written',
      tags: [{ key: 'owner', value: 'ts' }],
    });
    const { run } = await call('createRun', {
      experiment_id: exp,
      start_time: 123,
      user_id: 'alice',
      run_name: 'r1',
    });
    const runId = run.info.run_id as string;
    await call('logBatch', {
      run_id: runId,
      metrics: [
        { key: 'm', value: 1.5, timestamp: 1, step: 0 },
        { key: 'm', value: NaN, timestamp: 2, step: 5 },
        { key: 'm', value: 2, timestamp: 3, step: 1 },
        { key: 'big', value: Infinity, timestamp: 1, step: 0 },
        { key: 'small', value: -Infinity, timestamp: 1, step: 0 },
      ],
      params: [{ key: 'alpha', value: '0.1' }],
      tags: [{ key: 'note', value: 'héllo' }],
    });
    await call('logMetric', { run_id: runId, key: 'single', value: 7, timestamp: 9, step: 3 });
    await call('logParam', { run_id: runId, key: 'beta', value: '' });
    await call('setTag', { run_id: runId, key: 'mlflow.runName', value: 'renamed' });
    await call('logInputs', {
      run_id: runId,
      datasets: [
        {
          tags: [{ key: 'mlflow.data.context', value: 'eval' }],
          dataset: { name: 'd', digest: 'dg', source_type: 'code', source: '{}', profile: 'p' },
        },
      ],
    });
    await call('updateRun', { run_id: runId, status: 'FINISHED', end_time: 456 });
    const { run: other } = await call('createRun', { experiment_id: exp });
    await call('deleteRun', { run_id: other.info.run_id });

    const ours = {
      experiments: [
        (await call('getExperiment', { experiment_id: exp })).experiment,
        (await call('getExperiment', { experiment_id: '0' })).experiment,
      ],
      experiment_by_name: [(await call('getExperimentByName', { experiment_name: 'ts-written' })).experiment],
      runs: [
        (await call('getRun', { run_id: runId })).run,
        (await call('getRun', { run_id: other.info.run_id })).run,
      ],
      histories: [
        (await call('getMetricHistory', { run_id: runId, metric_key: 'm' })).metrics,
        (await call('getMetricHistory', { run_id: runId, metric_key: 'big' })).metrics,
      ],
    };
    const theirs = runPython(
      'store_crossread.py',
      ['read', backend.pythonUri],
      JSON.stringify({
        experiment_ids: [exp, '0'],
        experiment_names: ['ts-written'],
        run_ids: [runId, other.info.run_id],
        histories: [
          [runId, 'm'],
          [runId, 'big'],
        ],
      }),
    );
    expect(normalize(ours)).toEqual(normalize(theirs));
    expect((theirs as { runs: { data: { metrics: unknown[] } }[] }).runs[0]!.data.metrics).toHaveLength(4);
    expect(ours.runs[0].info.run_name).toBe('renamed');
    expect(ours.runs[1].info.lifecycle_stage).toBe('deleted');
  });

  it('mlflow-ts reads what Python writes as Python reads it', async () => {
    const ids = runPython('store_crossread.py', ['write', backend.pythonUri]) as {
      experiment_id: string;
      run_id: string;
      deleted_run_id: string;
    };
    const theirs = runPython(
      'store_crossread.py',
      ['read', backend.pythonUri],
      JSON.stringify({
        experiment_ids: [ids.experiment_id],
        run_ids: [ids.run_id, ids.deleted_run_id],
        histories: [
          [ids.run_id, 'loss'],
          [ids.run_id, 'acc'],
        ],
      }),
    ) as Record<string, unknown>;
    const ours = {
      experiments: [(await call('getExperiment', { experiment_id: ids.experiment_id })).experiment],
      experiment_by_name: [],
      runs: [
        (await call('getRun', { run_id: ids.run_id })).run,
        (await call('getRun', { run_id: ids.deleted_run_id })).run,
      ],
      histories: [
        (await call('getMetricHistory', { run_id: ids.run_id, metric_key: 'loss' })).metrics,
        (await call('getMetricHistory', { run_id: ids.run_id, metric_key: 'acc' })).metrics,
      ],
    };
    expect(normalize(ours)).toEqual(normalize(theirs));
    // Python's latest-metric choice (step, then timestamp, then value) is what mlflow-ts shows.
    const loss = (ours.runs[0].data.metrics as { key: string; value: number; step: number }[]).find(
      (m) => m.key === 'loss',
    );
    expect(loss?.step).toBe(2);
    expect(Number.isNaN(loss?.value)).toBe(true);

    // And mlflow-ts keeps writing to Python's run consistently (param immutability included).
    await expect(call('logParam', { run_id: ids.run_id, key: 'lr', value: '0.02' })).rejects.toThrow(
      `Changing param values is not allowed. Param with key='lr' was already logged with value='0.01' for run ID='${ids.run_id}'. Attempted logging new value '0.02'.`,
    );
  });
});
