import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { MlflowError } from '../../src/errors/mlflow-error.js';
import { RPCS, type RpcInfo } from '../../src/gen/routes.js';
import { registerRpcRoutes } from '../../src/http/rpc-routes.js';
import type { NativeHandlers } from '../../src/services/types.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function build(native: NativeHandlers, staticPrefix?: string) {
  const fallbacks: string[] = [];
  app = Fastify();
  registerRpcRoutes(app, {
    native,
    staticPrefix,
    fallback: (req, reply, rpc: RpcInfo) => {
      fallbacks.push(`${rpc.key} ${req.url}`);
      return reply.code(418).send('proxied');
    },
  });
  await app.ready();
  return { app, fallbacks };
}

describe('registerRpcRoutes', () => {
  it('registers every route of RPCS without conflicts', async () => {
    const { app } = await build({});
    const total = RPCS.reduce((n, r) => n + r.routes.length, 0);
    let found = 0;
    for (const r of RPCS)
      for (const rt of r.routes) if (app.hasRoute({ method: rt.method, url: rt.url })) found++;
    expect(found).toBe(total);
  });

  it('routes a native RPC: decode, call, serialize as proto JSON', async () => {
    const seen: unknown[] = [];
    const { app } = await build({
      'MlflowService.getRun': async (req) => {
        seen.push(req);
        return {
          run: {
            info: { run_id: 'r1', run_uuid: 'r1', experiment_id: '0', status: 'RUNNING', start_time: 5 },
            data: { metrics: [{ key: 'm', value: NaN, timestamp: 1, step: 0 }], params: [] },
          },
        };
      },
    });
    const res = await app.inject({ method: 'GET', url: '/api/2.0/mlflow/runs/get?run_id=r1&bogus=1' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(seen).toEqual([{ run_id: 'r1' }]);
    expect(res.body).toBe(
      '{"run":{"info":{"run_uuid":"r1","experiment_id":"0","status":"RUNNING","start_time":5,"run_id":"r1"},' +
        '"data":{"metrics":[{"key":"m","value":"NaN","timestamp":1,"step":0}]}}}',
    );
  });

  it('reads a GET body when there is no query string (MLflow does; Fastify would not)', async () => {
    const seen: unknown[] = [];
    const { app } = await build({
      'MlflowService.getRun': async (req) => {
        seen.push(req);
        return {};
      },
    });
    await app.inject({ method: 'GET', url: '/api/2.0/mlflow/runs/get', payload: '{"run_id":"b"}' });
    await app.inject({ method: 'GET', url: '/api/2.0/mlflow/runs/get?run_id=q', payload: '{"run_id":"b"}' });
    expect(seen).toEqual([{ run_id: 'b' }, { run_id: 'q' }]);
  });

  it('reads no query string on HEAD, as MLflow (HEAD with valid params is a 400 there)', async () => {
    const { app } = await build({ 'MlflowService.getExperiment': async () => ({ experiment: {} }) });
    const res = await app.inject({ method: 'HEAD', url: '/api/2.0/mlflow/experiments/get?experiment_id=0' });
    expect(res.statusCode).toBe(400);
  });

  it('answers MlflowError from a service as MLflow JSON with its status', async () => {
    const { app } = await build({
      'MlflowService.getExperiment': async () => {
        throw MlflowError.notFound('No Experiment with id=42 exists');
      },
    });
    const res = await app.inject({
      method: 'GET',
      url: '/ajax-api/2.0/mlflow/experiments/get?experiment_id=42',
    });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toBe('application/json');
    expect(JSON.parse(res.body)).toEqual({
      error_code: 'RESOURCE_DOES_NOT_EXIST',
      message: 'No Experiment with id=42 exists',
      sqlstate: 'KAM00',
      error_class: 'RESOURCE_NOT_FOUND',
    });
  });

  it('sends non-native RPCs to the fallback, with the static prefix on ajax-api only', async () => {
    const { app, fallbacks } = await build({}, '/pfx');
    expect(
      (await app.inject({ method: 'GET', url: '/pfx/ajax-api/2.0/mlflow/runs/get?run_id=1' })).statusCode,
    ).toBe(418);
    expect((await app.inject({ method: 'GET', url: '/api/2.0/mlflow/runs/get?run_id=1' })).statusCode).toBe(
      418,
    );
    expect(
      (await app.inject({ method: 'GET', url: '/ajax-api/2.0/mlflow/runs/get?run_id=1' })).statusCode,
    ).toBe(404);
    expect(
      (await app.inject({ method: 'GET', url: '/pfx/api/2.0/mlflow/runs/get?run_id=1' })).statusCode,
    ).toBe(404);
    expect(fallbacks).toEqual([
      'MlflowService.getRun /pfx/ajax-api/2.0/mlflow/runs/get?run_id=1',
      'MlflowService.getRun /api/2.0/mlflow/runs/get?run_id=1',
    ]);
  });

  it('lets static path segments win over path params and fills path params', async () => {
    const calls: string[] = [];
    const { app } = await build({
      'MlflowService.getTrace': async (req) => {
        calls.push(`getTrace ${JSON.stringify(req)}`);
        return {};
      },
      'MlflowService.getTraceInfoV3': async (req) => {
        calls.push(`getTraceInfoV3 ${JSON.stringify(req)}`);
        return {};
      },
      'MlflowService.deleteLoggedModelTag': async (req) => {
        calls.push(`deleteLoggedModelTag ${JSON.stringify(req)}`);
        return {};
      },
    });
    await app.inject({ method: 'GET', url: '/api/3.0/mlflow/traces/get?trace_id=t1' });
    await app.inject({ method: 'GET', url: '/api/3.0/mlflow/traces/tr-2' });
    await app.inject({ method: 'DELETE', url: '/api/2.0/mlflow/logged-models/m-1/tags/a%20b' });
    expect(calls).toEqual([
      'getTrace {"trace_id":"t1"}',
      'getTraceInfoV3 {"trace_id":"tr-2"}',
      'deleteLoggedModelTag {"model_id":"m-1","tag_key":"a b"}',
    ]);
  });

  it('takes any Content-Type and lets the codec decide (GET/DELETE ignore it)', async () => {
    const seen: unknown[] = [];
    const echo = async (req: unknown) => {
      seen.push(req);
      return {};
    };
    const { app } = await build({
      'MlflowService.searchRuns': echo,
      'ModelRegistryService.deleteRegisteredModel': echo,
    });
    const bad = await app.inject({
      method: 'POST',
      url: '/api/2.0/mlflow/runs/search',
      headers: { 'content-type': 'text/plain' },
      payload: '{}',
    });
    expect(bad.statusCode).toBe(400);
    expect(JSON.parse(bad.body).message).toBe(
      "Bad Request. Content-Type must be one of ['application/json'].",
    );
    const missing = await app.inject({
      method: 'POST',
      url: '/api/2.0/mlflow/runs/search',
      payload: Buffer.from('{}'),
    });
    expect(JSON.parse(missing.body).message).toBe('Bad Request. Content-Type header is missing.');
    const invalid = await app.inject({
      method: 'POST',
      url: '/api/2.0/mlflow/runs/search',
      headers: { 'content-type': 'application/json' },
      payload: '{not json',
    });
    expect(invalid.statusCode).toBe(200);
    const del = await app.inject({
      method: 'DELETE',
      url: '/api/2.0/mlflow/registered-models/delete',
      headers: { 'content-type': 'text/plain' },
      payload: '{"name":"m"}',
    });
    expect(del.statusCode).toBe(200);
    expect(seen).toEqual([{}, { name: 'm' }]);
  });

  it('answers a bare Flask-style 500 where MLflow crashes (logBatch with an invalid JSON body)', async () => {
    const { app } = await build({ 'MlflowService.logBatch': async () => ({}) });
    const res = await app.inject({
      method: 'POST',
      url: '/api/2.0/mlflow/runs/log-batch',
      headers: { 'content-type': 'application/json' },
      payload: 'nope',
    });
    expect(res.statusCode).toBe(500);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.body).toContain('<title>500 Internal Server Error</title>');
  });
});
