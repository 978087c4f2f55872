/**
 * The UI's static files served natively (src/http/ui): the headers Flask's send_from_directory
 * sends (taken from the pinned server), conditional and range requests, werkzeug's 404 for what
 * is not a file of the build (traversal, symlinks out of it), the static prefix, and the page `/`
 * answers when no build was found. Then where the build comes from (src/cli/ui-dir.ts).
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/http/app.js';
import { resolveSecurityOptions } from '../../src/http/security-defaults.js';
import type { UiSource } from '../../src/http/ui/static-ui.js';
import { cacheRoot, locateUi, pinnedWheel } from '../../src/cli/ui-dir.js';
import { pinnedMlflowVersion } from '../../src/http/health.js';
import { TEST_PYTHON } from './server-harness.js';

const INDEX = '<!doctype html><html><head><title>MLflow</title></head><body>ui</body></html>';

async function appWith(ui: UiSource, staticPrefix = ''): Promise<FastifyInstance> {
  const { app } = await buildApp({
    logger: pino({ level: 'silent' }),
    security: resolveSecurityOptions({
      disabled: false,
      allowedHosts: undefined,
      corsAllowedOrigins: undefined,
      xFrameOptions: undefined,
      staticPrefix,
    }),
    staticPrefix,
    version: 'test',
    forward: undefined,
    native: undefined,
    guardedByApp: false,
    ui,
  });
  await app.ready();
  return app;
}

describe('static UI', () => {
  let root: string;
  let build: string;
  let app: FastifyInstance;
  const get = (url: string, headers: Record<string, string> = {}) =>
    app.inject({ method: 'GET', url, headers: { host: 'localhost', ...headers } });
  let port = 0;
  /** GET with the request-target sent exactly as given. */
  const rawGet = (target: string) =>
    new Promise<{ status: number; headers: IncomingHttpHeaders; body: string }>((done, fail) => {
      const req = request(
        { host: '127.0.0.1', port, path: target, headers: { host: 'localhost' } },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (body += c));
          res.on('end', () => done({ status: res.statusCode!, headers: res.headers, body }));
        },
      );
      req.on('error', fail);
      req.end();
    });

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'mlflow-ts-ui-'));
    build = join(root, 'build');
    mkdirSync(join(build, 'static', 'js'), { recursive: true });
    writeFileSync(join(build, 'index.html'), INDEX);
    writeFileSync(join(build, 'static', 'js', 'main.abc.js'), 'console.log(1);\n');
    writeFileSync(join(build, 'manifest.json'), '{"name": "x"}');
    writeFileSync(join(build, 'data.bin'), Buffer.alloc(100, 7));
    writeFileSync(join(root, 'secret.txt'), 'outside the build');
    symlinkSync(join(root, 'secret.txt'), join(build, 'escape.txt'));
    app = await appWith({ dir: build, origin: 'test' });
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await app?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('answers / with index.html inline, no-cache, with an ETag', async () => {
    const res = await get('/');
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe(INDEX);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('inline; filename=index.html');
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.headers['content-length']).toBe(String(INDEX.length));
    expect(res.headers.etag).toMatch(new RegExp(`^"\\d+(\\.\\d+)?-${INDEX.length}-\\d+"$`));
    expect(res.headers['last-modified']).toMatch(/ GMT$/);
    expect(res.headers.expires).toBeUndefined();
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('serves any file of the build under /static-files with four weeks of public caching', async () => {
    const js = await get('/static-files/static/js/main.abc.js');
    expect(js.statusCode).toBe(200);
    expect(js.body).toBe('console.log(1);\n');
    expect(js.headers['content-type']).toMatch(/^(text|application)\/javascript; charset=utf-8$/);
    expect(js.headers['cache-control']).toBe('public, max-age=2419200');
    const expires = Date.parse(js.headers.expires as string);
    expect(Math.abs(expires - (Date.now() + 2_419_200_000))).toBeLessThan(5_000);
    const json = await get('/static-files/manifest.json');
    // application/json takes no charset in werkzeug.
    expect(json.headers['content-type']).toBe('application/json');
    const bin = await get('/static-files/data.bin');
    expect(bin.headers['content-type']).toBe('application/octet-stream');
    expect(bin.rawPayload.length).toBe(100);
  });

  it("serves Flask's own static route /build/<path>", async () => {
    const res = await get('/build/index.html');
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe(INDEX);
    expect(res.headers['cache-control']).toBe('no-cache');
  });

  it('answers 304 to a matching If-None-Match or If-Modified-Since, without entity headers', async () => {
    const first = await get('/');
    const etag = first.headers.etag as string;
    const byTag = await get('/', { 'if-none-match': etag });
    expect(byTag.statusCode).toBe(304);
    expect(byTag.body).toBe('');
    expect(byTag.headers.etag).toBe(etag);
    expect(byTag.headers['content-type']).toBeUndefined();
    const byDate = await get('/', { 'if-modified-since': first.headers['last-modified'] as string });
    expect(byDate.statusCode).toBe(304);
    const other = await get('/', { 'if-none-match': '"nope"' });
    expect(other.statusCode).toBe(200);
  });

  it('answers one byte range with 206', async () => {
    const res = await get('/static-files/data.bin', { range: 'bytes=10-19' });
    expect(res.statusCode).toBe(206);
    expect(res.headers['content-range']).toBe('bytes 10-19/100');
    expect(res.rawPayload.length).toBe(10);
  });

  it("answers werkzeug's 404 page for missing files, traversal and symlinks out of the build", async () => {
    for (const url of [
      '/static-files/nope.js',
      '/static-files/../secret.txt',
      '/static-files/static/../../secret.txt',
      '/static-files/%2e%2e/secret.txt',
      '/static-files/static',
      '/static-files/escape.txt',
      '/build/..%2fsecret.txt',
      '/static-files/%5c..%5csecret.txt',
      '/build/',
    ]) {
      // Over a socket: inject would normalize the dot segments away.
      const res = await rawGet(url);
      expect(res.status, url).toBe(404);
      expect(res.headers['content-type'], url).toBe('text/html; charset=utf-8');
      expect(res.body, url).toContain('<title>404 Not Found</title>');
      expect(res.body).not.toContain('outside the build');
    }
  });

  it("redirects a path that starts with a slash to its merged form (werkzeug's merge_slashes)", async () => {
    const res = await rawGet('/static-files//static/js/main.abc.js?v=1');
    expect(res.status).toBe(308);
    expect(res.headers.location).toBe('http://localhost/static-files/static/js/main.abc.js?v=1');
    expect(res.body).toContain('<title>Redirecting...</title>');
    // An absolute path never reads outside the build: the redirect stays under /static-files.
    const abs = await rawGet('/static-files//etc/passwd');
    expect(abs.status).toBe(308);
    expect(abs.headers.location).toBe('http://localhost/static-files/etc/passwd');
    expect((await rawGet('/static-files/etc/passwd')).status).toBe(404);
  });

  it('leaves other methods on / to the catch-all (501 standalone)', async () => {
    const res = await app.inject({ method: 'POST', url: '/', headers: { host: 'localhost' } });
    expect(res.statusCode).toBe(501);
  });

  it('serves under --static-prefix', async () => {
    const prefixed = await appWith({ dir: build, origin: 'test' }, '/mlflow');
    try {
      const index = await prefixed.inject({ method: 'GET', url: '/mlflow/', headers: { host: 'localhost' } });
      expect(index.statusCode).toBe(200);
      expect(index.body).toBe(INDEX);
      const js = await prefixed.inject({
        method: 'GET',
        url: '/mlflow/static-files/static/js/main.abc.js',
        headers: { host: 'localhost' },
      });
      expect(js.statusCode).toBe(200);
    } finally {
      await prefixed.close();
    }
  });

  it('answers / with a page saying how to get the UI when no build was found', async () => {
    const none = await appWith({ dir: undefined, origin: 'downloading it is off (--no-ui-download)' });
    try {
      const res = await none.inject({ method: 'GET', url: '/', headers: { host: 'localhost' } });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.body).toContain('The MLflow UI is not available');
      expect(res.body).toContain('--static-dir');
      expect(res.body).toContain('--no-ui-download');
      const js = await none.inject({
        method: 'GET',
        url: '/static-files/x.js',
        headers: { host: 'localhost' },
      });
      expect(js.statusCode).toBe(404);
    } finally {
      await none.close();
    }
  });
});

