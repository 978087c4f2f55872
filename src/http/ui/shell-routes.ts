/**
 * The routes every UI page calls besides the API, answered natively when no Python child runs
 * (with a child, the child answers them: its flags then describe the features it serves):
 *  - GET {api,ajax-api}/3.0/mlflow/server-info (services/ui/server-info.ts);
 *  - GET/POST ajax-api/3.0/mlflow/ui-telemetry, as the pinned server answers with telemetry off
 *    (mlflow-ts collects none): Flask's jsonify of FALLBACK_UI_CONFIG, and {"status": "disabled"};
 *  - GET {api,ajax-api}/2.0/mlflow/users/current: werkzeug's 404 page, as MLflow answers without
 *    the basic-auth app (the UI takes it to mean "no users").
 */
import type { FastifyInstance } from 'fastify';
import { RawReply } from '../../services/raw-reply.js';
import { serverInfoPayload, type ServerInfoSettings } from '../../services/ui/server-info.js';
import { sendRaw } from '../rpc-routes.js';

const json = (body: string): RawReply =>
  new RawReply(200, { 'content-type': 'application/json' }, Buffer.from(body));

export function registerShellRoutes(
  app: FastifyInstance,
  opts: { staticPrefix: string; serverInfo: ServerInfoSettings },
): void {
  const p = opts.staticPrefix;
  // Computed per request as MLflow does; it is cheap and has no I/O.
  for (const api of ['api', 'ajax-api']) {
    app.get(`${p}/${api}/3.0/mlflow/server-info`, async (_request, reply) =>
      sendRaw(reply, json(JSON.stringify(serverInfoPayload(opts.serverInfo)))),
    );
    app.get(`${p}/${api}/2.0/mlflow/users/current`, async (_request, reply) =>
      sendRaw(reply, RawReply.flask404()),
    );
  }
  void app.register(async (scope) => {
    // Telemetry is off: the body is never read, whatever it is (Flask does not parse it either).
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
    const url = `${p}/ajax-api/3.0/mlflow/ui-telemetry`;
    scope.get(url, async (_request, reply) =>
      sendRaw(
        reply,
        json('{"disable_ui_events":[],"disable_ui_telemetry":true,"ui_rollout_percentage":0}\n'),
      ),
    );
    scope.post(url, async (request, reply) => {
      request.raw.resume();
      return sendRaw(reply, json('{"status":"disabled"}\n'));
    });
  });
}

/**
 * GET/POST ajax-api/2.0/mlflow/gateway-proxy with no MLFLOW_DEPLOYMENTS_TARGET set: MLflow
 * "pretends an empty gateway service is running" (gateway_proxy_handler) whatever the request.
 */
export function registerEmptyGatewayProxy(app: FastifyInstance, opts: { staticPrefix: string }): void {
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
    scope.route({
      method: ['GET', 'POST'],
      url: `${opts.staticPrefix}/ajax-api/2.0/mlflow/gateway-proxy`,
      handler: async (request, reply) => {
        request.raw.resume();
        return sendRaw(reply, json('{"endpoints":[]}\n'));
      },
    });
  });
}
