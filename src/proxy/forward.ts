import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Agent } from 'undici';
import { MlflowError } from '../errors/mlflow-error.js';
import type { ChildLink } from './child-link.js';
import { forwardableRequestHeaders, stripHopByHop } from './hop-by-hop.js';

export type Forwarder = (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply>;

const CONNECT_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'ENOTFOUND',
]);

export function unavailable(reason: string): MlflowError {
  return new MlflowError(
    `The Python MLflow server that serves this endpoint is temporarily unavailable (${reason}). Retry shortly.`,
    'TEMPORARILY_UNAVAILABLE',
  );
}

function sendError(reply: FastifyReply, err: MlflowError): FastifyReply {
  // A Buffer, so Fastify does not append '; charset=utf-8' (MLflow sends bare application/json).
  return reply
    .code(err.httpStatus)
    .header('content-type', 'application/json')
    .send(Buffer.from(JSON.stringify(err.toJSON())));
}

/** A Content-Length Node's parser accepted: digits only, one value (conflicting ones are refused). */
function declaredLength(raw: FastifyRequest['raw']): number | undefined {
  const cl = raw.headers['content-length'];
  return cl === undefined ? undefined : Number(cl);
}

/**
 * Starlette's ServerErrorMiddleware answer (an exception escaped the app): it is the outermost
 * layer of the pinned server, so this 500 carries none of the security middleware's headers.
 */
function isOutsideMiddleware(status: number, headers: Record<string, unknown>): boolean {
  return (
    status === 500 &&
    headers['content-type'] === 'text/plain; charset=utf-8' &&
    headers['content-length'] === '21'
  );
}

/**
 * A chunked request body, forwarded chunked. Given the socket stream itself, undici would send a
 * body that has fully arrived with a Content-Length instead, and that changes what the child does:
 * Flask (WSGI) reads no body at all without a Content-Length, as the pinned server does with a
 * chunked request. An async iterable has no length undici can read.
 */
async function* chunkedBody(raw: Readable): AsyncGenerator<Buffer> {
  for await (const chunk of raw) yield chunk as Buffer;
}

/** The request body as something undici can stream, whatever parsed it (or did not). */
function bodyOf(request: FastifyRequest): {
  body: Readable | AsyncIterable<Buffer> | string | Buffer | null;
  length: number | undefined;
} {
  const b = request.body as unknown;
  const raw = request.raw;
  if (b instanceof Readable) return { body: b, length: declaredLength(raw) };
  if (b === undefined || b === null) {
    // Nothing parsed the body: stream it straight from the socket (it may be empty).
    const length = declaredLength(raw);
    const hasBody = length !== undefined ? length > 0 : raw.headers['transfer-encoding'] !== undefined;
    // A declared empty body is sent as one (undici writes `content-length: 0` where the method
    // carries a payload, and leaves it out for GET, HEAD, DELETE, ... as RFC 9110 asks).
    if (!hasBody || raw.readableEnded) return { body: null, length: length === 0 ? 0 : undefined };
    return length === undefined ? { body: chunkedBody(raw), length } : { body: raw, length };
  }
  // A route in another encapsulation context parsed the body already: send the same bytes back.
  const bytes = typeof b === 'string' || Buffer.isBuffer(b) ? b : JSON.stringify(b);
  return { body: bytes, length: Buffer.byteLength(bytes) };
}

/**
 * Streams a request to the Python child and its answer back, both ways without buffering
 * (a multi-GB artifact never sits in memory). The child gets the request-target exactly as the
 * client sent it (`request.originalUrl`: path bytes, query, escapes, dot segments, backslashes
 * untouched; undici's dispatcher takes the path as is, where a URL string would be parsed and
 * normalized) and the client's headers in their order and spelling, Host included, less the
 * hop-by-hop ones; X-Forwarded-For/Host/Proto are set by us, never taken from the client.
 */
export function createForwarder(link: ChildLink): { forward: Forwarder; close: () => Promise<void> } {
  const agent = new Agent({
    connect: { timeout: 1000 },
    // Shorter than uvicorn's 5 s keep-alive, so a pooled socket is never reused as the child closes it.
    keepAliveTimeout: 4000,
    keepAliveMaxTimeout: 4000,
    // The headers timer runs while the request body is still being uploaded: a multi-GB artifact
    // at modest speed must not be cut off, so no limit (a dead child closes the socket anyway).
    headersTimeout: 0,
    bodyTimeout: 15 * 60_000,
    pipelining: 1,
  });

  const forward: Forwarder = async (request, reply) => {
    const state = link.current;
    if (state.status !== 'up' || state.port === undefined) {
      return sendError(reply, unavailable(state.reason ?? `child ${state.status}`));
    }
    const { body, length } = bodyOf(request);
    const headers = forwardableRequestHeaders(request.raw.rawHeaders, request.headers.connection);
    if (length !== undefined) headers.push('content-length', String(length));
    if (request.ip) headers.push('x-forwarded-for', request.ip);
    if (request.headers.host) headers.push('x-forwarded-host', request.headers.host);
    headers.push('x-forwarded-proto', request.protocol);

    const abort = new AbortController();
    const onClose = (): void => {
      if (!reply.raw.writableFinished) abort.abort();
    };
    reply.raw.once('close', onClose);

    const origin = `http://127.0.0.1:${state.port}`;
    const send = () =>
      agent.request({
        origin,
        path: request.originalUrl,
        method: request.method,
        headers,
        // undici streams any (async) iterable, chunked; its types list only Readable.
        body: body as Readable | string | Buffer | null,
        signal: abort.signal,
      });
    let upstream;
    try {
      try {
        upstream = await send();
      } catch (err) {
        // A pooled connection the child closed just as we reused it: safe to replay once when
        // nothing of a body has been consumed.
        const code = (err as { code?: string }).code ?? '';
        const replayable = body === null || typeof body === 'string' || Buffer.isBuffer(body);
        if (!replayable || abort.signal.aborted || !['ECONNRESET', 'UND_ERR_SOCKET'].includes(code))
          throw err;
        upstream = await send();
      }
    } catch (err) {
      reply.raw.off('close', onClose);
      const code = (err as { code?: string }).code ?? '';
      if (abort.signal.aborted) return reply;
      request.log.warn({ err, code }, 'proxy to the Python child failed');
      if (CONNECT_ERRORS.has(code) || link.current.status !== 'up') {
        return sendError(reply, unavailable(code || 'connection failed'));
      }
      return sendError(
        reply,
        new MlflowError(`Proxy to the Python MLflow server failed: ${String(err)}`, 'INTERNAL_ERROR'),
      );
    }
    if (isOutsideMiddleware(upstream.statusCode, upstream.headers)) request.securityAnsweredBy = 'outside';
    const responseHeaders = stripHopByHop(upstream.headers as Record<string, string | string[]>);
    // Node writes its own Date; a second one would be a duplicate header.
    delete responseHeaders.date;
    reply.code(upstream.statusCode);
    for (const [k, v] of Object.entries(responseHeaders)) reply.header(k, v);
    upstream.body.once('error', (err: Error & { code?: string }) => {
      // Our own aborts (client gone, body dropped for a 204) are not failures of the child.
      if (err.code !== 'UND_ERR_ABORTED') request.log.warn({ err }, 'child response stream failed');
    });
    upstream.body.once('end', () => reply.raw.off('close', onClose));
    return reply.send(upstream.body);
  };

  return { forward, close: () => agent.close() };
}
