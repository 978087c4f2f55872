/**
 * Responses with streamed fields: errors before the first byte answer as MLflow (status + JSON),
 * a failure after it cuts the response short (never a complete-looking body), and the page source
 * is released when the response ends early.
 */
import { get } from 'node:http';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { MlflowError } from '../../src/errors/mlflow-error.js';
import { registerRpcRoutes, STREAM_HEAD_BYTES } from '../../src/http/rpc-routes.js';
import { streamed } from '../../src/services/streamed.js';
import type { NativeHandler } from '../../src/services/types.js';

const URL = '/api/2.0/mlflow/metrics/get-history?run_id=r&metric_key=m';
const page = Array.from({ length: 1000 }, (_, i) => ({ key: 'm', value: i / 7, timestamp: i, step: i }));
const PAGES_PER_HEAD = Math.ceil(STREAM_HEAD_BYTES / JSON.stringify(page).length) + 1;

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function serve(handler: NativeHandler): Promise<string> {
  app = Fastify({ logger: false });
  registerRpcRoutes(app, {
    native: { 'MlflowService.getMetricHistory': handler },
    fallback: (_req, reply) => reply.code(501).send(),
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const a = app.server.address();
  return `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}${URL}`;
}

describe('streamed responses over HTTP', () => {
  it('answers an error of the first pages as MLflow does', async () => {
    const url = await serve(async () => ({
      metrics: streamed(async function* () {
        yield page;
        throw new MlflowError('database is locked', 'TEMPORARILY_UNAVAILABLE');
      }),
    }));
    const res = await fetch(url);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({
      error_code: 'TEMPORARILY_UNAVAILABLE',
      message: 'database is locked',
    });
  });

  it('cuts the response short on a failure after the first byte', async () => {
    const url = await serve(async () => ({
      metrics: streamed(async function* () {
        for (let i = 0; i < PAGES_PER_HEAD; i++) yield page;
        throw new Error('connection lost');
      }),
    }));
    const res = await fetch(url);
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow();
  });

  it('stops reading pages when the client goes away', async () => {
    let released = false;
    let served = 0;
    const url = await serve(async () => ({
      metrics: streamed(async function* () {
        try {
          for (;;) {
            served++;
            yield page;
          }
        } finally {
          released = true;
        }
      }),
    }));
    // Read the first chunk, then drop the connection.
    await new Promise<void>((resolve, reject) => {
      const req = get(url, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', reject);
    });
    for (let i = 0; i < 100 && !released; i++) await new Promise((r) => setTimeout(r, 20));
    expect(released).toBe(true);
    expect(served).toBeLessThan(10_000);
  });
});
