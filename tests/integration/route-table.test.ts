/**
 * Every native route that is not a proto RPC route must be listed in
 * tests/security/native-extra-routes.json, which the attack corpus (tests/security, section R) sends
 * its Host and Origin cases to: a route added without an entry there fails here. The app is built as
 * a standalone server with every optional layer on (the UI, its shell routes, the empty gateway).
 */
import { NATIVE_EXTRA_ROUTES } from '../../src/http/native-extra-routes.js';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/http/app.js';
import { RPCS } from '../../src/gen/routes.js';
import { loadNativeLayer, type NativeLayer } from '../../src/http/native-layer.js';
import { resolveSecurityOptions } from '../../src/http/security-defaults.js';
import { backendNames, newBackend, type TestBackend } from '../helpers/store-backends.js';

const LIST = resolve(import.meta.dirname, '../security/native-extra-routes.json');

describe('the native route table', () => {
  let backend: TestBackend;
  let native: NativeLayer;
  let app: FastifyInstance;
  const routes: string[] = [];

  beforeAll(async () => {
    backend = await newBackend(backendNames[0]!, 'routes');
    native = await loadNativeLayer(backend.uri, { defaultArtifactRoot: '/tmp/route-table-artifacts' });
    ({ app } = await buildApp({
      logger: pino({ level: 'silent' }),
      security: resolveSecurityOptions({
        disabled: false,
        allowedHosts: undefined,
        corsAllowedOrigins: undefined,
        xFrameOptions: undefined,
        staticPrefix: '',
      }),
      staticPrefix: '',
      version: 'test',
      forward: undefined,
      native,
      assistantUnconfigured: true,
      guardedByApp: false,
      ui: { dir: join(import.meta.dirname, 'no-such-ui'), origin: 'test' },
      onRoute: (method, url) => {
        if (method !== 'HEAD' && url !== '/*') routes.push(`${method} ${url}`);
      },
      serverInfo: {
        artifactsOnly: false,
        serveArtifacts: true,
        artifactsPresignedOnly: false,
        destinationSupportsMultipart: false,
        proxyMultipartUpload: false,
        proxyMultipartDownload: false,
        sseCustomerKey: false,
        skillContentMaxSize: 1,
        trackingAuth: '',
      },
    }));
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await native?.close();
    await backend?.drop();
  });

  it('lists every non-RPC native route in tests/security/native-extra-routes.json', () => {
    const rpcRoutes = new Set(RPCS.flatMap((r) => r.routes.map((rt) => `${rt.method} ${rt.url}`)));
    const listed = JSON.parse(readFileSync(LIST, 'utf8')) as { method: string; url: string }[];
    const extra = [...new Set(routes.filter((r) => !rpcRoutes.has(r)))];
    expect(extra.sort()).toEqual(listed.map((r) => `${r.method} ${r.url}`).sort());
    // ...and `mlflow-ts endpoints` lists the same ones (src/http/native-extra-routes.ts).
    expect(NATIVE_EXTRA_ROUTES.map((r) => `${r.method} ${r.url}`).sort()).toEqual(extra.sort());
  });
});
