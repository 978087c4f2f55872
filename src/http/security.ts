import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  CORS_BLOCKED_MSG,
  INVALID_HOST_MSG,
  LOCALHOST_ORIGIN_RE,
  TRACE_RENDERER_ASSET_PATH,
  isAllowedHost,
  isApiPath,
  isHealthPath,
  shouldBlockCors,
  type CorsPolicy,
  type SecurityOptions,
} from './security-defaults.js';

export type { CorsPolicy, SecurityOptions } from './security-defaults.js';

/**
 * How far a response went through MLflow's middleware stack, outermost first:
 * host validation -> CORS (preflight / response headers) -> CORS blocking -> security headers.
 * A response produced by an outer layer carries only the headers of the layers around it.
 */
type Layer = 'host' | 'preflight' | 'cors-block';
declare module 'fastify' {
  interface FastifyRequest {
    securityAnsweredBy?: Layer;
  }
}

function decodedPath(url: string): string {
  const q = url.indexOf('?');
  const raw = q < 0 ? url : url.slice(0, q);
  if (!raw.includes('%')) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

function isAllowedOrigin(policy: CorsPolicy, origin: string): boolean {
  return policy.allowAll || LOCALHOST_ORIGIN_RE.test(origin) || policy.origins.includes(origin);
}

function appendVary(reply: FastifyReply, value: string): void {
  const cur = reply.getHeader('vary');
  if (cur === undefined) {
    reply.header('vary', value);
    return;
  }
  const parts = Array.isArray(cur) ? cur.map(String) : [String(cur)];
  reply.header('vary', [...parts, value].join(', '));
}

function preflight(policy: CorsPolicy, request: FastifyRequest, reply: FastifyReply): void {
  const origin = String(request.headers.origin);
  const method = String(request.headers['access-control-request-method']);
  const reqHeaders = request.headers['access-control-request-headers'];
  const failures: string[] = [];
  reply.header(
    'vary',
    'Origin, Access-Control-Request-Method, Access-Control-Request-Headers, Access-Control-Request-Private-Network',
  );
  const explicitOrigin = !policy.allowAll || policy.credentials;
  if (!explicitOrigin) reply.header('access-control-allow-origin', '*');
  reply.header('access-control-allow-methods', policy.methods.join(', '));
  reply.header('access-control-max-age', '600');
  if (policy.credentials) reply.header('access-control-allow-credentials', 'true');
  if (isAllowedOrigin(policy, origin)) {
    if (explicitOrigin) reply.header('access-control-allow-origin', origin);
  } else {
    failures.push('origin');
  }
  if (!policy.methods.includes(method)) failures.push('method');
  if (reqHeaders !== undefined) reply.header('access-control-allow-headers', String(reqHeaders));
  if (request.headers['access-control-request-private-network'] !== undefined)
    failures.push('private-network');
  reply.type('text/plain; charset=utf-8');
  if (failures.length > 0) reply.code(400).send(`Disallowed CORS ${failures.join(', ')}`);
  else reply.code(200).send('OK');
}

/** CORS response headers on every non-preflight response (what Starlette's CORSMiddleware adds). */
function corsResponseHeaders(policy: CorsPolicy, request: FastifyRequest, reply: FastifyReply): void {
  const origin = request.headers.origin;
  if (origin !== undefined) {
    if (policy.allowAll) reply.header('access-control-allow-origin', '*');
    if (policy.credentials) reply.header('access-control-allow-credentials', 'true');
    reply.header('access-control-expose-headers', '*');
  }
  if (origin !== undefined && policy.allowAll && policy.credentials) {
    reply.header('access-control-allow-origin', origin);
    appendVary(reply, 'Origin');
  } else if (origin !== undefined && !policy.allowAll && isAllowedOrigin(policy, origin)) {
    reply.header('access-control-allow-origin', origin);
    appendVary(reply, 'Origin');
  } else {
    appendVary(reply, 'Origin');
  }
}

/**
 * The security middleware of the pinned MLflow, applied to every route (native, proxied, 404s)
 * before the native-vs-proxy decision, so both paths answer identically. Registered on the root
 * instance so its hooks are not encapsulated away from any route.
 */
export function registerSecurity(app: FastifyInstance, opts: SecurityOptions): void {
  if (opts.disabled) return;
  const { cors, staticPrefix } = opts;
  // Clients send a handful of distinct Host values; remember the verdicts (bounded, so a flood of
  // random Hosts cannot grow it) instead of running ~30 patterns per request.
  const hostVerdicts = new Map<string, boolean>();
  const hostAllowed = (host: string | undefined): boolean => {
    if (host === undefined) return false;
    let ok = hostVerdicts.get(host);
    if (ok === undefined) {
      ok = isAllowedHost(opts.allowedHosts, host);
      if (hostVerdicts.size < 256) hostVerdicts.set(host, ok);
    }
    return ok;
  };

  // Callback-style hooks: an async one costs a promise and a microtask hop on every request.
  app.addHook('onRequest', (request, reply, done) => {
    const path = decodedPath(request.url);
    if (opts.checkHost && !isHealthPath(path, staticPrefix) && !hostAllowed(request.headers.host)) {
      request.log.warn({ host: request.headers.host }, 'Rejected request with invalid Host header');
      request.securityAnsweredBy = 'host';
      reply.code(403).type('text/plain').send(INVALID_HOST_MSG);
      return;
    }
    const origin = request.headers.origin;
    if (
      origin !== undefined &&
      request.method === 'OPTIONS' &&
      request.headers['access-control-request-method'] !== undefined
    ) {
      request.securityAnsweredBy = 'preflight';
      preflight(cors, request, reply);
      return;
    }
    if (
      cors.block &&
      isApiPath(path, staticPrefix) &&
      shouldBlockCors(origin, request.method, cors.origins)
    ) {
      request.log.warn({ origin }, 'Blocked cross-origin request');
      request.securityAnsweredBy = 'cors-block';
      reply.code(403).type('text/plain').send(CORS_BLOCKED_MSG);
      return;
    }
    done();
  });

  app.addHook('onSend', (request, reply, payload, done) => {
    const layer = request.securityAnsweredBy;
    if (layer === 'host' || layer === 'preflight') return done(null, payload);
    let out = payload;
    if (layer !== 'cors-block') {
      const path = decodedPath(request.url);
      reply.header('x-content-type-options', 'nosniff');
      if (opts.xFrameOptions && !path.startsWith(TRACE_RENDERER_ASSET_PATH)) {
        reply.header('x-frame-options', opts.xFrameOptions);
      }
      if (request.method === 'OPTIONS' && reply.statusCode === 200 && isApiPath(path, staticPrefix)) {
        reply.code(204);
        reply.removeHeader('content-length');
        // A proxied body would otherwise keep its upstream socket busy.
        if (out && typeof (out as { destroy?: unknown }).destroy === 'function')
          (out as { destroy(): void }).destroy();
        out = null;
      }
    }
    corsResponseHeaders(cors, request, reply);
    done(null, out);
  });
}
