/**
 * Registers every route of the generated RPC table. Native RPCs decode -> validate -> call the
 * service -> serialize, answering MLflow errors as MLflow does; the others go to `fallback`
 * (the proxy to the Python child, or a 501 in standalone mode).
 *
 * The routes live in an encapsulated plugin whose only body parser takes any content type as
 * raw bytes: MLflow decides from the bytes (its Content-Type check, invalid JSON read as `{}`),
 * so Fastify must not answer 415/400 first or parse differently.
 */
import { noteHandover } from './not-implemented.js';
import { Readable } from 'node:stream';
import { setImmediate } from 'node:timers/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { MlflowError } from '../errors/mlflow-error.js';
import { RPCS, type RpcInfo, type RpcRoute } from '../gen/routes.js';
import { NotNative, RawReply } from '../services/raw-reply.js';
import { artifactsOnlyDisabled, flaskRule } from './artifacts-only.js';
import { hasStreamedFields } from '../services/streamed.js';
import type { NativeHandler, NativeHandlers, RequestContext } from '../services/types.js';
import type { Stores } from '../stores/index.js';
import { applyPathParams, type RawRequest } from './codec.js';
import { PythonCrash } from '../py/values.js';
import { serializerFor } from './serialize.js';
import { serializeChunks } from './serialize-stream.js';
import { decodeValidated } from './validation/decode-validated.js';
import { BodyBudget, DEFAULT_BODY_TIMEOUT_MS, DEFAULT_MAX_BODY_BYTES } from './body-budget.js';

export type RpcFallback = (request: FastifyRequest, reply: FastifyReply, rpc: RpcInfo) => unknown;

export interface RpcRoutesOptions {
  native: NativeHandlers;
  /** The stores the native handlers were made over: passed in each request's context. */
  stores?: Stores;
  fallback: RpcFallback;
  /** `--static-prefix`: prepended to the `/ajax-api/...` routes only (as MLflow does). */
  staticPrefix?: string;
  /** Largest request body a native route accepts (MLflow has no limit of its own). */
  bodyLimit?: number;
  /** A native route's whole body must arrive within this (408 after). */
  bodyTimeoutMs?: number;
  /**
   * RPC keys whose native handler reads the request body itself (`ctx.body()`, a stream, e.g. an
   * artifact upload): their routes never parse or decode the body.
   */
  rawBody?: ReadonlySet<string>;
  /**
   * Checks MLflow makes before it reads the request (decorators, path validation), run before
   * decoding; a throw answers as the handler's would.
   */
  precheck?: (key: string, ctx: RequestContext) => void;
  /** `--artifacts-only`: RPCs MLflow disables in that mode answer its 503 instead of diverting. */
  artifactsOnly?: boolean;
}


/**
 * Sends a JSON text as MLflow does: `Content-Type: application/json` exactly. (Fastify appends
 * `; charset=utf-8` to JSON types unless a reply serializer is set; ours passes the text through.)
 */
export function sendJson(reply: FastifyReply, status: number, json: string): FastifyReply {
  return reply.code(status).header('content-type', 'application/json').serializer(passThrough).send(json);
}
const passThrough = (payload: unknown): string => payload as string;

export function sendMlflowError(reply: FastifyReply, err: MlflowError): FastifyReply {
  return sendJson(reply, err.httpStatus, JSON.stringify(err.toJSON()));
}

/** handlers._not_implemented: Flask's default Response (empty HTML body), status 404. */
async function notImplementedByMlflow(_request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  return reply.code(404).header('content-type', 'text/html; charset=utf-8').serializer(passThrough).send('');
}

/** Sends a handler's RawReply: its status, headers and bytes (a stream is piped). */
export function sendRaw(reply: FastifyReply, raw: RawReply): FastifyReply {
  // security.ts's onSend leaves such an answer as the pinned server's outermost layer made it.
  if (raw.outsideMiddleware) reply.request.securityAnsweredBy = 'outside';
  reply.code(raw.status).headers(raw.headers);
  return reply.serializer(passThrough).send(raw.body);
}

/**
 * Fastify does not read GET/HEAD bodies, but MLflow does when there is no query string (rare:
 * a client sending JSON with GET). Read the stream ourselves; the codec decides which source counts.
 */
function hasUnreadBody(request: FastifyRequest): boolean {
  if (request.body !== undefined && request.body !== null) return false;
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  const h = request.headers;
  return (h['content-length'] !== undefined && h['content-length'] !== '0') || !!h['transfer-encoding'];
}

