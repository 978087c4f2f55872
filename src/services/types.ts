import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';

/** What a native RPC implementation may use besides its request. */
export interface RequestContext {
  log: FastifyBaseLogger;
  /**
   * The request's query-string arguments (Flask's `request.args`, any method), for the few MLflow
   * handlers that read them directly instead of the parsed message. Absent outside HTTP.
   */
  args?: () => URLSearchParams;
  /** The request's headers (e.g. Range for artifact downloads). Absent outside HTTP. */
  headers?: IncomingHttpHeaders;
  /** The route's path parameters as the router decoded them (`*` for `<path:...>`). */
  pathParams?: Readonly<Record<string, string>>;
  /** The request target as received (path and query, still percent-encoded). */
  rawUrl?: string;
  /** The route URL as registered (`/api/2.0/mlflow-artifacts/artifacts/*`), for messages naming it. */
  routeUrl?: string;
  /** The unread request body, for RPCs registered to read it themselves (artifact uploads). */
  body?: () => Readable;
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
