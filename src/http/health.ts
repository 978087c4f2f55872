import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';

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
  opts: { staticPrefix: string; version: string; withVersion: boolean },
): void {
  app.get(`${opts.staticPrefix}/health`, async (_req, reply) =>
    reply.type('text/plain; charset=utf-8').send('OK'),
  );
  if (opts.withVersion) {
    app.get(`${opts.staticPrefix}/version`, async (_req, reply) =>
      reply.type('text/html; charset=utf-8').send(opts.version),
    );
  }
}
