import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import { METHODS } from 'node:http';
import type { Logger } from 'pino';
import { MlflowError } from '../errors/mlflow-error.js';
import { DEFAULT_BODY_TIMEOUT_MS, DEFAULT_MAX_BODY_BYTES } from './body-budget.js';
import type { Forwarder } from '../proxy/forward.js';
import { registerHealthRoutes } from './health.js';
import { clientErrorHandler, h11Refuses, refuseInvalidRequest } from './invalid-request.js';
import { RPCS, type NativeLayer } from './native-layer.js';
import { sendNotImplemented } from './not-implemented.js';
import { isOriginForm, pythonScopePath, routingUrl } from './request-target.js';
import { sendMethodNotAllowed } from './method-not-allowed.js';
import { registerSecurity, type SecurityOptions } from './security.js';
import { expectsContinue, handAllRequestsToApp } from './server-events.js';
import { registerStaticUi, type UiSource } from './ui/static-ui.js';
import { registerEmptyGatewayProxy, registerShellRoutes } from './ui/shell-routes.js';
import type { ServerInfoSettings } from '../services/ui/server-info.js';
import type { GraphqlLimits } from './graphql/limits.js';

/** Request limits and timeouts of the front (see the flags in src/cli/server-options.ts). */
export interface HttpLimits {
  /** Largest body a native route reads (413 above). */
  maxBodyBytes: number;
  /** Request line and headers must arrive within this (Node headersTimeout). */
  headersTimeoutMs: number;
  /** A native route's whole body must arrive within this (408 after). */
  bodyTimeoutMs: number;
  /** A connection with no byte either way for this long is closed (Fastify connectionTimeout). */
  idleTimeoutMs: number;
  /** An idle keep-alive connection is closed after this (Fastify keepAliveTimeout). */
  keepAliveTimeoutMs: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
  headersTimeoutMs: 30_000,
  bodyTimeoutMs: DEFAULT_BODY_TIMEOUT_MS,
  idleTimeoutMs: 120_000,
  keepAliveTimeoutMs: 72_000,
};

export interface AppOptions {
  logger: Logger;
  security: SecurityOptions;
  staticPrefix: string;
  /** MLflow version `/version` reports. */
  version: string;
  /** Streams to the Python child; undefined in standalone mode (non-native routes answer 501). */
  forward: Forwarder | undefined;
  native: NativeLayer | undefined;
  /**
   * --app-name (e.g. basic-auth): the Python app guards every route but /health, so nothing
   * else may be answered natively (it would skip authentication).
   */
  guardedByApp: boolean;
  /** Defaults: DEFAULT_HTTP_LIMITS. */
  limits?: HttpLimits;
  /**
   * The UI build (src/cli/ui-dir.ts). Served natively when found; when not, standalone servers
   * answer `/` with a page saying how to get it and proxying servers leave the UI to the child.
   */
  ui?: UiSource;
  /** server-info's flags; with them (and no Python child) the UI's shell routes are native. */
  serverInfo?: ServerInfoSettings;
  /** Nothing is set up for MLflow's assistant (its status routes are then native). */
  assistantUnconfigured?: boolean;
  /** The GraphQL query limits (MLFLOW_SERVER_GRAPHQL_MAX_ROOT_FIELDS / _ALIASES). */
  graphqlLimits?: GraphqlLimits;
  /** MLFLOW_DEPLOYMENTS_TARGET: without one, gateway-proxy answers MLflow's empty gateway natively. */
  deploymentsTarget?: string;
  /** Told of every route registered (tests list the route table with it). */
  onRoute?: (method: string, url: string) => void;
}

export interface RouteStats {
  nativeRpcs: number;
  proxiedRpcs: number;
}

function sendError(reply: FastifyReply, err: MlflowError): FastifyReply {
  // A Buffer, so Fastify does not append '; charset=utf-8' (MLflow sends bare application/json).
  return reply
    .code(err.httpStatus)
    .header('content-type', 'application/json')
    .send(Buffer.from(JSON.stringify(err.toJSON())));
}

/** What Starlette's router answers for a target none of its routes can match (`*`, `host:port`). */
function sendStarletteNotFound(reply: FastifyReply): FastifyReply {
  return reply
    .code(404)
    .header('content-type', 'application/json')
    .send(Buffer.from('{"detail":"Not Found"}'));
}

