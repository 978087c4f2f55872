import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from './server-harness.js';

// Expected answers were taken from the pinned Python server (mlflow 3.18.0, uvicorn) run with
// default security settings: status, content type and body of each security rejection.
const INVALID_HOST = 'Invalid Host header - possible DNS rebinding attack detected';
const CORS_BLOCKED = 'Cross-origin request blocked';

describe('mlflow-ts server --no-python (standalone)', () => {
  let srv: RunningServer;
  beforeAll(async () => {
    srv = await startServer(['--no-python']);
  });
  afterAll(async () => {
    expect(await srv.stop()).toBe(0);
  });

  it('answers /health and /version as MLflow does', async () => {
    const h = await fetch(`${srv.base}/health`);
    expect(h.status).toBe(200);
    expect(h.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(h.headers.get('x-content-type-options')).toBe('nosniff');
    expect(h.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(await h.text()).toBe('OK');
    const v = await fetch(`${srv.base}/version`);
    expect(v.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await v.text()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('answers 501 NOT_IMPLEMENTED naming the endpoint and the way to enable the fallback', async () => {
    for (const [method, path] of [
      ['POST', '/'],
      ['GET', '/ajax-api/3.0/mlflow/scorers/list'],
      ['POST', '/api/3.0/mlflow/scorers/register'],
      ['POST', '/ajax-api/3.0/mlflow/assistant/message'],
    ] as const) {
      const res = await fetch(`${srv.base}${path}`, { method, body: method === 'GET' ? undefined : '{}' });
      expect(res.status, path).toBe(501);
      expect(res.headers.get('content-type')).toBe('application/json');
      const body = (await res.json()) as { error_code: string; message: string };
      expect(body.error_code).toBe('NOT_IMPLEMENTED');
      expect(body.message).toContain(`${method} ${path}`);
      expect(body.message).toContain('--python');
    }
  });

  it('serves the MLflow UI natively (a build found with no Python server running)', async () => {
    const res = await fetch(`${srv.base}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await res.text();
    expect(html).toContain('<title>MLflow</title>');
    const script = /src="(static-files\/static\/js\/main\.[0-9a-f]+\.js)"/.exec(html);
    expect(script).not.toBeNull();
    const js = await fetch(`${srv.base}/${script![1]}`);
    expect(js.status).toBe(200);
    expect(js.headers.get('cache-control')).toBe('public, max-age=2419200');
    // Read to the end: an unread multi-megabyte body keeps the response in flight, and the
    // server's shutdown would wait for it (the stop below then times out).
    expect((await js.arrayBuffer()).byteLength).toBeGreaterThan(100_000);
    expect(srv.output()).toMatch(/UI: served natively from /);
  });

  it("answers the UI's shell routes itself: server-info, ui-telemetry (off), users/current (404)", async () => {
    const info = await fetch(`${srv.base}/ajax-api/3.0/mlflow/server-info`);
    expect(info.status).toBe(200);
    const body = (await info.json()) as Record<string, unknown>;
    expect(body.store_type).toBe('SqlStore');
    expect(body.artifact_serving_enabled).toBe(true);
    expect(body.features_enabled).toEqual({ gateway: false, scheduled_issue_detection: false });
    const telemetry = await fetch(`${srv.base}/ajax-api/3.0/mlflow/ui-telemetry`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"records": [{"event_name": "x"}]}',
    });
    expect(await telemetry.json()).toEqual({ status: 'disabled' });
    const config = await fetch(`${srv.base}/ajax-api/3.0/mlflow/ui-telemetry`);
    expect(((await config.json()) as { disable_ui_telemetry: boolean }).disable_ui_telemetry).toBe(true);
    const user = await fetch(`${srv.base}/ajax-api/2.0/mlflow/users/current`);
    expect(user.status).toBe(404);
    expect(await user.text()).toContain('<title>404 Not Found</title>');
  });

  it('answers a plain OPTIONS on API paths with 204, as MLflow does', async () => {
    const res = await fetch(`${srv.base}/api/2.0/mlflow/experiments/get`, { method: 'OPTIONS' });
    expect(res.status).toBe(204);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('serves native routes', async () => {
    const res = await fetch(`${srv.base}/api/2.0/mlflow/experiments/get?experiment_id=0`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { experiment: { name: string } }).experiment.name).toBe('Default');
  });

  it('rejects a bad Host on native and non-native routes, but not on /health', async () => {
    const { request } = await import('undici');
    for (const path of [
      '/api/2.0/mlflow/experiments/get?experiment_id=0',
      '/api/2.0/mlflow/registered-models/search',
      '/',
    ]) {
      const res = await request(`${srv.base}${path}`, { headers: { host: 'evil.example.com' } });
      expect(res.statusCode, path).toBe(403);
      expect(res.headers['content-type']).toBe('text/plain');
      expect(res.headers['x-content-type-options']).toBeUndefined();
      expect(await res.body.text()).toBe(INVALID_HOST);
    }
    const ok = await request(`${srv.base}/health`, { headers: { host: 'evil.example.com' } });
    expect(ok.statusCode).toBe(200);
    await ok.body.dump();
  });

  it('blocks state-changing cross-origin API requests, allows localhost origins', async () => {
    for (const path of [
      '/api/2.0/mlflow/experiments/create',
      '/ajax-api/2.0/mlflow/registered-models/create',
    ]) {
      const res = await fetch(`${srv.base}${path}`, {
        method: 'POST',
        headers: { origin: 'https://evil.example.com', 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'x' }),
      });
      expect(res.status, path).toBe(403);
      expect(res.headers.get('content-type')).toBe('text/plain');
      expect(res.headers.get('access-control-allow-credentials')).toBe('true');
      expect(res.headers.get('vary')).toBe('Origin');
      expect(await res.text()).toBe(CORS_BLOCKED);
    }
    const ok = await fetch(`${srv.base}/api/2.0/mlflow/experiments/create`, {
      method: 'POST',
      headers: { origin: 'http://localhost:3000', 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'from-localhost' }),
    });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
  });

  it('answers CORS preflights as Starlette does', async () => {
    const bad = await fetch(`${srv.base}/api/2.0/mlflow/experiments/create`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example.com', 'access-control-request-method': 'POST' },
    });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toBe('Disallowed CORS origin');
    const good = await fetch(`${srv.base}/api/2.0/mlflow/experiments/create`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:3000',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(good.status).toBe(200);
    expect(good.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    expect(good.headers.get('access-control-allow-methods')).toBe('GET, POST, PUT, DELETE, OPTIONS, PATCH');
    expect(good.headers.get('access-control-allow-headers')).toBe('content-type');
    expect(await good.text()).toBe('OK');
  });
});

describe('mlflow-ts server --disable-security-middleware', () => {
  it('accepts any Host and adds no security headers', async () => {
    const srv = await startServer([
      '--no-python',
      '--disable-security-middleware',
      '--x-frame-options',
      'DENY',
    ]);
    try {
      const { request } = await import('undici');
      const res = await request(`${srv.base}/api/2.0/mlflow/experiments/get?experiment_id=0`, {
        headers: { host: 'evil.example.com' },
      });
      expect(res.statusCode).toBe(200);
      expect(res.headers['x-frame-options']).toBeUndefined();
      await res.body.dump();
      expect(srv.output()).toContain('Security middleware is DISABLED');
    } finally {
      expect(await srv.stop()).toBe(0);
    }
  });
});

describe('mlflow-ts server --workers 2', () => {
  it('serves one port from two Node workers and stops them all on SIGTERM', async () => {
    const srv = await startServer(['--no-python', '--workers', '2']);
    try {
      const results = await Promise.all(
        Array.from({ length: 20 }, () => fetch(`${srv.base}/health`).then((r) => r.status)),
      );
      expect(results.every((s) => s === 200)).toBe(true);
      expect(srv.output()).toContain('(2 workers)');
    } finally {
      expect(await srv.stop()).toBe(0);
    }
  });
});

describe('mlflow-ts server --static-prefix', () => {
  it('moves /health, /version and the ajax-api routes under the prefix, as MLflow does', async () => {
    const srv = await startServer(['--no-python', '--static-prefix', '/mlflow']);
    try {
      const { request } = await import('undici');
      const health = await request(`${srv.base}/mlflow/health`, { headers: { host: 'evil.example.com' } });
      expect(health.statusCode).toBe(200);
      expect(await health.body.text()).toBe('OK');
      // The bare path is not exempt from the Host check under a prefix.
      const bare = await request(`${srv.base}/health`, { headers: { host: 'evil.example.com' } });
      expect(bare.statusCode).toBe(403);
      await bare.body.dump();
      const ajax = await request(`${srv.base}/mlflow/ajax-api/2.0/mlflow/experiments/get?experiment_id=0`);
      expect(ajax.statusCode).toBe(200);
      await ajax.body.dump();
      const api = await request(`${srv.base}/api/2.0/mlflow/experiments/get?experiment_id=0`);
      expect(api.statusCode).toBe(200);
      await api.body.dump();
      // Cross-origin blocking covers the prefixed API paths.
      const cross = await request(`${srv.base}/mlflow/ajax-api/2.0/mlflow/experiments/create`, {
        method: 'POST',
        headers: { origin: 'https://evil.example.com', 'content-type': 'application/json' },
        body: '{"name":"x"}',
      });
      expect(cross.statusCode).toBe(403);
      await cross.body.dump();
    } finally {
      expect(await srv.stop()).toBe(0);
    }
  });
});
