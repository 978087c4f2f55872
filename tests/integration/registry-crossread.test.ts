/**
 * Cross-reading of the model registry with Python MLflow on the same database, both directions and
 * both dialects, and on a registry database apart from the backend's (--registry-store-uri).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sortKeyedLists } from '../helpers/keyed-lists.js';
import { createNativeHandlers } from '../../src/services/native.js';
import type { NativeHandlers } from '../../src/services/types.js';
import { openStores, type Stores } from '../../src/stores/index.js';
import { backendNames, newBackend, runPython, type TestBackend } from '../helpers/store-backends.js';


const ctx = { log: console } as never;

interface ReadRequest {
  models: string[];
  versions: [string, string][];
  aliases: [string, string][];
  latest: string[];
  search_models: string[];
  search_versions: string[];
}

/** What mlflow-ts answers for a read request, shaped as registry_crossread.py prints it. */
async function readOurs(h: NativeHandlers, req: ReadRequest) {
  const call = (rpc: string, r: unknown) => h[`ModelRegistryService.${rpc}`]!(r, ctx);
  const out = {
    models: [],
    versions: [],
    aliases: [],
    latest: [],
    search_models: [],
    search_versions: [],
  } as Record<string, unknown[]>;
  for (const name of req.models)
    out.models!.push((await call('getRegisteredModel', { name })).registered_model);
  for (const [name, version] of req.versions) {
    out.versions!.push((await call('getModelVersion', { name, version })).model_version);
  }
  for (const [name, alias] of req.aliases) {
    out.aliases!.push((await call('getModelVersionByAlias', { name, alias })).model_version);
  }
  for (const name of req.latest) {
    out.latest!.push((await call('getLatestVersions', { name })).model_versions ?? []);
  }
  for (const filter of req.search_models) {
    out.search_models!.push(
      (await call('searchRegisteredModels', { filter, order_by: ['name'] })).registered_models ?? [],
    );
  }
  for (const filter of req.search_versions) {
    out.search_versions!.push(
      (await call('searchModelVersions', { filter, order_by: ['name', 'version_number'] })).model_versions ??
        [],
    );
  }
  return out;
}

/** A registry written through mlflow-ts's handlers; returns the read request that covers it. */
async function writeOurs(h: NativeHandlers): Promise<ReadRequest> {
  const call = (rpc: string, r: unknown) => h[`ModelRegistryService.${rpc}`]!(r, ctx);
  await call('createRegisteredModel', {
    name: 'ts-model',
    description: 'written by mlflow-ts',
    tags: [
      { key: 'team', value: 'ts' },
      { key: 'z', value: 'é' },
    ],
  });
  for (let i = 0; i < 4; i++) {
    await call('createModelVersion', {
      name: 'ts-model',
      source: `s3://bucket/ts/${i}`,
      description: `v${i}`,
      tags: [{ key: 'i', value: String(i) }],
    });
  }
  await call('transitionModelVersionStage', {
    name: 'ts-model',
    version: '2',
    stage: 'staging',
    archive_existing_versions: false,
  });
  await call('transitionModelVersionStage', {
    name: 'ts-model',
    version: '4',
    stage: 'Archived',
    archive_existing_versions: false,
  });
  await call('setRegisteredModelAlias', { name: 'ts-model', alias: 'champion', version: '3' });
  await call('setRegisteredModelAlias', { name: 'ts-model', alias: 'a-first', version: '3' });
  await call('setModelVersionTag', { name: 'ts-model', version: '3', key: 'reviewed', value: 'yes' });
  await call('deleteModelVersion', { name: 'ts-model', version: '1' });
  await call('updateModelVersion', { name: 'ts-model', version: '2', description: 'updated' });
  await call('createRegisteredModel', { name: 'ts-old' });
  await call('createModelVersion', {
    name: 'ts-old',
    source: 's3://bucket/old',
    tags: [{ key: 'k', value: 'v' }],
  });
  await call('setRegisteredModelAlias', { name: 'ts-old', alias: 'only', version: '1' });
  await call('renameRegisteredModel', { name: 'ts-old', new_name: 'ts-renamed' });
  await call('createRegisteredModel', {
    name: 'ts-prompt',
    tags: [{ key: 'mlflow.prompt.is_prompt', value: 'true' }],
  });
  await call('createModelVersion', {
    name: 'ts-prompt',
    source: 'dummy-source',
    tags: [
      { key: 'mlflow.prompt.is_prompt', value: 'true' },
      { key: 'mlflow.prompt.text', value: 'Hello {{x}}' },
    ],
  });
  return {
    models: ['ts-model', 'ts-renamed', 'ts-prompt'],
    versions: [
      ['ts-model', '2'],
      ['ts-model', '3'],
      ['ts-renamed', '1'],
      ['ts-prompt', '1'],
    ],
    aliases: [
      ['ts-model', 'champion'],
      ['ts-model', 'latest'],
      ['ts-renamed', 'only'],
    ],
    latest: ['ts-model', 'ts-renamed'],
    search_models: ["name LIKE 'ts-%'", "tags.`mlflow.prompt.is_prompt` = 'true'", "tags.team = 'ts'"],
    search_versions: [
      "name LIKE 'ts-%'",
      "tags.i = '2'",
      "name = 'ts-prompt' AND tags.`mlflow.prompt.is_prompt` = 'true'",
    ],
  };
}

