import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/http/app.js';
import { INVALID_REQUEST_RESPONSE } from '../../src/http/invalid-request.js';
import { resolveSecurityOptions } from '../../src/http/security-defaults.js';
import { ChildLink } from '../../src/proxy/child-link.js';
import { createForwarder } from '../../src/proxy/forward.js';

/** What the stand-in child received, as it received it. */
interface Echo {
  method: string;
  url: string;
  rawHeaders: string[];
  body: string;
}

/** Sends raw bytes (no HTTP library in between) and returns everything read until the server closes. */
function rawExchange(
  port: number,
  head: string,
  body?: (sock: ReturnType<typeof connect>) => void,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1');
    let out = Buffer.alloc(0);
    sock.on('data', (d: Buffer) => {
      out = Buffer.concat([out, d]);
      // An interim 100 Continue: the body goes now.
      if (body && out.toString('latin1').startsWith('HTTP/1.1 100 Continue\r\n\r\n')) {
        const send = body;
        body = undefined;
        send(sock);
      }
    });
    sock.on('end', () => resolve(out.toString('latin1')));
    sock.on('error', reject);
    sock.write(Buffer.from(head, 'latin1'));
  });
}

/** The child's echo (UTF-8 JSON) from a raw response read as latin1. */
function echoOf(response: string): Echo {
  const i = response.lastIndexOf('\r\n\r\n'); // after any interim 100
  try {
    return JSON.parse(Buffer.from(response.slice(i + 4), 'latin1').toString('utf8')) as Echo;
  } catch {
    throw new Error(`not an echo: ${JSON.stringify(response.slice(0, 800))}`);
  }
}

function pairs(raw: string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < raw.length; i += 2) out.push([raw[i]!, raw[i + 1]!]);
  return out;
}