async function readBody(request: FastifyRequest, bodyLimit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request.raw) {
    size += (chunk as Buffer).length;
    if (size > bodyLimit) throw new MlflowError('Request body is too large', 'BAD_REQUEST');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function rawRequest(request: FastifyRequest, body: Buffer | undefined): RawRequest {
  const q = request.url.indexOf('?');
  return {
    // HEAD is routed like GET but MLflow reads the query string only when the method *is* GET.
    method: request.method,
    query: q < 0 ? '' : request.url.slice(q + 1),
    contentType: request.headers['content-type'],
    body,
  };
}

/**
 * Bytes of a streamed response gathered before anything is sent. A response that ends within it is
 * sent whole (with Content-Length, as before); a longer one is streamed (chunked). Errors in this
 * window (the first database page included) still answer as MLflow: status + JSON error.
 */
export const STREAM_HEAD_BYTES = 1024 * 1024;

/**
 * Sends a response with streamed fields (services/streamed.ts) as a Readable that Fastify pipes to
 * the socket: the next chunk (and so the next database page) is produced only when the socket has
 * taken the previous ones. An error after the first byte can only cut the response short: it is
 * logged and the connection is closed, so the client sees an incomplete body, never a valid one.
 */
async function sendStreamed(
  request: FastifyRequest,
  reply: FastifyReply,
  rpc: RpcInfo,
  response: Record<string, unknown>,
): Promise<FastifyReply> {
  const chunks = serializeChunks(rpc.responseType, response);
  let head: Buffer[] = [];
  let size = 0;
  for (;;) {
    const next = await chunks.next();
    if (next.done) return sendJson(reply, 200, Buffer.concat(head).toString('utf8'));
    head.push(next.value);
    size += next.value.length;
    if (size >= STREAM_HEAD_BYTES) break;
  }
  async function* body(): AsyncGenerator<Buffer> {
    try {
      const first = head;
      head = [];
      yield Buffer.concat(first);
      for (;;) {
        // Let other requests and I/O in between chunks: a fast client never applies backpressure,
        // and better-sqlite3 answers synchronously, so nothing else would yield.
        await setImmediate();
        const next = await chunks.next();
        if (next.done) return;
        yield next.value;
      }
    } catch (err) {
      request.log.error({ err, rpc: rpc.key }, 'streamed response failed after its first byte');
      throw err;
    } finally {
      // The client went away (or a write failed): stop reading pages.
      await chunks.return(undefined);
    }
  }
  return reply
    .code(200)
    .header('content-type', 'application/json')
    .send(Readable.from(body(), { objectMode: false }));
}

interface NativeRouteOptions {
  fallback: RpcFallback;
  budget: BodyBudget;
  stores: Stores | undefined;
  rawBody: boolean;
  precheck: ((key: string, ctx: RequestContext) => void) | undefined;
  url: string;
}

function nativeRoute(rpc: RpcInfo, route: RpcRoute, handler: NativeHandler, o: NativeRouteOptions) {
  const { budget, stores } = o;
  const bodyLimit = budget.limit;
  const serialize = serializerFor(rpc.responseType);
  const hasPathParams = Object.keys(route.params).length > 0;
  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    try {
      const target = request.originalUrl;
      const q = target.indexOf('?');
      const ctx: RequestContext = {
        log: request.log,
        args: () => new URLSearchParams(q < 0 ? '' : target.slice(q + 1)),
        stores,
      };
      if (hasPathParams || o.precheck || o.rawBody) {
        ctx.headers = request.headers;
        ctx.pathParams = request.params as Record<string, string>;
        ctx.routeUrl = o.url;
        ctx.rawUrl = target;
      }
      o.precheck?.(rpc.key, ctx);
      let message = {};
      if (o.rawBody) {
        ctx.body = () => request.raw;
      } else {
        // No await unless there is a GET body to read: each one is a microtask hop per request.
        let body: Buffer | undefined;
        if (hasUnreadBody(request)) {
          body = await readBody(request, bodyLimit);
          // Kept where a handover (NotNative) finds it, to send the same bytes to the child.
          (request as { body: unknown }).body = body;
        } else body = (request.body ?? undefined) as Buffer | undefined;
        // The pinned server's Flask (under uvicorn's WSGI bridge) reads no body without a
        // Content-Length: a chunked request body is read (and bounded) but counts as empty.
        if (request.headers['content-length'] === undefined) body = undefined;
        const raw = rawRequest(request, body);
        const decoded = decodeValidated(rpc.requestType, raw);
        if (hasPathParams) {
          applyPathParams(
            decoded.message,
            rpc.requestType,
            route.params,
            request.params as Record<string, string>,
          );
        }
        message = decoded.message;
        ctx.rawJson = decoded.raw;
      }
      const response = (await handler(message, ctx)) as Record<string, unknown> | RawReply | undefined;
      if (response instanceof RawReply) return sendRaw(reply, response);
      if (hasStreamedFields(response)) return await sendStreamed(request, reply, rpc, response!);
      return sendJson(reply, 200, serialize(response ?? {}));
    } catch (err) {
      if (err instanceof RawReply) return sendRaw(reply, err);
      if (err instanceof NotNative) {
        request.log.debug({ rpc: rpc.key, why: err.message }, 'not served natively: handing over');
        noteHandover(request, err.message);
        await o.fallback(request, reply, rpc);
        return reply;
      }
      if (err instanceof MlflowError) return sendMlflowError(reply, err);
      if (err instanceof PythonCrash) {
        request.log.error({ err, rpc: rpc.key }, 'request crashed where MLflow would answer a bare 500');
        return sendRaw(reply, RawReply.flask500());
      }
      throw err;
    } finally {
      budget.release(request);
    }
  };
}

