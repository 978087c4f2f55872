import type { FastifyReply, FastifyRequest } from 'fastify';
import { MlflowError } from '../errors/mlflow-error.js';
import { MLFLOW_VERSION } from '../gen/routes.js';

/** Why a natively routed request was handed over (NotNative), for the standalone answer. */
const handoverReasons = new WeakMap<FastifyRequest, string>();

export function noteHandover(request: FastifyRequest, why: string): void {
  handoverReasons.set(request, why);
}

/** The standalone answer for a route (or, with `why`, one request) mlflow-ts does not serve natively. */
export function notImplementedError(method: string, path: string, why?: string): MlflowError {
  const what = why
    ? `Endpoint ${method} ${path} is served natively by mlflow-ts except for requests like this one (${why})`
    : `Endpoint ${method} ${path} is not served natively by mlflow-ts`;
  return new MlflowError(
    `${what}, and the Python MLflow fallback is not running ` +
      `(standalone mode). To enable the fallback, install the pinned MLflow ${MLFLOW_VERSION} ` +
      `(pip install mlflow==${MLFLOW_VERSION}, or bash scripts/provision-python.sh in a clone) and ` +
      'start mlflow-ts without --no-python / MLFLOW_TS_NO_PYTHON, giving its interpreter with --python or MLFLOW_TS_PYTHON ' +
      'if it is not the python3 on PATH.',
    'NOT_IMPLEMENTED',
  );
}

export function sendNotImplemented(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const path = request.originalUrl.split('?')[0] ?? request.originalUrl;
  const err = notImplementedError(request.method, path, handoverReasons.get(request));
  // A Buffer, so Fastify does not append '; charset=utf-8' (MLflow sends bare application/json).
  return reply
    .code(err.httpStatus)
    .header('content-type', 'application/json')
    .send(Buffer.from(JSON.stringify(err.toJSON())));
}
