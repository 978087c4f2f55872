/**
 * The UI's assistant status routes (services/ui/assistant.ts), answered natively when nothing is
 * set up for MLflow's assistant (src/cli/server-config.ts decides from the environment); a caller
 * that is not on this host, or an AI gateway with endpoints, goes to the fallback (the Python
 * child, or the standalone 501).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RawReply } from '../../services/raw-reply.js';
import { ASSISTANT_CONFIG_BODY, assistantProvidersBody, isLocalCaller } from '../../services/ui/assistant.js';
import type { Stores } from '../../stores/index.js';
import { noteHandover } from '../not-implemented.js';
import { sendRaw } from '../rpc-routes.js';

type Fallback = (request: FastifyRequest, reply: FastifyReply) => unknown;

const json = (body: string): RawReply =>
  new RawReply(200, { 'content-type': 'application/json' }, Buffer.from(body));

export function registerAssistantRoutes(
  app: FastifyInstance,
  stores: Stores,
  opts: { staticPrefix: string; fallback: Fallback },
): void {
  const base = `${opts.staticPrefix}/ajax-api/3.0/mlflow/assistant`;
  const handOver = async (
    request: FastifyRequest,
    reply: FastifyReply,
    why: string,
  ): Promise<FastifyReply> => {
    noteHandover(request, why);
    await opts.fallback(request, reply);
    return reply;
  };
  app.get(`${base}/config`, async (request, reply) => {
    if (!isLocalCaller(request.socket.remoteAddress, request.headers)) {
      return handOver(request, reply, 'a caller that is not on this host');
    }
    return sendRaw(reply, json(ASSISTANT_CONFIG_BODY));
  });
  app.get(`${base}/providers`, async (request, reply) => {
    if (await stores.tracking.hasGatewayEndpoints()) {
      return handOver(request, reply, 'an AI gateway with endpoints');
    }
    return sendRaw(reply, json(assistantProvidersBody()));
  });
}
