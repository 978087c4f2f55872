import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';
import type { Stores } from '../stores/index.js';
import type { StreamedList } from './streamed.js';

/** What a native RPC implementation may use besides its request. */
export interface RequestContext {
  log: FastifyBaseLogger;
  /**
   * The request's query-string arguments (Flask's `request.args`, any method), for the few MLflow
   * handlers that read them directly instead of the parsed message. Absent outside HTTP.
   */
  args?: () => URLSearchParams;
  /** The opened stores, when the caller (the HTTP layer) has them at hand; see DomainContext. */
  stores?: Stores;
  /** The request's headers (e.g. Range for artifact downloads). Absent outside HTTP. */
  headers?: IncomingHttpHeaders;
  /** The route's path parameters as the router decoded them (`*` for `<path:...>`). */
  pathParams?: Readonly<Record<string, string>>;
  /** The request target as received (path and query, still percent-encoded). */
  rawUrl?: string;
  /** The route URL as registered (`/api/2.0/mlflow-artifacts/artifacts/*`), for messages naming it. */
  routeUrl?: string;
  /**
   * The JSON MLflow validates (the query-string dict of a GET, else the body), for handlers that
   * tell a field sent empty from one not sent (handlers._raw_request_has_field).
   */
  rawJson?: unknown;
  /** The unread request body, for RPCs registered to read it themselves (artifact uploads). */
  body?: () => Readable;
}

/**
 * A native RPC implementation: takes the decoded, validated request (wire-shaped: proto field
 * names, int64 as number, enums by name) and resolves to the wire-shaped response. Fails with
 * MlflowError for MLflow-style errors. Typed per RPC by the domain modules (services/domains.ts);
 * this is the erased shape the HTTP layer routes to (the response is whatever that RPC's
 * serializer takes, hence untyped here).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type NativeHandler = (request: unknown, ctx: RequestContext) => Promise<any>;

/** Native implementations keyed by RPC key, e.g. 'MlflowService.getRun'. */
export type NativeHandlers = Readonly<Record<string, NativeHandler>>;

/** What a domain handler is called with: the request's context plus the opened stores. */
export interface DomainContext extends RequestContext {
  stores: Stores;
}

/** A response whose repeated fields may also be streamed (see streamed.ts). */
export type Streamable<R> = {
  [K in keyof R]: NonNullable<R[K]> extends readonly (infer E)[] ? R[K] | StreamedList<E> : R[K];
};

/**
 * The handlers a domain module may implement for service interface `S`: its RPCs with their
 * generated request and response types (a repeated response field may be a StreamedList).
 */
export type DomainHandlers<S> = {
  [K in keyof S]?: S[K] extends (request: infer Q, ctx: infer C) => Promise<infer R>
    ? (request: Q, ctx: C) => Promise<R | Streamable<R>>
    : never;
};