describe.each(backendNames)('registry cross-reading with Python MLflow on %s', (dialect) => {
  let backend: TestBackend;
  let stores: Stores;
  let h: NativeHandlers;

  beforeAll(async () => {
    backend = await newBackend(dialect, 'regcross');
    stores = await openStores(backend.uri, { defaultArtifactRoot: 'mlflow-artifacts:/' });
    h = createNativeHandlers(stores);
  });
  afterAll(async () => {
    await stores.close();
    await backend.drop();
  });

  it('Python reads what mlflow-ts writes exactly as mlflow-ts reads it', async () => {
    const req = await writeOurs(h);
    const ours = await readOurs(h, req);
    const theirs = runPython('registry_crossread.py', ['read', backend.pythonUri], JSON.stringify(req));
    expect(sortKeyedLists(ours)).toEqual(sortKeyedLists(theirs));
    const model = ours.models![0] as { latest_versions: { version: string }[]; aliases: unknown[] };
    expect(model.latest_versions.map((v) => v.version)).toEqual(['2', '3', '4']);
    expect(ours.search_models![1]).toHaveLength(1);
  });

  it('mlflow-ts reads what Python writes as Python reads it', async () => {
    runPython('registry_crossread.py', ['write', backend.pythonUri]);
    const req: ReadRequest = {
      models: ['py-model-a', 'py-model-b', 'py-prompt'],
      versions: [
        ['py-model-a', '2'],
        ['py-model-a', '3'],
        ['py-model-b', '1'],
        ['py-prompt', '1'],
      ],
      aliases: [
        ['py-model-a', 'champion'],
        ['py-model-a', 'latest'],
        ['py-model-b', 'only'],
      ],
      latest: ['py-model-a', 'py-model-b'],
      search_models: ["name LIKE 'py-%'", "tags.`mlflow.prompt.is_prompt` = 'true'"],
      search_versions: ["name LIKE 'py-%'", "tags.i = '2'"],
    };
    const theirs = runPython('registry_crossread.py', ['read', backend.pythonUri], JSON.stringify(req));
    const ours = await readOurs(h, req);
    expect(sortKeyedLists(ours)).toEqual(sortKeyedLists(theirs));
    // Python's soft delete is honoured: version 1 is gone, numbering continues after it.
    await expect(
      h['ModelRegistryService.getModelVersion']!({ name: 'py-model-a', version: '1' }, ctx),
    ).rejects.toThrow('Model Version (name=py-model-a, version=1) not found');
    const { model_version } = await h['ModelRegistryService.createModelVersion']!(
      { name: 'py-model-a', source: 's3://bucket/a/next' },
      ctx,
    );
    expect(model_version.version).toBe('5');
  });
});

