/**
 * The UI's GET /ajax-api/2.0/mlflow/metrics/get-history-bulk, answered as Flask's jsonify does
 * (sorted keys, compact, Python float reprs, bare NaN, trailing newline), under the static prefix.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerExtraRoutes } from '../../src/http/extra-routes.js';
import { openStores, type Stores } from '../../src/stores/index.js';
import { backendNames, newBackend, type TestBackend } from '../helpers/store-backends.js';

describe.each(backendNames)('get-history-bulk on %s', (dialect) => {
  let backend: TestBackend;
  let stores: Stores;
  let app: FastifyInstance;
  let runA: string;
  let runB: string;
  const url = '/pre/ajax-api/2.0/mlflow/metrics/get-history-bulk';

  beforeAll(async () => {
    backend = await newBackend(dialect, 'historybulk');
    stores = await openStores(backend.uri, { defaultArtifactRoot: '/tmp/a' });
    app = Fastify();
    registerExtraRoutes(app, stores, { staticPrefix: '/pre' });
    await app.ready();
    const t = stores.tracking;
    const mk = async () =>
      (await t.createRun({ experimentId: '0', userId: '', startTime: 0, tags: [], runName: 'r' })).info
        .run_id;
    runA = await mk();
    runB = await mk();
    await t.logBatch(runA, {
      metrics: [
        { key: 'm', value: 2, timestamp: 20, step: 1 },
        { key: 'm', value: NaN, timestamp: 10, step: 0 },
        { key: 'other', value: 1, timestamp: 1, step: 0 },
      ],
      params: [],
      tags: [],
    });
    await t.logBatch(runB, {
      metrics: [{ key: 'm', value: 0.5, timestamp: 5, step: 3 }],
      params: [],
      tags: [],
    });
  });
  afterAll(async () => {
    await app.close();
    await stores.close();
    await backend.drop();
  });

  it('returns every run history, ordered by run id, timestamp, step, value', async () => {
    const [first, second] = [runA, runB].sort();
    const res = await app.inject({ method: 'GET', url: `${url}?run_id=${runA}&run_id=${runB}&metric_key=m` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const rows = (id: string) =>
      id === runA
        ? `{"key":"m","run_id":"${runA}","step":0,"timestamp":10,"value":NaN},` +
          `{"key":"m","run_id":"${runA}","step":1,"timestamp":20,"value":2.0}`
        : `{"key":"m","run_id":"${runB}","step":3,"timestamp":5,"value":0.5}`;
    expect(res.body).toBe(`{"metrics":[${rows(first!)},${rows(second!)}]}\n`);
  });

  it('caps max_results and reports MLflow errors', async () => {
    const one = await app.inject({ method: 'GET', url: `${url}?run_id=${runA}&metric_key=m&max_results=1` });
    expect(one.body).toBe(
      `{"metrics":[{"key":"m","run_id":"${runA}","step":0,"timestamp":10,"value":NaN}]}\n`,
    );
    const noRun = await app.inject({ method: 'GET', url: `${url}?metric_key=m` });
    expect(noRun.statusCode).toBe(400);
    expect(JSON.parse(noRun.body).message).toBe(
      'GetMetricHistoryBulk request must specify at least one run_id.',
    );
    const noKey = await app.inject({ method: 'GET', url: `${url}?run_id=${runA}` });
    expect(JSON.parse(noKey.body).message).toBe('GetMetricHistoryBulk request must specify a metric_key.');
    const many = Array.from({ length: 101 }, (_, i) => `run_id=r${i}`).join('&');
    const tooMany = await app.inject({ method: 'GET', url: `${url}?${many}&metric_key=m` });
    expect(JSON.parse(tooMany.body).message).toBe(
      'GetMetricHistoryBulk request cannot specify more than 100 run_ids. Received 101 run_ids.',
    );
    const bad = await app.inject({ method: 'GET', url: `${url}?run_id=${runA}&metric_key=m&max_results=x` });
    expect(bad.statusCode).toBe(500);
  });

  it("answers a non-integer max_results with Flask's bare 500, logged as one warning without a stack", async () => {
    const lines: Array<Record<string, unknown>> = [];
    const logged = Fastify({
      logger: { level: 'info', stream: { write: (l: string) => void lines.push(JSON.parse(l)) } },
    });
    registerExtraRoutes(logged, stores, { staticPrefix: '/pre' });
    await logged.ready();
    try {
      const res = await logged.inject({
        method: 'GET',
        url: `${url}?run_id=${runA}&metric_key=m&max_results=x`,
      });
      expect(res.statusCode).toBe(500);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.body).toContain('<title>500 Internal Server Error</title>');
      expect(lines.filter((l) => (l.level as number) >= 50)).toEqual([]);
      const warn = lines.filter((l) => l.level === 40);
      expect(warn).toHaveLength(1);
      expect(warn[0]!.pythonError).toBe("ValueError: invalid literal for int() with base 10: 'x'");
      expect(warn[0]!.err).toBeUndefined();
    } finally {
      await logged.close();
    }
  });
});
