/**
 * `--artifacts-only` (mlflow server's artifact-serving mode): the mlflow-artifacts service is served,
 * every handler MLflow decorates with `@_disable_if_artifacts_only` answers 503 with its Flask rule
 * named in a plain-text message, and nothing opens a database. The generated table says which RPCs
 * are disabled (RpcInfo.disabledIfArtifactsOnly); the UI's Flask routes are listed below.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RpcRoute } from '../gen/routes.js';
import { RawReply } from '../services/raw-reply.js';

/** _disable_if_artifacts_only's answer (Flask's Response: text/html, utf-8). */
export function artifactsOnlyDisabled(urlRule: string): RawReply {
  return RawReply.flaskText(
    503,
    `Endpoint: ${urlRule} disabled due to the mlflow server running in \`--artifacts-only\` mode. ` +
      'To enable tracking server functionality, run `mlflow server` without `--artifacts-only`',
  );
}

/** The Flask rule of a generated route (`:x` -> `<x>`, `*` -> `<path:x>`). */
export function flaskRule(url: string, route: RpcRoute): string {
  return url
    .replace(/:(\w+)/g, (_m, name: string) => `<${name}>`)
    .replace('*', () => `<path:${route.params['*'] ?? 'path'}>`);
}

/**
 * The UI's Flask routes whose handlers are disabled in `--artifacts-only` mode (server/__init__.py;
 * the search-datasets one is an alias of its RPC, rpc-routes.ts).
 */
const FLASK_ROUTES: readonly [string, string][] = [
  ['GET', '/get-artifact'],
  ['GET', '/model-versions/get-artifact'],
  ['GET', '/ajax-api/2.0/mlflow/metrics/get-history-bulk'],
  ['POST', '/ajax-api/2.0/mlflow/runs/create-promptlab-run'],
  ['POST', '/ajax-api/2.0/mlflow/upload-artifact'],
  ['GET', '/ajax-api/2.0/mlflow/get-trace-artifact'],
  ['GET', '/ajax-api/3.0/mlflow/get-trace-artifact'],
  ['GET', '/ajax-api/2.0/mlflow/logged-models/<model_id>/artifacts/files'],
];

export function registerArtifactsOnlyFlaskRoutes(app: FastifyInstance, staticPrefix: string): void {
  for (const [method, rule] of FLASK_ROUTES) {
    const prefixed = `${staticPrefix}${rule}`;
    const raw = artifactsOnlyDisabled(prefixed);
    const answer = (_request: FastifyRequest, reply: FastifyReply): FastifyReply =>
      reply.code(raw.status).headers(raw.headers).send(raw.body);
    // Answered before any body is read: the handler never runs.
    app.route({
      method: method as 'GET' | 'POST',
      url: prefixed.replace(/<(\w+)>/g, ':$1'),
      onRequest: async (request, reply) => {
        answer(request, reply);
        return reply;
      },
      handler: answer,
    });
  }
}
