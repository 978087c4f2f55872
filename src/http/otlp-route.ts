/**
 * `POST <prefix>/v1/traces`, OTLP/HTTP span export (mlflow/server/otel_api.py export_traces), with
 * its answers: FastAPI's 422 for a missing `x-mlflow-experiment-id`, 400 `{"detail": ...}` for a
 * content type other than protobuf or JSON, a body that does not decompress or decode, or one
 * without resource spans; 422 for a span that cannot be converted or a write that fails other
 * than with an MLflow error (which is answered as MLflow's JSON error); else 200 with an empty
 * ExportTraceServiceResponse in the request's encoding. A batch the native ingest does not follow
 * (NotNative) goes, bytes unchanged, to the Python server.
 */
import { gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { MlflowError } from '../errors/mlflow-error.js';
import { translateDbError } from '../services/db-errors.js';
import { NotNative } from '../services/raw-reply.js';
import { ingestOtlp } from '../services/traces/otlp-ingest.js';
import { OtlpUnconvertible } from '../services/traces/otlp-spans.js';
import type { Stores } from '../stores/index.js';
import { noteHandover } from './not-implemented.js';
import {
  decodeOtlpJson,
  decodeOtlpProtobuf,
  OtlpCrash,
  OtlpDecodeError,
  type OtlpResourceSpans,
} from './otlp-decode.js';
import { sendMlflowError } from './rpc-routes.js';

export interface OtlpRouteOptions {
  staticPrefix: string;
  bodyLimit: number;
  fallback: (request: FastifyRequest, reply: FastifyReply) => unknown;
}

class Detail extends Error {
  constructor(
    readonly status: number,
    readonly detail: unknown,
  ) {
    super(typeof detail === 'string' ? detail : 'validation error');
  }
}

const MISSING_EXPERIMENT_HEADER = [
  { type: 'missing', loc: ['header', 'x-mlflow-experiment-id'], msg: 'Field required', input: null },
];

/** Starlette's JSONResponse: compact JSON, non-ASCII as is. */
function sendJsonBody(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply
    .code(status)
    .header('content-type', 'application/json')
    .send(Buffer.from(JSON.stringify(body)));
}

function header(request: FastifyRequest, name: string): string | undefined {
  const v = request.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** decompress_otlp_body. */
function decompress(body: Buffer, encoding: string): Buffer {
  if (encoding === 'gzip') {
    try {
      return gunzipSync(body);
    } catch {
      throw new Detail(400, 'Failed to decompress gzip payload');
    }
  }
  if (encoding === 'deflate') {
    try {
      return inflateSync(body);
    } catch {
      try {
        return inflateRawSync(body);
      } catch {
        throw new Detail(400, 'Failed to decompress deflate payload');
      }
    }
  }
  throw new Detail(400, `Unsupported Content-Encoding: ${encoding}`);
}

export function registerOtlpRoute(app: FastifyInstance, stores: Stores, opts: OtlpRouteOptions): void {
  const handler = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    try {
      const experimentId = header(request, 'x-mlflow-experiment-id');
      if (experimentId === undefined) throw new Detail(422, MISSING_EXPERIMENT_HEADER);
      const contentType = header(request, 'content-type');
      const media = contentType === undefined ? undefined : contentType.split(';')[0]!.trim();
      if (media !== 'application/x-protobuf' && media !== 'application/json') {
        throw new Detail(
          400,
          `Invalid Content-Type: ${contentType ?? 'None'}. Expected: application/x-protobuf or application/json`,
        );
      }
      let body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const encoding = header(request, 'content-encoding');
      if (encoding) body = decompress(body, encoding.toLowerCase());
      let resourceSpans: OtlpResourceSpans[];
      try {
        resourceSpans = media === 'application/json' ? decodeOtlpJson(body) : decodeOtlpProtobuf(body);
      } catch (err) {
        if (err instanceof OtlpDecodeError) throw new Detail(400, 'Invalid OpenTelemetry format');
        throw err;
      }
      if (resourceSpans.length === 0) throw new Detail(400, 'Invalid OpenTelemetry format - no spans found');
      try {
        await ingestOtlp(stores, {
          experimentId,
          runId: header(request, 'x-mlflow-run-id'),
          resourceSpans,
          onLinkFailure: (err) =>
            request.log.error({ err }, 'Failed to link OpenTelemetry traces to MLflow run'),
        });
      } catch (err) {
        if (err instanceof OtlpUnconvertible)
          throw new Detail(422, 'Cannot convert OpenTelemetry span to MLflow span');
        if (err instanceof NotNative || err instanceof Detail) throw err;
        const e = translateDbError(err);
        if (e instanceof MlflowError) return sendMlflowError(reply, e);
        request.log.error({ err }, 'OTLP span ingest failed');
        throw new Detail(422, 'Failed to log OpenTelemetry spans');
      }
      if (media === 'application/json') return sendJsonBody(reply, 200, {});
      return reply.code(200).header('content-type', 'application/x-protobuf').send(Buffer.alloc(0));
    } catch (err) {
      if (err instanceof Detail) return sendJsonBody(reply, err.status, { detail: err.detail });
      if (err instanceof NotNative) {
        request.log.debug({ why: err.message }, 'OTLP batch not served natively: handing over');
        noteHandover(request, err.message);
        await opts.fallback(request, reply);
        return reply;
      }
      if (err instanceof MlflowError) return sendMlflowError(reply, err);
      if (!(err instanceof OtlpCrash)) request.log.error({ err }, 'OTLP route failed');
      return reply
        .code(500)
        .header('content-type', 'text/plain; charset=utf-8')
        .send('Internal Server Error');
    }
  };
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: opts.bodyLimit }, (_req, body, done) =>
      done(null, body),
    );
    scope.route({ method: 'POST', url: `${opts.staticPrefix}/v1/traces`, handler });
  });
}
