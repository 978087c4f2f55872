/**
 * GetMetricHistory without max_results is streamed: the body is byte-identical to the whole
 * response (NaN / +-Infinity, ties across database pages, fields omitted), small histories and
 * errors answer as before, and a long history is served with bounded server memory.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerRpcRoutes } from '../../src/http/rpc-routes.js';
import { serializeMessage } from '../../src/http/serialize.js';
import { createNativeHandlers } from '../../src/services/native.js';
import { openStores, type Stores } from '../../src/stores/index.js';
import { backendNames, newBackend, type TestBackend } from '../helpers/store-backends.js';
import { startServer, type RunningServer } from './server-harness.js';

const HISTORY = '/api/2.0/mlflow/metrics/get-history';
const TYPE = 'mlflow.GetMetricHistory.Response';

/** Values that exercise the serializer: NaN, infinities, signed zero, exponent forms, integers. */
function valueOf(i: number): number {
  switch (i % 10) {
    case 0:
      return NaN;
    case 1:
      return Infinity;
    case 2:
      return -Infinity;
    case 3:
      return 0;
    case 4:
      return i * 1e-9;
    case 5:
      return 1e20 + i * 1e5;
    case 6:
      return i / 3;
    case 7:
      return i;
    case 8:
      return -i * 1.5;
    default:
      return 0.1;
  }
}