/** A target undici can put on the request line unchanged: origin-form, or absolute-form http(s). */
function forwardableTarget(target: string): boolean {
  return isOriginForm(target) || target.startsWith('http://') || target.startsWith('https://');
}

/**
 * The HTTP front: security middleware on every route, /health and /version, the native routes,
 * and everything else diverted to the Python child (or 501 NOT_IMPLEMENTED in standalone mode).
 * Diverted requests are answered from their route's onRequest hook, before any body parsing, so
 * proxied bodies stream through untouched whatever their size or content type; native routes
 * carry no such hook.
 */
export async function buildApp(o: AppOptions): Promise<{ app: FastifyInstance; stats: RouteStats }> {
  const limits = o.limits ?? DEFAULT_HTTP_LIMITS;
  const app: FastifyInstance = Fastify({
    // pino's Logger is what Fastify wants at run time; its TS type is the narrower base logger.
    loggerInstance: o.logger as unknown as FastifyBaseLogger,
    // One debug line per request from onResponse instead of Fastify's two info lines.
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: false,
    // Artifact paths are route parameters and can be long.
    routerOptions: { maxParamLength: 16_384, ignoreDuplicateSlashes: false },
    // Fastify's own 503 while closing is not MLflow JSON; the onRequest hook below answers instead.
    return503OnClosing: false,
    // The router sees only targets it reads as Python does; every other one is routed to the
    // catch-all and diverted with its bytes unchanged (request-target.ts), or, standalone, routed
    // as Python would route its decoded path. Everything else reads
    // the target as received: request.originalUrl.
    rewriteUrl: (req) => routingUrl(req.url ?? '/', o.forward === undefined),
    // Parse errors answered as uvicorn answers them (not Fastify's JSON).
    clientErrorHandler,
    // Idle sockets and keep-alive. No total request timeout (Node's requestTimeout): a multi-GB
    // artifact upload streams to the child for as long as its bytes keep coming; native bodies
    // have their own deadline (bodyTimeoutMs, in the body parser).
    connectionTimeout: limits.idleTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    requestTimeout: 0,
    http: {
      // h11's Host rule (one Host, required in HTTP/1.1) is applied in the first hook below, with
      // uvicorn's answer, instead of Node's bare 400.
      requireHostHeader: false,
      headersTimeout: limits.headersTimeoutMs,
      // How often Node looks for expired headers (its default, 30 s, would let a slow-header
      // client outlive a short headers timeout by that much).
      connectionsCheckingInterval: Math.max(250, Math.min(5000, Math.floor(limits.headersTimeoutMs / 4))),
    },
  });

  if (o.onRoute) {
    const seen = o.onRoute;
    app.addHook('onRoute', (r) => {
      for (const m of Array.isArray(r.method) ? r.method : [r.method]) seen(m, r.url);
    });
  }

  // Every method Node's parser accepts reaches the catch-all (and so the child, which answers 405
  // where Flask has no such method), instead of Fastify's own 404 for methods it does not know.
  for (const method of METHODS) {
    if (!app.supportedMethods.includes(method)) app.addHttpMethod(method, { hasBody: true });
  }
  handAllRequestsToApp(app.server);

  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  // Callback-style hooks (here and in security.ts): an async one costs a promise and a microtask
  // hop on every request.
  app.addHook('onRequest', (request, reply, done) => {
    // h11 refuses these before any middleware runs; so do we.
    if (h11Refuses(request.raw)) {
      reply.hijack();
      refuseInvalidRequest(request.raw.socket);
      return;
    }
    if (!closing) return done();
    reply.header('connection', 'close');
    sendError(
      reply,
      new MlflowError('The server is shutting down. Retry shortly.', 'TEMPORARILY_UNAVAILABLE'),
    );
  });

  registerSecurity(app, o.security);
  app.addHook('onRequest', (request, reply, done) => {
    // The security middleware let it through: now the body may come (server-events.ts).
    if (expectsContinue(request.raw) && isOriginForm(request.originalUrl)) reply.raw.writeContinue();
    done();
  });

  const divert = (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> | FastifyReply => {
    if (o.forward) return o.forward(request, reply);
    // A plain OPTIONS is not an endpoint call: answer it empty (204 on API paths, as MLflow does)
    // rather than 501. CORS preflights never get here (the security layer answers them).
    if (request.method === 'OPTIONS') return reply.code(200).send();
    // A method none of MLflow's routes at this path takes: Flask's router answers 405 first.
    if (sendMethodNotAllowed(reply, request.method, pythonScopePath(request.originalUrl), o.staticPrefix)) {
      return reply;
    }
    return sendNotImplemented(request, reply);
  };

  const useNative = o.native !== undefined && !o.guardedByApp;
  const nativeKeys = new Set(useNative ? o.native!.nativeKeys : []);

  /**
   * Route-level hook of every diverted route (the catch-all here, the proxied RPC routes in
   * rpc-routes.ts): it answers before any body parsing, after the root hooks (security).
   */
  const divertEarly = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    if (!forwardableTarget(request.originalUrl)) return sendStarletteNotFound(reply);
    await divert(request, reply);
    return reply;
  };

  // Only at debug level: a hook per request costs on the hot path.
  if (o.logger.isLevelEnabled('debug')) {
    app.addHook('onResponse', async (request, reply) => {
      request.log.debug(
        {
          method: request.method,
          // The request-target as received (never the routing URL).
          url: request.originalUrl,
          status: reply.statusCode,
          ms: Math.round(reply.elapsedTime),
        },
        'request',
      );
    });
  }

  app.setErrorHandler(async (error, request, reply) => {
    // The client is still sending a body we will not read: answer, then close the connection.
    if ((error as { closeConnection?: boolean }).closeConnection) reply.header('connection', 'close');
    if (error instanceof MlflowError) return sendError(reply, error);
    // A Content-Type that is no media type at all (`<script>...`): Fastify refuses it before any
    // parser runs; MLflow's _validate_content_type refuses it as any other type.
    if ((error as { code?: string }).code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return sendError(
        reply,
        MlflowError.invalidParameter("Bad Request. Content-Type must be one of ['application/json']."),
      );
    }
    const status = (error as { statusCode?: number }).statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      return reply
        .code(status)
        .type('application/json')
        .send(JSON.stringify({ error_code: 'BAD_REQUEST', message: (error as Error).message }));
    }
    request.log.error({ err: error }, 'unhandled error');
    return sendError(reply, new MlflowError(String((error as Error).message ?? error), 'INTERNAL_ERROR'));
  });

  registerHealthRoutes(app, {
    staticPrefix: o.staticPrefix,
    version: o.version,
    withVersion: !o.guardedByApp,
    ...(useNative ? { writeBlocker: () => o.native!.writeBlocker() } : {}),
  });

  if (useNative) {
    o.native!.register(app, {
      staticPrefix: o.staticPrefix,
      maxBodyBytes: limits.maxBodyBytes,
      bodyTimeoutMs: limits.bodyTimeoutMs,
      ...(o.graphqlLimits ? { graphqlLimits: o.graphqlLimits } : {}),
      ...(o.assistantUnconfigured ? { assistantUnconfigured: true } : {}),
      fallback: (request, reply) => divert(request, reply),
    });
  }

  if (o.serverInfo && !o.forward && !o.guardedByApp) {
    registerShellRoutes(app, { staticPrefix: o.staticPrefix, serverInfo: o.serverInfo });
  }
  if (o.serverInfo && !o.guardedByApp && !o.deploymentsTarget) {
    registerEmptyGatewayProxy(app, { staticPrefix: o.staticPrefix });
  }
  if (o.ui && !o.guardedByApp && (o.ui.dir !== undefined || !o.forward)) {
    await registerStaticUi(app, { staticPrefix: o.staticPrefix, ui: o.ui });
  }

  app.route({
    method: app.supportedMethods,
    url: '/*',
    onRequest: divertEarly,
    // Never reached: the onRequest hook diverts catch-all requests before parsing.
    handler: async (request, reply) => divert(request, reply),
  });

  const nativeRpcs = RPCS.filter((r) => nativeKeys.has(r.key)).length;
  return { app, stats: { nativeRpcs, proxiedRpcs: RPCS.length - nativeRpcs } };
}
