import { request } from 'node:http';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from './server-harness.js';

// Expected answers were taken from the pinned Python server (mlflow 3.18.0, uvicorn): the
// FastAPI download/upload routes answer `{"detail"}`, the Flask ones a plain-text 503 naming the rule.
const DISABLED_DETAIL =
  'Artifact serving is disabled. Run `mlflow server` with `--serve-artifacts` to enable.';
const flaskDisabled = (rule: string): string =>
  `Endpoint: ${rule} disabled due to the mlflow server running with \`--no-serve-artifacts\`. ` +
  'To enable artifacts server functionality, run `mlflow server` with `--serve-artifacts`';

describe('mlflow-artifacts with --no-serve-artifacts', () => {
  let srv: RunningServer;
  beforeAll(async () => {
    srv = await startServer(['--no-python', '--no-serve-artifacts']);
  });
  afterAll(async () => {
    expect(await srv.stop()).toBe(0);
  });

  it('answers the FastAPI routes with 503 {"detail"}', async () => {
    for (const method of ['GET', 'PUT']) {
      const res = await fetch(`${srv.base}/api/2.0/mlflow-artifacts/artifacts/a/b.txt`, {
        method,
        body: method === 'PUT' ? 'x' : undefined,
      });
      expect(res.status).toBe(503);
      expect(res.headers.get('content-type')).toBe('application/json');
      expect(await res.json()).toEqual({ detail: DISABLED_DETAIL });
    }
  });

  it('answers the Flask routes with a plain 503 naming the rule, before reading the request', async () => {
    for (const [method, path, rule] of [
      ['GET', '/ajax-api/2.0/mlflow-artifacts/artifacts?path=x', '/ajax-api/2.0/mlflow-artifacts/artifacts'],
      [
        'DELETE',
        '/api/2.0/mlflow-artifacts/artifacts/a.txt',
        '/api/2.0/mlflow-artifacts/artifacts/<path:artifact_path>',
      ],
      [
        'POST',
        '/ajax-api/2.0/mlflow-artifacts/mpu/create/a',
        '/ajax-api/2.0/mlflow-artifacts/mpu/create/<path:artifact_path>',
      ],
      [
        'GET',
        '/api/2.0/mlflow-artifacts/presigned/a/b',
        '/api/2.0/mlflow-artifacts/presigned/<path:artifact_path>',
      ],
      [
        'DELETE',
        '/api/2.0/mlflow-artifacts/artifacts/a%2F..%2F..%2Fb',
        '/api/2.0/mlflow-artifacts/artifacts/<path:artifact_path>',
      ],
    ] as const) {
      const res = await fetch(`${srv.base}${path}`, {
        method,
        headers: { 'content-type': 'application/json' },
        body: method === 'GET' ? undefined : 'not json',
      });
      expect(res.status, path).toBe(503);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(await res.text()).toBe(flaskDisabled(rule));
    }
  });
});

describe('artifact uploads on the local filesystem', () => {
  let srv: RunningServer;
  beforeAll(async () => {
    srv = await startServer(['--no-python']);
  });
  afterAll(async () => {
    expect(await srv.stop()).toBe(0);
  });

  it('leaves nothing under the final name when the client aborts mid-body', async () => {
    const dir = join(srv.dir, 'mlartifacts', 'aborted');
    await new Promise<void>((resolve) => {
      const req = request(`${srv.base}/api/2.0/mlflow-artifacts/artifacts/aborted/big.bin`, {
        method: 'PUT',
        headers: { 'content-length': String(64 * 1024 * 1024) },
      });
      req.on('error', () => resolve());
      req.write(Buffer.alloc(1024 * 1024, 1));
      // Wait until the server has created the temporary file, then drop the connection.
      const poll = setInterval(() => {
        if (existsSync(dir) && readdirSync(dir).length > 0) {
          clearInterval(poll);
          req.destroy();
          resolve();
        }
      }, 20);
    });
    // The server notices the reset and removes its temporary file.
    for (let i = 0; i < 100 && readdirSync(dir).length > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(readdirSync(dir)).toEqual([]);
    const res = await fetch(`${srv.base}/api/2.0/mlflow-artifacts/artifacts/aborted/big.bin`);
    expect(res.status).toBe(404);
  });

  it('streams a file back byte for byte, as an attachment', async () => {
    const body = Buffer.alloc(8 * 1024 * 1024);
    for (let i = 0; i < body.length; i++) body[i] = (i * 7919) & 0xff;
    const put = await fetch(`${srv.base}/api/2.0/mlflow-artifacts/artifacts/big/page.html`, {
      method: 'PUT',
      body,
    });
    expect(put.status).toBe(200);
    const res = await fetch(`${srv.base}/ajax-api/2.0/mlflow-artifacts/artifacts/big/page.html`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename=page.html');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await res.arrayBuffer()).equals(body)).toBe(true);
  });
});
