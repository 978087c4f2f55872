/**
 * searchRuns / searchExperiments through the native registry (no Python needed): runs written with
 * the native write RPCs come back filtered, ordered and paginated as MLflow defines it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MlflowError } from '../../src/errors/mlflow-error.js';
import { createNativeHandlers, NATIVE_RPC_KEYS } from '../../src/services/native.js';
import type { NativeHandlers } from '../../src/services/types.js';
import { openStores, type Stores } from '../../src/stores/index.js';
import { backendNames, newBackend, type TestBackend } from '../helpers/store-backends.js';

const ctx = { log: console } as never;

interface RunOut {
  info: { run_id: string; run_name?: string };
  data: { metrics?: { key: string; value: number }[] };
}

describe.each(backendNames)('native search on %s', (dialect) => {
  let backend: TestBackend;
  let stores: Stores;
  let h: NativeHandlers;
  const call = async <T>(rpc: string, req: unknown): Promise<T> =>
    (await h[`MlflowService.${rpc}`]!(req, ctx)) as T;
  let exp: string;

  beforeAll(async () => {
    backend = await newBackend(dialect, 'h4_search_native');
    stores = await openStores(backend.uri, { defaultArtifactRoot: '/tmp/h4-native-art' });
    h = createNativeHandlers(stores);
    exp = (await call<{ experiment_id: string }>('createExperiment', { name: 'search-native' }))
      .experiment_id;
    for (let i = 0; i < 12; i++) {
      const { run } = await call<{ run: RunOut }>('createRun', {
        experiment_id: exp,
        run_name: `r${String(i).padStart(2, '0')}`,
        start_time: 1000 + i,
      });
      await call('logBatch', {
        run_id: run.info.run_id,
        metrics:
          i % 4 === 0 ? [] : [{ key: 'acc', value: i % 3 === 0 ? NaN : i / 10, timestamp: 1, step: 0 }],
        params: [{ key: 'opt', value: i % 2 ? 'adam' : 'sgd' }],
        tags: [{ key: 'team', value: i < 6 ? 'A' : 'b' }],
      });
    }
  }, 120_000);

  afterAll(async () => {
    await stores?.close();
    await backend?.drop();
  });

  it('is registered as native', () => {
    expect(NATIVE_RPC_KEYS).toContain('MlflowService.searchRuns');
    expect(NATIVE_RPC_KEYS).toContain('MlflowService.searchExperiments');
  });

  it('filters and orders runs, NaN after numbers and missing metrics last', async () => {
    const res = await call<{ runs?: RunOut[] }>('searchRuns', {
      experiment_ids: [exp],
      filter: "params.opt = 'adam' AND tags.team ILIKE 'a'",
      order_by: ['metrics.acc DESC'],
    });
    expect(res.runs?.map((r) => r.info.run_name)).toEqual(['r05', 'r01', 'r03']);
    const all = await call<{ runs?: RunOut[] }>('searchRuns', {
      experiment_ids: [exp],
      order_by: ['metrics.acc'],
    });
    expect(all.runs?.map((r) => r.info.run_name)).toEqual([
      'r01',
      'r02',
      'r05',
      'r07',
      'r10',
      'r11', // values ascending
      'r09',
      'r06',
      'r03', // NaN, then the start_time DESC tie-breaker
      'r08',
      'r04',
      'r00', // no metric
    ]);
  });

  it('pages with offset tokens and omits the token on the last page', async () => {
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const res: { runs?: RunOut[]; next_page_token?: string } = await call('searchRuns', {
        experiment_ids: [exp],
        max_results: 5,
        ...(token ? { page_token: token } : {}),
      });
      seen.push(...(res.runs ?? []).map((r) => r.info.run_name!));
      token = res.next_page_token;
      pages++;
    } while (token);
    expect(pages).toBe(3);
    expect(seen).toEqual(Array.from({ length: 12 }, (_, i) => `r${String(11 - i).padStart(2, '0')}`));
  });

  it('answers MLflow errors', async () => {
    await expect(
      call('searchRuns', { experiment_ids: [exp], filter: 'metrics.acc > 1 OR x' }),
    ).rejects.toThrow(
      new MlflowError("Invalid clause(s) in filter string: 'OR', 'x'", 'INVALID_PARAMETER_VALUE'),
    );
    await expect(call('searchExperiments', {})).rejects.toThrow(
      "Invalid value 0 for parameter 'max_results' supplied. It must be a positive integer",
    );
  });

  it('searches experiments', async () => {
    const res = await call<{ experiments?: { name: string }[]; next_page_token?: string }>(
      'searchExperiments',
      {
        max_results: 1,
        filter: "name LIKE 'search-%'",
      },
    );
    expect(res.experiments?.map((e) => e.name)).toEqual(['search-native']);
    expect(res.next_page_token).toBeUndefined();
    const both = await call<{ experiments?: { name: string }[] }>('searchExperiments', {
      max_results: 10,
      order_by: ['name'],
    });
    expect(both.experiments?.map((e) => e.name)).toEqual(['Default', 'search-native']);
  });
});