describe('where the UI comes from', () => {
  const pin = pinnedMlflowVersion();
  const lines: string[] = [];
  const base = { pin, cwd: process.cwd(), say: (l: string) => lines.push(l) };
  let tmp: string;
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'mlflow-ts-uicache-'));
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('takes --static-dir first, when it holds index.html', async () => {
    const dir = join(tmp, 'given');
    mkdirSync(dir);
    writeFileSync(join(dir, 'index.html'), INDEX);
    const ui = await locateUi({
      ...base,
      staticDir: dir,
      pythons: [],
      env: { MLFLOW_TS_CACHE: join(tmp, 'c0') },
      download: false,
    });
    expect(ui.dir).toBe(dir);
    const empty = join(tmp, 'empty');
    mkdirSync(empty);
    const fallback = await locateUi({
      ...base,
      staticDir: empty,
      pythons: [],
      env: { MLFLOW_TS_CACHE: join(tmp, 'c1') },
      download: false,
    });
    expect(fallback.dir).toBeUndefined();
    expect(lines.some((l) => l.includes('holds no index.html'))).toBe(true);
  });

  it('then the mlflow package of a Python, found without running MLflow', async () => {
    const ui = await locateUi({
      ...base,
      staticDir: undefined,
      pythons: [TEST_PYTHON],
      env: process.env,
      download: false,
    });
    expect(ui.dir).toMatch(/mlflow\/server\/js\/build$/);
    expect(existsSync(join(ui.dir!, 'index.html'))).toBe(true);
    expect(ui.origin).toContain(TEST_PYTHON);
  });

  it('then the pinned wheel, checked against its sha256, extracted into the cache', async () => {
    const wheel = join(cacheRoot(process.env), 'wheels', pinnedWheel(pin).name);
    // scripts/provision-python.sh keeps the pinned wheel there.
    expect(existsSync(wheel), wheel).toBe(true);
    const cache = join(tmp, 'cache');
    mkdirSync(join(cache, 'wheels'), { recursive: true });
    copyFileSync(wheel, join(cache, 'wheels', pinnedWheel(pin).name));
    const ui = await locateUi({
      ...base,
      staticDir: undefined,
      pythons: [],
      env: { MLFLOW_TS_CACHE: cache },
      download: false,
    });
    expect(ui.dir).toBe(join(cache, `ui-${pin}`, 'build'));
    expect(existsSync(join(ui.dir!, 'index.html'))).toBe(true);
    expect(existsSync(join(ui.dir!, 'static', 'js'))).toBe(true);

    // A wheel whose hash is not the pinned one is not used.
    const bad = join(tmp, 'bad');
    mkdirSync(join(bad, 'wheels'), { recursive: true });
    writeFileSync(join(bad, 'wheels', pinnedWheel(pin).name), 'not the wheel');
    const refused = await locateUi({
      ...base,
      staticDir: undefined,
      pythons: [],
      env: { MLFLOW_TS_CACHE: bad },
      download: false,
    });
    expect(refused.dir).toBeUndefined();
    expect(refused.origin).toContain('--no-ui-download');
  });
});