describe.each(backendNames)('model versions of logged models written by Python on %s', (dialect) => {
  let backend: TestBackend;
  let stores: Stores;
  let h: NativeHandlers;
  const call = (rpc: string, r: unknown) => h[`ModelRegistryService.${rpc}`]!(r, ctx);

  beforeAll(async () => {
    backend = await newBackend(dialect, 'reglm');
    stores = await openStores(backend.uri, { defaultArtifactRoot: 'mlflow-artifacts:/' });
    h = createNativeHandlers(stores);
  });
  afterAll(async () => {
    await stores.close();
    await backend.drop();
  });

  it('stores the logged model location and run, and links the version in mlflow.modelVersions', async () => {
    const lm = runPython('registry_crossread.py', ['logged-model', backend.pythonUri]) as {
      run_id: string;
      model_id: string;
      artifact_location: string;
    };
    await call('createRegisteredModel', { name: 'lm-model' });
    const { model_version } = await call('createModelVersion', {
      name: 'lm-model',
      source: `models:/${lm.model_id}`,
      model_id: lm.model_id,
    });
    expect(model_version.source).toBe(`models:/${lm.model_id}`);
    expect(model_version.run_id).toBe(lm.run_id);
    const { artifact_uri } = await call('getModelVersionDownloadUri', { name: 'lm-model', version: '1' });
    expect(artifact_uri).toBe(lm.artifact_location);
    await call('createModelVersion', {
      name: 'lm-model',
      source: `models:/${lm.model_id}`,
      model_id: lm.model_id,
    });
    const tags = runPython(
      'registry_crossread.py',
      ['logged-model-tags', backend.pythonUri],
      JSON.stringify({ model_id: lm.model_id }),
    ) as Record<string, string>;
    expect(tags['mlflow.modelVersions']).toBe(
      '[{"name": "lm-model", "version": 1}, {"name": "lm-model", "version": 2}]',
    );
    // A source that names another logged model, or one that does not exist, is refused.
    await expect(
      call('createModelVersion', { name: 'lm-model', source: 'models:/m-other', model_id: lm.model_id }),
    ).rejects.toThrow("Invalid model version source: 'models:/m-other'. The model_id request parameter must");
    await expect(
      call('createModelVersion', { name: 'lm-model', source: '/tmp/x', model_id: 'm-missing' }),
    ).rejects.toThrow("Invalid model version source: '/tmp/x'. The model_id request parameter must");
  });
});

describe.each(backendNames)('a registry store apart from the backend store on %s', (dialect) => {
  let backend: TestBackend;
  let registry: TestBackend;
  let stores: Stores;
  let h: NativeHandlers;

  beforeAll(async () => {
    backend = await newBackend(dialect, 'regbackend');
    registry = await newBackend(dialect, 'regonly');
    stores = await openStores(backend.uri, {
      defaultArtifactRoot: 'mlflow-artifacts:/',
      registryStoreUri: registry.uri,
    });
    h = createNativeHandlers(stores);
  });
  afterAll(async () => {
    await stores.close();
    await backend.drop();
    await registry.drop();
  });

  it('writes the registry to its own database, which Python reads as its registry', async () => {
    const req = await writeOurs(h);
    const theirs = runPython('registry_crossread.py', ['read', registry.pythonUri], JSON.stringify(req));
    expect(sortKeyedLists(await readOurs(h, req))).toEqual(sortKeyedLists(theirs));
    // The backend database holds no registry rows.
    const empty = runPython(
      'registry_crossread.py',
      ['read', backend.pythonUri],
      JSON.stringify({
        models: [],
        versions: [],
        aliases: [],
        latest: [],
        search_models: ["name LIKE 'ts-%'"],
        search_versions: [],
      }),
    ) as { search_models: unknown[][] };
    expect(empty.search_models[0]).toEqual([]);
  });
});

describe('MLFLOW_CREATE_MODEL_VERSION_SOURCE_VALIDATION_REGEX', () => {
  it('refuses model version sources that do not match, before any other check', async () => {
    const backend = await newBackend('sqlite', 'regsrcre');
    const stores = await openStores(backend.uri, {
      defaultArtifactRoot: 'mlflow-artifacts:/',
      modelVersionSourceRegex: '^s3://allowed/',
    });
    try {
      const h = createNativeHandlers(stores);
      const call = (rpc: string, r: unknown) => h[`ModelRegistryService.${rpc}`]!(r, ctx);
      await call('createRegisteredModel', { name: 'm' });
      await expect(call('createModelVersion', { name: 'm', source: 's3://other/x' })).rejects.toThrow(
        "Invalid model version source: 's3://other/x'.",
      );
      await expect(call('createModelVersion', { name: 'missing', source: '/local' })).rejects.toThrow(
        "Invalid model version source: '/local'.",
      );
      const { model_version } = await call('createModelVersion', { name: 'm', source: 's3://allowed/x' });
      expect(model_version.version).toBe('1');
    } finally {
      await stores.close();
      await backend.drop();
    }
  });
});