describe.each(backendNames)('streamed GetMetricHistory on %s', (dialect) => {
  let backend: TestBackend;
  let stores: Stores;
  let app: FastifyInstance;
  let base: string;
  let runId: string;
  // More than the 1 MiB kept before streaming starts, and many 1,000-row database pages
  // whose boundaries fall inside runs of equal (timestamp, step).
  const N = 25_000;

  beforeAll(async () => {
    backend = await newBackend(dialect, 'h8_history_stream');
    stores = await openStores(backend.uri, { defaultArtifactRoot: '/tmp/h8-art' });
    app = Fastify();
    registerRpcRoutes(app, {
      native: createNativeHandlers(stores),
      fallback: (_req, reply) => reply.code(501).send(),
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const addr = app.server.address();
    base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
    const t = stores.tracking;
    runId = (await t.createRun({ experimentId: '0', userId: '', startTime: 0, tags: [], runName: 'r' })).info
      .run_id;
    for (let from = 0; from < N; from += 1000) {
      const metrics = [];
      for (let i = from; i < Math.min(N, from + 1000); i++) {
        metrics.push({
          key: 'm',
          value: valueOf(i),
          timestamp: 1_700_000_000_000 + Math.floor(i / 7),
          step: i % 3,
        });
      }
      await t.logBatch(runId, { metrics, params: [], tags: [] });
    }
    await t.logBatch(runId, {
      metrics: [
        { key: 'small', value: NaN, timestamp: 3, step: 1 },
        { key: 'small', value: Infinity, timestamp: 1, step: 2 },
        { key: 'small', value: -Infinity, timestamp: 1, step: 1 },
      ],
      params: [],
      tags: [],
    });
  });
  afterAll(async () => {
    await app?.close();
    await stores?.close();
    await backend?.drop();
  });

  const get = (query: string) => fetch(`${base}${HISTORY}?${query}`);

  it('streams a long history byte-identical to the whole response, in MLflow order', async () => {
    const res = await get(`run_id=${runId}&metric_key=m`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('transfer-encoding')).toBe('chunked');
    expect(res.headers.get('content-length')).toBeNull();
    const body = await res.text();

    const whole = await stores.tracking.getMetricHistory(runId, 'm');
    expect(whole.metrics).toHaveLength(N);
    expect(body).toBe(serializeMessage(TYPE, { metrics: whole.metrics }));

    // The paginated path (one query with OFFSET/LIMIT) reads the same rows in the same order.
    const paged = await (await get(`run_id=${runId}&metric_key=m&max_results=${N}`)).text();
    expect(body).toBe(paged);

    // Ordered by timestamp, then step, then value (NaN rows are stored as 0).
    const parsed = JSON.parse(body.replace(/"(NaN|-?Infinity)"/g, 'null')) as {
      metrics: { timestamp: number; step: number }[];
    };
    for (let i = 1; i < parsed.metrics.length; i++) {
      const a = parsed.metrics[i - 1]!;
      const b = parsed.metrics[i]!;
      expect(a.timestamp < b.timestamp || (a.timestamp === b.timestamp && a.step <= b.step)).toBe(true);
    }
    expect(body).toContain('"value":"NaN"');
    expect(body).toContain('"value":1.7976931348623157e+308');
  });

  it('continues from a page token without max_results', async () => {
    const token = Buffer.from('{"offset": 12345}').toString('base64');
    const body = await (await get(`run_id=${runId}&metric_key=m&page_token=${token}`)).text();
    const whole = await stores.tracking.getMetricHistory(runId, 'm');
    expect(body).toBe(serializeMessage(TYPE, { metrics: whole.metrics.slice(12345) }));
  });

  it('sends short and empty histories whole, and errors as MLflow', async () => {
    const small = await get(`run_id=${runId}&metric_key=small`);
    expect(small.headers.get('content-length')).not.toBeNull();
    expect(await small.text()).toBe(
      // Infinities are stored as the largest doubles (SqlAlchemyStore.sanitize_metric_value).
      '{"metrics":[{"key":"small","value":-1.7976931348623157e+308,"timestamp":1,"step":1},' +
        '{"key":"small","value":1.7976931348623157e+308,"timestamp":1,"step":2},' +
        '{"key":"small","value":"NaN","timestamp":3,"step":1}]}',
    );
    const none = await get(`run_id=${'f'.repeat(32)}&metric_key=m`);
    expect(none.status).toBe(200);
    expect(await none.text()).toBe('{}');
    const bad = await get(`run_id=${runId}&metric_key=m&page_token=not-a-token`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({
      error_code: 'INVALID_PARAMETER_VALUE',
      message: 'Invalid page token, could not base64-decode',
    });
  });
});

/** Resident set size of a process, in bytes (Linux /proc). */
function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

describe.runIf(process.platform === 'linux')('a long metric history through the server', () => {
  let srv: RunningServer;
  let stores: Stores;
  let runId: string;
  const POINTS = 300_000;

  beforeAll(async () => {
    srv = await startServer(['--no-python']);
    const created = await fetch(`${srv.base}/api/2.0/mlflow/runs/create`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ experiment_id: '0' }),
    });
    runId = ((await created.json()) as { run: { info: { run_id: string } } }).run.info.run_id;
    // Set-based insert in the test process, on the server's own SQLite file.
    stores = await openStores(`sqlite:///${join(srv.dir, 'mlflow.db')}`, {
      defaultArtifactRoot: '/tmp/h8-art',
    });
    await sql`
      WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < ${POINTS - 1})
      INSERT INTO metrics (key, value, timestamp, run_uuid, step, is_nan)
      SELECT 'loss', i * 0.001 + 0.5, 1700000000000 + i, ${runId}, i, 0 FROM c`.execute(stores.tracking.db);
  }, 120_000);
  afterAll(async () => {
    await stores?.close();
    if (srv) expect(await srv.stop()).toBe(0);
  });

  it(`streams ${POINTS} points with bounded server memory growth`, async () => {
    // Warm up the route (compiled serializers, prepared statements) on a short history.
    await (await fetch(`${srv.base}${HISTORY}?run_id=${runId}&metric_key=none`)).text();
    const pid = srv.proc.pid!;
    const baseline = rssOf(pid);
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, rssOf(pid))), 10);
    let count = 0;
    let bytes = 0;
    let tail = '';
    try {
      const res = await fetch(`${srv.base}${HISTORY}?run_id=${runId}&metric_key=loss`);
      expect(res.status).toBe(200);
      expect(res.headers.get('transfer-encoding')).toBe('chunked');
      const decoder = new TextDecoder();
      for await (const chunk of res.body!) {
        // Count items without holding the body: '"key":' begins each metric.
        const text = tail + decoder.decode(chunk as Uint8Array, { stream: true });
        bytes += (chunk as Uint8Array).length;
        const last = text.lastIndexOf('"key":');
        const upto = last < 0 ? Math.max(0, text.length - 6) : last;
        count += text.slice(0, upto).split('"key":').length - 1;
        tail = text.slice(upto);
        peak = Math.max(peak, rssOf(pid));
      }
      count += tail.split('"key":').length - 1;
      expect(tail.endsWith(`"step":${POINTS - 1}}]}`)).toBe(true);
    } finally {
      clearInterval(sampler);
    }
    expect(count).toBe(POINTS);
    const growth = peak - baseline;
    console.log(
      `metric history of ${POINTS} points: ${(bytes / 2 ** 20).toFixed(1)} MiB sent, server RSS ` +
        `${(baseline / 2 ** 20).toFixed(1)} -> peak ${(peak / 2 ** 20).toFixed(1)} MiB (+${(growth / 2 ** 20).toFixed(1)} MiB)`,
    );
    expect(growth).toBeLessThan(64 * 2 ** 20);
  });
});
