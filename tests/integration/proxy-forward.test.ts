import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/http/app.js';
import { resolveSecurityOptions } from '../../src/http/security-defaults.js';
import { ChildLink } from '../../src/proxy/child-link.js';
import { createForwarder } from '../../src/proxy/forward.js';

// A stand-in for the Python child that reports what it received.
let seen: { url: string; method: string; headers: IncomingHttpHeaders; bodyBytes: number } | undefined;

describe('the streaming proxy (against a stand-in child)', () => {
  let upstream: Server;
  let app: FastifyInstance;
  let base: string;
  const link = new ChildLink();

  beforeAll(async () => {
    upstream = createServer((req, res) => {
      let bytes = 0;
      req.on('data', (c: Buffer) => (bytes += c.length));
      req.on('end', () => {
        seen = { url: req.url ?? '', method: req.method ?? '', headers: req.headers, bodyBytes: bytes };
        res.writeHead(201, {
          'content-type': 'application/x-test',
          'x-child': 'yes',
          connection: 'keep-alive, x-hop',
          'x-hop': 'must not pass',
          'set-cookie': ['a=1', 'b=2'],
        });
        res.end('child body');
      });
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    link.update({ status: 'up', port: (upstream.address() as AddressInfo).port });
    const { forward } = createForwarder(link);
    ({ app } = await buildApp({
      logger: pino({ level: 'silent' }),
      security: resolveSecurityOptions({
        disabled: false,
        allowedHosts: undefined,
        corsAllowedOrigins: undefined,
        xFrameOptions: 'SAMEORIGIN',
        staticPrefix: '',
      }),
      staticPrefix: '',
      version: '3.18.0',
      forward,
      native: undefined,
      guardedByApp: false,
    }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await app.close();
    upstream.close();
  });

  it('forwards path, query, body and Host; sets X-Forwarded-*; drops hop-by-hop headers', async () => {
    // node:http, because undici refuses to send the hop-by-hop headers under test.
    const res = await new Promise<{ status: number; headers: IncomingHttpHeaders; body: string }>(
      (resolve, reject) => {
        const req = httpRequest(
          `${base}/graphql?x=1&y=%2F`,
          {
            method: 'POST',
            headers: {
              host: `localhost:${new URL(base).port}`,
              'content-type': 'text/plain',
              connection: 'keep-alive, x-custom',
              'x-custom': 'hop',
              'keep-alive': 'timeout=5',
              'proxy-authorization': 'secret',
              'x-forwarded-for': '6.6.6.6',
              'x-forwarded-host': 'spoofed',
              'x-real-ip': '6.6.6.6',
              'x-end-to-end': 'kept',
            },
          },
          (r) => {
            let body = '';
            r.on('data', (c: Buffer) => (body += c.toString()));
            r.on('end', () => resolve({ status: r.statusCode ?? 0, headers: r.headers, body }));
          },
        );
        req.on('error', reject);
        req.end('hello');
      },
    );
    expect(res.status).toBe(201);
    expect(res.body).toBe('child body');
    expect(res.headers['x-child']).toBe('yes');
    expect(res.headers['x-hop']).toBeUndefined();
    expect(res.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(seen!.url).toBe('/graphql?x=1&y=%2F');
    expect(seen!.method).toBe('POST');
    expect(seen!.bodyBytes).toBe(5);
    const h = seen!.headers;
    // The client's Host, so what the child builds from it (Werkzeug's redirect Location) is what
    // the pinned server would build.
    expect(h.host).toBe(`localhost:${new URL(base).port}`);
    expect(h['x-forwarded-host']).toBe(`localhost:${new URL(base).port}`);
    expect(h['x-forwarded-for']).toBe('127.0.0.1');
    expect(h['x-forwarded-proto']).toBe('http');
    expect(h['x-real-ip']).toBeUndefined();
    expect(h['x-custom']).toBeUndefined();
    expect(h['keep-alive']).toBeUndefined();
    expect(h['proxy-authorization']).toBeUndefined();
    expect(h['x-end-to-end']).toBe('kept');
  });

  it('answers 503 TEMPORARILY_UNAVAILABLE at once while the child is down', async () => {
    link.update({ status: 'down', port: link.current.port, reason: 'child exited with status 1' });
    const t0 = Date.now();
    const res = await request(`${base}/api/2.0/mlflow/registered-models/search`);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(res.statusCode).toBe(503);
    expect(res.headers['content-type']).toBe('application/json');
    const body = (await res.body.json()) as { error_code: string; message: string };
    expect(body.error_code).toBe('TEMPORARILY_UNAVAILABLE');
    expect(body.message).toContain('child exited with status 1');
  });

  it('answers 503 when the child refuses the connection', async () => {
    link.update({ status: 'up', port: 1 });
    const res = await request(`${base}/graphql`);
    expect(res.statusCode).toBe(503);
    await res.body.dump();
  });
});

describe('--app-name: the Python app guards every route', () => {
  it('forwards /version and RPC routes to the child; only /health is answered by us', async () => {
    const hits: string[] = [];
    const upstream = createServer((req, res) => {
      hits.push(req.url ?? '');
      res.writeHead(401, { 'www-authenticate': 'Basic realm="mlflow"' });
      res.end('You are not authenticated.');
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    const link = new ChildLink();
    link.update({ status: 'up', port: (upstream.address() as AddressInfo).port });
    const { forward } = createForwarder(link);
    const { app } = await buildApp({
      logger: pino({ level: 'silent' }),
      security: resolveSecurityOptions({
        disabled: false,
        allowedHosts: undefined,
        corsAllowedOrigins: undefined,
        xFrameOptions: 'SAMEORIGIN',
        staticPrefix: '',
      }),
      staticPrefix: '',
      version: '3.18.0',
      forward,
      native: undefined,
      guardedByApp: true,
    });
    try {
      const health = await app.inject({ url: '/health', headers: { host: 'localhost' } });
      expect(health.statusCode).toBe(200);
      await app.listen({ port: 0, host: '127.0.0.1' });
      const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      for (const path of ['/version', '/api/2.0/mlflow/experiments/get?experiment_id=0']) {
        const res = await request(`${base}${path}`);
        expect(res.statusCode, path).toBe(401);
        expect(res.headers['www-authenticate']).toBe('Basic realm="mlflow"');
        await res.body.dump();
      }
      expect(hits).toEqual(['/version', '/api/2.0/mlflow/experiments/get?experiment_id=0']);
    } finally {
      await app.close();
      upstream.close();
    }
  });
});
