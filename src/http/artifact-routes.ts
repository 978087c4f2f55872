/**
 * The UI's artifact routes that are not proto RPCs: GET /get-artifact (handlers.get_artifact_handler,
 * a Flask route: send_file of the artifact, MLflow JSON errors, werkzeug's 400 page without `path`).
 * A run whose artifacts live where mlflow-ts has no backend is handed to the Python server.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { MlflowError } from '../errors/mlflow-error.js';
import { flaskFileReply } from '../services/artifacts/file-reply.js';
import { flaskSafePath, runArtifactRoot, runArtifactUri } from '../services/artifacts/run-artifacts.js';
import { NotNative, RawReply } from '../services/raw-reply.js';
import type { Stores } from '../stores/index.js';
import { PythonCrash } from './codec-python.js';
import { sendMlflowError, sendRaw } from './rpc-routes.js';

const FLASK_400 =
  '<!doctype html>\n<html lang=en>\n<title>400 Bad Request</title>\n<h1>Bad Request</h1>\n' +
  '<p>The browser (or proxy) sent a request that this server could not understand.</p>\n';
const FLASK_500 =
  '<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n<h1>Internal Server Error</h1>\n' +
  '<p>The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application.</p>\n';

export type RouteFallback = (request: FastifyRequest, reply: FastifyReply) => unknown;

function posixJoin(a: string, b: string): string {
  if (b.startsWith('/') || a === '') return b;
  return a.endsWith('/') ? a + b : `${a}/${b}`;
}

function queryArgs(request: FastifyRequest): URLSearchParams {
  const q = request.url.indexOf('?');
  return new URLSearchParams(q < 0 ? '' : request.url.slice(q + 1));
}

async function getArtifact(
  stores: Stores,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const args = queryArgs(request);
  const runId = args.get('run_id') || args.get('run_uuid') || undefined;
  const rawPath = args.get('path');
  // request.args["path"]: a missing key is werkzeug's BadRequestKeyError.
  if (rawPath === null) return sendRaw(reply, RawReply.flaskText(400, FLASK_400));
  const path = flaskSafePath(rawPath);
  const root = runArtifactRoot(stores, await runArtifactUri(stores, runId));
  const artifactPath = root.proxied ? posixJoin(root.base, path) : path;
  const file = await root.repo.open(artifactPath, artifactPath);
  return sendRaw(reply, flaskFileReply(file, artifactPath, request.headers));
}

export function registerArtifactRoutes(
  app: FastifyInstance,
  stores: Stores,
  opts: { staticPrefix: string; fallback: RouteFallback | undefined },
): void {
  app.get(`${opts.staticPrefix}/get-artifact`, async (request, reply) => {
    try {
      return await getArtifact(stores, request, reply);
    } catch (err) {
      if (err instanceof MlflowError) return sendMlflowError(reply, err);
      if (err instanceof RawReply) return sendRaw(reply, err);
      if (err instanceof NotNative && opts.fallback) {
        await opts.fallback(request, reply);
        return reply;
      }
      if (!(err instanceof PythonCrash)) request.log.error({ err }, 'get-artifact failed');
      return reply.code(500).type('text/html; charset=utf-8').send(FLASK_500);
    }
  });
}
