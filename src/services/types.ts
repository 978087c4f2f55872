import type { FastifyBaseLogger } from 'fastify';

/** What a native RPC implementation may use besides its request. */
export interface RequestContext {
  log: FastifyBaseLogger;
  /**
   * The request's query-string arguments (Flask's `request.args`, any method), for the few MLflow
   * handlers that read them directly instead of the parsed message. Absent outside HTTP.
   */
  args?: () => URLSearchParams;
}

/**
 * A native RPC implementation: takes the decoded, validated request (wire-shaped: proto field
 * names, int64 as number, enums by name) and resolves to the wire-shaped response. Fails with
 * MlflowError for MLflow-style errors.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type NativeHandler<Req = any, Res = any> = (request: Req, ctx: RequestContext) => Promise<Res>;

/** Native implementations keyed by RPC key, e.g. 'MlflowService.getRun'. */
export type NativeHandlers = Readonly<Record<string, NativeHandler>>;
