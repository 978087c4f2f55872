/**
 * Request values MLflow would store as zeros (ParseDict stops at a numeric field it cannot read
 * and the handler runs on defaults) are refused with 400 INVALID_PARAMETER_VALUE naming the
 * field, and nothing is stored (docs/parity-differences.md, section 2). Values MLflow clients
 * send keep working, and what MLflow refuses itself keeps MLflow's answer. Undecodable bodies
 * (invalid UTF-8, integers past Python's 4300-digit limit) read as `{}`, as Python reads them.
 * Runs the whole HTTP front in-process (inject) on SQLite and PostgreSQL.
 */
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/http/app.js';
import { resolveSecurityOptions } from '../../src/http/security-defaults.js';
import { loadNativeLayer, type NativeLayer } from '../../src/http/native-layer.js';
import { backendNames, newBackend, type TestBackend } from '../helpers/store-backends.js';

const T0 = 1_600_000_000_000;

describe.each(backendNames)('request strictness on %s', (dialect) => {
  let backend: TestBackend;
  let native: NativeLayer;
  let app: FastifyInstance;
  let runId: string;

  const post = async (path: string, body: string | Buffer) => {
    const res = await app.inject({
      method: 'POST',
      url: `/api/2.0/mlflow${path}`,
      headers: { 'content-type': 'application/json', host: 'localhost' },
      payload: body,
    });
    return {
      status: res.statusCode,
      body: res.body,
      json: () => JSON.parse(res.body) as Record<string, unknown>,
    };
  };
  const get = async (path: string) => {
    const res = await app.inject({
      method: 'GET',
      url: `/api/2.0/mlflow${path}`,
      headers: { host: 'localhost' },
    });
    return { status: res.statusCode, json: JSON.parse(res.body) as Record<string, unknown> };
  };
  const history = async (key: string) =>
    ((await get(`/metrics/get-history?run_id=${runId}&metric_key=${encodeURIComponent(key)}`)).json.metrics ??
      []) as { value: unknown; timestamp: number; step: number }[];
  const newRun = async () => {
    const r = await post('/runs/create', JSON.stringify({ experiment_id: '0', start_time: T0 }));
    expect(r.status).toBe(200);
    return (r.json().run as { info: { run_id: string } }).info.run_id;
  };

  beforeAll(async () => {
    backend = await newBackend(dialect, 'strict');
    native = await loadNativeLayer(backend.uri, { defaultArtifactRoot: '/tmp/strict-artifacts' });
    ({ app } = await buildApp({
      logger: pino({ level: 'silent' }),
      security: resolveSecurityOptions({
        disabled: true,
        allowedHosts: undefined,
        corsAllowedOrigins: undefined,
        xFrameOptions: undefined,
        staticPrefix: '',
      }),
      staticPrefix: '',
      version: 'test',
      forward: undefined,
      native,
      guardedByApp: false,
    }));
    await app.ready();
    runId = await newRun();
  });
  afterAll(async () => {
    await app?.close();
    await native?.close();
    await backend?.drop();
  });

  // Each value is one MLflow stores as zeros (a 200 from the pinned server).
  const BAD_VALUES = ['"abc"', '[1]', '{}', '1' + '0'.repeat(400), '1e400', 'NaN', 'Infinity', '-Infinity'];

  it('refuses a log-batch metric value ParseDict cannot read, naming the field; nothing stored', async () => {
    for (const [i, v] of BAD_VALUES.entries()) {
      const key = `bv${i}`;
      const r = await post(
        '/runs/log-batch',
        `{"run_id":"${runId}","metrics":[{"key":"ok","value":1,"timestamp":${T0},"step":0},{"key":"${key}","value":${v},"timestamp":${T0},"step":1}]}`,
      );
      expect(r.status, v.slice(0, 20)).toBe(400);
      expect(r.json().error_code).toBe('INVALID_PARAMETER_VALUE');
      expect(r.json().message).toContain("for parameter 'metrics[1].value' supplied");
      expect(await history(key)).toEqual([]);
    }
    // The whole batch was refused: its valid metric was not stored either.
    expect(await history('ok')).toEqual([]);
  });

  it('refuses a 100k-deep array as a metric value with a short message', async () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const r = await post(
      '/runs/log-batch',
      `{"run_id":"${runId}","metrics":[{"key":"deep","value":${deep},"timestamp":${T0},"step":1}]}`,
    );
    expect(r.status, r.body.slice(0, 500)).toBe(400);
    expect(r.json().message).toContain("'metrics[0].value'");
    expect((r.json().message as string).length).toBeLessThan(400);
    expect(await history('deep')).toEqual([]);
  });

  it('refuses fractional and out-of-range steps and timestamps on log-metric and log-batch', async () => {
    for (const step of ['1.5', '1'.repeat(20), '"1.5"', 'true', '"abc"']) {
      const m = await post(
        '/runs/log-metric',
        `{"run_id":"${runId}","key":"s","value":1,"timestamp":${T0},"step":${step}}`,
      );
      const b = await post(
        '/runs/log-batch',
        `{"run_id":"${runId}","metrics":[{"key":"s","value":1,"timestamp":${T0},"step":${step}}]}`,
      );
      expect(m.status, `log-metric step ${step}`).toBe(400);
      expect(m.json().message).toContain("'step'");
      expect(b.status, `log-batch step ${step}`).toBe(400);
      expect(b.json().message).toContain("'metrics[0].step'");
    }
    const t = await post('/runs/log-metric', `{"run_id":"${runId}","key":"s","value":1,"timestamp":1.5}`);
    expect(t.status).toBe(400);
    expect(t.json().message).toContain("'timestamp'");
    expect(await history('s')).toEqual([]);
  });

  it('applies the rule to the numeric fields of other RPCs', async () => {
    const c = await post('/runs/create', `{"experiment_id":"0","start_time":1.5}`);
    expect(c.status).toBe(400);
    expect(c.json().message).toContain("'start_time'");
    const u = await post('/runs/update', `{"run_id":"${runId}","end_time":${'9'.repeat(25)}}`);
    expect(u.status).toBe(400);
    expect(u.json().message).toContain("'end_time'");
    const run = (await get(`/runs/get?run_id=${runId}`)).json.run as { info: { end_time?: number } };
    expect(run.info.end_time).toBeUndefined();
  });

  it('keeps accepting what MLflow clients send: int64 as strings, quoted non-finite doubles', async () => {
    const bodies = [
      `{"run_id":"${runId}","key":"g","value":"NaN","timestamp":"${T0}","step":"1"}`,
      `{"run_id":"${runId}","key":"g","value":"-Infinity","timestamp":${T0},"step":2}`,
      `{"run_id":"${runId}","key":"g","value":"1e3","timestamp":${T0},"step":3.0}`,
      `{"run_id":"${runId}","key":"g","value":2.5,"timestamp":${T0}}`,
    ];
    for (const b of bodies) expect((await post('/runs/log-metric', b)).status, b).toBe(200);
    const batch = await post(
      '/runs/log-batch',
      `{"run_id":"${runId}","metrics":[{"key":"g","value":"Infinity","timestamp":"${T0}","step":"4"}]}`,
    );
    expect(batch.status).toBe(200);
    const values = (await history('g')).map((m) => [m.value, m.step]);
    expect(values).toEqual(
      expect.arrayContaining([
        ['NaN', 1],
        // MLflow stores infinities as the largest double.
        [-Number.MAX_VALUE, 2],
        [1000, 3],
        [2.5, 0],
        [Number.MAX_VALUE, 4],
      ]),
    );
    // Read from the query string by the handler, not from the (int32) message: still fine.
    const bulk = await get(
      `/metrics/get-history-bulk-interval?run_ids=${runId}&metric_key=g&start_step=0&end_step=${2 ** 40}`,
    );
    expect(bulk.status).toBe(200);
  });

  it("keeps MLflow's own answer where its validators refuse first", async () => {
    const r = await post(
      '/runs/log-metric',
      `{"run_id":"${runId}","key":"v","value":"abc","timestamp":${T0}}`,
    );
    expect(r.status).toBe(400);
    expect(r.json().message).toBe(
      `Invalid value "abc" for parameter 'value' supplied:  Hint: Value was of type 'str'. See the API docs for more information about request parameters.`,
    );
  });

  it('reads a body that is not UTF-8 as MLflow does (no body), never storing U+FFFD', async () => {
    const prefix = Buffer.from(`{"run_id":"${runId}","key":"u","value":"a`);
    const bad = Buffer.concat([prefix, Buffer.from([0xff, 0xfe]), Buffer.from('b"}')]);
    const r = await post('/runs/set-tag', bad);
    expect(r.status).toBe(400);
    expect(r.json().message).toBe(
      "Missing value for required parameter 'run_id'. See the API docs for more information about request parameters.",
    );
    const batch = Buffer.concat([
      Buffer.from(`{"run_id":"${runId}","tags":[{"key":"u2","value":"a`),
      Buffer.from([0xc3]),
      Buffer.from('b"}]}'),
    ]);
    // MLflow: len(None) in log-batch's size check, a bare 500.
    expect((await post('/runs/log-batch', batch)).status).toBe(500);
    const tags = ((await get(`/runs/get?run_id=${runId}`)).json.run as { data: { tags?: { key: string }[] } })
      .data.tags;
    expect((tags ?? []).map((t) => t.key)).not.toContain('u');
    expect((tags ?? []).map((t) => t.key)).not.toContain('u2');
  });

  it('reads an integer past 4300 digits as Python does (the body is unreadable)', async () => {
    const step = '1'.repeat(10_000);
    const m = await post(
      '/runs/log-metric',
      `{"run_id":"${runId}","key":"d","value":1,"timestamp":${T0},"step":${step}}`,
    );
    expect(m.status).toBe(400);
    expect(m.json().message).toContain("Missing value for required parameter 'run_id'");
    const b = await post(
      '/runs/log-batch',
      `{"run_id":"${runId}","metrics":[{"key":"d","value":1,"timestamp":${T0},"step":${step}}]}`,
    );
    expect(b.status).toBe(500);
    expect(await history('d')).toEqual([]);
  });

  it('says on /ready that the store takes writes', async () => {
    const res = await app.inject({ method: 'GET', url: '/ready', headers: { host: 'localhost' } });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('OK');
  });
});
