import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { MlflowError } from '../errors/mlflow-error.js';

/** The pinned MLflow version, as `/version` reports it (read once from mlflow.pin at the repo root). */
export function pinnedMlflowVersion(): string {
  try {
    return readFileSync(new URL('../../mlflow.pin', import.meta.url), 'utf8').trim();
  } catch {
    return 'unknown';
  }
}

/**
 * `/health` and `/version` exactly as MLflow answers them: "OK" as text/plain and the version
 * as text/html (both with charset), under --static-prefix when one is set.
 */
export function registerHealthRoutes(
  app: FastifyInstance,
  opts: {
    staticPrefix: string;
    version: string;
    withVersion: boolean;
    /** Why writes cannot succeed now (undefined: they can); absent without a native store. */
    writeBlocker?: () => Promise<string | undefined>;
  },
): void {
  app.get(`${opts.staticPrefix}/health`, async (_req, reply) =>
    reply.type('text/plain; charset=utf-8').send('OK'),
  );
  // Readiness (ours; MLflow has none): /health stays MLflow's liveness "OK", /ready also says
  // whether the backend store takes writes now (503 TEMPORARILY_UNAVAILABLE, with why, if not).
  const blocker = opts.writeBlocker;
  app.get(`${opts.staticPrefix}/ready`, async (_req, reply) => {
    const why = blocker ? await blocker() : undefined;
    if (why === undefined) return reply.type('text/plain; charset=utf-8').send('OK');
    return reply
      .code(503)
      .header('content-type', 'application/json')
      .send(Buffer.from(JSON.stringify(new MlflowError(why, 'TEMPORARILY_UNAVAILABLE').toJSON())));
  });
  if (opts.withVersion) {
    app.get(`${opts.staticPrefix}/version`, async (_req, reply) =>
      reply.type('text/html; charset=utf-8').send(opts.version),
    );
  }
}