describe('the proxy forwards the request as the client sent it (stand-in child, raw sockets)', () => {
  let child: Server;
  let app: FastifyInstance;
  let port: number;

  beforeAll(async () => {
    child = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const echo: Echo = {
          method: req.method ?? '',
          url: req.url ?? '',
          rawHeaders: req.rawHeaders,
          body: Buffer.concat(chunks).toString('latin1'),
        };
        const bytes = Buffer.from(JSON.stringify(echo));
        res.writeHead(200, {
          'content-type': 'application/json',
          'content-length': String(bytes.length),
          'x-odd': 'v\xe9',
        });
        res.end(req.method === 'HEAD' ? undefined : bytes);
      });
    });
    await new Promise<void>((r) => child.listen(0, '127.0.0.1', r));
    const link = new ChildLink();
    link.update({ status: 'up', port: (child.address() as AddressInfo).port });
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
    port = (app.server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await app.close();
    child.close();
  });

  it('keeps the target byte for byte: dot segments, escapes, backslashes, //, fragments, query', async () => {
    const targets = [
      '/api/2.0/mlflow-artifacts/artifacts/hx/../../etc/passwd',
      '/api/2.0/mlflow-artifacts/artifacts/hx/%2e%2e/%2E%2E/%252e%252e/./%2e/x',
      '/api/2.0/mlflow-artifacts/artifacts/hx/..\\..\\x',
      '/api/2.0/mlflow-artifacts/artifacts//etc%2Fpasswd%00/x./y../',
      '/api/2.0/mlflow/runs/../runs/get?run_id=a#frag',
      '/a%zz/%C3%A9%FF;p?q=a+b&q=%20&q=&e&q=%2B#f',
      `/static-files/${'a/'.repeat(3000)}z`,
      'http://evil.example/api/2.0/mlflow-artifacts/artifacts/x',
    ];
    for (const target of targets) {
      const res = await rawExchange(
        port,
        `GET ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`,
      );
      expect(res.startsWith('HTTP/1.1 200 OK\r\n'), target).toBe(true);
      expect(echoOf(res).url).toBe(target);
    }
  });

  it('keeps repeated headers, their order, spelling and odd bytes; Host as sent', async () => {
    const res = await rawExchange(
      port,
      'GET /x HTTP/1.1\r\nHost: localhost:5000\r\nX-Rep: 1\r\nx-odd: caf\xe9 \x80\xff\tz\r\nAccept: a\r\n' +
        'x-rep: 2\r\nCookie: a=1\r\nCookie: b=2\r\nConnection: close\r\n\r\n',
    );
    const echo = echoOf(res);
    const forwarded = pairs(echo.rawHeaders);
    // (undici adds its own `connection: keep-alive` to the child.)
    expect(forwarded.filter(([k]) => !k.startsWith('x-forwarded') && k !== 'connection')).toEqual([
      ['host', 'localhost:5000'],
      ['X-Rep', '1'],
      ['x-odd', 'caf\xe9 \x80\xff\tz'],
      ['Accept', 'a'],
      ['x-rep', '2'],
      ['Cookie', 'a=1'],
      ['Cookie', 'b=2'],
    ]);
    // A response header's odd bytes come back as they were sent.
    expect(res).toContain('x-odd: v\xe9\r\n');
  });

  it('streams a chunked upload, an Expect: 100-continue upload and an empty body', async () => {
    const chunked = await rawExchange(
      port,
      'PUT /api/2.0/mlflow-artifacts/artifacts/c HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n' +
        'Connection: close\r\n\r\n3\r\nabc\r\n5\r\n\x00\x01\x02\xfe\xff\r\n0\r\n\r\n',
    );
    const chunkedEcho = echoOf(chunked);
    expect(chunkedEcho.body).toBe('abc\x00\x01\x02\xfe\xff');
    // Still chunked at the child, even though the whole body had arrived before the proxy wrote
    // it: Flask reads no body without a Content-Length, so a length added here would change the
    // answer (test_http_request_lines.py, chunked-json).
    const chunkedHeaders = pairs(chunkedEcho.rawHeaders).map(([k, v]) => [k.toLowerCase(), v]);
    expect(chunkedHeaders).toContainEqual(['transfer-encoding', 'chunked']);
    expect(chunkedHeaders.map(([k]) => k)).not.toContain('content-length');

    const continued = await rawExchange(
      port,
      'PUT /api/2.0/mlflow-artifacts/artifacts/e HTTP/1.1\r\nHost: localhost\r\nContent-Length: 4\r\n' +
        'Expect: 100-continue\r\nConnection: close\r\n\r\n',
      (sock) => sock.write('body'),
    );
    expect(continued.startsWith('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n')).toBe(true);
    const echo = echoOf(continued);
    expect(echo.body).toBe('body');
    expect(pairs(echo.rawHeaders).map(([k]) => k.toLowerCase())).not.toContain('expect');

    const empty = await rawExchange(
      port,
      'PUT /api/2.0/mlflow-artifacts/artifacts/z HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nConnection: close\r\n\r\n',
    );
    const emptyEcho = echoOf(empty);
    expect(emptyEcho.body).toBe('');
    expect(pairs(emptyEcho.rawHeaders)).toContainEqual(['content-length', '0']);
  });

  it('answers HEAD without a body and forwards other expectations instead of a 417', async () => {
    const head = await rawExchange(port, 'HEAD /x HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    expect(head.startsWith('HTTP/1.1 200 OK\r\n')).toBe(true);
    expect(head.endsWith('\r\n\r\n')).toBe(true);
    const expectFoo = await rawExchange(
      port,
      'GET /x HTTP/1.1\r\nHost: localhost\r\nExpect: foo\r\nConnection: close\r\n\r\n',
    );
    expect(echoOf(expectFoo).url).toBe('/x');
  });

  it("refuses what the pinned server's parser refuses, with uvicorn's bytes", async () => {
    for (const head of [
      'GET /x HTTP/1.1\r\nConnection: close\r\n\r\n',
      'GET /x HTTP/1.1\r\nHost: localhost\r\nHost: localhost\r\n\r\n',
      'GET /x HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n',
      'GET /x\xe9 HTTP/1.1\r\nHost: localhost\r\n\r\n',
      'GET /x HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab',
      `GET /${'a'.repeat(20_000)} HTTP/1.1\r\nHost: localhost\r\n\r\n`,
    ]) {
      expect(await rawExchange(port, head), JSON.stringify(head.slice(0, 60))).toBe(INVALID_REQUEST_RESPONSE);
    }
  });

  it("answers '*' and authority-form targets as Starlette's router does (404, nothing forwarded)", async () => {
    for (const head of [
      'OPTIONS * HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
      'CONNECT localhost:80 HTTP/1.1\r\nHost: localhost\r\n\r\n',
    ]) {
      const res = await rawExchange(port, head);
      expect(res.startsWith('HTTP/1.1 404 Not Found\r\n'), head).toBe(true);
      expect(res.endsWith('\r\n\r\n{"detail":"Not Found"}'), head).toBe(true);
    }
  });
});
