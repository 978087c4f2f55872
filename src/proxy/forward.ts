import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Agent, request as undiciRequest } from 'undici';
import { MlflowError } from '../errors/mlflow-error.js';
import type { ChildLink } from './child-link.js';
import { stripHopByHop } from './hop-by-hop.js';

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

/** The request body as something undici can stream, whatever parsed it (or did not). */
function bodyOf(request: FastifyRequest): { body: Readable | string | Buffer | null; reserialized: boolean } {
  const b = request.body as unknown;
  if (b instanceof Readable) return { body: b, reserialized: false };
  if (b === undefined || b === null) {
    // Nothing parsed the body: stream it straight from the socket (it may be empty).
    const raw = request.raw;
    const hasBody =
      raw.headers['content-length'] !== undefined
        ? raw.headers['content-length'] !== '0'
        : raw.headers['transfer-encoding'] !== undefined;
    return { body: hasBody && !raw.readableEnded ? raw : null, reserialized: false };
  }
  if (typeof b === 'string' || Buffer.isBuffer(b)) return { body: b, reserialized: true };
  // A route in another encapsulation context parsed JSON already: send the same document back.
  return { body: JSON.stringify(b), reserialized: true };
}

/**
 * Streams a request to the Python child and its answer back, both ways without buffering
 * (a multi-GB artifact never sits in memory). The original path and query are forwarded;
 * `Host` is rewritten to the child's own address (it only listens on 127.0.0.1), and
 * X-Forwarded-* are set by us, never taken from the client.
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
    const { body, reserialized } = bodyOf(request);
    const headers = stripHopByHop(request.headers);
    delete headers.host;
    delete headers['x-forwarded-for'];
    delete headers['x-forwarded-host'];
    delete headers['x-forwarded-proto'];
    delete headers['x-forwarded-port'];
    delete headers['x-real-ip'];
    delete headers.forwarded;
    if (reserialized) {
      delete headers['content-length'];
      if (body !== null) headers['content-length'] = String(Buffer.byteLength(body as string | Buffer));
    }
    headers.host = `127.0.0.1:${state.port}`;
    if (request.ip) headers['x-forwarded-for'] = request.ip;
    if (request.headers.host) headers['x-forwarded-host'] = request.headers.host;
    headers['x-forwarded-proto'] = request.protocol;

    const abort = new AbortController();
    const onClose = (): void => {
      if (!reply.raw.writableFinished) abort.abort();
    };
    reply.raw.once('close', onClose);

    const send = () =>
      undiciRequest(`http://127.0.0.1:${state.port}${request.raw.url ?? request.url}`, {
        method: request.method as 'GET',
        headers,
        body,
        dispatcher: agent,
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
