/**
 * MLflow's tracking semantics through the native handlers, on SQLite and PostgreSQL: default
 * experiment, lifecycle stages, artifact locations, run names, writes to deleted runs, messages.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MlflowError } from '../../src/errors/mlflow-error.js';
import { createNativeHandlers } from '../../src/services/native.js';
import { materializeStreamed } from '../../src/services/streamed.js';
import type { NativeHandlers } from '../../src/services/types.js';
import { openStores, type Stores } from '../../src/stores/index.js';
import { backendNames, newBackend, type TestBackend } from '../helpers/store-backends.js';

const ctx = { log: console } as never;

describe.each(backendNames)('tracking semantics on %s', (dialect) => {
  let backend: TestBackend;
  let stores: Stores;
  let h: NativeHandlers;
  // Streamed fields (the unpaginated metric history) read whole, as a client would see them.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const call = async (rpc: string, req: unknown): Promise<any> =>
    materializeStreamed(await h[`MlflowService.${rpc}`]!(req, ctx));
  const fails = async (rpc: string, req: unknown, code: string, message: string | RegExp) => {
    const err = await call(rpc, req).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(MlflowError);
    expect((err as MlflowError).errorCode).toBe(code);
    if (typeof message === 'string') expect((err as MlflowError).message).toBe(message);
    else expect((err as MlflowError).message).toMatch(message);
  };
  let n = 0;
  const newExperiment = async (extra: object = {}) =>
    (await call('createExperiment', { name: `exp-${++n}`, ...extra })).experiment_id as string;
  const newRun = async (experimentId: string, extra: object = {}) =>
    (await call('createRun', { experiment_id: experimentId, start_time: 10, ...extra })).run;

  beforeAll(async () => {
    backend = await newBackend(dialect, 'semantics');
    stores = await openStores(backend.uri, { defaultArtifactRoot: '/srv/artifacts' });
    h = createNativeHandlers(stores);
  });
  afterAll(async () => {
    await stores.close();
    await backend.drop();
  });

  it('seeds the Default experiment once, with the default artifact root', async () => {
    const { experiment } = await call('getExperiment', { experiment_id: '0' });
    expect(experiment).toMatchObject({
      experiment_id: '0',
      name: 'Default',
      artifact_location: '/srv/artifacts/0',
      lifecycle_stage: 'active',
      workspace: 'default',
    });
    const again = await openStores(backend.uri, { defaultArtifactRoot: 'elsewhere' });
    expect((await again.tracking.getExperiment('0')).artifact_location).toBe('/srv/artifacts/0');
    await again.close();
  });

  it('experiments: artifact locations, unique names, tags', async () => {
    const id = await newExperiment({ tags: [{ key: 'a', value: '1' }] });
    const { experiment } = await call('getExperiment', { experiment_id: id });
    expect(experiment.artifact_location).toBe(`/srv/artifacts/${id}`);
    expect(experiment.tags).toEqual([{ key: 'a', value: '1' }]);
    expect(experiment.creation_time).toBe(experiment.last_update_time);

    const rel = await newExperiment({ artifact_location: 'rel/dir' });
    expect((await call('getExperiment', { experiment_id: rel })).experiment.artifact_location).toBe(
      `${process.cwd()}/rel/dir`,
    );
    await fails(
      'createExperiment',
      { name: 'x', artifact_location: 'runs:/abc' },
      'INVALID_PARAMETER_VALUE',
      "Artifact location cannot be a runs:/ URI. Given: 'runs:/abc'",
    );
    await fails(
      'createExperiment',
      { name: 'x', artifact_location: 'http://elsewhere.example/a' },
      'INVALID_PARAMETER_VALUE',
      "'artifact_location' cannot use the 'http' scheme: the 'http' scheme addresses a host other than the " +
        "tracking server's configured artifact storage, so the server would connect to the host named in the URI. " +
        'Set the MLFLOW_ALLOWED_HOST_ADDRESSED_ARTIFACT_SCHEMES environment variable on the server to allow it.',
    );
    await fails(
      'createExperiment',
      { name: `exp-${n}` },
      'RESOURCE_ALREADY_EXISTS',
      new RegExp(`^Experiment\\(name=exp-${n}\\) already exists\\. Error: `),
    );
    await fails(
      'createExperiment',
      { name: '  ' },
      'INVALID_PARAMETER_VALUE',
      "Invalid experiment name: '  '",
    );
    await fails(
      'getExperiment',
      { experiment_id: '424242' },
      'RESOURCE_DOES_NOT_EXIST',
      'No Experiment with id=424242 exists',
    );
    await fails(
      'getExperiment',
      { experiment_id: 'abc' },
      'INVALID_PARAMETER_VALUE',
      "Invalid experiment ID 'abc'. Experiment ID must be a valid integer.",
    );
    await fails(
      'getExperimentByName',
      { experiment_name: 'nope' },
      'RESOURCE_DOES_NOT_EXIST',
      "Could not find experiment with name 'nope'",
    );

    await call('setExperimentTag', { experiment_id: id, key: 'a', value: '2' });
    await call('setExperimentTag', { experiment_id: id, key: 'b' });
    expect((await call('getExperiment', { experiment_id: id })).experiment.tags).toEqual(
      expect.arrayContaining([
        { key: 'a', value: '2' },
        { key: 'b', value: '' },
      ]),
    );
    await call('deleteExperimentTag', { experiment_id: id, key: 'b' });
    await fails(
      'deleteExperimentTag',
      { experiment_id: id, key: 'b' },
      'RESOURCE_DOES_NOT_EXIST',
      `No tag with name: b in experiment with id ${id}`,
    );
  });

  it('experiments: delete / restore carry their runs; deleted ones refuse writes', async () => {
    const id = await newExperiment();
    const run = await newRun(id);
    await call('deleteExperiment', { experiment_id: id });
    expect((await call('getExperiment', { experiment_id: id })).experiment.lifecycle_stage).toBe('deleted');
    expect((await call('getRun', { run_id: run.info.run_id })).run.info.lifecycle_stage).toBe('deleted');
    await fails(
      'deleteExperiment',
      { experiment_id: id },
      'RESOURCE_DOES_NOT_EXIST',
      `No Experiment with id=${id} exists`,
    );
    await fails(
      'updateExperiment',
      { experiment_id: id, new_name: 'zz' },
      'INVALID_STATE',
      'Cannot rename a non-active experiment.',
    );
    await fails(
      'setExperimentTag',
      { experiment_id: id, key: 'k', value: 'v' },
      'INVALID_PARAMETER_VALUE',
      `The experiment ${id} must be in the 'active' state. Current state is deleted.`,
    );
    await fails(
      'createRun',
      { experiment_id: id },
      'INVALID_PARAMETER_VALUE',
      `The experiment ${id} must be in the 'active' state. Current state is deleted.`,
    );
    await call('restoreExperiment', { experiment_id: id });
    expect((await call('getRun', { run_id: run.info.run_id })).run.info.lifecycle_stage).toBe('active');
    await fails(
      'restoreExperiment',
      { experiment_id: id },
      'RESOURCE_DOES_NOT_EXIST',
      `No Experiment with id=${id} exists`,
    );
    await call('updateExperiment', { experiment_id: id, new_name: `renamed-${id}` });
    expect(
      (await call('getExperimentByName', { experiment_name: `renamed-${id}` })).experiment.experiment_id,
    ).toBe(id);
  });

  it('runs: names, artifact uri, user, lifecycle, tags', async () => {
    const id = await newExperiment();
    const run = await newRun(id, { user_id: 'bob' });
    expect(run.info.run_name).toMatch(/^[a-z]+-[a-z]+-\d{1,3}$/);
    expect(run.info).toMatchObject({
      experiment_id: id,
      user_id: 'bob',
      status: 'RUNNING',
      start_time: 10,
      lifecycle_stage: 'active',
      artifact_uri: `/srv/artifacts/${id}/${run.info.run_id}/artifacts`,
    });
    expect(run.data.tags).toEqual([{ key: 'mlflow.runName', value: run.info.run_name }]);
    expect(run).not.toHaveProperty('outputs');

    const fromTag = await newRun(id, { tags: [{ key: 'mlflow.runName', value: 'tagged' }] });
    expect(fromTag.info.run_name).toBe('tagged');
    await fails(
      'createRun',
      { experiment_id: id, run_name: 'a', tags: [{ key: 'mlflow.runName', value: 'b' }] },
      'INVALID_PARAMETER_VALUE',
      "Both 'run_name' argument and 'mlflow.runName' tag are specified, but with different values (run_name='a', mlflow.runName='b').",
    );

    const rid = run.info.run_id;
    await call('setTag', { run_id: rid, key: 'mlflow.runName', value: 'via-tag' });
    expect((await call('getRun', { run_id: rid })).run.info.run_name).toBe('via-tag');
    const { run_info } = await call('updateRun', {
      run_id: rid,
      run_name: 'via-update',
      status: 'FINISHED',
      end_time: 99,
    });
    expect(run_info).toMatchObject({ run_name: 'via-update', status: 'FINISHED', end_time: 99 });
    const got = (await call('getRun', { run_id: rid })).run;
    expect(got.data.tags).toEqual([{ key: 'mlflow.runName', value: 'via-update' }]);
    expect(got.outputs).toEqual({});

    await call('setTag', { run_id: rid, key: 't', value: 'v' });
    await call('deleteTag', { run_id: rid, key: 't' });
    await fails(
      'deleteTag',
      { run_id: rid, key: 't' },
      'RESOURCE_DOES_NOT_EXIST',
      `No tag with name: t in run with id ${rid}`,
    );

    await call('deleteRun', { run_id: rid });
    const msg = `The run ${rid} must be in the 'active' state. Current state is deleted.`;
    await fails('logParam', { run_id: rid, key: 'p', value: '1' }, 'INVALID_PARAMETER_VALUE', msg);
    await fails(
      'logMetric',
      { run_id: rid, key: 'm', value: 1, timestamp: 1 },
      'INVALID_PARAMETER_VALUE',
      msg,
    );
    await fails(
      'logBatch',
      { run_id: rid, tags: [{ key: 'a', value: 'b' }] },
      'INVALID_PARAMETER_VALUE',
      msg,
    );
    await fails('setTag', { run_id: rid, key: 'a', value: 'b' }, 'INVALID_PARAMETER_VALUE', msg);
    await fails('updateRun', { run_id: rid, status: 'KILLED' }, 'INVALID_PARAMETER_VALUE', msg);
    await call('restoreRun', { run_id: rid });
    await call('logParam', { run_id: rid, key: 'p', value: '1' });
    await fails(
      'getRun',
      { run_id: 'f'.repeat(32) },
      'RESOURCE_DOES_NOT_EXIST',
      `Run with id=${'f'.repeat(32)} not found`,
    );
  });

  it('params: idempotent, immutable, long values truncated', async () => {
    const rid = (await newRun(await newExperiment())).info.run_id;
    await call('logParam', { run_id: rid, key: 'p', value: 'same' });
    await call('logParam', { run_id: rid, key: 'p', value: 'same' });
    await fails(
      'logParam',
      { run_id: rid, key: 'p', value: 'other' },
      'INVALID_PARAMETER_VALUE',
      `Changing param values is not allowed. Param with key='p' was already logged with value='same' for run ID='${rid}'. Attempted logging new value 'other'.`,
    );
    await call('logParam', { run_id: rid, key: 'long', value: 'x'.repeat(7000) });
    const params = (await call('getRun', { run_id: rid })).run.data.params as {
      key: string;
      value: string;
    }[];
    expect(params.find((p) => p.key === 'long')!.value).toHaveLength(6000);
    await fails(
      'logBatch',
      {
        run_id: rid,
        params: [
          { key: 'a', value: '1' },
          { key: 'a', value: '2' },
        ],
      },
      'INVALID_PARAMETER_VALUE',
      "Duplicate parameter keys have been submitted: ['a']. Please ensure the request contains only one param value per param key.",
    );
  });

  it('metric history: ordering, pages, tokens, bulk interval sampling', async () => {
    const rid = (await newRun(await newExperiment())).info.run_id;
    await call('logBatch', {
      run_id: rid,
      metrics: Array.from({ length: 100 }, (_, i) => ({
        key: 'loss',
        value: 100 - i,
        timestamp: 1000 + i,
        step: i,
      })),
    });
    const all = (await call('getMetricHistory', { run_id: rid, metric_key: 'loss' })).metrics;
    expect(all).toHaveLength(100);
    expect(all[0]).toEqual({ key: 'loss', value: 100, timestamp: 1000, step: 0 });

    const seen: unknown[] = [];
    let token: string | undefined;
    do {
      const page = await call('getMetricHistory', {
        run_id: rid,
        metric_key: 'loss',
        max_results: 30,
        page_token: token,
      });
      seen.push(...page.metrics);
      token = page.next_page_token;
    } while (token);
    expect(seen).toEqual(all);
    await fails(
      'getMetricHistory',
      { run_id: rid, metric_key: 'loss', max_results: 0 },
      'INVALID_PARAMETER_VALUE',
      "Invalid value 0 for parameter 'max_results' supplied. It must be a positive integer.",
    );
    await fails(
      'getMetricHistory',
      { run_id: rid, metric_key: 'loss', page_token: 'not base64!' },
      'INVALID_PARAMETER_VALUE',
      'Invalid page token, could not base64-decode',
    );
    expect(await call('getMetricHistory', { run_id: 'f'.repeat(32), metric_key: 'loss' })).toEqual({});

    const sampled = (
      await call('getMetricHistoryBulkInterval', { run_ids: [rid], metric_key: 'loss', max_results: 10 })
    ).metrics;
    expect(sampled).toHaveLength(10);
    expect(sampled[0]).toMatchObject({ step: 0, run_id: rid });
    expect(sampled[9]).toMatchObject({ step: 99, run_id: rid });
    const window = (
      await call('getMetricHistoryBulkInterval', {
        run_ids: [rid],
        metric_key: 'loss',
        start_step: 10,
        end_step: 14,
        max_results: 100,
      })
    ).metrics;
    expect(window.map((m: { step: number }) => m.step)).toEqual([10, 11, 12, 13, 14]);
    await fails(
      'getMetricHistoryBulkInterval',
      { run_ids: [rid], metric_key: 'loss', start_step: 3 },
      'INVALID_PARAMETER_VALUE',
      'If either start step or end step are specified, both must be specified.',
    );
  });

  it('inputs: datasets shared per experiment, linked once, with tags', async () => {
    const exp = await newExperiment();
    const r1 = (await newRun(exp)).info.run_id;
    const r2 = (await newRun(exp)).info.run_id;
    const dataset = { name: 'd', digest: 'x1', source_type: 'local', source: '{}', schema: '{"a":1}' };
    const input = { dataset, tags: [{ key: 'mlflow.data.context', value: 'train' }] };
    await call('logInputs', { run_id: r1, datasets: [input, input] });
    await call('logInputs', { run_id: r1, datasets: [input] });
    await call('logInputs', { run_id: r2, datasets: [{ dataset }] });
    expect((await call('getRun', { run_id: r1 })).run.inputs).toEqual({ dataset_inputs: [input] });
    expect((await call('getRun', { run_id: r2 })).run.inputs).toEqual({ dataset_inputs: [{ dataset }] });
    const count = await stores.tracking.db
      .selectFrom('datasets')
      .select('dataset_uuid')
      .where('experiment_id', '=', Number(exp))
      .execute();
    expect(count).toHaveLength(1);
  });
});
