/**
 * The RPC table model: every method of every served service, its `databricks.rpc` endpoints and
 * the routes the pinned server registers for them (handlers._get_paths: `/api/{major}.0` and
 * `/ajax-api/{major}.0` + the path, concatenated as-is, so a path without a leading slash gives
 * MLflow's `/api/2.0mlflow/...` quirk).
 */
import type { Descriptors } from './descriptors.js';

export interface RouteModel {
  method: string;
  url: string;
  prefix: 'api' | 'ajax-api';
  /** Fastify param name -> request field it fills (`*` for `<path:...>` segments). */
  params: Record<string, string>;
}

export interface RpcModel {
  service: string;
  serviceFullName: string;
  rpc: string;
  key: string;
  requestType: string;
  responseType: string;
  /** Whether the pinned server's HANDLERS has an implementation (else it answers 404). */
  handledByMlflow: boolean;
  /** Whether its handler answers 503 in `--artifacts-only` mode (@_disable_if_artifacts_only). */
  disabledIfArtifactsOnly: boolean;
  endpoints: { method: string; path: string; since: number; sinceMinor: number }[];
  routes: RouteModel[];
}

/**
 * Proto path -> Fastify url + params. `{x}` and Databricks' `{assessment.trace_id}` (which Flask
 * turns into `<trace_id>`) become `:x`; Flask's `<path:x>` becomes Fastify's wildcard `*`.
 */
export function toFastify(path: string): { url: string; params: Record<string, string> } {
  const params: Record<string, string> = {};
  let url = path.replace(/\{(?:\w+\.)?(\w+)\}/g, (_m, name: string) => {
    params[name] = name;
    return `:${name}`;
  });
  url = url.replace(/<path:(\w+)>/g, (_m, name: string) => {
    params['*'] = name;
    return '*';
  });
  url = url.replace(/<(\w+)>/g, (_m, name: string) => {
    params[name] = name;
    return `:${name}`;
  });
  return { url, params };
}

export function buildRpcs(
  d: Descriptors,
  handled: ReadonlySet<string>,
  artifactsOnlyDisabled: ReadonlySet<string> = new Set(),
): RpcModel[] {
  const out: RpcModel[] = [];
  for (const s of d.services) {
    for (const m of s.methods) {
      const endpoints = d.rpcEndpoints(m).map((e) => ({
        method: e.method,
        path: e.path,
        since: e.since.major,
        sinceMinor: e.since.minor,
      }));
      const routes: RouteModel[] = [];
      for (const e of endpoints) {
        const { url, params } = toFastify(e.path);
        routes.push({ method: e.method, url: `/api/${e.since}.0${url}`, prefix: 'api', params });
        routes.push({ method: e.method, url: `/ajax-api/${e.since}.0${url}`, prefix: 'ajax-api', params });
      }
      out.push({
        service: s.name,
        serviceFullName: s.typeName,
        rpc: m.name,
        key: `${s.name}.${m.name}`,
        requestType: m.input.typeName,
        responseType: m.output.typeName,
        handledByMlflow: handled.has(m.input.typeName),
        disabledIfArtifactsOnly: artifactsOnlyDisabled.has(m.input.typeName),
        endpoints,
        routes,
      });
    }
  }
  return out;
}