/**
 * Flask routes of the pinned server (server/__init__.py) that call an RPC's handler at a URL of
 * their own: the UI posts to these, while the RPC's generated route is MLflow's (sometimes
 * malformed, e.g. `/api/2.0mlflow/experiments/search-datasets`).
 */
export const FLASK_ROUTE_ALIASES: Readonly<Record<string, readonly RpcRoute[]>> = {
  'MlflowService.searchDatasets': [
    {
      method: 'POST',
      url: '/ajax-api/2.0/mlflow/experiments/search-datasets',
      prefix: 'ajax-api',
      params: {},
    },
  ],
};

export function registerRpcRoutes(app: FastifyInstance, opts: RpcRoutesOptions): void {
  const prefix = (opts.staticPrefix ?? '').replace(/\/+$/, '');
  const bodyLimit = opts.bodyLimit ?? DEFAULT_MAX_BODY_BYTES;
  const budget = new BodyBudget(bodyLimit, opts.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS);
  const rawBody = opts.rawBody ?? new Set<string>();
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', budget.parser());
    const nativeOpts = (key: string, url: string): NativeRouteOptions => ({
      fallback: opts.fallback,
      budget,
      stores: opts.stores,
      rawBody: rawBody.has(key),
      precheck: opts.precheck,
      url,
    });
    // Routes whose handler streams the request body: a parser that leaves the body unread.
    const rawRoutes: { rpc: RpcInfo; route: RpcRoute; url: string; handler: NativeHandler }[] = [];
    for (const rpc of RPCS) {
      const rpcHandler = opts.native[rpc.key];
      const aliases = FLASK_ROUTE_ALIASES[rpc.key] ?? [];
      for (const route of [...rpc.routes, ...aliases]) {
        const url = route.prefix === 'ajax-api' ? `${prefix}${route.url}` : route.url;
        // An RPC MLflow maps to no handler answers its `_not_implemented` on the generated routes
        // (the Python server's answer, or 501 standalone); only its Flask aliases run it.
        const handler = rpc.handledByMlflow || aliases.includes(route) ? rpcHandler : undefined;
        if (handler && rawBody.has(rpc.key)) {
          rawRoutes.push({ rpc, route, url, handler });
          continue;
        }
        if (handler) {
          scope.route({
            method: route.method,
            url,
            bodyLimit,
            handler: nativeRoute(rpc, route, handler, nativeOpts(rpc.key, url)),
          });
          continue;
        }
        // (A Flask alias calls the decorated handler even where the RPC itself has none.)
        const disabled = opts.artifactsOnly && (rpc.disabledIfArtifactsOnly || aliases.includes(route));
        if (!rpc.handledByMlflow && !aliases.includes(route) && !disabled) {
          // MLflow maps the RPC to `_not_implemented`: an empty Flask Response with status 404.
          scope.route({ method: route.method, url, bodyLimit, handler: notImplementedByMlflow });
          continue;
        }
        const divert = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
          if (disabled) return sendRaw(reply, artifactsOnlyDisabled(flaskRule(url, route)));
          await opts.fallback(request, reply, rpc);
          return reply;
        };
        // Diverted from onRequest, before any body parsing: a proxied body streams through untouched.
        scope.route({ method: route.method, url, bodyLimit, onRequest: divert, handler: divert });
      }
    }
    if (rawRoutes.length === 0) return;
    await scope.register(async (raw) => {
      raw.removeAllContentTypeParsers();
      raw.addContentTypeParser('*', (_req, _payload, done) => done(null, undefined));
      for (const { rpc, route, url, handler } of rawRoutes) {
        raw.route({
          method: route.method,
          url,
          handler: nativeRoute(rpc, route, handler, nativeOpts(rpc.key, url)),
        });
      }
    });
  });
}
